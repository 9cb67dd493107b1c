with source as (
    select * from {{ source('xero', 'journals') }}
),

renamed as (
    select
        JournalID as journal_id,
        JournalNumber as journal_number,
        JournalDate as journal_date,
        {{ utc('CreatedDateUTC') }} as created_at,
        Reference as reference,
        SourceID as source_id,
        SourceType as source_type,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
