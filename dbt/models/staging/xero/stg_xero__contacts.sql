with source as (
    select * from {{ source('xero', 'contacts') }}
),

renamed as (
    select
        ---------- ids
        ContactID as contact_id,
        ContactNumber as contact_number,
        AccountNumber as account_number,
        MergedToContactID as merged_to_contact_id,

        ---------- attributes
        Name as contact_name,
        FirstName as first_name,
        LastName as last_name,
        lower(EmailAddress) as email_address,
        Website as website,
        CompanyNumber as company_number,
        TaxNumber as tax_number,
        ContactStatus as contact_status,
        IsCustomer as is_customer,
        IsSupplier as is_supplier,
        DefaultCurrency as default_currency_code,

        ---------- timestamps
        {{ utc('UpdatedDateUTC') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
