with source as (
    select * from {{ source('hubspot', 'emails') }}
),

renamed as (
    select
        ---------- ids
        id as email_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,

        ---------- attributes
        hs_email_subject as email_subject,
        hs_email_direction as email_direction,
        hs_email_status as email_status,
        archived as is_archived,

        ---------- timestamps
        {{ utc('hs_timestamp') }} as occurred_at,
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
