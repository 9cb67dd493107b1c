{#-
    `amount` in the home currency, given whether it already is (`is_home`) and its rate period of
    int_fx__rate_periods (`rates`: the relation alias; no period means no rate, so null).

    HubSpot's rates multiply (home per unit) in exact DECIMAL arithmetic. Xero's divide (units per
    home), which DuckDB and Spark compute in DOUBLE, so that branch is cast back to DECIMAL: one
    DOUBLE branch would make the whole case DOUBLE, and HubSpot's exact products could then round
    to another cent in `money()` than the exact value does.
-#}
{% macro to_home_currency(amount, is_home, rates) -%}
    case
        when {{ is_home }} then {{ amount }}
        when {{ rates }}.rate_source = 'hubspot' then {{ amount }} * {{ rates }}.home_per_unit
        when {{ rates }}.rate_source = 'xero' then cast({{ amount }} / {{ rates }}.units_per_home as decimal(38, 10))
    end
{%- endmacro %}
