-- R2 picture: the public holidays (jours fériés) and Sundays of the period, the days on
-- which no marketing may be sent at all.
with days as (
    select cast(d as date) as day
    from range(cast($date_from as timestamp), cast($date_to as timestamp) + interval 1 day,
               interval 1 day) t(d)
)
select d.day, dayname(d.day) as weekday,   -- (a name: the table shows it)
       coalesce(h.name, 'Sunday') as name,
       case when h.day is not null then 'holiday' else 'sunday' end as day_kind
from days d
left join ref_holidays h on h.day = d.day
where h.day is not null or isodow(d.day) = 7
order by d.day
