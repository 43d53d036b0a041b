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
-- What the log proves of a run: a failure line proves a failure at its instant, and two
-- consecutive failures of the run at most $max_failure_gap seconds apart (sla.MAX_FAILURE_GAP)
-- the time between them (Kannel was still retrying the later message, failing, when it gave
-- up on the earlier one); a longer silence of the connection proves nothing either way (a
-- session-33 probe: two DISCARDED lines 10 hours apart on a sparse link read as 10 hours
-- proven). The run's proven stretches (consecutive failures so chained): seen_s their total,
-- longest_seen_s the longest (what over_6h proven reads), proven_stretches their bounds (what
-- the availability counts, per month; sla.py drops them from the lists).
-- The connection: bearerbox logs a message it gives up on (`DISCARDED SMS`, `EXPIRED SMS`)
-- outside any connection, with an empty SMSC when routing chose the link (real Kannel 1.4.5:
-- tests/fixtures/kannel-1.4.5/discarded) and no FID for the facts to find it by: such a line
-- goes to its short code's connection, the one the contract gives it, else the one its
-- accepted lines all went on; a short code on several connections leaves it unplaced.
-- The gateway's own restart (r13_connection_down.sql: from its stop, or a crash's last line,
-- to the next `Log begins` of a log the connection's lines are in, while no other log of the
-- connection was up: a restart its HA partner logged through cuts nothing) cuts a run as an
-- accepted line does: the log proves nothing of the link while the gateway was down, and it rebinds after.
-- The run before it ends at the stop (log_stopped_at, no restored_at), the run after it
-- starts at the restart (log_resumed_at, no last_ok_before). A stretch between the
-- connection's logs that no log covers (separate files days apart) cuts a run so too, at the
-- earlier log's end and the later one's start: read across it, a run lasted days unseen.
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

restarts as (
    -- (a stretch another log of the connection was up in is none; a stretch between two logs of
    -- it that no log covers cuts a run too: r13_connection_down.sql)
    select d.smsc, d.down_from, d.down_to, d.load_id, d.line_no
    from r13_connection_down($reopen_seconds) as d
    where $short_code is null or d.smsc in (select smsc from lines)
),

classified as (
    select
        smsc, short_code, mt_id, load_id, line_no, submitted_at, label, outcome, nack,
        case
            when outcome = 'accepted' then 'ok'
            when outcome in ('discarded', 'expired') then 'platform'
            when regexp_matches(coalesce(nack, ''), $platform_nack) then 'platform'
        end as kind,
        cast(null as timestamptz) as stopped_at
    from lines
    union all
    -- a restart: placed at its `Log begins` (its event id, for ties), after the stop; the start
    -- of a log after a stretch no log covers (no_log: no marker to place it) before every line
    -- of its instant, all written once that log was up
    select smsc, null, coalesce(load_id * 10000000000 + line_no, -1), load_id, line_no, down_to, 'Log begins',
           null, null, 'restart', down_from
    from restarts
),

sequenced as (
    select
        *,
        -- accepted lines and restarts seen so far on the connection: one value per run of
        -- failures (count_if, not FILTER: DuckDB computes a running window with FILTER row
        -- by row, quadratic: page 90 took 470 s on 6 M lines, found by a probe)
        count_if(kind in ('ok', 'restart')) over w as ok_seen
    from classified
    where kind is not null
    window w as (partition by smsc order by submitted_at, mt_id rows between unbounded preceding and current row)
),

breaks as (
    -- the accepted line or restart that ends run ok_seen - 1 and starts run ok_seen
    select smsc, ok_seen,
           case when kind = 'ok' then submitted_at end as ok_at,
           case when kind = 'restart' then submitted_at end as resumed_at,
           case when kind = 'restart' then stopped_at end as stopped_at
    from sequenced
    where kind in ('ok', 'restart')
),

chained as (
    -- each failure's distance to the one before it in its run
    select
        smsc, ok_seen, mt_id, submitted_at,
        submitted_at - lag(submitted_at) over (
            partition by smsc, ok_seen order by submitted_at, mt_id) as gap
    from sequenced
    where kind = 'platform'
),

stretched as (
    -- a stretch starts at a run's first failure and at each failure more than the gap after
    -- the one before it
    -- (count_if, not FILTER, on a running window: see sequenced)
    select
        smsc, ok_seen, submitted_at,
        count_if(gap is null or gap > to_seconds($max_failure_gap)) over (
            partition by smsc, ok_seen order by submitted_at, mt_id
            rows between unbounded preceding and current row) as stretch
    from chained
),

stretches as (
    select smsc, ok_seen, stretch, min(submitted_at) as proven_from, max(submitted_at) as proven_to
    from stretched
    group by smsc, ok_seen, stretch
),

proofs as (
    select
        smsc,
        ok_seen,
        sum(epoch(proven_to - proven_from)) as seen_s,
        max(epoch(proven_to - proven_from)) as longest_seen_s,
        list({'proven_from': proven_from, 'proven_to': proven_to} order by proven_from)
            filter (where proven_to > proven_from) as proven_stretches
    from stretches
    group by smsc, ok_seen
),

runs as (
    select
        smsc,
        ok_seen,
        string_agg(distinct short_code, ', ' order by short_code) as short_codes,
        min(submitted_at) as first_failure_at,
        max(submitted_at) as last_failure_at,
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
    p.ok_at as last_ok_before,
    o.ok_at as restored_at,
    f.seen_s,
    epoch(coalesce(o.ok_at, o.stopped_at) - coalesce(p.ok_at, p.resumed_at)) as at_most_s,
    r.failed_lines,
    r.discarded,
    r.expired,
    r.refused,
    r.usual_reason,
    r.first_load_id,
    r.first_line_no,
    p.resumed_at as log_resumed_at,
    o.stopped_at as log_stopped_at,
    f.longest_seen_s,
    coalesce(f.proven_stretches, []) as proven_stretches
from runs as r
join proofs as f
    on f.smsc = r.smsc and f.ok_seen = r.ok_seen
left join breaks as p
    on p.smsc = r.smsc and p.ok_seen = r.ok_seen
left join breaks as o
    on o.smsc = r.smsc and o.ok_seen = r.ok_seen + 1
where ($date_from is null or coalesce(o.ok_at, r.last_failure_at) >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or r.first_failure_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
order by r.first_failure_at, r.smsc
