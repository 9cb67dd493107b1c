with source as (
    select * from {{ source('xero', 'profit_and_loss') }}
),

renamed as (
    select
        MonthStart as month_start,
        MonthEnd as month_end,
        RowKey as row_key,
        Section as section_title,
        RowType as row_type,
        AccountID as account_id,
        Label as row_label,
        {{ money('Amount') }} as amount,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
