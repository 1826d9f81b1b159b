{#- Primary suppression (indicators.md), the one place it is decided.
    domaine 'jeunes': a count from 1 to 4 is hidden, a rate on fewer than 20 youths is hidden; an
    écart observé needs 20 youths on each side (numerateur: CSF youths, denominateur: comparison).
    domaine 'achats': procurement is public open data, never hidden. -#}
{% macro is_diffusable(domaine, unite, numerateur, denominateur) -%}
    case
        when {{ domaine }} = 'achats' then true
        when {{ unite }} = 'nombre'
            then not ({{ numerateur }} between 1 and {{ var('seuil_comptage') }} - 1)
        when {{ unite }} = 'ecart'
            then least(coalesce({{ numerateur }}, 0), coalesce({{ denominateur }}, 0))
                >= {{ var('seuil_denominateur') }}
        else coalesce({{ denominateur }}, 0) >= {{ var('seuil_denominateur') }}
    end
{%- endmacro %}

{#- Secondary suppression (indicators.md): in a table that has a total, a row or column with
    exactly one hidden cell gets a second one hidden, the next smallest, so the hidden value cannot
    be recovered by subtraction; when there is no other cell, the total itself is hidden.
    `cells` is a relation with `diffusable`, `domaine`, `unite`, `numerateur`, `denominateur`;
    `table_by` the columns that identify one table; `is_total` says which cell is its total;
    `order_by` breaks ties between equally small cells. Procurement cells are never hidden. -#}
{% macro suppression_secondaire(cells, table_by, is_total, order_by) -%}
    select
        * exclude (nb_masquees, nb_candidates, rang_candidate, is_total_cell),
        diffusable and not (
            domaine = 'jeunes' and nb_masquees = 1 and (
                (rang_candidate = 1 and diffusable and not is_total_cell)
                or (is_total_cell and nb_candidates = 0)
            )
        ) as diffusable_apres
    from (
        select
            *,
            {{ is_total }} as is_total_cell,
            count(*) filter (where not diffusable and not ({{ is_total }}))
                over (partition by {{ table_by | join(', ') }}) as nb_masquees,
            count(*) filter (where diffusable and not ({{ is_total }}))
                over (partition by {{ table_by | join(', ') }}) as nb_candidates,
            row_number() over (
                partition by {{ table_by | join(', ') }}, (diffusable and not ({{ is_total }}))
                order by
                    case when unite = 'nombre' then numerateur else denominateur end,
                    {{ order_by }}
            ) as rang_candidate
        from {{ cells }}
    )
{%- endmacro %}
