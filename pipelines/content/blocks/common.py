"""What the blocks share: reading indicator cells, naming a scope and a period in French, and
the typed cells of an indicator row (the warehouse's disclosure decision applied)."""

from __future__ import annotations

from datetime import date

from pipelines.content import cells, labels
from pipelines.content import formatting as fmt
from pipelines.content.block import NIVEAUX, Context, Reader, Refus, View
from pipelines.content.table import Cellule, Colonne, Type

REFUS_JEUNES = "Votre profil ne donne pas accès aux indicateurs sur les jeunes."
INTERVALLE = Colonne("Intervalle de confiance à 95 %", Type.INTERVALLE, 24, unite=Type.TAUX)
# Indicator dimensions of the marts (``niveau``) by the view's filter honoured.
DIMENSIONS_ACHATS = ("acheteur", "academie", "region", "type_acheteur", "secteur")
DIMENSIONS_JEUNES = ("academie", "region", "secteur")
DIMENSIONS_COMPARAISON = ("academie", "region")


def exiger(ctx: Context, domaine: str) -> None:
    """Stop with the refusal when the audience may not see the domain."""
    if not ctx.audience.peut_voir(domaine):
        raise Refus(REFUS_JEUNES)


def cellule(
    ctx: Context, indicateurs: tuple[str, ...], periode: str, niveau: str, code: str
) -> dict[str, dict]:
    """Rows of some indicators for one cell (period × dimension value), by indicator code."""
    found = ctx.rows(
        "select * from marts.indicateurs where periode = ? and niveau = ? and code_niveau = ? "
        "and list_contains(?, indicateur)",
        periode,
        niveau,
        code,
        list(indicateurs),
    )
    return {row["indicateur"]: row for row in found}


def serie(ctx: Context, indicateur: str, niveau: str, code: str) -> list[dict]:
    """One indicator for one dimension value, every year (not "ensemble"), oldest first."""
    return ctx.rows(
        "select * from marts.indicateurs where indicateur = ? and niveau = ? and code_niveau = ? "
        "and periode != 'ensemble' order by periode",
        indicateur,
        niveau,
        code,
    )


def par_dimension(ctx: Context, indicateur: str, niveau: str, periode: str) -> list[dict]:
    """One indicator for every value of a dimension (the unknown one left out), in a period."""
    return ctx.rows(
        "select * from marts.indicateurs where indicateur = ? and niveau = ? and periode = ? "
        "and code_niveau != 'NR' order by libelle_niveau",
        indicateur,
        niveau,
        periode,
    )


def nom_niveau(ctx: Context | Reader, niveau: str, code: str) -> str:
    """The French name of a dimension value (a buyer's name, an académie's...)."""
    if niveau == "acheteur":
        found = ctx.rows(
            "select nom_acheteur from marts.dim_acheteurs where siret_acheteur = ?", code
        )
        return (found[0]["nom_acheteur"] if found else None) or f"SIRET {code}"
    found = ctx.rows(
        "select any_value(libelle_niveau) as nom from marts.indicateurs "
        "where niveau = ? and code_niveau = ?",
        niveau,
        code,
    )
    return (found[0]["nom"] if found else None) or code


def lieu(ctx: Context, niveau: str, code: str) -> str:
    """« en France », « dans l'académie de Créteil », « pour l'acheteur … »."""
    if niveau == "national":
        return "en France"
    prefix = {
        "acheteur": "pour l'acheteur ",
        "academie": "dans l'académie ",
        "region_academique": "dans la région académique ",
        "type_acheteur": "pour le type d'acheteur ",
        "secteur": "dans le secteur ",
    }[niveau]
    name = nom_niveau(ctx, niveau, code)
    return prefix + (labels.de(name) if niveau == "academie" else name)


def lieu_vue(ctx: Context, view: View, honore: tuple[str, ...]) -> str:
    """The place phrase of the scope a block honouring ``honore`` uses for the view."""
    return lieu(ctx, *view.cellule(honore))


def periode_texte(annee: str) -> str:
    """« en 2025 », « toutes années confondues »."""
    return "toutes années confondues" if annee == "ensemble" else f"en {annee}"


def annee_en_cours(ctx: Context) -> str | None:
    """The observation date's year: incomplete, so its figures are provisional."""
    observed = ctx.date_observation
    return str(observed.year) if isinstance(observed, date) else None


def libelle_annee(ctx: Context, annee: str) -> str:
    """A year as shown on an axis or in a table: the current one marked provisional."""
    return f"{annee} (provisoire)" if annee == annee_en_cours(ctx) else annee


def derniere_annee_complete(periodes: list[str], observed: date | None) -> str | None:
    """The last calendar year before the observation date present in ``periodes`` (else the
    latest present): the default year of every view and report."""
    if not periodes:
        return None
    wanted = str(observed.year - 1) if observed else periodes[-1]
    return wanted if wanted in periodes else periodes[-1]


def provisoires(ctx: Context) -> set[str]:
    """The periods a chart marks provisional (the current year)."""
    current = annee_en_cours(ctx)
    return {current} if current else set()


def souligner(figure: dict, index: int | None) -> dict:
    """The chosen bar outlined (its colour keeps its meaning: provisional or not)."""
    if index is not None and figure["data"]:
        bar = figure["data"][0]
        count = len(bar["x"] if bar.get("orientation") == "v" else bar["y"])
        bar["marker"]["line"] = {
            "color": "#161616",
            "width": [3 if i == index else 0 for i in range(count)],
        }
    return figure


def valeur(row: dict | None) -> Cellule:
    """An indicator's value cell: « non atteint » for a median not reached yet."""
    if row is not None and not fmt.est_secret(row) and row["valeur"] is None:
        return "non atteint" if row["unite"] == "jours" else None
    return cells.valeur(row)


def trace(row: dict | None) -> float | None:
    """The value a chart plots (None, a gap, for a hidden or missing value)."""
    return cells.trace(row)


def scope_label(name: str) -> str:
    return NIVEAUX.get(name, name)
