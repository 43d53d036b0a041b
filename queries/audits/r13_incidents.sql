-- R13 SLA: submit incidents per gateway connection (Kannel smsc-id): runs of MT lines the
-- platform failed, with no accepted line between them. Orange promises 99 % availability
-- over 12 rolling months and restoration within 6 h; what the access log shows of an outage
-- is submits that fail for the platform's sake, not the message's:
--   - `DISCARDED SMS`: Kannel gave up after temporary errors (NACK/Retries Exceeded; a
--     throttled submit whose retries ran out reads the same: docs/sla.md);
--   - `EXPIRED SMS`: it queued the message until its validity ran out (a link down);
--   - a refused or failed line whose Kannel NACK names an SMPP error of the platform
--     ($platform_nack: system error 0x08, message queue full 0x14, submit failed 0x45,
--     temporary application error 0x64, unknown 0xFF; not throttling 0x58, the sender over
--     its subscribed rate: R8).
-- A line refused for the message itself (an invalid destination 0x0B, a black list, a
-- malformed message) or without any NACK to say why is no evidence of an outage, and neither
-- breaks a run nor is part of one.
-- Each run (consecutive failures, no accepted line between them on that connection) gives:
-- the first and last failure (the outage seen: a lower bound of its length), the last
-- accepted line before it and the first after it (restored_at: the outage cannot have been
-- longer than from the one to the other; NULL when the log ends first), the lines, and the
-- first failure's provenance (load_id, line_no) to quote.
-- The connection: bearerbox logs a message it gives up on (`DISCARDED SMS`, `EXPIRED SMS`)
-- outside any connection, with an empty SMSC when routing chose the link (real Kannel 1.4.5:
-- tests/fixtures/kannel-1.4.5/discarded) and no FID for the facts to find it by: such a line
-- goes to its short code's connection, the one the contract gives it, else the one its
-- accepted lines all went on; a short code on several connections leaves it unplaced.
with code_links as (
    select code as short_code, any_value(smsc) as smsc
    from ref_connections
    group by code
    having count(*) = 1
    union all
    select short_code, any_value(smsc)
    from fct_mt
    where outcome = 'accepted' and smsc <> '' and short_code is not null
      and short_code not in (select code from ref_connections)
    group by short_code
    having count(distinct smsc) = 1
),

lines as (
    select
        coalesce(nullif(m.smsc, ''), c.smsc) as smsc,
        m.short_code,
        m.mt_id,
        m.load_id,
        m.line_no,
        m.submitted_at,
        m.label,
        m.outcome,
        n.text as nack
    from fct_mt as m
    left join code_links as c
        on c.short_code = m.short_code
    left join fct_dlr as n
        on n.mt_id = m.mt_id and n.source = 'kannel_nack'
    where coalesce(nullif(m.smsc, ''), c.smsc) is not null
      and m.forwarded is null
      and ($short_code is null or m.short_code = $short_code)
),

classified as (
    select
        *,
        case
            when outcome = 'accepted' then 'ok'
            when outcome in ('discarded', 'expired') then 'platform'
            when regexp_matches(coalesce(nack, ''), $platform_nack) then 'platform'
        end as kind
    from lines
),

sequenced as (
    select
        *,
        -- accepted lines seen so far on the connection: one value per run of failures
        -- (count_if and CASE, not FILTER: DuckDB computes a running window with FILTER row
        -- by row, quadratic: page 90 took 470 s on 6 M lines, found by a probe)
        count_if(kind = 'ok') over w as ok_seen,
        max(case when kind = 'ok' then submitted_at end) over w as last_ok_at
    from classified
    where kind is not null
    window w as (partition by smsc order by submitted_at, mt_id rows between unbounded preceding and current row)
),

next_ok as (
    select smsc, ok_seen, submitted_at as restored_at
    from sequenced
    where kind = 'ok'
),

runs as (
    select
        smsc,
        ok_seen,
        string_agg(distinct short_code, ', ' order by short_code) as short_codes,
        min(submitted_at) as first_failure_at,
        max(submitted_at) as last_failure_at,
        any_value(last_ok_at) as last_ok_before,
        count(*) as failed_lines,
        count(*) filter (where outcome = 'discarded') as discarded,
        count(*) filter (where outcome = 'expired') as expired,
        count(*) filter (where outcome in ('refused', 'failed')) as refused,
        mode(coalesce(nack, label)) as usual_reason,
        arg_min(load_id, (submitted_at, mt_id)) as first_load_id,
        arg_min(line_no, (submitted_at, mt_id)) as first_line_no
    from sequenced
    where kind = 'platform'
    group by smsc, ok_seen
)

select
    r.smsc,
    r.short_codes,
    r.first_failure_at,
    r.last_failure_at,
    r.last_ok_before,
    o.restored_at,
    epoch(r.last_failure_at - r.first_failure_at) as seen_s,
    epoch(o.restored_at - r.last_ok_before) as at_most_s,
    r.failed_lines,
    r.discarded,
    r.expired,
    r.refused,
    r.usual_reason,
    r.first_load_id,
    r.first_line_no
from runs as r
left join next_ok as o
    on o.smsc = r.smsc and o.ok_seen = r.ok_seen + 1
where ($date_from is null or coalesce(o.restored_at, r.last_failure_at) >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or r.first_failure_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
order by r.first_failure_at, r.smsc
