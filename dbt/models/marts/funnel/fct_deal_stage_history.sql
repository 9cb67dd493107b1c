{#-
    How deals moved through the pipeline. Grain: one row per deal and stage visit (a regressed deal
    visits a stage again: a second row). days_in_stage is exact elapsed days, up to the end of
    as_of_date for the visit a deal is still in; the visit of the stage a deal closed in has no
    dwell and no exit (null days_in_stage and exit_type).
-#}
with visits as (
    select * from {{ ref('int_crm__deal_stage_events') }}
)

select
    deal_id || '-' || visit_number as deal_stage_visit_id,
    deal_id,
    visit_number,
    owner_id,
    pipeline_id,
    deal_stage_id,
    stage_label,
    stage_display_order,
    funnel_stage,
    entered_at,
    exited_at,
    {{ org_date('entered_at') }} as entered_date,
    {{ org_date('exited_at') }} as exited_date,
    next_deal_stage_id,
    exited_at is null as is_current,
    case
        when exited_at is not null or not is_closed_stage
            then round(
                    epoch(coalesce(exited_at, {{ as_of_end_utc() }}) - entered_at) / 86400.0, 4
                )
    end as days_in_stage,
    case
        when exited_at is null then case when not is_closed_stage then 'open' end
        when next_funnel_stage = 'won' then 'won'
        when next_funnel_stage = 'lost' then 'lost'
        when next_stage_display_order > stage_display_order then 'advanced'
        else 'regressed'
    end as exit_type
from visits
