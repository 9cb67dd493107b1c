with source as (
    select * from {{ source('hubspot', 'exchange_rates') }}
),

renamed as (
    select
        ---------- ids
        id as exchange_rate_id,

        ---------- rate: 1 unit of from_currency_code = conversion_rate units of to_currency_code
        from_currency_code,
        to_currency_code,
        -- HubSpot keeps six decimals: the DOUBLE landed rounds back to the exact rate entered, so
        -- amount x rate stays exact DECIMAL arithmetic downstream
        {{ money('conversion_rate', 6) }} as conversion_rate,
        visible_in_ui as is_visible_in_ui,

        ---------- timestamps
        {{ utc('effective_at') }} as effective_at,
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
