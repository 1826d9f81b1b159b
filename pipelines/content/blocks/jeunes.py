"""Youth blocks (aggregated, under statistical secrecy): outcomes against the comparison
group, situation at 6 months, and the académie's own MLDS detail."""

from __future__ import annotations

from pipelines.content import cells, figures
from pipelines.content import formatting as fmt
from pipelines.content.block import Block, Context, Refus, Vide, View, portee
from pipelines.content.blocks import common
from pipelines.content.display import texte
from pipelines.content.labels import HORIZONS, RESULTATS
from pipelines.content.table import Colonne, Masque, Tableau, Type

COMPARAISON = ("annee", *common.DIMENSIONS_COMPARAISON)
RESULTATS_6M = ("annee", *common.DIMENSIONS_JEUNES)
REFUS_DETAIL = (
    "Le détail des parcours n'est accessible qu'à la MLDS de l'académie, pour sa propre "
    "académie : les autres profils voient les indicateurs agrégés, soumis au secret statistique."
)


def _vide_jeunes(ctx: Context, view: View, lignes: list[list], niveau: str) -> Vide | None:
    """One message instead of a table of « – » or « secret »: where to look instead."""
    if any(not isinstance(c, Masque) and c is not None for line in lignes for c in line[1:]):
        return None
    lien = None
    if niveau == "academie" and view.academie is not None:
        region = ctx.rows(
            "select libelle_region_academique as r from marts.dim_academies "
            "where code_academie = ?",
            view.academie,
        )
        if region:
            filtres = view.sans("academie").comme_dict() | {"region": region[0]["r"]}
            lien = (f"Voir la région académique {region[0]['r']}", filtres)
    elif view.annee != "ensemble":
        lien = ("Voir toutes les années", view.sans("annee").comme_dict())
    secret = any(isinstance(c, Masque) for line in lignes for c in line[1:])
    # Never which rule hid the cells (a small count, or a cell hidden to protect another):
    # the one legend of the secret says the rules in general.
    return Vide(
        "Aucune valeur diffusable dans ce périmètre pour cette période : elles relèvent du "
        "secret statistique (trop peu de jeunes, ou valeurs masquées pour qu'une autre ne "
        "puisse être recalculée)."
        if secret
        else "Aucun jeune sorti de parcours dans ce périmètre pour cette période.",
        lien,
    )


def sorties_positives(ctx: Context, view: View) -> Block:
    common.exiger(ctx, "jeunes")
    niveau, code = view.cellule(COMPARAISON)
    applied, ignored = portee(view, COMPARAISON)
    codes = tuple(
        f"{prefix}taux_sortie_positive_{h}{suffix}"
        for h, _ in HORIZONS
        for prefix, suffix in (("", "_csf_compares"), ("", "_comparaison"), ("ecart_", ""))
    )
    # The écart beside the two rates it is the difference of: the compared CSF parcours and
    # the standardised comparison group (methodologie.md); the all-parcours rate is shown by
    # resultats_6m. The comparison has no sector.
    found = common.cellule(ctx, codes, view.annee, niveau, code)
    lignes, csf, comp = [], [], []
    for h, label in HORIZONS:
        row = found.get(f"taux_sortie_positive_{h}_csf_compares")
        other = found.get(f"taux_sortie_positive_{h}_comparaison")
        gap = found.get(f"ecart_taux_sortie_positive_{h}")
        lignes.append(
            [
                label,
                common.valeur(row),
                cells.intervalle(row),
                common.valeur(other),
                cells.intervalle(other),
                common.valeur(gap),
                cells.intervalle(gap),
            ]
        )
        csf.append(row)
        comp.append(other)
    return Block(
        id="sorties-positives",
        titre="Sorties positives : parcours CSF comparés et groupe de comparaison",
        resume="Part des sorties positives à chaque horizon "
        f"{common.lieu(ctx, niveau, code)}, {common.periode_texte(view.annee)}, pour les "
        "parcours CSF comparés, et celle de jeunes suivis par la MLDS sans CSF de même profil "
        "(écart observé, pas un effet).",
        tableau=Tableau(
            [
                Colonne("Horizon", largeur=14),
                Colonne("Parcours CSF comparés", Type.TAUX),
                Colonne("Intervalle (CSF comparés)", Type.INTERVALLE, 22, Type.TAUX),
                Colonne("Groupe de comparaison (standardisé)", Type.TAUX),
                Colonne("Intervalle (comparaison)", Type.INTERVALLE, 22, Type.TAUX),
                Colonne("Écart observé", Type.POINTS),
                Colonne("Intervalle de l'écart", Type.INTERVALLE, 22, Type.POINTS),
            ],
            lignes,
        ),
        figure=figures.groupes(
            [label for _, label in HORIZONS],
            [
                (
                    "Parcours CSF comparés",
                    [common.trace(r) for r in csf],
                    [texte(common.valeur(r), Type.TAUX) for r in csf],
                ),
                (
                    "Groupe de comparaison (standardisé)",
                    [common.trace(r) for r in comp],
                    [texte(common.valeur(r), Type.TAUX) for r in comp],
                ),
            ],
            "Part des sorties positives",
        ),
        alternative="Part des sorties positives à chaque horizon, parcours CSF comparés "
        "puis groupe de comparaison standardisé : "
        + " ; ".join(
            f"{label} : {texte(common.valeur(a), Type.TAUX)} et "
            f"{texte(common.valeur(b), Type.TAUX)}"
            for (_, label), a, b in zip(HORIZONS, csf, comp, strict=True)
        ),
        notes=[
            "L'écart observé est la différence entre ces deux taux. Les parcours CSF comparés "
            "sont ceux dont la strate (académie, année d'entrée à la MLDS, sexe, âge, dernière "
            "classe) compte des jeunes du groupe de comparaison ; le taux de tous les parcours "
            "CSF est dans « Parcours et situation à 6 mois ».",
            "Pour l'année, l'entrée à la MLDS définit la cohorte des deux groupes.",
        ],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        national=niveau == "national" and any(f != "annee" for f in ignored),
        vide=_vide_jeunes(ctx, view, lignes, niveau),
    )


def resultats_6m(ctx: Context, view: View) -> Block:
    common.exiger(ctx, "jeunes")
    niveau, code = view.cellule(RESULTATS_6M)
    applied, ignored = portee(view, RESULTATS_6M)
    codes = (*(f"{c}_6m" for c, _ in RESULTATS), "taux_achevement", "nb_jeunes_csf", "nb_parcours")
    found = common.cellule(ctx, codes, view.annee, niveau, code)
    order = ["nb_jeunes_csf", "nb_parcours", "taux_achevement", *(f"{c}_6m" for c, _ in RESULTATS)]
    lignes = [
        [
            found[c]["libelle_indicateur"],
            common.valeur(found.get(c)),
            cells.intervalle(found.get(c)),
            cells.effectif(found.get(c), "denominateur"),
        ]
        for c in order
        if c in found
    ]
    return Block(
        id="resultats-6m",
        titre="Parcours et situation à 6 mois",
        resume="Effectifs, achèvement et situation des jeunes 6 mois après le parcours "
        f"{common.lieu(ctx, niveau, code)}, {common.periode_texte(view.annee)}.",
        tableau=Tableau(
            [
                Colonne("Indicateur", largeur=44),
                Colonne("Valeur", Type.INDICATEUR),
                common.INTERVALLE,
                Colonne("Base : parcours pris en compte", Type.ENTIER),
            ],
            lignes,
        ),
        cles=[c for c in order if c in found],
        notes=[
            "Les situations à 6 mois portent sur les parcours finis depuis au moins 6 mois dont "
            "la situation du jeune est connue ; les perdus de vue, sur tous les parcours finis "
            "depuis au moins 6 mois : sur deux bases différentes, ils ne s'additionnent pas aux "
            "autres taux. Des perdus de vue nombreux rendent les autres taux moins sûrs."
        ],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        national=niveau == "national" and any(f != "annee" for f in ignored),
        vide=_vide_jeunes(ctx, view, lignes, niveau),
    )


DETAIL_MAX = 200


def parcours_academie(ctx: Context, view: View) -> Block:
    """Row-level youth detail: only for the académie's own MLDS (``academie:<code>``), never
    for the national or buyers' roles nor the local anonymous user. Checked before any query."""
    if view.academie is None:
        raise Refus("Choisissez votre académie pour voir le détail de ses parcours.")
    if not ctx.audience.peut_voir_detail_jeunes(view.academie):
        raise Refus(REFUS_DETAIL)
    year = None if view.annee == "ensemble" else int(view.annee)
    rows = ctx.rows(
        "select mois_debut, statut, heures_prevues, heures_realisees, situation_6m, secteur "
        "from marts.fct_parcours where code_academie = ? and (? is null or annee_debut = ?) "
        f"order by mois_debut desc, parcours_id limit {DETAIL_MAX}",
        view.academie,
        year,
        year,
    )
    applied, ignored = portee(view, ("annee", "academie"))
    return Block(
        id="parcours-academie",
        titre="Détail des parcours de l'académie",
        resume=f"Les parcours CSF de l'académie {common.periode_texte(view.annee)}, du plus "
        f"récent au plus ancien ({DETAIL_MAX} au plus), sans identifiant de jeune.",
        tableau=Tableau(
            [
                Colonne("Début"),
                Colonne("Statut"),
                Colonne("Heures prévues", Type.ENTIER),
                Colonne("Heures réalisées", Type.ENTIER),
                Colonne("Situation à 6 mois", largeur=30),
                Colonne("Secteur", largeur=30),
            ],
            [
                [
                    fmt.month(r["mois_debut"]),
                    fmt.label(r["statut"]),
                    r["heures_prevues"],
                    r["heures_realisees"],
                    fmt.label(r["situation_6m"]),
                    r["secteur"],
                ]
                for r in rows
            ],
        ),
        filtres_appliques=applied,
        filtres_ignores=ignored,
        donnees_individuelles=True,
        vide=None if rows else Vide("Aucun parcours pour cette académie et cette période."),
    )
