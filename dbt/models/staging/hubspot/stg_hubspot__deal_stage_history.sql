with source as (
    select * from {{ source('hubspot', 'deal_stage_history') }}
),

renamed as (
    select
        deal_id,
        stage_id as deal_stage_id,
        {{ utc('entered_at') }} as entered_at,
        source_type as change_source_type,
        source_id as change_source_id,
        source_label as change_source_label,
        updated_by_user_id,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
