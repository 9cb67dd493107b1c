with source as (
    select * from {{ source('connectwise', 'tickets') }}
),

renamed as (
    select
        id as ticket_id,
        summary,
        recordtype as record_type,
        companyid as company_id,
        boardname as board_name,
        statusname as ticket_status,
        typename as ticket_type,
        priorityname as priority,
        agreementid as agreement_id,
        coalesce(closedflag, false) as is_closed,
        closeddate as closed_date_text,
        actualhours as actual_hours,
        budgethours as budget_hours,
        {{ utc('dateEntered') }} as entered_at,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
