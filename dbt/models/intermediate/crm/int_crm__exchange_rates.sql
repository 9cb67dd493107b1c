{#-
    The currency rates the CRM converts deal amounts with: 1 unit of from_currency_code =
    conversion_rate units of to_currency_code from effective_at on. Grain: one row per source
    system and rate, deleted ones included (flagged). int_fx__rate_periods prefers them to the
    accounting system's rates and names the source system as the rate source.

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select
    'hubspot' as source_system,
    exchange_rate_id,
    from_currency_code,
    to_currency_code,
    conversion_rate,
    effective_at,
    is_deleted
from {{ ref('stg_hubspot__exchange_rates') }}
