with source as (
    select * from {{ source('connectwise', 'time_entries') }}
),

renamed as (
    select
        id as time_entry_id,
        companyid as company_id,
        companyidentifier as company_identifier,
        chargetotype as charge_to_type,
        chargetoid as charge_to_id,
        ticketid as ticket_id,
        projectid as project_id,
        memberid as member_id,
        memberidentifier as member_identifier,
        agreementid as agreement_id,
        worktypeid as work_type_id,
        worktypename as work_type_name,
        workroleid as work_role_id,
        workrolename as work_role_name,
        {{ utc('timeStart') }} as time_start_at,
        {{ utc('timeEnd') }} as time_end_at,
        actualhours as actual_hours,
        hoursdeduct as deducted_hours,
        hoursbilled as billed_hours,
        invoicehours as invoice_hours,
        hourlyrate as hourly_rate,
        hourlycost as hourly_cost,
        agreementhours as agreement_hours,
        agreementamount as agreement_amount,
        extendedinvoiceamount as extended_invoice_amount,
        billableoption as billable_option,
        status as time_entry_status,
        {{ utc('dateEntered') }} as entered_at,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
