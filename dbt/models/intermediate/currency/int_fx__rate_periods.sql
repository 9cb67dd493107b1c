{#-
    How each foreign currency converts to the home currency (var home_currency), as of the end of
    as_of_date. Grain: one row per currency and rate period; a period runs from effective_from to
    the currency's next effective_from (open-ended for the latest), and the first period of a
    currency also covers everything before it (a deal older than the first known rate takes that
    rate rather than none).

    Which source wins, per currency: the CRM's exchange rates (int_crm__exchange_rates; rate_source
    is its source_system, `hubspot`) whenever the CRM has any rate for the currency (the rates the
    sales team converts deal amounts with, in the CRM's direction: home per unit); otherwise Xero's rates, from the invoices in that currency (Xero's CurrencyRate is
    the other direction: units per home, so amounts are divided by it), one period per document
    day starting at local midnight. A currency in neither source has no rows; its deals keep null
    home amounts. Sources are not mixed within a currency, so a currency's conversion never jumps
    between two rate feeds from one day to the next.

    Several invoices of one day with different rates: the lowest is taken (order-independent;
    Xero normally applies one daily rate). Rates effective after the as-of day are left out so a
    rebuild for a past day converts as it would have then.
-#}
with crm_rates as (
    select
        from_currency_code as currency_code,
        1 as source_priority,
        source_system as rate_source,
        effective_at as effective_from,
        conversion_rate as home_per_unit,
        cast(null as double) as units_per_home
    from {{ ref('int_crm__exchange_rates') }}
    where not is_deleted
        and to_currency_code = '{{ setting("home_currency") }}'
        and from_currency_code <> '{{ setting("home_currency") }}'
        and effective_at < {{ as_of_end_utc() }}
),

xero_rates as (
    select
        currency_code,
        2 as source_priority,
        'xero' as rate_source,
        {{ org_day_start_utc('invoice_date') }} as effective_from,
        cast(null as decimal(18, 6)) as home_per_unit,
        min(currency_rate) as units_per_home
    from {{ ref('stg_xero__invoices') }}
    where currency_code <> '{{ setting("home_currency") }}'
        and currency_rate > 0
        and invoice_date <= {{ as_of_date() }}
    group by currency_code, invoice_date
),

candidates as (
    select * from crm_rates
    union all
    select * from xero_rates
),

winners as (
    select currency_code, min(source_priority) as source_priority
    from candidates
    group by currency_code
)

select
    candidates.currency_code,
    candidates.rate_source,
    candidates.effective_from,
    lead(candidates.effective_from) over (
        partition by candidates.currency_code order by candidates.effective_from
    ) as effective_to,
    row_number() over (
        partition by candidates.currency_code order by candidates.effective_from
    ) = 1 as is_first_period,
    candidates.home_per_unit,
    candidates.units_per_home
from candidates
inner join winners
    on candidates.currency_code = winners.currency_code
    and candidates.source_priority = winners.source_priority
