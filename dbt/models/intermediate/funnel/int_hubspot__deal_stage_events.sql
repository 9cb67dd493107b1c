{#-
    Deal stage visits, as of the end of as_of_date. Grain: one row per deal and visit (a deal that
    leaves a stage and comes back has two visits of it). Built from the dealstage property history,
    so regressions and skipped stages are visible; a history entry repeating the stage the deal is
    already in is a re-save, not a new visit, and is dropped. Deals archived by then are left out.
-#}
with deals as (
    select deal_id, pipeline_id, owner_id
    from {{ ref('stg_hubspot__deals') }}
    where {{ live_as_of() }}
),

stages as (
    select pipeline_id, stage_id, stage_label, display_order, is_closed
    from {{ ref('stg_hubspot__deal_pipeline_stages') }}
    where not is_deleted
),

stage_map as (
    select pipeline_id, stage_id, funnel_stage, funnel_stage_order
    from {{ ref('stg_config__funnel_stage_map') }}
    where source_object = 'deal'
),

history as (
    select
        history.deal_id,
        history.deal_stage_id,
        history.entered_at,
        lag(history.deal_stage_id) over (
            partition by history.deal_id order by history.entered_at
        ) as previous_deal_stage_id
    from {{ ref('stg_hubspot__deal_stage_history') }} as history
    where not history.is_deleted
        and history.entered_at < {{ as_of_end_utc() }}
),

visits as (
    select
        history.deal_id,
        deals.pipeline_id,
        deals.owner_id,
        history.deal_stage_id,
        stages.stage_label,
        stages.display_order as stage_display_order,
        coalesce(stages.is_closed, false) as is_closed_stage,
        coalesce(stage_map.funnel_stage, 'unmapped') as funnel_stage,
        stage_map.funnel_stage_order,
        history.entered_at
    from history
    inner join deals
        on history.deal_id = deals.deal_id
    left join stages
        on deals.pipeline_id = stages.pipeline_id
        and history.deal_stage_id = stages.stage_id
    left join stage_map
        on deals.pipeline_id = stage_map.pipeline_id
        and history.deal_stage_id = stage_map.stage_id
    where history.previous_deal_stage_id is distinct from history.deal_stage_id
)

select
    *,
    row_number() over deal_visits as visit_number,
    lead(entered_at) over deal_visits as exited_at,
    lead(deal_stage_id) over deal_visits as next_deal_stage_id,
    lead(stage_display_order) over deal_visits as next_stage_display_order,
    lead(funnel_stage) over deal_visits as next_funnel_stage
from visits
window deal_visits as (partition by deal_id order by entered_at, stage_display_order)
