"""Every chart of the dashboard as a display table: the same function feeds the chart, its
"voir les données" table and its CSV download, so a download is exactly what is displayed
(hidden cells included, as the one secret mark, ``fmt.SECRET``: the warehouse's ``diffusable``
is the only input, never a row's figures). Access rules are enforced here, server-side: the
page callback and the download route both build their content through these functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dashboards import queries
from dashboards.auth import Identite
from dashboards.filters import Filtres
from pipelines.content import figures
from pipelines.content import formatting as fmt
from pipelines.content.labels import (
    ETAPE_FINALE,
    ETAPE_PUBLIQUE_MAX,
    ETAPES_QUALITE,
    HORIZONS,
    LIGNES_RAPPROCHEMENT,
    RESULTATS,
    STATUTS_CONTROLES_MODELE,
    TRAITEMENTS,
    TYPES_CONTROLES_MODELE,
    libelle_regle,
)


class Refus(Exception):
    """The user's role does not allow this content (shown as a message, HTTP 403 for a file)."""


@dataclass
class Bloc:
    """One chart or table: what it shows in one French sentence, and the displayed values."""

    id: str
    titre: str
    resume: str
    colonnes: list[str]
    lignes: list[list[str]]
    figure: dict | None = None  # a Plotly figure as a plain dict
    notes: list[str] = field(default_factory=list)
    cles: list[str] = field(default_factory=list)  # a stable key per line (element ids)


def _valeur(row: dict | None) -> str:
    return fmt.indicator_value(row) if row else "–"


def _nombre_ou_vide(row: dict | None) -> float | None:
    """The plotted value: None (a gap) whenever the cell may not be shown."""
    if not row or not row["diffusable"] or row["valeur"] is None:
        return None
    return row["valeur"]


def _ic(row: dict | None) -> str:
    return fmt.interval(row).removeprefix("IC 95\u00a0% : ") if row else ""


def _periode(filtres: Filtres) -> str:
    return "toutes années" if filtres.annee == "ensemble" else f"en {filtres.annee}"


def _lieu(filtres: Filtres, domaine: str) -> str:
    niveau, code = filtres.cellule(domaine)
    if niveau == "national":
        return "en France"
    if niveau == "acheteur":
        found = queries.rows(
            "select nom_acheteur from marts.dim_acheteurs where siret_acheteur = ?", code
        )
        return "pour l'acheteur " + ((found[0]["nom_acheteur"] if found else None) or code)
    labels = dict(queries.valeurs(niveau))
    return {
        "academie": "dans l'académie de ",
        "region_academique": "dans la région académique ",
        "type_acheteur": "pour le type d'acheteur ",
        "secteur": "dans le secteur ",
    }[niveau] + labels.get(code, code)


REFUS_JEUNES = "Votre profil ne donne pas accès aux indicateurs sur les jeunes."
REFUS_DETAIL = (
    "Le détail des parcours n'est accessible qu'à la MLDS de l'académie, pour sa propre "
    "académie : les autres profils voient les indicateurs agrégés, soumis au secret statistique."
)


def _exiger(identite: Identite, domaine: str) -> None:
    if not identite.peut_voir(domaine):
        raise Refus(REFUS_JEUNES)


def _sources_visibles(identite: Identite, colonne: str = "source") -> str:
    """A SQL condition on a quality table: without access to youths, the MLDS files (their
    rows describe youths, and their counts are youth counts) are left out."""
    return "true" if identite.peut_voir("jeunes") else f"{colonne} not like 'mlds%'"


REFUS_FICHIERS_JEUNES = (
    "Votre profil ne donne pas accès au contrôle des fichiers de suivi des jeunes (MLDS)."
)


def _exiger_fichiers_jeunes(identite: Identite) -> None:
    """Blocks about the MLDS files only: the roles that see them (see _sources_visibles)."""
    if not identite.peut_voir("jeunes"):
        raise Refus(REFUS_FICHIERS_JEUNES)


def _notes_sources(identite: Identite) -> list[str]:
    if identite.peut_voir("jeunes"):
        return []
    return ["Les fichiers de suivi des jeunes (MLDS) ne sont pas présentés à votre profil."]


# ---------------------------------------------------------------- Vue d'ensemble

CHIFFRES_CLES = {
    "nb_clauses_csf": "achats",
    "taux_activation_6m": "achats",
    "nb_clauses_dormantes": "achats",
    "part_marches_clause_sociale": "achats",
    "nb_jeunes_csf": "jeunes",
    "taux_sortie_positive_6m": "jeunes",
    "taux_perdus_de_vue_6m": "jeunes",
}


def chiffres_cles(filtres: Filtres, identite: Identite) -> Bloc:
    """Headline figures for the filters, each with its trend: the selected year against the one
    before, or over all years the last complete year against the one before."""
    publication = queries.publication() or {}
    observed = publication.get("date_observation")
    if filtres.annee != "ensemble":
        year = int(filtres.annee)
    else:
        year = (observed.year - 1) if observed else None
    lignes, cles = [], []
    for indicateur, domaine in CHIFFRES_CLES.items():
        if not identite.peut_voir(domaine):
            continue
        niveau, code = filtres.cellule(domaine)
        if indicateur == "part_marches_clause_sociale":  # DECP: known by buyer and CPV only
            niveau, code = "national", "FR"
        row = queries.cellule((indicateur,), filtres.annee, niveau, code).get(indicateur)
        if row is None:
            continue
        tendance = "–"
        if year is not None:
            now = queries.cellule((indicateur,), str(year), niveau, code).get(indicateur)
            before = queries.cellule((indicateur,), str(year - 1), niveau, code).get(indicateur)
            if now and before:
                tendance = f"{year} : {_valeur(now)} ({year - 1} : {_valeur(before)})"
        lignes.append([row["libelle_indicateur"], _valeur(row), _ic(row), tendance])
        cles.append(indicateur)
    return Bloc(
        id="chiffres-cles",
        titre="Chiffres clés",
        resume=f"Les principaux indicateurs {_lieu(filtres, 'achats')}, {_periode(filtres)}, "
        "avec leur intervalle de confiance et leur évolution d'une année sur l'autre.",
        colonnes=["Indicateur", "Valeur", "Intervalle de confiance à 95 %", "Évolution"],
        lignes=lignes,
        cles=cles,
    )


# ---------------------------------------------------------------- Clauses


def _par_annee(bloc_id: str, indicateur: str, titre: str, phrase: str, filtres: Filtres) -> Bloc:
    niveau, code = filtres.cellule("achats")
    rows = queries.serie(indicateur, niveau, code)
    return Bloc(
        id=bloc_id,
        titre=titre,
        resume=f"{phrase} {_lieu(filtres, 'achats')}, par année de notification.",
        colonnes=[
            "Année",
            "Valeur",
            "Intervalle de confiance à 95 %",
            "Numérateur",
            "Dénominateur",
        ],
        lignes=[
            [r["periode"], _valeur(r), _ic(r), fmt.count(r), fmt.count(r, "denominateur")]
            for r in rows
        ],
        figure=figures.barres(
            [r["periode"] for r in rows],
            [_nombre_ou_vide(r) for r in rows],
            [_valeur(r) for r in rows],
            "Taux",
            pourcentage=True,
            erreurs=(
                [r["ic_bas"] if _nombre_ou_vide(r) is not None else None for r in rows],
                [r["ic_haut"] if _nombre_ou_vide(r) is not None else None for r in rows],
            ),
        ),
    )


def activation(filtres: Filtres, identite: Identite) -> Bloc:
    return _par_annee(
        "activation",
        "taux_activation_6m",
        "Activation des clauses à 6 mois",
        "Part des clauses qui ont donné lieu à un parcours dans les 6 mois suivant la notification",
        filtres,
    )


def calibrage(filtres: Filtres, identite: Identite) -> Bloc:
    return _par_annee(
        "calibrage",
        "conformite_calibrage",
        "Conformité du calibrage des heures",
        "Part des clauses dont les heures prévues correspondent à la tranche de montant",
        filtres,
    )


def entonnoir(filtres: Filtres, identite: Identite) -> Bloc:
    """The blocking-point funnel. Its last two stages describe youths (``domaine = 'jeunes'``):
    a role without access to youths gets none of their rows, nor what would give them away
    (the clauses stopped at "parcours commencé" are those that reached it minus those that went
    on; the days spent there are the parcours' length)."""
    niveau, code = filtres.cellule("achats")
    if niveau not in ("national", "academie"):
        niveau, code = "national", "FR"
    jeunes = identite.peut_voir("jeunes")
    rows = queries.rows(
        "select * from marts.fct_entonnoir_clauses where niveau = ? and code_niveau = ? "
        "and periode = ? and (? or domaine != 'jeunes') order by rang_etape",
        niveau,
        code,
        filtres.annee,
        jeunes,
    )
    # The last stage shown before the youth stages, for a role that does not see them.
    tronquee = None if jeunes else ETAPE_PUBLIQUE_MAX

    def shown(r: dict, value: str) -> str:
        return fmt.SECRET if fmt.est_secret(r) else value

    lignes = [
        [
            r["libelle_etape"],
            shown(r, fmt.count(r, "nb_clauses_atteinte")),
            fmt.ABSENT
            if r["rang_etape"] == tronquee
            else shown(r, fmt.count(r, "nb_clauses_bloquees")),
            shown(r, fmt.percent(r["taux_conversion"]))
            if r["taux_conversion"] is not None
            else shown(r, fmt.ABSENT),
            fmt.ABSENT
            if r["rang_etape"] == tronquee
            else shown(
                r,
                # A median of days may fall on a half day: whole days, as every output.
                fmt.jours(r["delai_median_jours"], suffixe="")
                if r["delai_median_jours"] is not None
                else fmt.ABSENT,
            ),
        ]
        for r in rows
    ]
    blocked = max(
        (r for r in rows if not fmt.est_secret(r) and r["rang_etape"] < (tronquee or ETAPE_FINALE)),
        key=lambda r: r["nb_clauses_bloquees"],
        default=None,
    )
    phrase = (
        f" Le plus grand nombre de clauses s'arrête à l'étape « {blocked['libelle_etape']} »."
        if blocked
        else ""
    )
    notes = ["Une clause récente peut être « arrêtée » à une étape qu'elle franchira bientôt."]
    if tronquee:
        notes.append(
            "Les étapes suivant le parcours commencé décrivent des jeunes : votre profil ne "
            "donne pas accès à ces étapes, ni au nombre de clauses arrêtées au parcours commencé "
            "et à la durée passée à cette étape, qui les révéleraient."
        )
    return Bloc(
        id="entonnoir",
        titre="Où le processus bloque",
        resume=f"Nombre de clauses ayant atteint chaque étape {_lieu(filtres, 'achats')}, "
        f"{_periode(filtres)}.{phrase}",
        colonnes=[
            "Étape",
            "Clauses ayant atteint l'étape",
            "Clauses arrêtées à cette étape",
            "Conversion depuis l'étape précédente",
            "Jours passés à l'étape (médiane)",
        ],
        lignes=lignes,
        figure=figures.barres(
            [r["libelle_etape"] for r in rows],
            [None if fmt.est_secret(r) else r["nb_clauses_atteinte"] for r in rows],
            [line[1] for line in lignes],
            "Clauses",
            horizontal=True,
        ),
        notes=notes,
    )


def dormantes(filtres: Filtres, identite: Identite) -> Bloc:
    rows = [
        r
        for r in queries.par_dimension("nb_clauses_dormantes", "academie", filtres.annee)
        if r["code_niveau"] != "NR"
    ]
    rows.sort(key=lambda r: -(r["valeur"] or 0))
    return Bloc(
        id="dormantes",
        titre="Clauses dormantes par académie",
        resume="Clauses notifiées depuis au moins 6 mois, sans parcours commencé et toujours en "
        f"cours, par académie, {_periode(filtres)}.",
        colonnes=["Académie", "Clauses dormantes"],
        lignes=[[r["libelle_niveau"], _valeur(r)] for r in rows],
        figure=figures.barres(
            [r["libelle_niveau"] for r in rows],
            [_nombre_ou_vide(r) for r in rows],
            [_valeur(r) for r in rows],
            "Clauses",
            horizontal=True,
        ),
    )


def dormantes_acheteurs(filtres: Filtres, identite: Identite) -> Bloc:
    """Public procurement data: the buyers with the most dormant clauses."""
    where, params = "", []
    niveau, code = filtres.cellule("achats")
    if niveau == "academie":
        where, params = "where code_academie = ?", [code]
    rows = queries.rows(
        "select siret_acheteur, any_value(nom_acheteur) as nom, count(*) as n, "
        "min(date_limite_declaration_offre) as echeance "
        f"from marts.fct_clauses_dormantes {where} group by siret_acheteur "
        "order by n desc, nom limit 15",
        *params,
    )
    return Bloc(
        id="dormantes-acheteurs",
        titre="Acheteurs ayant le plus de clauses dormantes",
        resume="Les quinze acheteurs qui ont le plus de clauses dormantes "
        f"{_lieu(filtres, 'achats')}, avec la plus proche date limite de déclaration de l'offre.",
        colonnes=["Acheteur", "SIRET", "Clauses dormantes", "Prochaine date limite"],
        lignes=[
            [
                r["nom"] or "–",
                r["siret_acheteur"],
                fmt.number(r["n"]),
                fmt.french_date(r["echeance"]) if r["echeance"] else "–",
            ]
            for r in rows
        ],
    )


def clauses_acheteur(filtres: Filtres, identite: Identite) -> Bloc:
    """One buyer's clauses (public procurement data): where each stands and what to do next."""
    if filtres.acheteur is None:
        raise Refus("Saisissez le SIRET d'un acheteur pour voir le détail de ses clauses.")
    rows = queries.rows(
        "select *, case when rang_etape_atteinte > ? then (select any_value(libelle_etape) "
        "from marts.fct_entonnoir_clauses where rang_etape = ?) else etape_atteinte end "
        "as etape_publique from marts.fct_clauses where siret_acheteur = ? "
        "order by date_notification desc, clause_id",
        ETAPE_PUBLIQUE_MAX,
        ETAPE_PUBLIQUE_MAX,
        filtres.acheteur,
    )
    return Bloc(
        id="clauses-acheteur",
        titre="Les clauses de l'acheteur",
        resume=f"Chaque clause {_lieu(filtres, 'achats')}, avec l'étape atteinte et, pour une "
        "clause dormante, la date limite de déclaration de l'offre par le titulaire.",
        colonnes=[
            "Marché",
            "Objet",
            "Titulaire",
            "Heures",
            "Notification",
            "Fin",
            "Étape atteinte",
            "Dormante",
            "Date limite de l'offre",
        ],
        lignes=[
            [
                r["marche_id"] or r["clause_id"],
                r["objet_marche"] or "–",
                r["nom_titulaire"] or "–",
                fmt.optional_number(r["heures_parcours"]),
                fmt.french_date(r["date_notification"]) if r["date_notification"] else "–",
                fmt.french_date(r["date_fin_clause"]) if r["date_fin_clause"] else "–",
                r["etape_publique"] or "–",
                "oui" if r["est_dormante"] else "non",
                fmt.french_date(r["date_limite_declaration_offre"])
                if r["est_dormante"] and r["date_limite_declaration_offre"]
                else "–",
            ]
            for r in rows
        ],
        notes=["Au-delà du parcours commencé, l'étape décrit un jeune : elle n'est pas détaillée."],
    )


# ---------------------------------------------------------------- Jeunes


def sorties_positives(filtres: Filtres, identite: Identite) -> Bloc:
    _exiger(identite, "jeunes")
    niveau, code = filtres.cellule("jeunes")
    codes = tuple(
        f"{prefix}taux_sortie_positive_{h}{suffix}"
        for h, _ in HORIZONS
        for prefix, suffix in (("", "_csf_compares"), ("", "_comparaison"), ("ecart_", ""))
    )
    # The écart beside the two rates it is the difference of: the compared CSF parcours and
    # the standardised comparison group (methodologie.md); the all-parcours rate is shown by
    # resultats_6m. The comparison has no sector: by sector, its columns stay empty.
    cells = queries.cellule(codes, filtres.annee, niveau, code)
    lignes, csf, comp = [], [], []
    for h, label in HORIZONS:
        row = cells.get(f"taux_sortie_positive_{h}_csf_compares")
        other = cells.get(f"taux_sortie_positive_{h}_comparaison")
        gap = cells.get(f"ecart_taux_sortie_positive_{h}")
        lignes.append(
            [
                label,
                _valeur(row),
                _ic(row),
                _valeur(other),
                _ic(other),
                fmt.ecart(gap),
                fmt.ecart_interval(gap),
            ]
        )
        csf.append(row)
        comp.append(other)
    return Bloc(
        id="sorties-positives",
        titre="Sorties positives : parcours CSF comparés et groupe de comparaison",
        resume="Part des sorties positives à chaque horizon "
        f"{_lieu(filtres, 'jeunes')}, {_periode(filtres)}, pour les parcours CSF comparés, et "
        "celle de jeunes suivis par la MLDS sans CSF de même profil (écart observé, pas un "
        "effet).",
        colonnes=[
            "Horizon",
            "Parcours CSF comparés",
            "Intervalle (CSF comparés)",
            "Groupe de comparaison (standardisé)",
            "Intervalle (comparaison)",
            "Écart observé",
            "Intervalle de l'écart",
        ],
        lignes=lignes,
        figure=figures.groupes(
            [label for _, label in HORIZONS],
            [
                (
                    "Parcours CSF comparés",
                    [_nombre_ou_vide(r) for r in csf],
                    [_valeur(r) for r in csf],
                ),
                (
                    "Groupe de comparaison (standardisé)",
                    [_nombre_ou_vide(r) for r in comp],
                    [_valeur(r) for r in comp],
                ),
            ],
            "Part des sorties positives",
        ),
        notes=[
            "L'écart observé est la différence entre ces deux taux. Les parcours CSF comparés "
            "sont ceux dont la strate (académie, année d'entrée à la MLDS, sexe, âge, dernière "
            "classe) compte des jeunes du groupe de comparaison ; le taux de tous les parcours "
            "CSF est dans « Parcours et situation à 6 mois ».",
            "Pour l'année, l'entrée à la MLDS définit la cohorte des deux groupes.",
        ],
    )


def resultats_6m(filtres: Filtres, identite: Identite) -> Bloc:
    _exiger(identite, "jeunes")
    niveau, code = filtres.cellule("jeunes")
    codes = (*(f"{c}_6m" for c, _ in RESULTATS), "taux_achevement", "nb_jeunes_csf", "nb_parcours")
    cells = queries.cellule(codes, filtres.annee, niveau, code)
    order = [
        ("nb_jeunes_csf", "Jeunes en parcours CSF"),
        ("nb_parcours", "Parcours commencés"),
        ("taux_achevement", "Parcours achevés"),
    ] + [(f"{c}_6m", f"{label} à 6 mois") for c, label in RESULTATS]
    lignes = [
        [label, _valeur(cells.get(c)), _ic(cells.get(c)), fmt.count(cells.get(c), "denominateur")]
        for c, label in order
        if c in cells
    ]
    return Bloc(
        id="resultats-6m",
        titre="Parcours et situation à 6 mois",
        resume=f"Effectifs, achèvement et situation des jeunes 6 mois après le parcours "
        f"{_lieu(filtres, 'jeunes')}, {_periode(filtres)}.",
        colonnes=[
            "Indicateur",
            "Valeur",
            "Intervalle de confiance à 95 %",
            "Parcours pris en compte",
        ],
        lignes=lignes,
        notes=["Les perdus de vue bornent les autres taux : ils sont toujours affichés à côté."],
    )


DETAIL_MAX = 200


def parcours_academie(filtres: Filtres, identite: Identite) -> Bloc:
    """Row-level youth detail: only for the académie's own MLDS (``academie:<code>``), never
    for the national or buyers' roles nor the local anonymous user. Checked before any query."""
    if filtres.academie is None and identite.academies:
        raise Refus("Choisissez votre académie pour voir le détail de ses parcours.")
    if not identite.peut_voir_detail_jeunes(filtres.academie):
        raise Refus(REFUS_DETAIL)
    year = None if filtres.annee == "ensemble" else int(filtres.annee)
    rows = queries.rows(
        "select mois_debut, statut, heures_prevues, heures_realisees, situation_6m, secteur "
        "from marts.fct_parcours where code_academie = ? and (? is null or annee_debut = ?) "
        f"order by mois_debut desc, parcours_id limit {DETAIL_MAX}",
        filtres.academie,
        year,
        year,
    )
    return Bloc(
        id="parcours-academie",
        titre="Détail des parcours de l'académie",
        resume=f"Les parcours CSF de l'académie {_periode(filtres)}, du plus récent au plus "
        f"ancien ({DETAIL_MAX} au plus), sans identifiant de jeune.",
        colonnes=[
            "Début",
            "Statut",
            "Heures prévues",
            "Heures réalisées",
            "Situation à 6 mois",
            "Secteur",
        ],
        lignes=[
            [
                fmt.month(r["mois_debut"]),
                fmt.label(r["statut"]),
                fmt.optional_number(r["heures_prevues"]),
                fmt.optional_number(r["heures_realisees"]),
                fmt.label(r["situation_6m"]),
                r["secteur"] or "–",
            ]
            for r in rows
        ],
    )


# ---------------------------------------------------------------- Territoires

CARTE_INDICATEURS = {
    "taux_activation_6m": "achats",
    "nb_clauses_dormantes": "achats",
    "taux_sortie_positive_6m": "jeunes",
    "nb_jeunes_csf": "jeunes",
}


def _territoire_rows(filtres: Filtres, indicateur: str) -> list[dict]:
    return [
        r
        for r in queries.par_dimension(indicateur, "academie", filtres.annee)
        if r["code_niveau"] != "NR"
    ]


def carte(filtres: Filtres, identite: Identite, indicateur: str = "taux_activation_6m") -> Bloc:
    _exiger(identite, CARTE_INDICATEURS.get(indicateur, "achats"))
    rows = _territoire_rows(filtres, indicateur)
    academies = queries.rows("select * from marts.dim_academies order by code_academie")
    by_code = {r["code_niveau"]: r for r in rows}
    label = rows[0]["libelle_indicateur"] if rows else indicateur
    return Bloc(
        id="carte",
        titre=f"{label} par académie",
        resume=f"{label} dans chaque académie, y compris outre-mer, {_periode(filtres)} ; "
        "plus la case est foncée, plus la valeur est élevée (la valeur est écrite dans la case).",
        colonnes=["Académie", "Région académique", "Valeur", "Intervalle de confiance à 95 %"],
        lignes=[
            [
                a["libelle_academie"],
                a["libelle_region_academique"],
                _valeur(by_code.get(a["code_academie"])),
                _ic(by_code.get(a["code_academie"])),
            ]
            for a in academies
        ],
        figure=figures.tuiles(
            {
                a["code_academie"]: TUILES[a["code_academie"]]
                for a in academies
                if a["code_academie"] in TUILES
            },
            {a["code_academie"]: a["libelle_academie"] for a in academies},
            {c: _nombre_ou_vide(r) for c, r in by_code.items()},
            {c: _valeur(r) for c, r in by_code.items()},
        ),
    )


def classement(
    filtres: Filtres, identite: Identite, indicateur: str = "taux_activation_6m"
) -> Bloc:
    _exiger(identite, CARTE_INDICATEURS.get(indicateur, "achats"))
    rows = _territoire_rows(filtres, indicateur)
    rows.sort(
        key=lambda r: (_nombre_ou_vide(r) is None, -(_nombre_ou_vide(r) or 0), r["libelle_niveau"])
    )
    label = rows[0]["libelle_indicateur"] if rows else indicateur
    return Bloc(
        id="classement",
        titre=f"Classement des académies : {label.lower()}",
        resume=f"Les académies de la plus haute à la plus basse valeur, {_periode(filtres)} ; "
        "les valeurs non diffusables sont en fin de liste.",
        colonnes=["Rang", "Académie", "Valeur", "Intervalle de confiance à 95 %"],
        lignes=[
            [
                str(i) if _nombre_ou_vide(r) is not None else "–",
                r["libelle_niveau"],
                _valeur(r),
                _ic(r),
            ]
            for i, r in enumerate(rows, 1)
        ],
        figure=figures.barres(
            [r["libelle_niveau"] for r in rows],
            [_nombre_ou_vide(r) for r in rows],
            [_valeur(r) for r in rows],
            label,
            pourcentage=rows[0]["unite"] == "taux" if rows else False,
            horizontal=True,
        ),
    )


# Tile-grid positions (column, row): metropolitan académies roughly in place, overseas in a row.
TUILES = {
    "09": (4, 0),
    "70": (2, 1),
    "20": (4, 1),
    "19": (5, 1),
    "14": (1, 2),
    "25": (3, 2),
    "01": (4, 2),
    "24": (5, 2),
    "12": (6, 2),
    "15": (7, 2),
    "17": (2, 3),
    "18": (3, 3),
    "07": (5, 3),
    "03": (6, 3),
    "13": (2, 4),
    "22": (3, 4),
    "06": (4, 4),
    "10": (5, 4),
    "08": (6, 4),
    "04": (2, 5),
    "16": (3, 5),
    "11": (4, 5),
    "02": (5, 5),
    "23": (6, 5),
    "27": (7, 6),
    "32": (0, 8),
    "31": (1, 8),
    "33": (2, 8),
    "28": (3, 8),
    "43": (4, 8),
    "40": (5, 8),
    "41": (6, 8),
    "42": (7, 8),
    "44": (8, 8),
}


# ---------------------------------------------------------------- Qualité des données


def fichiers(filtres: Filtres, identite: Identite) -> Bloc:
    rows = queries.rows(
        f"select * from marts.qualite_fichiers where {_sources_visibles(identite)} "
        "order by charge_le desc, fichier"
    )
    return Bloc(
        id="fichiers",
        titre="Fichiers reçus",
        resume="Chaque fichier reçu, ce qu'il est devenu et combien de ses lignes ont été "
        "chargées ou mises en quarantaine ; parmi les lignes chargées, celles que le "
        "rapprochement entre fichiers exclut des indicateurs ou signale.",
        colonnes=[
            "Fichier",
            "Source",
            "Statut",
            "Lignes lues",
            "Chargées",
            "En quarantaine",
            "Exclues au rapprochement",
            "Signalées au rapprochement",
            "Chargé le",
        ],
        lignes=[
            [
                r["fichier"],
                r["source"],
                fmt.label(r["statut"]) + ("" if r["est_courant"] else " (remplacé)"),
                fmt.optional_number(r["lignes_lues"]),
                fmt.optional_number(r["lignes_propres"]),
                fmt.optional_number(r["lignes_en_quarantaine"]),
                fmt.optional_number(r["lignes_exclues"]),
                fmt.optional_number(r["lignes_signalees"]),
                fmt.french_date(r["charge_le"]) if r["charge_le"] else "–",
            ]
            for r in rows
        ],
        notes=_notes_sources(identite),
    )


def quarantaine(filtres: Filtres, identite: Identite) -> Bloc:
    """Per file and rule, the rows set aside at reading (quarantine) and those the cross-file
    rules exclude or flag in the warehouse: nothing leaves the figures without a line here."""
    rows = queries.rows(
        "select regle, fichier, etape, traitement, lignes from marts.qualite_regles "
        f"where {_sources_visibles(identite)} "
        "order by etape, fichier, lignes desc, regle"
    )
    familles: dict[str, int] = {}
    for r in rows:
        famille = libelle_regle(r["regle"])
        familles[famille] = familles.get(famille, 0) + r["lignes"]
    ordre = sorted(familles, key=lambda famille: (-familles[famille], famille))
    return Bloc(
        id="quarantaine",
        titre="Lignes écartées ou signalées, par fichier et par règle",
        resume="Lignes mises en quarantaine à la lecture des fichiers, et lignes chargées que le "
        "rapprochement entre fichiers exclut des indicateurs ou signale (parcours sans clause "
        "connue, suivi daté avant le début de son parcours…) ; le graphique les totalise par "
        "type de règle, le tableau les détaille par fichier.",
        colonnes=["Règle", "Type de règle", "Fichier", "Étape", "Devenir des lignes", "Lignes"],
        lignes=[
            [
                r["regle"],
                libelle_regle(r["regle"]),
                r["fichier"] or "–",
                ETAPES_QUALITE.get(r["etape"], r["etape"]),
                TRAITEMENTS.get(r["traitement"], r["traitement"]),
                fmt.number(r["lignes"]),
            ]
            for r in rows
        ],
        figure=figures.barres(
            ordre,
            [familles[famille] for famille in ordre],
            [fmt.number(familles[famille]) for famille in ordre],
            "Lignes",
            horizontal=True,
        ),
        notes=_notes_sources(identite),
    )


def rapprochement(filtres: Filtres, identite: Identite) -> Bloc:
    """The parcours counted on the youth side, reconciled with those the procurement side
    counts plus the parcours without a known clause (records, national; MLDS files' view)."""
    _exiger_fichiers_jeunes(identite)
    rows = queries.rows("select ligne, parcours from marts.qualite_rapprochement order by ordre")
    return Bloc(
        id="rapprochement",
        titre="Rapprochement des parcours : côté jeunes et côté achats",
        resume="Les parcours commencés que comptent les indicateurs sur les jeunes sont ceux "
        "que comptent les clauses, plus les parcours sans clause connue, par cas ; l'écart est "
        "nul.",
        colonnes=["Parcours", "Nombre"],
        lignes=[
            [LIGNES_RAPPROCHEMENT.get(r["ligne"], r["ligne"]), fmt.number(r["parcours"])]
            for r in rows
        ],
        notes=[
            "Un parcours sans clause connue compte parmi les jeunes (ce sont de vrais jeunes), "
            "pas dans l'activation des clauses : il ne peut être rattaché à aucune. Un parcours "
            "dont le jeune est inconnu compte des deux côtés. Voir la méthodologie, « Parcours "
            "et suivis non rattachés »."
        ],
    )


def clauses_inconnues(filtres: Filtres, identite: Identite) -> Bloc:
    """The clause identifiers parcours name but the register lacks: what to correct."""
    _exiger_fichiers_jeunes(identite)
    rows = queries.rows("select * from marts.qualite_clauses_inconnues order by clause_id")
    return Bloc(
        id="clauses-inconnues",
        titre="Clauses citées par des parcours mais absentes du registre",
        resume="Les identifiants de clause que des parcours citent et que le registre ne "
        "contient pas, ou dont la ligne a été mise en quarantaine : à corriger dans le "
        "registre (ou dans l'export des parcours).",
        colonnes=[
            "Clause",
            "Situation",
            "Règle du registre",
            "Fichier du registre",
            "Fichiers de parcours",
        ],
        lignes=[
            [
                r["clause_id"],
                {
                    "clause_absente": "Absente du registre",
                    "clause_en_quarantaine": "En quarantaine dans le registre",
                }.get(r["rattachement_clause"], r["rattachement_clause"]),
                (
                    f"{r['regle_registre']} — {libelle_regle(r['regle_registre'])}"
                    if r["regle_registre"]
                    else "–"
                ),
                r["fichier_registre"] or "–",
                r["fichiers_parcours"] or "–",
            ]
            for r in rows
        ],
        notes=[] if rows else ["Aucune : chaque parcours cite une clause du registre."],
    )


def controles(filtres: Filtres, identite: Identite) -> Bloc:
    rows = queries.rows(
        "select table_brute, controle, count(*) filter (where reussi) as reussis, "
        "count(*) filter (where not reussi) as echecs, max(verifie_le) as dernier "
        f"from marts.qualite_controles where {_sources_visibles(identite, 'table_brute')} "
        "group by all order by table_brute, controle"
    )
    return Bloc(
        id="controles",
        titre="Contrôles de qualité (Great Expectations)",
        resume="Résultat des suites de contrôle par table : structure (bloquante) et qualité "
        "(alerte), sur le dernier lot de chaque fichier.",
        colonnes=["Table", "Suite", "Lots conformes", "Lots en anomalie", "Dernier contrôle"],
        lignes=[
            [
                r["table_brute"],
                fmt.label(r["controle"]),
                fmt.number(r["reussis"]),
                fmt.number(r["echecs"]),
                fmt.french_date(r["dernier"]),
            ]
            for r in rows
        ],
        notes=_notes_sources(identite),
    )


def controles_modele(filtres: Filtres, identite: Identite) -> Bloc:
    """The model's tests (dbt) that found something, warnings first: they do not stop a publish,
    so this is where they are seen. Tests on the MLDS side only for the roles that see it."""
    visibles = (
        "true"
        if identite.peut_voir("jeunes")
        else "not regexp_matches(coalesce(modele, ''), 'mlds|jeune|parcours|suivi')"
    )
    rows = queries.rows(
        "select type_controle, modele, colonne, gravite, statut, nb_anomalies, verifie_le "
        f"from meta.controles_modele where {visibles} "
        "order by statut = 'pass', gravite, modele, colonne, controle"
    )
    trouves = [r for r in rows if r["statut"] != "pass"]
    conformes = len(rows) - len(trouves)
    return Bloc(
        id="controles-modele",
        titre="Contrôles du modèle de données",
        resume=(
            f"{fmt.number(conformes)} contrôles conformes sur {fmt.number(len(rows))}. Un "
            "avertissement signale des données à corriger à la source sans bloquer la "
            "publication ; un échec bloquant empêche toute publication."
        ),
        colonnes=["Contrôle", "Table", "Colonne", "Résultat", "Lignes en anomalie", "Contrôlé le"],
        lignes=[
            [
                TYPES_CONTROLES_MODELE.get(r["type_controle"], fmt.label(r["type_controle"])),
                r["modele"] or fmt.ABSENT,
                r["colonne"] or fmt.ABSENT,
                STATUTS_CONTROLES_MODELE.get(r["statut"], r["statut"]),
                fmt.number(r["nb_anomalies"]),
                fmt.french_date(r["verifie_le"]),
            ]
            for r in trouves
        ],
        notes=_notes_sources(identite),
    )


def fraicheur(filtres: Filtres, identite: Identite) -> Bloc:
    """Latest export per scope, late after 45 days (CSF_retard) before the snapshot was
    built (a date that belongs to the snapshot, so the page is the same for everyone)."""
    retard = queries.settings().late_after_days
    publication = queries.publication() or {}
    rows = queries.rows(
        "select case when source = 'decp' then 'DECP (nationale)' else perimetre end as perimetre,"
        " source, max(enregistre_le) as dernier from marts.qualite_fichiers "
        f"where est_courant and {_sources_visibles(identite)} "
        "group by all order by perimetre, source"
    )
    built = publication.get("published_at")
    names = {
        r["code_academie"]: r["libelle_academie"]
        for r in queries.rows("select * from marts.dim_academies")
    }

    def scope(value: str | None) -> str:
        if value and value.startswith("academie:"):
            code = value.split(":", 1)[1]
            return f"Académie de {names.get(code, code)}"
        return {"registre": "Registre des clauses"}.get(value or "", value or "–")

    lignes = []
    for r in rows:
        age = (built.date() - r["dernier"].date()).days if built and r["dernier"] else None
        late = age is not None and age > retard
        lignes.append(
            [
                scope(r["perimetre"]),
                r["source"],
                fmt.french_date(r["dernier"]) if r["dernier"] else "–",
                fmt.optional_number(max(age, 0)) if age is not None else "–",
                f"en retard (plus de {retard} jours)" if late else "à jour",
            ]
        )
    return Bloc(
        id="fraicheur",
        titre="Fraîcheur des données",
        resume="Date du dernier export reçu pour chaque périmètre et source, et son ancienneté "
        f"à la publication ; au-delà de {retard} jours, le périmètre est en retard.",
        colonnes=["Périmètre", "Source", "Dernier export", "Jours", "État"],
        lignes=lignes,
        notes=_notes_sources(identite),
    )


BLOCS: dict[str, Callable[..., Bloc]] = {
    "chiffres-cles": chiffres_cles,
    "activation": activation,
    "calibrage": calibrage,
    "entonnoir": entonnoir,
    "dormantes": dormantes,
    "dormantes-acheteurs": dormantes_acheteurs,
    "clauses-acheteur": clauses_acheteur,
    "sorties-positives": sorties_positives,
    "resultats-6m": resultats_6m,
    "parcours-academie": parcours_academie,
    "carte": carte,
    "classement": classement,
    "fichiers": fichiers,
    "quarantaine": quarantaine,
    "rapprochement": rapprochement,
    "clauses-inconnues": clauses_inconnues,
    "controles": controles,
    "controles-modele": controles_modele,
    "fraicheur": fraicheur,
}
