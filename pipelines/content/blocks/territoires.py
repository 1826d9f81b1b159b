"""Territory blocks: a tile-grid map of the académies (overseas included) and their ranking
with intervals and the national value."""

from __future__ import annotations

from dataclasses import replace

from pipelines.content import cells, figures
from pipelines.content.block import Block, Context, Vide, View, portee
from pipelines.content.blocks import common
from pipelines.content.display import texte
from pipelines.content.table import Colonne, Tableau, Type

# The indicators the map can show, and the domain each belongs to.
CARTE_INDICATEURS = {
    "taux_activation_6m": "achats",
    "nb_clauses_dormantes": "achats",
    "taux_sortie_positive_6m": "jeunes",
    "nb_jeunes_csf": "jeunes",
}
LIBELLES_CARTE = {
    "taux_activation_6m": "Activation à 6 mois",
    "nb_clauses_dormantes": "Clauses dormantes",
    "taux_sortie_positive_6m": "Sortie positive à 6 mois",
    "nb_jeunes_csf": "Jeunes en parcours",
}
# Every académie is a tile: the map has no scope filter but the year.
TERRITOIRES = ("annee",)
LEGENDE_MARQUES = (
    "Dans la carte et le classement, « secret » signale une valeur soumise au secret "
    "statistique ; « – » une académie sans donnée pour cette période (aucune clause ou aucun "
    "jeune concerné)."
)


def _rows(ctx: Context, view: View, indicateur: str) -> list[dict]:
    return common.par_dimension(ctx, indicateur, "academie", view.annee)


def _indicateur(indicateur: str) -> str:
    return indicateur if indicateur in CARTE_INDICATEURS else "taux_activation_6m"


def _libelle(ctx: Context, indicateur: str) -> str:
    """The indicator's label (with its base), whether or not the period has rows."""
    found = ctx.rows(
        "select libelle_indicateur from marts.dim_indicateurs where indicateur = ?", indicateur
    )
    return found[0]["libelle_indicateur"] if found else LIBELLES_CARTE[indicateur]


def carte(ctx: Context, view: View, indicateur: str = "taux_activation_6m") -> Block:
    indicateur = _indicateur(indicateur)
    common.exiger(ctx, CARTE_INDICATEURS[indicateur])
    applied, ignored = portee(view, TERRITOIRES)
    rows = _rows(ctx, view, indicateur)
    academies = ctx.rows("select * from marts.dim_academies order by code_academie")
    by_code = {r["code_niveau"]: r for r in rows}
    label = _libelle(ctx, indicateur)
    unit = Type.TAUX if indicateur.startswith("taux") else Type.ENTIER
    lignes = [
        [
            a["libelle_academie"],
            a["libelle_region_academique"],
            common.valeur(by_code.get(a["code_academie"])),
            cells.intervalle(by_code.get(a["code_academie"])),
        ]
        for a in academies
    ]
    return Block(
        id="carte",
        titre=f"{label} par académie",
        resume=f"{label} dans chaque académie, y compris outre-mer, "
        f"{common.periode_texte(view.annee)} ; plus la case est foncée, plus la valeur est "
        "élevée (la valeur est écrite dans la case).",
        tableau=Tableau(
            [
                Colonne("Académie", largeur=24),
                Colonne("Région académique", largeur=28),
                Colonne("Valeur", unit),
                replace(common.INTERVALLE, unite=unit),  # a count has none: no « (%) »
            ],
            lignes,
        ),
        figure=_tuiles(academies, by_code, unit, label, compact=False),
        figure_compacte=_tuiles(academies, by_code, unit, label, compact=True),
        cles=[a["code_academie"] for a in academies],
        notes=[LEGENDE_MARQUES],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None if rows else Vide("Aucune donnée par académie pour cette période."),
    )


def _tuiles(
    academies: list[dict], by_code: dict[str, dict], unit: Type, label: str, compact: bool
) -> dict:
    return figures.tuiles(
        None,
        {a["code_academie"]: a["libelle_academie"] for a in academies},
        {c: common.trace(r) for c, r in by_code.items()},
        {c: texte(common.valeur(r), unit) for c, r in by_code.items()},
        pourcentage=unit is Type.TAUX,
        titre_legende=label,
        compact=compact,
    )


def _barres_classement(
    rows: list[dict],
    lignes: list[list],
    unit: Type,
    label: str,
    national: dict | None,
    compact: bool,
) -> dict:
    shown = [common.trace(r) is not None for r in rows]
    return figures.classement(
        [r["libelle_niveau"] for r in rows],
        [common.trace(r) for r in rows],
        [texte(line[2], unit) for line in lignes],
        [
            r["ic_bas"] if ok and unit is Type.TAUX else None
            for r, ok in zip(rows, shown, strict=True)
        ],
        [
            r["ic_haut"] if ok and unit is Type.TAUX else None
            for r, ok in zip(rows, shown, strict=True)
        ],
        national=common.trace(national),
        pourcentage=unit is Type.TAUX,
        titre_axe=label,
        compact=compact,
    )


def classement(ctx: Context, view: View, indicateur: str = "taux_activation_6m") -> Block:
    indicateur = _indicateur(indicateur)
    common.exiger(ctx, CARTE_INDICATEURS[indicateur])
    applied, ignored = portee(view, TERRITOIRES)
    rows = _rows(ctx, view, indicateur)
    rows = sorted(
        rows,
        key=lambda r: (common.trace(r) is None, -(common.trace(r) or 0), r["libelle_niveau"]),
    )
    national = common.cellule(ctx, (indicateur,), view.annee, "national", "FR").get(indicateur)
    label = _libelle(ctx, indicateur)
    unit = Type.TAUX if indicateur.startswith("taux") else Type.ENTIER
    lignes = [
        [
            i if common.trace(r) is not None else None,
            r["libelle_niveau"],
            common.valeur(r),
            cells.intervalle(r),
        ]
        for i, r in enumerate(rows, 1)
    ]
    notes = [LEGENDE_MARQUES]
    if national is not None:
        notes.insert(
            0,
            f"Valeur nationale {common.periode_texte(view.annee)} : "
            f"{texte(common.valeur(national), unit)}"
            + (
                f" (intervalle de confiance à 95 % : {texte(cells.intervalle(national), unit)})"
                if cells.intervalle(national) is not None
                else ""
            )
            + ".",
        )
    if unit is Type.TAUX:
        notes.append(
            "Une académie de peu de clauses ou de jeunes a un intervalle large : deux académies "
            "dont les intervalles se chevauchent ne se distinguent pas nettement."
        )
    return Block(
        id="classement",
        titre=f"Classement des académies : {label[:1].lower() + label[1:]}",
        resume="Les académies de la plus haute à la plus basse valeur, "
        f"{common.periode_texte(view.annee)}, avec leur intervalle de confiance ; les valeurs "
        "non diffusables sont en fin de liste.",
        tableau=Tableau(
            [
                Colonne("Rang", Type.ENTIER),
                Colonne("Académie", largeur=24),
                Colonne("Valeur", unit),
                replace(common.INTERVALLE, unite=unit),  # a count has none: no « (%) »
            ],
            lignes,
        ),
        figure=_barres_classement(rows, lignes, unit, label, national, compact=False),
        figure_compacte=_barres_classement(rows, lignes, unit, label, national, compact=True),
        cles=[r["code_niveau"] for r in rows],
        notes=notes,
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None if rows else Vide("Aucune donnée par académie pour cette période."),
    )
