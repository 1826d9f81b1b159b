"""Clause blocks (public procurement data, except the funnel's youth stages): activation and
calibration over the years, the blocking-point funnel, dormant clauses by académie and by buyer,
and one buyer's clauses."""

from __future__ import annotations

from pipelines.content import cells, figures
from pipelines.content import formatting as fmt
from pipelines.content.block import Block, Context, Refus, Vide, View, portee
from pipelines.content.blocks import common
from pipelines.content.display import texte
from pipelines.content.labels import ETAPE_FINALE, de
from pipelines.content.table import Colonne, Tableau, Type

SERIE = ("annee", *common.DIMENSIONS_ACHATS)


def _par_annee(
    ctx: Context, view: View, bloc_id: str, indicateur: str, titre: str, phrase: str
) -> Block:
    """One rate per notification year for the view's scope; the chosen year is emphasised."""
    niveau, code = view.cellule(SERIE)
    applied, ignored = portee(view, SERIE)
    rows = common.serie(ctx, indicateur, niveau, code)
    annees = [common.libelle_annee(ctx, r["periode"]) for r in rows]
    periodes = [r["periode"] for r in rows]
    lignes = [
        [
            annee,
            common.valeur(r),
            cells.intervalle(r),
            cells.effectif(r, "numerateur"),
            cells.effectif(r, "denominateur"),
        ]
        for annee, r in zip(annees, rows, strict=True)
    ]
    figure = figures.barres(
        periodes,
        [common.trace(r) for r in rows],
        [texte(line[1], Type.TAUX) for line in lignes],
        "Taux",
        pourcentage=True,
        erreurs=(
            [r["ic_bas"] if common.trace(r) is not None else None for r in rows],
            [r["ic_haut"] if common.trace(r) is not None else None for r in rows],
        ),
        provisoire=common.provisoires(ctx),
    )
    common.souligner(figure, periodes.index(view.annee) if view.annee in periodes else None)
    shown = [r for r in rows if common.trace(r) is not None]
    vide = None
    if not shown:
        vide = Vide(
            "Aucun taux diffusable pour ce périmètre : trop peu de clauses notifiées depuis au "
            "moins 6 mois, ou valeurs soumises au secret statistique."
            if rows
            else "Aucune clause notifiée pour ce périmètre."
        )
    resume = f"{phrase} {common.lieu(ctx, niveau, code)}, par année de notification"
    if view.annee in periodes:
        resume += f" ; l'année {view.annee} est mise en évidence"
    return Block(
        id=bloc_id,
        titre=titre,
        resume=resume + ".",
        tableau=Tableau(
            [
                Colonne("Année de notification", largeur=22),
                Colonne("Valeur", Type.TAUX),
                common.INTERVALLE,
                Colonne("Numérateur (clauses activées)", Type.ENTIER),
                Colonne("Dénominateur (clauses observables)", Type.ENTIER),
            ],
            lignes,
        ),
        figure=figure,
        filtres_appliques=applied,
        filtres_ignores=ignored,
        national=niveau == "national" and any(f in common.DIMENSIONS_ACHATS for f in ignored),
        vide=vide,
        notes=_provisoire(ctx, rows),
    )


def _provisoire(ctx: Context, rows: list[dict]) -> list[str]:
    current = common.annee_en_cours(ctx)
    if current and any(r["periode"] == current for r in rows):
        return [
            f"{current} est l'année en cours : ses chiffres sont provisoires (clauses encore "
            "dans leur délai d'observation)."
        ]
    return []


def activation(ctx: Context, view: View) -> Block:
    return _par_annee(
        ctx,
        view,
        "activation",
        "taux_activation_6m",
        "Activation des clauses à 6 mois (clauses notifiées depuis au moins 6 mois)",
        "Part des clauses notifiées depuis au moins 6 mois qui ont donné lieu à un parcours dans "
        "les 6 mois suivant la notification",
    )


def calibrage(ctx: Context, view: View) -> Block:
    return _par_annee(
        ctx,
        view,
        "calibrage",
        "conformite_calibrage",
        "Conformité du calibrage des heures",
        "Part des clauses dont les heures prévues correspondent à la tranche de montant",
    )


ENTONNOIR = ("annee", "acheteur", "academie")


def entonnoir(ctx: Context, view: View) -> Block:
    """The blocking-point funnel. Its last two stages describe youths (``domaine = 'jeunes'``):
    an audience without access to youths gets none of their rows, nor what would give them away
    (the clauses stopped at "parcours commencé" are those that reached it minus those that went
    on; the days spent there are the parcours' length)."""
    niveau, code = view.cellule(ENTONNOIR)
    applied, ignored = portee(view, ENTONNOIR)
    jeunes = ctx.audience.peut_voir("jeunes")
    rows = ctx.rows(
        "select * from marts.fct_entonnoir_clauses where niveau = ? and code_niveau = ? "
        "and periode = ? and (? or domaine != 'jeunes') order by rang_etape",
        niveau,
        code,
        view.annee,
        jeunes,
    )
    # Without the youth stages, the last stage shown is followed by youths: its clauses stopped
    # there and its days would tell them. A buyer's funnel has no youth stage: its last row is
    # public as the mart gives it (every clause stopped there, no days).
    tronquee = None if jeunes or not rows or niveau == "acheteur" else rows[-1]["rang_etape"]

    def shown(r: dict, value: object) -> object:
        return cells.masque(r) or value

    lignes = [
        [
            r["libelle_etape"],
            shown(r, r["nb_clauses_atteinte"]),
            None if r["rang_etape"] == tronquee else shown(r, r["nb_clauses_bloquees"]),
            shown(r, r["taux_conversion"]),
            None
            if r["rang_etape"] == tronquee
            else shown(r, r["delai_median_jours"] if r["delai_median_jours"] is not None else None),
        ]
        for r in rows
    ]
    # Clauses « stopped » at the last stage shown went as far as this funnel goes. The most
    # clauses stopped, the earliest stage on a tie (rows by rank; the national report's
    # académie table says it alike).
    derniere = rows[-1]["rang_etape"] if rows else ETAPE_FINALE
    blocked = max(
        (r for r in rows if not fmt.est_secret(r) and r["rang_etape"] < derniere),
        key=lambda r: r["nb_clauses_bloquees"],
        default=None,
    )
    lieu = common.lieu(ctx, niveau, code)
    phrase = (
        f" Le plus grand nombre de clauses s'arrête à l'étape « {blocked['libelle_etape']} » "
        f"({fmt.number(blocked['nb_clauses_bloquees'])})."
        if blocked and blocked["nb_clauses_bloquees"]
        else ""
    )
    notes = ["Une clause récente peut être « arrêtée » à une étape qu'elle franchira bientôt."]
    if niveau == "acheteur":
        # The mart publishes no youth stage for a buyer (one or two youths each).
        notes.append(
            "L'entonnoir d'un acheteur s'arrête au parcours commencé : les étapes suivantes "
            "décrivent des jeunes, trop peu nombreux par acheteur pour être publiées."
        )
    elif not tronquee:
        notes.append(
            "Les deux dernières étapes décrivent des jeunes et suivent le secret statistique."
        )
    else:
        notes.append(
            "Les étapes suivant le parcours commencé décrivent des jeunes : votre profil ne "
            "donne pas accès à ces étapes, ni au nombre de clauses arrêtées au parcours commencé "
            "et à la durée passée à cette étape, qui les révéleraient."
        )
    if rows and all(line[4] is None for line in lignes):
        notes.append(
            "Durée médiane passée à l'étape : aucune, faute de clause ayant franchi une étape "
            "datée dans ce périmètre."
        )
    first = rows[0]["nb_clauses_atteinte"] if rows and not fmt.est_secret(rows[0]) else 0
    vide = (
        None
        if first
        else Vide(f"Aucune clause notifiée {common.periode_texte(view.annee)} {lieu}.")
    )
    figure = figures.entonnoir(
        [r["libelle_etape"] for r in rows],
        [None if fmt.est_secret(r) else r["nb_clauses_atteinte"] for r in rows],
        [texte(line[1], Type.ENTIER) for line in lignes],
        [
            "" if i == 0 or line[3] is None else texte(line[3], Type.TAUX)
            for i, line in enumerate(lignes)
        ],
        ["" if line[4] is None else texte(line[4], Type.JOURS) for line in lignes],
    )
    return Block(
        id="entonnoir",
        titre="Où le processus bloque",
        resume=f"Nombre de clauses ayant atteint chaque étape {lieu}, "
        f"{common.periode_texte(view.annee)}, la conversion depuis l'étape précédente et la "
        f"durée médiane passée à l'étape.{phrase}",
        tableau=Tableau(
            [
                Colonne("Étape", largeur=34),
                Colonne("Clauses ayant atteint l'étape", Type.ENTIER),
                Colonne("Clauses arrêtées à cette étape", Type.ENTIER),
                Colonne("Conversion depuis l'étape précédente", Type.TAUX),
                Colonne("Durée médiane passée à l'étape", Type.JOURS),
            ],
            lignes,
        ),
        figure=figure,
        notes=notes,
        filtres_appliques=applied,
        filtres_ignores=ignored,
        national=niveau == "national" and any(f != "annee" for f in ignored),
        vide=vide,
        alternative="Nombre de clauses ayant atteint chaque étape : "
        + " ; ".join(f"{line[0]} : {texte(line[1], Type.ENTIER)}" for line in lignes),
    )


DORMANTES = ("annee", "academie", "region")


def dormantes(ctx: Context, view: View) -> Block:
    """Dormant clauses per académie; an académie filter shows its région académique's
    académies with it emphasised, a région filter its académies."""
    applied, ignored = portee(view, DORMANTES)
    rows = common.par_dimension(ctx, "nb_clauses_dormantes", "academie", view.annee)
    academies = {
        r["code_academie"]: r
        for r in ctx.rows("select * from marts.dim_academies order by code_academie")
    }
    region = None
    if view.academie is not None:
        region = (academies.get(view.academie) or {}).get("libelle_region_academique")
    elif view.region is not None:
        region = common.nom_niveau(ctx, "region_academique", view.region)
    if region is not None:
        rows = [
            r
            for r in rows
            if (academies.get(r["code_niveau"]) or {}).get("libelle_region_academique") == region
        ]
    rows = sorted(rows, key=lambda r: (-(common.trace(r) or 0), r["libelle_niveau"]))
    lignes = [[r["libelle_niveau"], common.valeur(r)] for r in rows]
    figure = figures.barres(
        [r["libelle_niveau"] for r in rows],
        [common.trace(r) for r in rows],
        [texte(line[1], Type.ENTIER) for line in lignes],
        "Clauses",
        horizontal=True,
    )
    codes = [r["code_niveau"] for r in rows]
    common.souligner(figure, codes.index(view.academie) if view.academie in codes else None)
    where = f"dans la région académique {region}" if region else "dans chaque académie"
    total = sum(common.trace(r) or 0 for r in rows)
    return Block(
        id="dormantes",
        titre="Clauses dormantes par académie",
        resume="Clauses notifiées depuis au moins 6 mois, sans parcours commencé et toujours en "
        f"cours, {where}, {common.periode_texte(view.annee)}"
        + (
            f" ; l'académie {de(common.nom_niveau(ctx, 'academie', view.academie))} "
            "est mise en évidence"
            if view.academie
            else ""
        )
        + ".",
        tableau=Tableau(
            [Colonne("Académie", largeur=28), Colonne("Clauses dormantes", Type.ENTIER)], lignes
        ),
        figure=figure,
        filtres_appliques=applied,
        filtres_ignores=ignored,
        national=region is None and any(f != "annee" for f in ignored),
        vide=None
        if total
        else Vide(
            f"Aucune clause dormante dans la région académique {region}."
            if region
            else "Aucune clause dormante, dans aucune académie."
        ),
    )


ACHETEURS_DORMANTS = ("annee", "academie", "region", "type_acheteur", "secteur")
TOP_ACHETEURS = 15


def _clauses_where(view: View, names: tuple[str, ...], alias: str = "c") -> tuple[str, list]:
    """SQL conditions on a clause table (``fct_clauses`` or ``fct_clauses_dormantes``) for the
    filters of ``names`` the view sets: record-level public data, so every filter applies."""
    where, params = ["true"], []
    if "annee" in names and view.annee != "ensemble":
        where.append(f"year({alias}.date_notification) = ?")
        params.append(int(view.annee))
    if "academie" in names and view.academie is not None:
        where.append(f"{alias}.code_academie = ?")
        params.append(view.academie)
    if "region" in names and view.region is not None:
        where.append(
            f"{alias}.code_academie in (select code_academie from marts.dim_academies "
            "where libelle_region_academique = ?)"
        )
        params.append(view.region)
    for name in ("type_acheteur", "secteur"):  # the marts' codes of these two dimensions
        if name in names and getattr(view, name) is not None:
            where.append(f"{alias}.{name} = ?")
            params.append(getattr(view, name))
    if "acheteur" in names and view.acheteur is not None:
        where.append(f"{alias}.siret_acheteur = ?")
        params.append(view.acheteur)
    return " and ".join(where), params


def dormantes_acheteurs(ctx: Context, view: View) -> Block:
    """Public procurement data: the buyers with the most dormant clauses, for every filter the
    view sets but the buyer (a ranking of buyers)."""
    set_ = [f for f in view.actifs() if f in ACHETEURS_DORMANTS]
    ignored = tuple(f for f in view.actifs() if f not in ACHETEURS_DORMANTS)
    where, params = _clauses_where(view, ACHETEURS_DORMANTS)
    rows = ctx.rows(
        "select c.siret_acheteur, any_value(c.nom_acheteur) as nom, count(*) as n, "
        "min(c.date_limite_declaration_offre) as echeance "
        f"from marts.fct_clauses_dormantes as c where {where} group by c.siret_acheteur "
        f"order by n desc, nom, c.siret_acheteur limit {TOP_ACHETEURS}",
        *params,
    )
    lignes = [[r["nom"] or "–", r["siret_acheteur"], r["n"], r["echeance"]] for r in rows]
    return Block(
        id="dormantes-acheteurs",
        titre="Acheteurs ayant le plus de clauses dormantes",
        resume=f"Les {TOP_ACHETEURS} acheteurs qui ont le plus de clauses dormantes"
        + _filtres_texte(ctx, view, set_)
        + ", avec la plus proche date limite de déclaration de l'offre.",
        tableau=Tableau(
            [
                Colonne("Acheteur", largeur=40),
                Colonne("SIRET", largeur=16),
                Colonne("Clauses dormantes", Type.ENTIER),
                Colonne("Prochaine date limite", Type.DATE),
            ],
            lignes,
        ),
        cles=[r["siret_acheteur"] for r in rows],
        filtres_appliques=tuple(set_),
        filtres_ignores=ignored,
        national=not any(f != "annee" for f in set_) and bool(ignored),
        vide=None if rows else Vide("Aucune clause dormante pour ces filtres."),
    )


def _filtres_texte(ctx: Context, view: View, names: list[str]) -> str:
    """« (académie de Créteil, secteur Bâtiment, notifiées en 2025) » for record filters."""
    parts = []
    for name in names:
        if name == "annee":
            parts.append(f"parmi les clauses notifiées en {view.annee}")
        else:
            niveau = common.scope_label(name)
            parts.append(common.lieu(ctx, niveau, getattr(view, name)))
    return (" " + ", ".join(parts)) if parts else " en France"


# Every clause of the buyer, whatever the year (the buyer's report lists them all too).
CLAUSES_ACHETEUR = ("acheteur",)


def clauses_acheteur(ctx: Context, view: View) -> Block:
    """One buyer's clauses (public procurement data): where each stands and what to do next.
    The stage shown is the mart's ``etape_publique``: beyond the last procurement stage, a
    stage describes a youth."""
    if view.acheteur is None:
        raise Refus("Saisissez le SIRET d'un acheteur pour voir le détail de ses clauses.")
    applied, ignored = portee(view, CLAUSES_ACHETEUR)
    ignored = tuple(f for f in view.actifs() if f not in CLAUSES_ACHETEUR)
    where, params = _clauses_where(view, CLAUSES_ACHETEUR)
    rows = ctx.rows(
        f"select c.* from marts.fct_clauses as c where {where} "
        "order by c.date_notification desc, c.clause_id",
        *params,
    )
    lieu = common.lieu(ctx, "acheteur", view.acheteur)
    return Block(
        id="clauses-acheteur",
        titre="Les clauses de l'acheteur",
        resume=f"Chaque clause {lieu}, quelle que soit son année de notification, avec l'étape "
        "atteinte et, pour une clause dormante, la date limite de déclaration de l'offre par le "
        "titulaire.",
        tableau=Tableau(
            [
                Colonne("Marché", largeur=20),
                Colonne("Objet", largeur=40),
                Colonne("Titulaire", largeur=30),
                Colonne("SIRET du titulaire", largeur=16),
                Colonne("Heures prévues", Type.ENTIER),
                Colonne("Notification", Type.DATE),
                Colonne("Fin de la clause", Type.DATE),
                Colonne("Étape atteinte", largeur=30),
                Colonne("Dormante"),
                Colonne("Date limite de l'offre", Type.DATE),
            ],
            [
                [
                    r["marche_id"] or r["clause_id"],
                    r["objet_marche"],
                    r["nom_titulaire"],
                    r["siret_titulaire"],
                    r["heures_parcours"],
                    r["date_notification"],
                    r["date_fin_clause"],
                    r["etape_publique"],
                    "oui" if r["est_dormante"] else "non",
                    r["date_limite_declaration_offre"] if r["est_dormante"] else None,
                ]
                for r in rows
            ],
        ),
        cles=[r["clause_id"] for r in rows],
        notes=["Au-delà du parcours commencé, l'étape décrit un jeune : elle n'est pas détaillée."],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None if rows else Vide(f"Aucune clause {lieu}."),
    )
