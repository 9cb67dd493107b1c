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
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
