with source as (
    select * from {{ source('hubspot', 'tasks') }}
),

renamed as (
    select
        ---------- ids
        id as task_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,

        ---------- attributes
        hs_task_subject as task_subject,
        hs_task_status as task_status,
        hs_task_type as task_type,
        hs_task_priority as task_priority,
        archived as is_archived,

        ---------- timestamps
        {{ utc('hs_timestamp') }} as due_at,
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,
        {{ utc('archived_at') }} as archived_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
