with source as (
    select * from {{ source('hubspot', 'calls') }}
),

renamed as (
    select
        ---------- ids
        id as call_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,
        hs_call_disposition as disposition_id,

        ---------- attributes
        hs_call_title as call_title,
        hs_call_direction as call_direction,
        hs_call_status as call_status,
        cast(hs_call_duration as bigint) as duration_ms,
        archived as is_archived,

        ---------- timestamps
        {{ utc('hs_timestamp') }} as occurred_at,
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,
        {{ utc('archived_at') }} as archived_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
