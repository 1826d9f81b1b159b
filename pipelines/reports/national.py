"""The national report for the Mission des achats' leadership: content only (see model.py)."""

from __future__ import annotations

from pipelines.content import cells, figures
from pipelines.content.block import Context, National, View
from pipelines.content.blocks import attente, clauses, jeunes
from pipelines.content.contacts import Contacts
from pipelines.content.display import texte
from pipelines.content.labels import ETAPE_FINALE, HORIZONS, RESULTATS
from pipelines.content.table import Colonne, Masque, Tableau, Type
from pipelines.reports import sections
from pipelines.reports.block_sections import section_of
from pipelines.reports.model import Graphique, Rapport, Section
from pipelines.warehouse.snapshot import SnapshotReader

CHIFFRES_CLES = [
    "nb_clauses_csf",
    "taux_activation_6m",
    "taux_activation",
    "delai_activation_jours",
    "nb_clauses_dormantes",
    "conformite_calibrage",
    "taux_realisation_heures",
    "part_marches_clause_sociale",
    "nb_jeunes_csf",
    "nb_parcours",
    "taux_achevement",
    "taux_sortie_positive_6m",
    "taux_perdus_de_vue_6m",
    # The écart right after the two rates it is the difference of (methodologie.md).
    "taux_sortie_positive_6m_csf_compares",
    "taux_sortie_positive_6m_comparaison",
    "ecart_taux_sortie_positive_6m",
]
MARGE_CIBLE = 110  # pixels right of the plot for the target's label
STATUTS = [
    "Terminée, activée",
    "Terminée sans parcours",
    "En cours, activée",
    "En cours, dormante",
    "En cours, notifiée depuis moins de 6 mois",
]


def rapport_national(
    snapshot: SnapshotReader, periode: str | None = None, *, contacts: Contacts | None = None
) -> Rapport:
    """The national report for ``periode`` (a year; default: the last complete one); the
    service's mailbox of ``contacts`` is its contact."""
    periode = sections.verifier_periode(snapshot, periode)
    publication = snapshot.publication
    indicateurs = [*CHIFFRES_CLES, *(f"{c}_{h}" for c, _ in RESULTATS for h, _ in HORIZONS)]
    return Rapport(
        titre=f"Clause sociale de formation — rapport national {periode}",
        sous_titre="Activation des clauses sociales de formation et devenir des jeunes, "
        "pour la Mission des achats",
        fichier=f"rapport-national-{periode}",
        periode=periode,
        date_observation=publication["date_observation"],
        instantane=publication["snapshot_id"],
        synthetique=bool(publication["donnees_synthetiques"]),
        contact=contacts.service.texte() if contacts else "",
        sections=[
            chiffres_cles(snapshot, periode),
            marches_clause_sociale(snapshot, periode),
            clauses_par_statut(snapshot, periode),
            activation(snapshot),
            academies(snapshot, periode),
            # The funnel's tall chart starts a page after the académies' table fills the one
            # before (no mostly blank page).
            section_of(
                clauses.entonnoir(Context(snapshot, National()), View(annee=periode)),
                "Entonnoir",
            ),
            resultats_jeunes(snapshot),
            *offres_et_attente(snapshot, periode),
            sections.methode(
                snapshot,
                indicateurs,
                [
                    "Part des marchés avec clause sociale : recensement de l'OECP, 12,5 % des "
                    "marchés de plus de 90 000 € en 2019 et 22,3 % en 2022 ; cible nationale "
                    "de 30 % en 2025.",
                    "Les résultats des jeunes portent sur toutes les cohortes : à un horizon "
                    "donné, seuls les jeunes dont l'horizon est écoulé sont comptés.",
                ],
            ),
        ],
    )


def offres_et_attente(snapshot: SnapshotReader, periode: str) -> list[Section]:
    """Offers and youths waiting at the end of the report's year (the observation date for the
    current year): the page's blocks, nationally, académies ranked."""
    ctx, view = Context(snapshot, National()), View(annee=periode)
    return [
        section_of(attente.situation(ctx, view), "Offres et attente"),
        section_of(attente.flux(ctx, view), "Mouvements mensuels"),
        section_of(attente.tension(ctx, view), "Tension par académie"),
        section_of(attente.expirations(ctx, view), "Offres expirées"),
        section_of(attente.delai(ctx, view), "Délai d'attente"),
    ]


def chiffres_cles(snapshot: SnapshotReader, periode: str) -> Section:
    """Headline figures of the period against the previous one, with their intervals."""
    before = str(int(periode) - 1)
    now = snapshot.cells(CHIFFRES_CLES, periode, "national", "FR")
    prev = snapshot.cells(CHIFFRES_CLES, before, "national", "FR")
    total = snapshot.cells(CHIFFRES_CLES, "ensemble", "national", "FR")
    lignes = [
        [
            now[c]["libelle_indicateur"],
            cells.valeur(now[c]),
            cells.valeur(now[c], "ic_bas"),
            cells.valeur(now[c], "ic_haut"),
            cells.valeur(prev.get(c)),
            cells.valeur(total.get(c)),
        ]
        for c in CHIFFRES_CLES
        if c in now
    ]

    absents = [
        sections.pourquoi_absent(
            now[c]["libelle_indicateur"],
            [(periode, now.get(c)), (before, prev.get(c)), ("toutes années", total.get(c))],
        )
        for c in CHIFFRES_CLES
        if c in now
    ]

    def say(code: str, cell: dict) -> str | None:
        """The figure as written in a sentence; None when there is none to write."""
        value = cells.valeur(cell.get(code))
        if value is None or isinstance(value, Masque):
            return None
        return texte(value, Type.TEXTE)

    def compte(code: str) -> float | None:
        value = cells.valeur(now.get(code))
        return None if value is None or isinstance(value, Masque) else value.valeur

    def cache(code: str) -> bool:
        """Hidden by the secrecy rules (not merely absent: no row is « aucun »)."""
        return isinstance(cells.valeur(now.get(code)), Masque)

    # Sentences that read right whatever the figures: none, one, several, or not shown.
    notifiees_n, notifiees_avant = say("nb_clauses_csf", now), say("nb_clauses_csf", prev)
    if cache("nb_clauses_csf"):
        notifiees = f"En {periode}, le nombre de clauses notifiées n'est pas diffusable"
    elif not compte("nb_clauses_csf"):
        notifiees = f"En {periode}, aucune clause sociale de formation n'a été notifiée"
    elif compte("nb_clauses_csf") == 1:
        notifiees = f"En {periode}, 1 clause sociale de formation a été notifiée"
    else:
        notifiees = f"En {periode}, {notifiees_n} clauses sociales de formation ont été notifiées"
    notifiees += f" ({notifiees_avant} en {before}). " if notifiees_avant else ". "
    rate, rate_before = say("taux_activation_6m", now), say("taux_activation_6m", prev)
    if rate:
        notifiees += (
            f"{rate} des clauses notifiées depuis au moins six mois ont donné lieu à un parcours "
            "dans les six mois"
            + _intervalle(now.get("taux_activation_6m"))
            + (f", contre {rate_before} en {before}." if rate_before else ".")
        )
    else:
        notifiees += f"Le taux d'activation à six mois n'est pas disponible pour {periode}."
    paragraphes = [notifiees]
    dormant = compte("nb_clauses_dormantes")
    if dormant is not None:
        paragraphes.append(
            f"Aucune clause notifiée en {periode} n'est dormante."
            if dormant == 0
            else (
                f"1 clause notifiée en {periode} est dormante"
                if dormant == 1
                else f"{say('nb_clauses_dormantes', now)} clauses notifiées en {periode} sont "
                "dormantes"
            )
            + " : notifiées depuis plus de six mois, toujours en cours, sans aucun parcours "
            "commencé."
        )
    youths = compte("nb_jeunes_csf")
    if cache("nb_jeunes_csf"):
        paragraphes.append(
            f"Le nombre de jeunes ayant commencé un parcours en {periode} relève du secret "
            "statistique ; " + _devenir(now)
        )
    elif not youths:
        paragraphes.append(f"Aucun jeune n'a commencé de parcours CSF en {periode}.")
    else:
        paragraphes.append(
            (
                "1 jeune a commencé"
                if youths == 1
                else f"{say('nb_jeunes_csf', now)} jeunes ont commencé"
            )
            + f" un parcours en {periode} ; "
            + _devenir(now)
        )
    return Section(
        id="chiffres-cles",
        titre="Chiffres clés",
        onglet="Chiffres clés",
        paragraphes=paragraphes,
        tableau=Tableau(
            [
                Colonne("Indicateur", largeur=44),
                Colonne(periode, Type.ENTIER),
                Colonne("IC 95 % (bas)", Type.ENTIER),
                Colonne("IC 95 % (haut)", Type.ENTIER),
                Colonne(before, Type.ENTIER),
                Colonne("Toutes années", Type.ENTIER),
            ],
            lignes,
        ),
        notes=[
            "IC 95 % : intervalle de confiance à 95 %. Les clauses sont comptées par année de "
            "notification, les jeunes par année de début de parcours.",
            "Écart observé : différence, en points, avec le groupe de comparaison ; ce n'est pas "
            "un effet du dispositif.",
            *(note for note in absents if note),
        ],
    )


def marches_clause_sociale(snapshot: SnapshotReader, periode: str) -> Section:
    """Share of DECP contracts with a social clause, by year, against the national target."""
    rows = snapshot.rows(
        "select * from marts.indicateurs where indicateur = 'part_marches_clause_sociale' "
        "and niveau = 'national' and periode != 'ensemble' and denominateur > 0 order by periode"
    )
    current = next((r for r in rows if r["periode"] == periode), None)
    cible = texte(sections.CIBLE_CLAUSE_SOCIALE, Type.TAUX)
    paragraphes = [
        f"En {periode}, {texte(cells.valeur(current), Type.TEXTE)} des marchés publiés dont les "
        f"considérations sociales sont renseignées comportent une clause sociale"
        f"{_intervalle(current)} ; la cible nationale est de {cible}."
        if current
        else f"Aucun marché de {periode} ne renseigne ses considérations sociales.",
    ]
    graphique = _par_annee(
        rows, "Part des marchés", "Part des marchés avec clause sociale par année"
    )
    if graphique:
        graphique = Graphique(
            cible_lisible(
                figures.cible(
                    graphique.figure, sections.CIBLE_CLAUSE_SOCIALE, f"Cible nationale : {cible}"
                ),
                f"Cible nationale : {cible}",
            ),
            alternative=f"{graphique.alternative} Cible nationale : {cible}.",
            hauteur=graphique.hauteur,
        )
    return Section(
        id="marches-clause-sociale",
        titre="Marchés avec une clause sociale",
        onglet="Marchés clause sociale",
        paragraphes=paragraphes,
        graphique=graphique,
        tableau=Tableau(
            [
                Colonne("Année de notification", largeur=12),
                Colonne("Marchés avec clause sociale", Type.ENTIER),
                Colonne("Marchés renseignés", Type.ENTIER),
                Colonne("Part", Type.TAUX),
                Colonne("IC 95 % (bas)", Type.TAUX),
                Colonne("IC 95 % (haut)", Type.TAUX),
            ],
            [
                [
                    r["periode"],
                    cells.effectif(r, "numerateur"),
                    cells.effectif(r, "denominateur"),
                    cells.valeur(r),
                    cells.valeur(r, "ic_bas"),
                    cells.valeur(r, "ic_haut"),
                ]
                for r in rows
            ],
        ),
        notes=[
            "DECP au format 2 seulement : le format 1 ne renseigne pas les considérations "
            "sociales. Marchés de toute nature, tous acheteurs publics."
        ],
    )


def clauses_par_statut(snapshot: SnapshotReader, periode: str) -> Section:
    """CSF clauses by status at the observation date, for the period and all years."""
    rows = snapshot.rows(
        """
        select
            case
                when est_terminee and est_activee then ?
                when est_terminee then ?
                when est_activee then ?
                when est_dormante then ?
                else ?
            end as statut,
            count(*) filter (where annee_notification::varchar = ?) as periode,
            count(*) as ensemble
        from marts.fct_clauses
        group by statut
        """,
        *STATUTS,
        periode,
    )
    by_status = {r["statut"]: r for r in rows}
    lignes = [
        [s, by_status.get(s, {}).get("periode", 0), by_status.get(s, {}).get("ensemble", 0)]
        for s in STATUTS
    ]
    lignes.append(["Total", sum(line[1] for line in lignes), sum(line[2] for line in lignes)])
    return Section(
        id="clauses-statut",
        titre="Les clauses sociales de formation par statut",
        onglet="Clauses par statut",
        paragraphes=[
            "Le statut de chaque clause à la date d'observation : terminée ou en cours, avec ou "
            "sans parcours commencé. Une clause en cours sans parcours six mois après sa "
            "notification est dite dormante."
        ],
        graphique=Graphique(
            figures.barres(
                STATUTS,
                [line[1] for line in lignes[:-1]],
                [texte(line[1], Type.ENTIER) for line in lignes[:-1]],
                f"Clauses notifiées en {periode}",
                horizontal=True,
            ),
            alternative=f"Clauses notifiées en {periode} par statut : "
            + " ; ".join(f"{line[0]} : {texte(line[1], Type.ENTIER)}" for line in lignes[:-1]),
            hauteur=240,
        ),
        tableau=Tableau(
            [
                Colonne("Statut", largeur=40),
                Colonne(f"Clauses notifiées en {periode}", Type.ENTIER),
                Colonne("Toutes années", Type.ENTIER),
            ],
            lignes,
        ),
    )


def activation(snapshot: SnapshotReader) -> Section:
    """6-month activation rate and activation delay, every year: the trend."""
    rows = snapshot.rows(
        "select a.*, d.valeur as delai, d.diffusable as delai_diffusable, "
        "d.ic_bas as delai_ic_bas, d.numerateur as delai_numerateur, "
        "d.denominateur as delai_denominateur "
        "from marts.indicateurs a left join marts.indicateurs d on d.indicateur = "
        "'delai_activation_jours' and d.periode = a.periode and d.niveau = a.niveau "
        "and d.code_niveau = a.code_niveau where a.indicateur = 'taux_activation_6m' "
        "and a.niveau = 'national' and a.periode != 'ensemble' and a.denominateur > 0 "
        "order by a.periode"
    )
    return Section(
        id="activation",
        titre="L'activation des clauses au fil des années",
        onglet="Activation",
        paragraphes=[
            "Part des clauses ayant donné lieu à un parcours commencé dans les six mois suivant "
            "leur notification, par année de notification. Les clauses notifiées depuis moins de "
            "six mois ne sont pas encore comptées (censure)."
        ],
        graphique=_par_annee(
            rows,
            "Taux d'activation à 6 mois",
            "Taux d'activation à 6 mois par année de notification",
        ),
        tableau=Tableau(
            [
                Colonne("Année de notification", largeur=12),
                Colonne("Clauses notifiées depuis 6 mois ou plus", Type.ENTIER),
                Colonne("Clauses activées dans les 6 mois", Type.ENTIER),
                Colonne("Taux d'activation à 6 mois", Type.TAUX),
                Colonne("IC 95 % (bas)", Type.TAUX),
                Colonne("IC 95 % (haut)", Type.TAUX),
                Colonne("Délai médian d'activation", Type.JOURS),
            ],
            [
                [
                    r["periode"],
                    cells.effectif(r, "denominateur"),
                    cells.effectif(r, "numerateur"),
                    cells.valeur(r),
                    cells.valeur(r, "ic_bas"),
                    cells.valeur(r, "ic_haut"),
                    cells.valeur(_delai(r)),
                ]
                for r in rows
            ],
        ),
        notes=[
            "Délai médian : médiane de Kaplan-Meier du nombre de jours entre la notification et "
            "le premier parcours, les clauses pas encore activées étant censurées.",
            *filter(
                None,
                [
                    sections.pourquoi_absent(
                        "Délai médian d'activation", [(r["periode"], _delai(r)) for r in rows]
                    )
                ],
            ),
        ],
    )


def academies(snapshot: SnapshotReader, periode: str) -> Section:
    """Each académie: clauses, activation, dormant clauses and the stage where most stop."""
    rows = snapshot.rows(
        """
        with ind as (
            pivot (
                select code_niveau, libelle_niveau, indicateur, valeur, ic_bas, ic_haut,
                    diffusable, unite
                from marts.indicateurs
                where niveau = 'academie' and periode = ? and code_niveau != 'NR'
                    and indicateur in ('nb_clauses_csf', 'taux_activation_6m',
                                       'nb_clauses_dormantes')
            )
            on indicateur in ('nb_clauses_csf', 'taux_activation_6m', 'nb_clauses_dormantes')
            using first(valeur) as v, first(ic_bas) as bas, first(ic_haut) as haut,
                first(diffusable) as diffusable, first(unite) as unite
            group by code_niveau, libelle_niveau
        ),
        blocage as (
            -- As the funnel block says it: the most clauses stopped, the earliest stage on a tie.
            select code_niveau,
                first(libelle_etape order by nb_clauses_bloquees desc, rang_etape) as etape
            from marts.fct_entonnoir_clauses
            where niveau = 'academie' and periode = ? and rang_etape < ? and diffusable
                and nb_clauses_bloquees > 0
            group by code_niveau
        )
        select ind.*, blocage.etape
        from ind left join blocage using (code_niveau)
        order by libelle_niveau
        """,
        periode,
        periode,
        ETAPE_FINALE,
    )
    return Section(
        id="academies",
        titre=f"Par académie, en {periode}",
        onglet="Académies",
        paragraphes=[
            "Pour chaque académie : les clauses notifiées dans l'année, leur activation à six "
            "mois, les clauses dormantes et l'étape à laquelle s'arrêtent le plus de clauses."
        ],
        tableau=Tableau(
            [
                Colonne("Académie", largeur=24),
                Colonne("Clauses", Type.ENTIER),
                Colonne("Taux d'activation à 6 mois", Type.TAUX),
                Colonne("IC 95 % (bas)", Type.TAUX),
                Colonne("IC 95 % (haut)", Type.TAUX),
                Colonne("Clauses dormantes", Type.ENTIER),
                Colonne("Étape où s'arrêtent le plus de clauses", largeur=34),
            ],
            [
                [
                    r["libelle_niveau"],
                    cells.effectif(_cellule(r, "nb_clauses_csf"), "valeur"),
                    cells.valeur(_cellule(r, "taux_activation_6m")),
                    cells.valeur(_cellule(r, "taux_activation_6m"), "ic_bas"),
                    cells.valeur(_cellule(r, "taux_activation_6m"), "ic_haut"),
                    cells.effectif(_cellule(r, "nb_clauses_dormantes"), "valeur"),
                    r["etape"],
                ]
                for r in rows
            ],
        ),
    )


def resultats_jeunes(snapshot: SnapshotReader) -> Section:
    """Youth outcomes at each horizon, against the comparison group (all cohorts)."""
    codes = [
        f"{prefix}{c}_{h}{suffix}"
        for c, _ in RESULTATS
        for h, _ in HORIZONS
        for prefix, suffix in (
            ("", ""),
            ("", "_csf_compares"),
            ("", "_comparaison"),
            ("ecart_", ""),
        )
    ]
    found = snapshot.cells(codes, "ensemble", "national", "FR")
    lignes = []
    for code, situation in RESULTATS:
        for h, horizon in HORIZONS:
            row = found.get(f"{code}_{h}")
            compared = found.get(f"{code}_{h}_csf_compares")
            other = found.get(f"{code}_{h}_comparaison")
            gap = found.get(f"ecart_{code}_{h}")
            # The écart is printed beside the two rates it is the difference of (the compared
            # CSF parcours and the standardised comparison group), never beside the all-parcours
            # rate, which covers other parcours and another cohort year (methodologie.md).
            lignes.append(
                [
                    situation,
                    horizon,
                    cells.effectif(row, "denominateur"),
                    cells.valeur(row),
                    cells.valeur(row, "ic_bas"),
                    cells.valeur(row, "ic_haut"),
                    cells.valeur(compared),
                    cells.valeur(other),
                    cells.valeur(gap),
                    cells.valeur(gap, "ic_bas"),
                    cells.valeur(gap, "ic_haut"),
                ]
            )
    chart = jeunes.sorties_positives(Context(snapshot, National()), View(annee="ensemble"))

    return Section(
        id="resultats-jeunes",
        titre="Le devenir des jeunes",
        onglet="Devenir des jeunes",
        paragraphes=[
            "Situation des jeunes à la sortie de chaque parcours puis 3, 6 et 12 mois après "
            "(un jeune qui a suivi deux parcours compte pour chacun), comparée à celle de jeunes "
            "suivis par la MLDS sans parcours CSF, de même profil. Les perdus de vue bornent les "
            "autres taux : ils sont toujours donnés à côté.",
            "L'écart observé est la différence entre les deux taux imprimés à sa gauche : celui "
            "des parcours CSF comparés (ceux dont la strate — académie, année d'entrée à la MLDS, "
            "sexe, âge, dernière classe — compte des jeunes du groupe de comparaison) et le taux "
            "du groupe de comparaison standardisé sur eux. Le taux de tous les parcours CSF, "
            "donné en premier, porte sur davantage de parcours.",
        ],
        # The dashboard's chart of the same figures (one drawing, one text alternative).
        graphique=Graphique(chart.figure, chart.alternative or chart.resume, hauteur=300),
        tableau=Tableau(
            [
                Colonne("Situation", largeur=30),
                Colonne("Horizon", largeur=12),
                Colonne("Parcours pris en compte", Type.ENTIER),
                Colonne("Tous les parcours CSF", Type.TAUX),
                Colonne("IC 95 % (bas)", Type.TAUX),
                Colonne("IC 95 % (haut)", Type.TAUX),
                Colonne("Parcours CSF comparés", Type.TAUX),
                Colonne("Groupe de comparaison (standardisé)", Type.TAUX),
                Colonne("Écart observé (points)", Type.POINTS),
                Colonne("Écart : IC 95 % (bas)", Type.POINTS),
                Colonne("Écart : IC 95 % (haut)", Type.POINTS),
            ],
            lignes,
        ),
        # On paper the intervals sit under their values: seven columns fit a portrait page,
        # where eleven needed a landscape page of their own.
        tableau_pdf=Tableau(
            [
                Colonne("Situation", largeur=26),
                Colonne("Horizon", largeur=11),
                Colonne("Parcours pris en compte", Type.ENTIER, largeur=11),
                Colonne("Tous les parcours CSF (IC 95 %)", Type.TAUX, largeur=17),
                Colonne("Parcours CSF comparés", Type.TAUX, largeur=11),
                Colonne("Groupe de comparaison (standardisé)", Type.TAUX, largeur=13),
                Colonne("Écart observé (IC 95 %)", Type.POINTS, largeur=17),
            ],
            [
                [
                    situation,
                    horizon,
                    parcours,
                    _avec_intervalle(rate, low, high, Type.TAUX),
                    compared,
                    other,
                    _avec_intervalle(gap, gap_low, gap_high, Type.POINTS),
                ]
                for (
                    situation,
                    horizon,
                    parcours,
                    rate,
                    low,
                    high,
                    compared,
                    other,
                    gap,
                    gap_low,
                    gap_high,
                ) in lignes
            ],
        ),
        notes=[
            "Écart observé = parcours CSF comparés − groupe de comparaison (standardisé), en "
            "points : un écart observé, pas un effet. Entre crochets : l'intervalle de confiance "
            "à 95 %."
        ],
    )


def _par_annee(rows: list[dict], axe: str, libelle: str) -> Graphique | None:
    """A procurement rate by year, bars with their 95 % interval (None without any year)."""
    if not rows:
        return None
    shown = [texte(cells.valeur(r), Type.TEXTE) for r in rows]
    return Graphique(
        figures.barres(
            [r["periode"] for r in rows],
            [cells.trace(r) for r in rows],
            shown,
            axe,
            pourcentage=True,
            erreurs=(
                [cells.trace(r, "ic_bas") for r in rows],
                [cells.trace(r, "ic_haut") for r in rows],
            ),
        ),
        alternative=f"{libelle} : "
        + " ; ".join(f"{r['periode']} : {t}" for r, t in zip(rows, shown, strict=True))
        + ".",
        hauteur=280,
    )


def _avec_intervalle(value: object, low: object, high: object, kind: Type) -> object:
    """A value with its interval under it, for a narrow PDF column; a hidden value stays the
    one mark (its bounds are hidden with it), a value without bounds stays typed."""
    if value is None or isinstance(value, Masque) or low is None or high is None:
        return value
    return f"{texte(value, kind)}\n[{texte(low, kind)} ; {texte(high, kind)}]"


def _devenir(now: dict) -> str:
    """The sentence on the youths' situation six months on; one that the secret hides says so
    rather than putting the mark where a figure is read."""
    positive, lost = now.get("taux_sortie_positive_6m"), now.get("taux_perdus_de_vue_6m")
    shown = [
        r for r in (positive, lost) if r is not None and r["diffusable"] and r["valeur"] is not None
    ]
    if len(shown) < 2:
        if any(r is not None and not r["diffusable"] for r in (positive, lost)):
            why = "relève du secret statistique"
        elif any(r is not None and not r["denominateur"] for r in (positive, lost)):
            why = "n'est pas encore connue : aucun n'a atteint cet horizon"
        else:
            why = "n'est pas disponible"
        return (
            f"leur situation six mois après le parcours {why} ; voir « Le devenir des jeunes », "
            "toutes cohortes confondues."
        )
    return (
        f"{texte(cells.valeur(positive), Type.TEXTE)} des jeunes sont en situation positive six "
        f"mois après leur parcours{_intervalle(positive)}, "
        f"{texte(cells.valeur(lost), Type.TEXTE)} sont perdus de vue."
    )


def _intervalle(row: dict | None) -> str:
    low, high = cells.valeur(row, "ic_bas"), cells.valeur(row, "ic_haut")
    if row is None or not row["diffusable"] or low is None or high is None:
        return ""
    return f" (IC 95 % : {texte(low, Type.TEXTE)} – {texte(high, Type.TEXTE)})"


def cible_lisible(figure: dict, libelle: str) -> dict:
    """The target's label moved off the bars for paper: at the right of the plot, on white,
    where its red reads at 5.8:1 (WCAG AA asks 4.5:1), instead of red over the navy bars.
    The line stays where it is; ``figures.cible`` draws both for the dashboard too."""
    layout = dict(figure["layout"])
    margin = dict(layout.get("margin") or {})
    margin["r"] = max(margin.get("r", 0), MARGE_CIBLE)
    layout["margin"] = margin
    layout["annotations"] = [
        a
        | {
            "text": a["text"].replace(" : ", " :<br>"),
            "x": 1,
            "xanchor": "left",
            "xshift": 4,
            "yanchor": "middle",
            "align": "left",
            "bgcolor": "#ffffff",
        }
        if a.get("text") == libelle
        else a
        for a in layout.get("annotations", [])
    ]
    return {"data": figure["data"], "layout": layout}


def _cellule(row: dict, indicateur: str) -> dict | None:
    """One indicator's cell out of a pivoted row (None when the académie has no such row)."""
    if row[f"{indicateur}_diffusable"] is None:
        return None
    return {
        "valeur": row[f"{indicateur}_v"],
        "ic_bas": row[f"{indicateur}_bas"],
        "ic_haut": row[f"{indicateur}_haut"],
        "diffusable": row[f"{indicateur}_diffusable"],
        "unite": row[f"{indicateur}_unite"],
    }


def _delai(row: dict) -> dict | None:
    """The activation delay's cell joined to an activation row."""
    if row["delai_diffusable"] is None:
        return None
    return {
        "indicateur": "delai_activation_jours",
        "valeur": row["delai"],
        "ic_bas": row["delai_ic_bas"],
        "diffusable": row["delai_diffusable"],
        "unite": "jours",
        "numerateur": row["delai_numerateur"],
        "denominateur": row["delai_denominateur"],
    }
