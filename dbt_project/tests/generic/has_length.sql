{#- Non-null values whose length differs from `length`. -#}
{% test has_length(model, column_name, length) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and length({{ column_name }}) <> {{ length }}
{% endtest %}
