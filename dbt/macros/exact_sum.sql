{#-
    Sums and means of DOUBLE values that do not depend on the order the rows arrive in.

    DOUBLE addition is not associative: the same rows added in another order (another thread
    count, another physical order of a raw table, another hash-join output) differ in the last
    bits, and a round() or a comparison downstream turns that into a change in the exports between
    two builds of identical data. These cast every term to DECIMAL(38, scale), add exactly
    (integer arithmetic, so any order gives the same total, on DuckDB and Spark alike) and convert
    the total to DOUBLE once. A term keeps `scale` decimals and the total's integer part must fit
    in 38 - scale digits: 10 (the default) suits amounts (money here has at most 8 decimals, and
    1e-10 is far below anything exported), 18 keeps rates and shares near full DOUBLE precision.
    DECIMAL columns need none of this: their sum() is exact already.
-#}

{#- sum(expression) as DOUBLE; with `over` (the text inside over (...)) the window function. -#}
{% macro exact_sum(expression, scale=10, over=none) -%}
    {%- if over is none -%}
        cast(sum(cast({{ expression }} as decimal(38, {{ scale }}))) as double)
    {%- else -%}
        cast(sum(cast({{ expression }} as decimal(38, {{ scale }}))) over ({{ over }}) as double)
    {%- endif -%}
{%- endmacro %}

{#- avg(expression) as DOUBLE (nulls ignored, as avg does): the exact sum divided once. -#}
{% macro exact_avg(expression, scale=10) -%}
    {{ exact_sum(expression, scale) }} / count({{ expression }})
{%- endmacro %}
