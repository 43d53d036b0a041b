-- R9: per short code and local month of its traffic, the days with accepted MT traffic and the
-- runs of days without any (first and last day of each; every day of the month counted, from
-- the first month with traffic to the last). The caller counts a run only over the days the
-- contract holds the code (its since/until): days before a code's `since` are not missing logs.
-- A month in which a code that sends nearly every day falls silent for weeks holds part of its
-- traffic only (logs not loaded for those days, an outage): the forecast must not learn that
-- month as real (opsanalytics.forecast.plan.silent_months).
-- Silent days are numbered in a run by their distance to their rank among the month's silent
-- days (gaps and islands).
with active as (
    select distinct short_code, cast(submitted_at at time zone $tz as date) as day
    from fct_mt
    where outcome = 'accepted'
      and short_code is not null
),

calendar as (
    select short_code, cast(unnest(generate_series(
               cast(date_trunc('month', min(day)) as date),
               cast(date_trunc('month', max(day)) + interval 1 month - interval 1 day as date),
               interval 1 day)) as date) as day
    from active
    group by short_code
),

marked as (
    select c.short_code, c.day, cast(date_trunc('month', c.day) as date) as month, a.day is not null as sent
    from calendar as c
    left join active as a using (short_code, day)
),

silent_runs as (
    select short_code, month, min(day) as first_day, max(day) as last_day
    from (
        select *, day - cast(row_number() over (partition by short_code, month order by day) as integer) as island
        from marked
        where not sent
    )
    group by short_code, month, island
)

select
    m.short_code,
    m.month,
    count(*) filter (where m.sent) as active_days,
    coalesce(any_value(r.runs), []) as silences
from marked as m
left join (select short_code, month, list({'first_day': first_day, 'last_day': last_day} order by first_day) as runs
           from silent_runs group by all) as r
    using (short_code, month)
group by m.short_code, m.month
order by m.short_code, m.month
