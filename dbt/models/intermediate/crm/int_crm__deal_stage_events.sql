{#-
    Deal stage visits, as of the end of as_of_date. Grain: one row per deal and visit (a deal that
    leaves a stage and comes back has two visits of it). Built from the CRM's deal-stage history,
    so regressions and skipped stages are visible; a history entry repeating the stage the deal is
    already in is a re-save, not a new visit, and is dropped. Deals archived by then are left out.
    Stages map to funnel stages through stg_config__funnel_stage_map (goals.yml).

    A second CRM adds a `union all` branch to `history` (its deal-stage history staging model, same
    columns); deals and stages already come from the neutral int_crm__deals and int_crm__deal_stages.
-#}
with deals as (
    select source_system, deal_id, pipeline_id, owner_id
    from {{ ref('int_crm__deals') }}
    where {{ live_as_of() }}
),

stages as (
    select pipeline_id, stage_id, stage_label, display_order, is_closed
    from {{ ref('int_crm__deal_stages') }}
    where not is_deleted
),

stage_map as (
    select pipeline_id, stage_id, funnel_stage, funnel_stage_order
    from {{ ref('stg_config__funnel_stage_map') }}
    where source_object = 'deal'
),

stage_history as (
    select deal_id, deal_stage_id, entered_at
    from {{ ref('stg_hubspot__deal_stage_history') }}
    where not is_deleted
),

history as (
    select
        stage_history.deal_id,
        stage_history.deal_stage_id,
        stage_history.entered_at,
        lag(stage_history.deal_stage_id) over (
            partition by stage_history.deal_id order by stage_history.entered_at
        ) as previous_deal_stage_id
    from stage_history
    where stage_history.entered_at < {{ as_of_end_utc() }}
),

visits as (
    select
        deals.source_system,
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
