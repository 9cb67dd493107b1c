with source as (
    select * from {{ source('xero', 'items') }}
),

renamed as (
    select
        ItemID as item_id,
        Code as item_code,
        Name as item_name,
        Description as description,
        PurchaseDescription as purchase_description,
        IsSold as is_sold,
        IsPurchased as is_purchased,
        IsTrackedAsInventory as is_tracked_as_inventory,
        {{ money('SalesUnitPrice', 4) }} as sales_unit_price,
        SalesAccountCode as sales_account_code,
        SalesTaxType as sales_tax_type,
        {{ money('PurchaseUnitPrice', 4) }} as purchase_unit_price,
        PurchaseAccountCode as purchase_account_code,
        PurchaseTaxType as purchase_tax_type,
        {{ utc('UpdatedDateUTC') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
