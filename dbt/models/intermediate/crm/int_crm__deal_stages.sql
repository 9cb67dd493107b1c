{#-
    The stages of the CRM's deal pipelines. Grain: one row per source system, pipeline and stage,
    deleted ones included (flagged). display_order orders a pipeline's stages (a move to a lower one
    is a regression); stage_probability_rate is the CRM's own win probability of the stage.

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select
    'hubspot' as source_system,
    pipeline_id,
    stage_id,
    stage_label,
    display_order,
    stage_probability_rate,
    is_closed,
    is_archived,
    is_deleted
from {{ ref('stg_hubspot__deal_pipeline_stages') }}
