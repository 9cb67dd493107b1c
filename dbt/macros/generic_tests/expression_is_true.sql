{#-
    Fails for every row where `expression` is false (dbt_utils.expression_is_true, which we cannot
    install: dbt Hub is unreachable here), on a model or on a column (the expression names the
    column itself). As in dbt_utils, a NULL result passes: pair it with not_null where NULL is
    wrong too. Row filters go in the test's `config: {where: ...}`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
