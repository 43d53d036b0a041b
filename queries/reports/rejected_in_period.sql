-- Data quality: lines rejected at load that fall in the audited period (local days $date_from
-- to $date_to in $tz; NULL: open), per file: no rule sees them, so `audit` says so. A rejected
-- line's day is that of its own time prefix when it has one (read in its load's log_timezone),
-- else it counts when its file has events in the period, or none at all. Lines rejected as
-- lines of another log in the access log's file (reasons starting with one of $other_logs:
-- smsbox's access log, the gateway's own log) are no events, and are left out.
with rejected as (
    select r.load_id, f.path, f.format, r.line_no,
           timezone(coalesce(f.log_timezone, 'UTC'), try_strptime(left(r.raw, 19), '%Y-%m-%d %H:%M:%S')) as at
    from rejected_lines as r
    join load_manifest as f using (load_id)
    where len(list_filter($other_logs, lambda reason: starts_with(r.reason, reason))) = 0
),

spans as (
    select load_id, min(logged_at) as first_at, max(logged_at) as last_at
    from events
    where load_id in (select load_id from rejected)
    group by load_id
),

dated as (
    select r.path, r.format, r.line_no,
           cast(coalesce(r.at, s.last_at) at time zone $tz as date) as last_day,
           cast(coalesce(r.at, s.first_at) at time zone $tz as date) as first_day
    from rejected as r
    left join spans as s using (load_id)
)

-- (format: a canonical file's line_no is its row's number, not a line of the file)
select path, format, count(*) as rejected, min(line_no) as first_line
from dated
where ($date_from is null or last_day is null or last_day >= $date_from)
  and ($date_to is null or first_day is null or first_day <= $date_to)
group by path, format
order by rejected desc, path
