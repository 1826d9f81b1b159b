-- Rates stay within [0, 1] inside their interval, and a numerator never exceeds its denominator;
-- ratios (hours done / committed) may exceed 1 but carry no binomial interval.
select *
from {{ ref('indicateurs') }}
where
    (unite = 'taux' and (
        numerateur > denominateur
        or valeur < 0 or valeur > 1
        or valeur < ic_bas - 1e-9 or valeur > ic_haut + 1e-9
    ))
    or (unite = 'nombre' and valeur != numerateur)
    or (unite = 'ratio' and (valeur < 0 or ic_bas is not null))
