with source as (
    select * from {{ source('hubspot', 'meetings') }}
),

renamed as (
    select
        ---------- ids
        id as meeting_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,

        ---------- attributes
        hs_meeting_title as meeting_title,
        hs_meeting_outcome as meeting_outcome,
        hs_activity_type as activity_type,
        archived as is_archived,

        ---------- timestamps
        {{ utc('hs_timestamp') }} as occurred_at,
        {{ utc('hs_meeting_start_time') }} as starts_at,
        {{ utc('hs_meeting_end_time') }} as ends_at,
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
