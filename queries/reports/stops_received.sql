-- R4 headline: STOP messages received, each MO line once. R4's own statistics count one
-- opt-out per (STOP, brand concerned): a STOP to a short code that several brands share is
-- one opt-out from each, so their sum overstates the STOPs received (481 against 287 on the
-- demo). Period: local day received; short code: the code the STOP was sent to (as R4);
-- brand: the STOPs concerning the brand (fct_opt_events, as R4 reads who opted out of what).
select count(*) as stops
from fct_mo as m
where m.outcome = 'accepted'
  and m.keyword = 'STOP'
  and ($short_code is null or m.short_code = $short_code)
  and ($brand is null or exists (
        select 1
        from fct_opt_events as o
        where o.keyword = 'STOP' and o.brand = $brand
          and o.msisdn = m.msisdn and o.opt_at = m.received_at))
  and ($date_from is null or m.received_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or m.received_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
