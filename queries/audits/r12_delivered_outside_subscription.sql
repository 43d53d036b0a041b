-- R12: per local month, the delivered segments one short code ($code) sent on days outside
-- its subscription ($since .. $until, the contract's dates; NULL: open), for the bill to say
-- so on its delivered-segment line: Orange bills what it delivered, with or without a
-- subscription, but a month the code is held in part read as if all its traffic were
-- subscribed (a probe: a code subscribed from the 10th sent from the 1st without a word).
-- Delivered as r12_bill_segments.sql counts it (a partly sent message aside).
select
    cast(date_trunc('month', submitted_at at time zone $tz) as date) as month,
    cast(coalesce(sum(segments), 0) as bigint) as delivered_outside
from fct_mt
where outcome = 'accepted'
  and final_status = 'delivered'
  and short_code = $code
  and (($since is not null and submitted_at < timezone($tz, cast($since as timestamp)))
       or ($until is not null and submitted_at >= timezone($tz, cast($until as timestamp) + interval 1 day)))
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
