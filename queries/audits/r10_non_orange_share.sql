-- R10, informative: per short code and brand, the share of MT lines accepted by the platform
-- whose final status is `failed` with an error meaning "not an Orange subscriber": the GSM
-- MAP errors an operator's SMSC returns for a number its HLR does not serve, 1 Unknown
-- Subscriber and 11 Teleservice Not Provisioned (a number ported away or never on the
-- network). Read from fct_mt.dlr_err whether it came from META `dlr_err` (3 bytes hex:
-- network type 03 = GSM, then the 2-byte error, e.g. `03000B`) or from a receipt's `err:`
-- field (decimal, e.g. `011`). Other failures (absent subscriber 27, memory full 31, barred
-- 13, unknown codes) are counted apart as other_failed; failed_error_unknown counts the
-- failures whose error the log does not give at all (Kannel's UCP/EMI driver drops the
-- notification's reason code): non_orange_share is then only a lower bound; so it is when
-- without_final_status counts lines no final receipt came for (none requested, receipts
-- lost, still pending): whether those reached an Orange subscriber the log does not say.
with lines as (
    select
        short_code,
        brand,
        final_status,
        dlr_err,
        case
            when regexp_full_match(dlr_err, '03[0-9A-Fa-f]{4}') then cast('0x' || right(dlr_err, 4) as integer)
            when regexp_full_match(dlr_err, '[0-9]{1,4}') then cast(dlr_err as integer)
        end as gsm_error
    from fct_mt
    where outcome = 'accepted'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)

select
    short_code,
    brand,
    count(*) as mt,
    count(*) filter (where final_status = 'failed' and gsm_error in (1, 11)) as non_orange,
    count(*) filter (where final_status = 'failed' and coalesce(gsm_error, -1) not in (1, 11)) as other_failed,
    count(*) filter (where final_status = 'failed' and dlr_err is null) as failed_error_unknown,
    count(*) filter (where final_status = 'delivered') as delivered,
    -- (the other final statuses: the columns add up to mt)
    count(*) filter (where final_status in ('expired', 'rejected')) as expired_or_rejected,
    count(*) filter (where final_status is null or final_status = 'pending') as without_final_status,
    round(count(*) filter (where final_status = 'failed' and gsm_error in (1, 11)) / count(*), 6) as non_orange_share
from lines
group by short_code, brand
order by short_code, brand
