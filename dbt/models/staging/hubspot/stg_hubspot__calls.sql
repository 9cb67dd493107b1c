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
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
