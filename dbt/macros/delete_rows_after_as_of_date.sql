{#-
    Pre-hook of an incremental model keyed by day: delete the rows dated after the as-of day.

    delete+insert replaces only the days a run writes, so rebuilding an earlier as-of day (a
    backfill, a rerun for a past day) would leave the later days of the newer build in the table,
    and the exports would then carry days after the as_of_date they are labelled with. Nothing on
    a first build or a --full-refresh (the table is created from the model alone); it runs in the
    model's transaction, so a failed build deletes nothing.
-#}
{% macro delete_rows_after_as_of_date(date_column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ date_column }} > {{ as_of_date() }}
    {%- endif -%}
{%- endmacro %}
