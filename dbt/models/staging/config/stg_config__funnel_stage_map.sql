{#-
    Which funnel step each HubSpot contact lifecycle stage and deal pipeline stage stands for,
    from the `sources.hubspot` block of goals.yml (dbt vars hubspot_lifecycle_stages and
    hubspot_deal_stages; dbt_project.yml holds HubSpot's stock set-up for a build by hand).
    Built from the vars rather than a seed because the mapping is the account's, edited beside
    its goals, and a seed would need a `dbt seed` after every edit. The goals asset validates the
    block, hence the dependency below: in Dagster's graph the map follows goals.yml.
-#}
-- depends_on: {{ source('config', 'goals') }}
{%- set step_order = {'lead': 1, 'qualified': 2, 'appointment': 3, 'proposal': 4, 'won': 5} -%}
{%- set rows = [] -%}
{%- for stage_id, step in setting('hubspot_lifecycle_stages').items() -%}
{%- do rows.append(['contact', none, stage_id, step]) -%}
{%- endfor -%}
{%- for pipeline_id, stages in setting('hubspot_deal_stages').items() -%}
{%- for stage_id, step in stages.items() -%}
{%- do rows.append(['deal', pipeline_id, stage_id, step]) -%}
{%- endfor -%}
{%- endfor -%}

{% for source_object, pipeline_id, stage_id, step in rows %}
select
    cast({{ sql_string(source_object) }} as {{ dbt.type_string() }}) as source_object,
    cast({{ sql_string(pipeline_id) }} as {{ dbt.type_string() }}) as pipeline_id,
    cast({{ sql_string(stage_id) }} as {{ dbt.type_string() }}) as stage_id,
    cast({{ sql_string(step) }} as {{ dbt.type_string() }}) as funnel_stage,
    cast({{ step_order.get(step, 'null') }} as integer) as funnel_stage_order
{% if not loop.last %}union all{% endif %}
{%- endfor %}
