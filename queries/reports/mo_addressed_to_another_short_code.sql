-- Data quality: MO lines received on a connection the contract maps to one short code but
-- addressed (Kannel's `to:`, read as short_code_written reads it: facts/macros.sql) to another
-- short code of the contract. The connection names an MO's short code (docs/config.md), so an
-- opt-out among them concerns the brands of the connection's short code, not those of the one
-- the subscriber wrote to, and a 34ABC session opens on the connection's: an SMSC that routes
-- one code's MOs over another's bind moves them silently. Per connection and pair of codes,
-- over the events' local days ($date_from, $date_to: those an ingest loaded).
select
    m.smsc,
    m.short_code,
    w.code as addressed_to,
    count(*) as mo_lines,
    count(*) filter (where m.keyword is not null) as opt_lines,
    min(m.received_at) as first_at,
    max(m.received_at) as last_at
from fct_mo as m
join ref_connections as c on c.smsc = m.smsc
join ref_short_codes as w on w.code = short_code_written(m.receiver)
where w.code <> m.short_code
  and ($date_from is null or m.received_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or m.received_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by mo_lines desc, m.smsc, addressed_to
