{#-
    The organisation's calendar over UTC timestamps. Staging timestamps are plain TIMESTAMPs in UTC,
    and DuckDB's timezone(zone, TIMESTAMP) reads a plain timestamp as *local* time in `zone` (the
    wrong direction), so the value is first made an instant (`timezone('UTC', ...)`) and only then
    shown in the organisation's zone (var org_timezone, from goals.yml).
-#}

{#- The organisation-local wall-clock TIMESTAMP of a UTC TIMESTAMP. -#}
{% macro org_timestamp(ts_utc) -%}
    timezone('{{ setting("org_timezone") }}', timezone('UTC', {{ ts_utc }}))
{%- endmacro %}

{#- The organisation-local calendar date of a UTC TIMESTAMP: how every `*_date` is bucketed. -#}
{% macro org_date(ts_utc) -%}
    cast({{ org_timestamp(ts_utc) }} as date)
{%- endmacro %}

{#- The UTC TIMESTAMP at which an organisation-local DATE begins (local midnight). -#}
{% macro org_day_start_utc(local_date) -%}
    timezone('UTC', timezone('{{ setting("org_timezone") }}', cast({{ local_date }} as timestamp)))
{%- endmacro %}

{#-
    The UTC TIMESTAMP at which the as-of day ends (the next local midnight): events at or after it
    have not happened yet as of `as_of_date`, so a rebuild for a past day ignores them.
-#}
{% macro as_of_end_utc() -%}
    {{ org_day_start_utc(as_of_date() ~ ' + 1') }}
{%- endmacro %}

{#-
    The record existed (was not yet archived or deleted) at the end of as_of_date. Archiving sets
    is_deleted with the archive time in archived_at; a record archived after the as-of day still
    counts when the marts are rebuilt for that day. Deleted rows without an archive time stay out.
    `alias` qualifies the columns when the model joins several relations.
-#}
{% macro live_as_of(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    (not {{ prefix }}is_deleted or {{ prefix }}archived_at >= {{ as_of_end_utc() }})
{%- endmacro %}
