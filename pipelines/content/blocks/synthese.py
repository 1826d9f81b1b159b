"""The headline block: the key figures of the view with their interval, last year's value and
scope, and two or three sentences to take away, generated from the same figures."""

from __future__ import annotations

from pipelines.content import cells, figures
from pipelines.content.block import Block, Context, Vide, View
from pipelines.content.blocks import common
from pipelines.content.display import texte
from pipelines.content.table import Colonne, Masque, Tableau, Type, Valeur

# Each headline indicator, its domain and the filters it can be computed for.
CHIFFRES_CLES = {
    "nb_clauses_csf": ("achats", common.DIMENSIONS_ACHATS),
    "taux_activation_6m": ("achats", common.DIMENSIONS_ACHATS),
    "nb_clauses_dormantes": ("achats", common.DIMENSIONS_ACHATS),
    # DECP: the share is known by buyer only (the DECP has no académie nor sector of a clause).
    "part_marches_clause_sociale": ("achats", ("acheteur",)),
    "nb_jeunes_csf": ("jeunes", common.DIMENSIONS_JEUNES),
    "taux_sortie_positive_6m": ("jeunes", common.DIMENSIONS_JEUNES),
    "taux_perdus_de_vue_6m": ("jeunes", common.DIMENSIONS_JEUNES),
}
HONORE = ("annee", *common.DIMENSIONS_ACHATS)
AIDE_INTERVALLE = (
    "L'intervalle de confiance à 95 % donne la marge d'incertitude d'un taux : calculé sur peu "
    "de clauses ou de jeunes, il est large, et deux valeurs dont les intervalles se chevauchent "
    "ne se distinguent pas nettement."
)
AIDE_BASES = (
    "Les taux n'ont pas tous la même base : l'activation à 6 mois porte sur les clauses "
    "notifiées depuis au moins 6 mois ; la sortie positive à 6 mois sur les parcours finis "
    "depuis au moins 6 mois dont la situation du jeune est connue (hors perdus de vue) ; les "
    "perdus de vue sur tous les parcours finis depuis au moins 6 mois. Calculés sur deux bases "
    "différentes, sorties positives et perdus de vue ne s'additionnent pas : leur somme peut "
    "dépasser 100 %."
)


def _texte(row: dict | None) -> str:
    return texte(common.valeur(row), Type.TEXTE)


def chiffres_cles(ctx: Context, view: View) -> Block:
    """Headline figures for the view, each with its interval, the year before and the scope it
    is computed for (a filter an indicator cannot honour is named on its row). An indicator
    without a row for the cell (no clause or no youth there) keeps its line, « – »."""
    visibles = [i for i, (domaine, _) in CHIFFRES_CLES.items() if ctx.audience.peut_voir(domaine)]
    labels = {
        r["indicateur"]: r["libelle_indicateur"]
        for r in ctx.rows(
            "select indicateur, libelle_indicateur from marts.dim_indicateurs "
            "where list_contains(?, indicateur)",
            visibles,
        )
    }
    previous = str(int(view.annee) - 1) if view.annee != "ensemble" else None
    lignes, cles, portees = [], [], []
    applied: set[str] = set()
    for indicateur in visibles:
        honore = CHIFFRES_CLES[indicateur][1]
        niveau, code = view.cellule(honore)
        applied |= {name for name in honore if common.scope_label(name) == niveau}
        row = common.cellule(ctx, (indicateur,), view.annee, niveau, code).get(indicateur)
        before = (
            common.cellule(ctx, (indicateur,), previous, niveau, code).get(indicateur)
            if previous
            else None
        )
        lignes.append(
            [
                labels.get(indicateur, indicateur),
                common.valeur(row),
                cells.intervalle(row),
                common.valeur(before),
                "France" if niveau == "national" else common.nom_niveau(ctx, niveau, code),
            ]
        )
        cles.append(indicateur)
        portees.append(niveau)
    set_scopes = [f for f in view.actifs() if f != "annee"]
    ignored = tuple(f for f in set_scopes if f not in applied)
    partial = [
        line[0] for line, niveau in zip(lignes, portees, strict=True) if niveau == "national"
    ]
    notes = [AIDE_INTERVALLE, AIDE_BASES]
    if set_scopes and partial:
        notes.insert(
            0,
            "Calculés pour la France entière, faute de donnée pour ce filtre : "
            + ", ".join(f"« {p} »" for p in partial)
            + ".",
        )
    provisoire = view.annee in common.provisoires(ctx)
    if provisoire:
        notes.insert(0, PROVISOIRE.format(annee=view.annee))
    lieu = common.lieu_vue(ctx, view, HONORE)
    empty = all(line[1] is None for line in lignes)
    return Block(
        id="chiffres-cles",
        titre="Chiffres clés",
        resume=f"Les principaux indicateurs {lieu}, {common.periode_texte(view.annee)}"
        + (" (année en cours, chiffres provisoires)" if provisoire else "")
        + ", avec leur intervalle de confiance"
        + (f" et leur valeur de l'année précédente ({previous})" if previous else "")
        + ".",
        tableau=Tableau(
            [
                Colonne("Indicateur", largeur=48),
                Colonne("Valeur", Type.INDICATEUR),
                common.INTERVALLE,
                Colonne("Année précédente", Type.INDICATEUR),
                Colonne("Périmètre", largeur=24),
            ],
            lignes,
        ),
        figure=_tendance(ctx, view),
        notes=notes,
        cles=cles,
        filtres_appliques=tuple(["annee"] * (view.annee != "ensemble") + sorted(applied)),
        filtres_ignores=ignored,
        vide=Vide(
            f"Aucune clause ni aucun jeune {lieu} {common.periode_texte(view.annee)}.",
            ("Voir toutes les années", view.sans("annee").comme_dict())
            if view.annee != "ensemble"
            else None,
        )
        if empty
        else None,
    )


PROVISOIRE = (
    "{annee} est l'année en cours : ses chiffres sont provisoires (clauses et parcours encore "
    "dans leur délai d'observation) et ne se comparent pas à ceux d'une année complète."
)


def _tendance(ctx: Context, view: View) -> dict | None:
    """The activation rate year by year for the view's scope: the trend behind the figures."""
    niveau, code = view.cellule(common.DIMENSIONS_ACHATS)
    rows = common.serie(ctx, "taux_activation_6m", niveau, code)
    if not any(common.trace(r) is not None for r in rows):
        return None
    figure = figures.barres(
        [r["periode"] for r in rows],
        [common.trace(r) for r in rows],
        [_texte(r) for r in rows],
        "Activation à 6 mois",
        pourcentage=True,
        provisoire=common.provisoires(ctx),
    )
    figure["layout"]["height"] = 220
    return figure


def a_retenir(ctx: Context, view: View, bloc: Block) -> list[str]:
    """Two or three sentences generated from the headline figures (only shown values: a
    hidden figure is never paraphrased), each naming the scope its figure is computed for."""
    by_key = dict(zip(bloc.cles, bloc.tableau.lignes, strict=True))
    phrases = []
    when = common.periode_texte(view.annee).capitalize()
    if view.annee in common.provisoires(ctx):
        when += " (année en cours, chiffres provisoires)"

    def where(key: str) -> str:
        return common.lieu(ctx, *view.cellule(CHIFFRES_CLES[key][1]))

    def shown(key: str, col: int = 1) -> str | None:
        line = by_key.get(key)
        if line is None or line[col] is None or isinstance(line[col], Masque | str):
            return None
        return texte(line[col], Type.TEXTE)

    rate, before = shown("taux_activation_6m"), shown("taux_activation_6m", 3)
    if rate:
        sentence = (
            f"{when} {where('taux_activation_6m')}, {rate} des clauses notifiées depuis au moins "
            "6 mois ont donné lieu à un parcours dans les 6 mois"
        )
        if before:
            sentence += f" ({before} l'année précédente)"
        phrases.append(sentence + ".")
    dormant, written = by_key.get("nb_clauses_dormantes"), shown("nb_clauses_csf")
    n = dormant[1].valeur if dormant and isinstance(dormant[1], Valeur) else None
    if written and n is not None:
        verbe = (
            "aucune n'est dormante"
            if n == 0
            else f"{shown('nb_clauses_dormantes')} "
            + ("est dormante" if n == 1 else "sont dormantes")
        )
        phrases.append(
            f"{when} {where('nb_clauses_csf')}, sur {written} clauses notifiées, {verbe} "
            "(notifiées depuis plus de 6 mois, toujours en cours, sans parcours commencé)."
        )
    positive, lost = shown("taux_sortie_positive_6m"), shown("taux_perdus_de_vue_6m")
    if positive:
        phrases.append(
            f"{when} {where('taux_sortie_positive_6m')}, six mois après leur parcours, "
            f"{positive} des jeunes dont la situation est connue sont en sortie positive"
            + (f" ; {lost} de l'ensemble des jeunes sont perdus de vue" if lost else "")
            + "."
        )
    return phrases[:3]
