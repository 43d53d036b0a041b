-- Data quality: `Log begins` markers at which the log's clock steps away from the line
-- before it in the same log (a restart changing `access-log-time` between local and gmt: the
-- contract's one log_timezone then reads the lines after it hours off). Instants are
-- compared, so the autumn change (the repeated hour, which the loader resolves from the line
-- order) is no step. Said (opsanalytics.ingest.cautions):
--   back:    the clock goes back $back_seconds or more (a restart into gmt from local time,
--            or a clock corrected by that much);
--   forward: the clock jumps forward by a whole number of hours (at most $max_hours) plus
--            0-$restart_seconds, right after a `Log ends` (a clean stop): a restart into
--            local time from gmt. A longer jump, or one after a crash, cannot be told from
--            the gateway being down that long and is not said.
-- A log read in several loads is one log (its continuations: log_restarts.sql); the files
-- of a rotated log are not compared (which one comes first is not known). The line before a
-- `Log begins` is the last event or marker among its $window_lines lines before (past that,
-- rejected lines all, the marker before).
with roots as (
    select load_id, log_id from log_of_load()   -- log_of_load.sql
),

begins as (
    select coalesce(r.log_id, m.load_id) as log_id, m.load_id, m.line_no, m.logged_at
    from log_markers as m
    left join roots as r using (load_id)
    where m.marker = 'begins' and m.logged_at is not null
),

near as (
    -- the lines of the log shortly before each restart (its $window_lines lines before), not
    -- every event of the warehouse: the line before a `Log begins` is among them
    select distinct coalesce(r.log_id, e.load_id) as log_id, e.line_no, e.logged_at,
           cast(null as varchar) as marker
    from events as e
    left join roots as r using (load_id)
    join begins as b on b.log_id = coalesce(r.log_id, e.load_id)
                    and e.line_no < b.line_no and e.line_no >= b.line_no - $window_lines
    union all
    select coalesce(r.log_id, m.load_id), m.line_no, m.logged_at, m.marker
    from log_markers as m
    left join roots as r using (load_id)
    where m.logged_at is not null
),

steps as (
    select b.load_id, b.line_no, b.logged_at, p.line_no as previous_line,
           p.logged_at as previous_at, p.marker = 'ends' as after_stop,
           date_diff('second', p.logged_at, b.logged_at) as step_seconds
    from begins as b
    asof join near as p on b.log_id = p.log_id and b.line_no > p.line_no
)

select f.path, s.line_no, s.previous_line,
       timezone(coalesce(f.log_timezone, 'UTC'), s.previous_at) as previous_wall,
       timezone(coalesce(f.log_timezone, 'UTC'), s.logged_at) as wall,
       s.step_seconds,
       case when s.step_seconds < 0 then 'back' else 'forward' end as direction,
       coalesce(s.after_stop, false) as after_stop
from steps as s
join load_manifest as f using (load_id)
where s.step_seconds <= -$back_seconds
   or (s.after_stop
       and s.step_seconds >= 3600
       and s.step_seconds <= $max_hours * 3600 + $restart_seconds
       and s.step_seconds % 3600 <= $restart_seconds)
order by f.path, s.line_no
