with source as (
    select * from {{ source('hubspot', 'deal_pipeline_stages') }}
),

renamed as (
    select
        pipeline_id,
        stage_id,
        label as stage_label,
        display_order,
        probability as stage_probability_rate,
        is_closed,
        archived as is_archived,
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
