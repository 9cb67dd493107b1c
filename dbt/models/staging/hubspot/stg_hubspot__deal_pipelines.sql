with source as (
    select * from {{ source('hubspot', 'deal_pipelines') }}
),

renamed as (
    select
        id as pipeline_id,
        label as pipeline_label,
        display_order,
        archived as is_archived,
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
