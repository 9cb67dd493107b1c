{#-
    Each member's available hours per working day: daily_capacity_hours on every Monday-Friday from
    the hire date until the day before the member became inactive, through the as-of day, and from
    the month of the PSA's first time entry (before it, nobody logged time there, so capacity would
    read as idle). Holidays and leave are not known to the PSA endpoints read, so capacity is the
    contractual maximum.
-#}
with members as (
    select member_id, daily_capacity_hours, hire_date, inactive_date
    from {{ ref('int_psa__members') }}
    where daily_capacity_hours > 0 and hire_date is not null
),

days as (
    select date_day, month_start
    from {{ ref('dim_date') }}
    where not is_weekend
        and date_day <= {{ as_of_date() }}
        and month_start >= (select min(month_start) from {{ ref('int_labour__time_entries') }})
)

select
    members.member_id,
    days.date_day,
    days.month_start,
    members.daily_capacity_hours as capacity_hours
from members
inner join days
    on days.date_day >= members.hire_date
    and (members.inactive_date is null or days.date_day < members.inactive_date)
