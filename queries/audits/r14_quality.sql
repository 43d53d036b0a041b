-- R14 QUALITY: delivery of the accepted MT lines (`Sent SMS`), for the whole traffic and per
-- short code, per brand and per campaign (Kannel's BINF, which a sender fills with `binfo=`:
-- NULL when empty). One row per group, `level` naming the grouping: total | short_code |
-- brand | campaign (the other key columns NULL there).
-- Final statuses are fct_mt's (docs/schema.md): delivered / failed / expired / rejected (a
-- Kannel NACK after the submit was accepted) / pending (only intermediate receipts) / NULL
-- (no receipt: none asked for with dlr-mask, or lost). delivery_rate is delivered among the
-- lines whose final status is known (delivered, failed, expired, rejected) and whose dlr-mask
-- asked for both outcomes (mask & 3 = 3, or a mask the log does not give): rate_lines is the
-- denominator, one_sided_mask counts the others. With mask 1 or 2 alone, the receipt of the
-- other kind is logged on SMPP as a `FAILED Receive DLR` (it then gives the line its status)
-- but on UCP/EMI not at all (tests/fixtures/kannel-1.4.5/reused-ids), and the log does not
-- name the driver: such a line's known outcomes are no sample of its outcomes (EMI, mask 1:
-- 100 % by construction), so it counts neither way (docs/quality.md).
-- A line no final receipt came for says nothing either way (receipt_coverage).
-- Latency: from the line (the SMSC acknowledged the submit) to its final receipt, in
-- seconds, over delivered lines (the time a subscriber waited); 0 when the receipt was logged
-- first (the SMSC delivered before it answered the submit: real Kannel 1.4.5,
-- tests/fixtures/kannel-1.4.5/receipt-first); an expired line's time is the SMSC's validity
-- period, not a delivery time, and is left out. A line Kannel forwarded (reroute: fct_mt.forwarded)
-- is no message of the traffic, and is left out.
-- refused: MT lines the platform did not send (refused by the SMSC, failed, discarded or
-- expired in Kannel's queue): not in any rate, shown beside them.
with lines as (
    select
        short_code,
        brand,
        nullif(binfo, '') as campaign,
        outcome = 'accepted' as accepted,
        final_status,
        coalesce(outcome = 'accepted' and dlr_mask_requested > 0 and dlr_mask_requested & 3 in (1, 2), false)
            as one_sided,
        case when final_status = 'delivered' then greatest(epoch(final_at - submitted_at), 0) end as latency_s
    from fct_mt
    where forwarded is null
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)

select
    case
        when grouping(short_code) = 0 then 'short_code'
        when grouping(brand) = 0 then 'brand'
        when grouping(campaign) = 0 then 'campaign'
        else 'total'
    end as level,
    short_code,
    brand,
    campaign,
    count(*) filter (where accepted) as accepted,
    count(*) filter (where accepted and final_status = 'delivered') as delivered,
    count(*) filter (where accepted and final_status = 'failed') as failed,
    count(*) filter (where accepted and final_status = 'expired') as expired,
    count(*) filter (where accepted and final_status = 'rejected') as rejected,
    count(*) filter (where accepted and final_status = 'pending') as pending,
    count(*) filter (where accepted and final_status is null) as no_receipt,
    count(*) filter (where accepted and final_status in ('delivered', 'failed', 'expired', 'rejected')) as final_known,
    count(*) filter (where accepted and one_sided) as one_sided_mask,
    count(*) filter (where accepted and not one_sided
                     and final_status in ('delivered', 'failed', 'expired', 'rejected')) as rate_lines,
    round(count(*) filter (where accepted and not one_sided and final_status = 'delivered')
          / nullif(count(*) filter (where accepted and not one_sided
                                    and final_status in ('delivered', 'failed', 'expired', 'rejected')), 0), 4)
        as delivery_rate,
    round(count(*) filter (where accepted and final_status in ('delivered', 'failed', 'expired', 'rejected'))
          / nullif(count(*) filter (where accepted), 0), 4) as receipt_coverage,
    round(quantile_cont(latency_s, 0.5), 1) as latency_p50_s,
    round(quantile_cont(latency_s, 0.9), 1) as latency_p90_s,
    round(quantile_cont(latency_s, 0.99), 1) as latency_p99_s,
    round(max(latency_s), 1) as latency_max_s,
    count(*) filter (where not accepted) as refused
from lines
group by grouping sets ((), (short_code), (brand), (campaign))
order by
    case level when 'total' then 0 when 'short_code' then 1 when 'brand' then 2 else 3 end,
    accepted desc, short_code, brand, campaign
