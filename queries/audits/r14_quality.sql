-- R14 QUALITY: delivery of the accepted MT lines (`Sent SMS`), for the whole traffic and per
-- short code, per brand and per campaign (Kannel's BINF, which a sender fills with `binfo=`:
-- NULL when empty). One row per group, `level` naming the grouping: total | short_code |
-- brand | campaign (the other key columns NULL there).
-- Final statuses are fct_mt's (docs/schema.md): delivered / failed / expired / rejected (a
-- Kannel NACK after the submit was accepted) / pending (only intermediate receipts) / NULL
-- (no receipt: none asked for with dlr-mask, or lost). delivery_rate is delivered among the
-- lines whose final status is known (delivered, failed, expired, rejected): a line no final
-- receipt came for says nothing either way, and is counted apart (receipt_coverage).
-- Latency: from the line (the SMSC acknowledged the submit) to its final receipt, in
-- seconds, over delivered lines (the time a subscriber waited); an expired line's latency is
-- the SMSC's validity period, not a delivery time, and is left out.
with lines as (
    select
        short_code,
        brand,
        nullif(binfo, '') as campaign,
        final_status,
        case when final_status = 'delivered' then epoch(final_at - submitted_at) end as latency_s
    from fct_mt
    where outcome = 'accepted'
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
    count(*) as accepted,
    count(*) filter (where final_status = 'delivered') as delivered,
    count(*) filter (where final_status = 'failed') as failed,
    count(*) filter (where final_status = 'expired') as expired,
    count(*) filter (where final_status = 'rejected') as rejected,
    count(*) filter (where final_status = 'pending') as pending,
    count(*) filter (where final_status is null) as no_receipt,
    count(*) filter (where final_status in ('delivered', 'failed', 'expired', 'rejected')) as final_known,
    round(count(*) filter (where final_status = 'delivered')
          / nullif(count(*) filter (where final_status in ('delivered', 'failed', 'expired', 'rejected')), 0), 4)
        as delivery_rate,
    round(count(*) filter (where final_status in ('delivered', 'failed', 'expired', 'rejected'))
          / count(*), 4) as receipt_coverage,
    round(quantile_cont(latency_s, 0.5), 1) as latency_p50_s,
    round(quantile_cont(latency_s, 0.9), 1) as latency_p90_s,
    round(quantile_cont(latency_s, 0.99), 1) as latency_p99_s,
    max(latency_s) as latency_max_s
from lines
group by grouping sets ((), (short_code), (brand), (campaign))
order by
    case level when 'total' then 0 when 'short_code' then 1 when 'brand' then 2 else 3 end,
    accepted desc, short_code, brand, campaign
