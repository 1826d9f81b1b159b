"""Offers and youths waiting (« Offres et jeunes en attente »): for a month and a territory, the
open parcours offers against the youths waiting for one, the monthly flows, the waiting time,
and the territories where youths wait most per offer or where offers expire unfilled.

Offer counts are public procurement data; youth counts, the tension and the waiting times are
youth figures under the warehouse's disclosure decision (``diffusable`` of the marts): an
audience that may not see youth figures gets the offers only, and the blocks say so.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from pipelines.content import cells, figures, labels
from pipelines.content import formatting as fmt
from pipelines.content.block import Block, Context, Vide, View, portee
from pipelines.content.blocks import common
from pipelines.content.display import texte
from pipelines.content.table import Colonne, Masque, Tableau, Type

# The view's filters these blocks honour: the year chooses the month (its last one by default),
# the académie or the région académique the territory; a département is the page's own choice.
HONORE = ("annee", "academie", "region")
REFUS_OFFRES = (
    "Les effectifs de jeunes, la tension et les délais d'attente sont réservés aux profils "
    "habilités : seules les offres, données publiques, sont affichées."
)
STOCKS_OFFRES = ("nb_offres_ouvertes", "nb_offres_declarees")
FLUX_OFFRES = ("nb_offres_nouvelles", "nb_offres_expirees")
STOCKS_JEUNES = (
    "nb_jeunes_en_attente",
    "nb_jeunes_positionnes_en_attente",
    "nb_jeunes_en_attente_6_mois_plus",
    "nb_jeunes_en_attente_12_mois_plus",
    "nb_jeunes_action_non_renseignee",
)
FLUX_JEUNES = ("nb_jeunes_entres_en_attente", "nb_positionnements", "nb_parcours_commences")
TENSION = "tension_jeunes_par_offre"
# Every indicator of the offers-and-waiting mart (docs/methodologie.md names each).
INDICATEURS = (
    *STOCKS_OFFRES,
    *FLUX_OFFRES,
    "nb_offres_expirees_12m",
    *STOCKS_JEUNES,
    *FLUX_JEUNES,
    TENSION,
)
# The flows the time series shows, in the legend's order.
SERIE_FLUX = (
    ("nb_offres_nouvelles", "Nouvelles offres"),
    ("nb_offres_expirees", "Offres expirées non pourvues"),
    ("nb_jeunes_entres_en_attente", "Jeunes entrés en attente"),
    ("nb_positionnements", "Positionnements"),
    ("nb_parcours_commences", "Parcours commencés"),
)
MOIS_SERIE = 12  # months the flows chart shows, ending with the chosen month
EVENEMENTS = (
    ("positionnement", "Jusqu'au premier positionnement"),
    ("debut_parcours", "Jusqu'au début du parcours"),
)
CLASSEMENT_MAX = 15
BLOCS = (
    "attente-situation",
    "attente-flux",
    "attente-delai",
    "attente-tension",
    "attente-expirations",
    "attente-echeances",
)
ECHEANCE_JOURS = 90  # offers whose deadline falls within this many days are listed
NOTE_DEFINITIONS = (
    "Une offre est ouverte quand la clause court, qu'il lui reste au moins 150 heures et que "
    "l'entreprise l'a déclarée ou peut encore la déclarer (jusqu'à 6 mois avant la fin de la "
    "clause). Un jeune est en attente quand la MLDS le suit, l'a orienté vers un parcours CSF et "
    "qu'aucun parcours n'a commencé (méthodologie, « Offres et jeunes en attente »)."
)


@dataclass(frozen=True)
class Portee:
    """The month and the territory a view of the page asks for."""

    mois: str  # YYYY-MM
    niveau: str  # national, region_academique, academie, departement
    code: str
    libelle: str
    fin_mois: date | None
    partiel: bool


def mois_disponibles(ctx: Context) -> list[str]:
    """Every month of the series, oldest first."""
    return [
        r["periode"]
        for r in ctx.rows("select distinct periode from marts.fct_offres_attente order by periode")
    ]


def mois_par_defaut(mois: list[str], annee: str) -> str | None:
    """The last month of the year asked for (the latest month for every year)."""
    if annee != "ensemble":
        of_year = [m for m in mois if m.startswith(f"{annee}-")]
        if of_year:
            return of_year[-1]
    return mois[-1] if mois else None


def departements(ctx: Context, academie: str) -> list[dict]:
    """The départements of an académie (its « non renseigné » one included), by name."""
    return ctx.rows(
        "select distinct code_niveau as code, libelle_niveau as libelle "
        "from marts.fct_offres_attente where niveau = 'departement' and code_parent = ? "
        "order by code_niveau like '%-NR', libelle_niveau",
        academie,
    )


def lire_portee(ctx: Context, view: View, mois: str | None, departement: str | None) -> Portee:
    """The month (``mois`` when it is in the series, else the year's last) and the territory
    (``departement`` when it belongs to the view's académie or no académie is set, else the
    most specific filter honoured)."""
    disponibles = mois_disponibles(ctx)
    if mois not in disponibles or (
        view.annee != "ensemble" and not str(mois).startswith(f"{view.annee}-")
    ):
        mois = mois_par_defaut(disponibles, view.annee)
    niveau, code = view.cellule(HONORE)
    if departement:
        found = ctx.rows(
            "select code_parent from marts.fct_offres_attente where niveau = 'departement' "
            "and code_niveau = ? limit 1",
            departement,
        )
        if found and (view.academie is None or found[0]["code_parent"] == view.academie):
            niveau, code = "departement", departement
    found = ctx.rows(
        "select libelle_niveau, is_partiel from marts.fct_offres_attente "
        "where periode = ? and niveau = ? and code_niveau = ? limit 1",
        mois,
        niveau,
        code,
    )
    libelle = found[0]["libelle_niveau"] if found else code
    partiel = bool(found and found[0]["is_partiel"])
    fin = None
    if mois:
        year, month = (int(x) for x in mois.split("-"))
        fin = date(year, month, calendar.monthrange(year, month)[1])
        observed = ctx.date_observation
        if partiel and isinstance(observed, date):
            fin = observed  # the current month's stocks are the observation date's
    return Portee(mois or "", niveau, code, libelle, fin, partiel)


def nom_mois(mois: str) -> str:
    """``2026-09`` → « septembre 2026 »."""
    year, month = (int(x) for x in mois.split("-"))
    return format_date(date(year, month, 1), format="MMMM y", locale=fmt.LOCALE)


def lieu(p: Portee) -> str:
    """« en France », « dans l'académie de Bordeaux », « dans le territoire « Gironde » »."""
    if p.niveau == "national":
        return "en France"
    if p.niveau == "region_academique":
        return f"dans la région académique {p.libelle}"
    if p.niveau == "academie":
        return "dans l'académie " + labels.de(p.libelle)
    return f"dans le territoire « {p.libelle} »"


def _initiale(phrase: str) -> str:
    """The phrase with a capital initial, the rest as it is (« Dans l'académie de Bordeaux »)."""
    return phrase[:1].upper() + phrase[1:]


def _au(p: Portee) -> str:
    return f"au {fmt.french_date(p.fin_mois)}" if p.fin_mois else ""


def _ligne(ctx: Context, p: Portee, codes: tuple[str, ...]) -> dict[str, dict]:
    rows = ctx.rows(
        "select * from marts.fct_offres_attente where periode = ? and niveau = ? "
        "and code_niveau = ? and list_contains(?, indicateur)",
        p.mois,
        p.niveau,
        p.code,
        list(codes),
    )
    return {r["indicateur"]: r for r in rows}


def _jeunes(ctx: Context) -> bool:
    return ctx.audience.peut_voir("jeunes")


def situation(
    ctx: Context, view: View, mois: str | None = None, departement: str | None = None
) -> Block:
    """The stocks at the month's end (open offers, youths waiting), the month's flows and the
    tension, for the territory."""
    p = lire_portee(ctx, view, mois, departement)
    applied, ignored = portee(view, HONORE)
    jeunes = _jeunes(ctx)
    codes = STOCKS_OFFRES + FLUX_OFFRES
    if jeunes:
        codes += STOCKS_JEUNES + FLUX_JEUNES + (TENSION,)
    found = _ligne(ctx, p, codes)
    au, en = _au(p), f"en {nom_mois(p.mois)}" if p.mois else ""
    quand = {c: au for c in STOCKS_OFFRES + STOCKS_JEUNES + (TENSION,)} | {
        c: en for c in FLUX_OFFRES + FLUX_JEUNES
    }
    order = [c for c in codes if c in found]
    lignes = [
        [
            found[c]["libelle_indicateur"],
            quand[c],
            cells.valeur(found[c]),
            cells.intervalle(found[c]),
        ]
        for c in order
    ]
    montres = [c for c in ("nb_offres_ouvertes", "nb_jeunes_en_attente") if c in found]
    noms = {"nb_offres_ouvertes": "Offres ouvertes", "nb_jeunes_en_attente": "Jeunes en attente"}
    textes_barres = [texte(cells.valeur(found[c]), Type.ENTIER) for c in montres]
    notes = [NOTE_DEFINITIONS]
    if not jeunes:
        notes.insert(0, REFUS_OFFRES)
    if p.partiel:
        notes.append(
            f"Le mois de {nom_mois(p.mois)} est en cours : ses stocks sont ceux de la date "
            "d'observation et ses flux sont partiels."
        )
    return Block(
        id="attente-situation",
        titre="Offres ouvertes et jeunes en attente",
        resume=f"{_initiale(lieu(p))}, {au} : les offres de parcours ouvertes"
        + (", les jeunes qui attendent un parcours et la tension entre les deux" if jeunes else "")
        + f" ; les mouvements du mois de {nom_mois(p.mois)}."
        if p.mois
        else "Aucun mois dans les données.",
        tableau=Tableau(
            [
                Colonne("Indicateur", largeur=44),
                Colonne("Date ou période", largeur=20),
                Colonne("Valeur", Type.INDICATEUR),
                Colonne("Intervalle de confiance à 95 %", Type.INTERVALLE, 24, Type.RAPPORT),
            ],
            lignes,
        ),
        figure=figures.barres(
            [noms[c] for c in montres],
            [cells.trace(found[c]) for c in montres],
            textes_barres,
            "Effectif",
        )
        if montres
        else None,
        alternative=" ; ".join(
            f"{noms[c]} {au} : {t}" for c, t in zip(montres, textes_barres, strict=True)
        )
        or None,
        cles=order,
        notes=notes,
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None if found else Vide("Aucune donnée sur les offres pour ce territoire et ce mois."),
    )


def _mois_serie(ctx: Context, p: Portee) -> list[str]:
    disponibles = mois_disponibles(ctx)
    if p.mois not in disponibles:
        return []
    fin = disponibles.index(p.mois)
    return disponibles[max(0, fin - MOIS_SERIE + 1) : fin + 1]


def flux(
    ctx: Context, view: View, mois: str | None = None, departement: str | None = None
) -> Block:
    """Monthly flows over the 12 months ending with the chosen month."""
    p = lire_portee(ctx, view, mois, departement)
    applied, ignored = portee(view, HONORE)
    jeunes = _jeunes(ctx)
    series = [(c, nom) for c, nom in SERIE_FLUX if jeunes or c in FLUX_OFFRES]
    months = _mois_serie(ctx, p)
    rows = ctx.rows(
        "select * from marts.fct_offres_attente where niveau = ? and code_niveau = ? "
        "and list_contains(?, periode) and list_contains(?, indicateur)",
        p.niveau,
        p.code,
        months,
        [c for c, _ in series],
    )
    by = {(r["periode"], r["indicateur"]): r for r in rows}
    partiels = {r["periode"] for r in rows if r["is_partiel"]}
    libelles = [nom_mois(m) + (" (en cours)" if m in partiels else "") for m in months]
    lignes = [
        [libelle, *(cells.valeur(by.get((m, c))) for c, _ in series)]
        for m, libelle in zip(months, libelles, strict=True)
    ]
    court = [_mois_court(m) for m in months]
    return Block(
        id="attente-flux",
        titre="Mouvements mois par mois",
        resume=f"{_initiale(lieu(p))}, sur les {len(months)} mois jusqu'à "
        f"{nom_mois(p.mois)} : nouvelles offres et offres expirées sans avoir été pourvues"
        + (", jeunes entrés en attente, positionnements et parcours commencés" if jeunes else "")
        + "."
        if months
        else "Aucun mois dans les données.",
        tableau=Tableau(
            [Colonne("Mois", largeur=22), *(Colonne(nom, Type.ENTIER) for _, nom in series)],
            lignes,
        ),
        figure=figures.lignes(
            libelles,
            [
                (
                    nom,
                    [cells.trace(by.get((m, c))) for m in months],
                    [texte(cells.valeur(by.get((m, c))), Type.ENTIER) for m in months],
                )
                for c, nom in series
            ],
            "Effectif dans le mois",
            libelles=court,
        )
        if months
        else None,
        alternative=f"Mouvements mois par mois {lieu(p)} : "
        + " ; ".join(
            f"{nom} : "
            + ", ".join(
                f"{_mois_court(m)} {texte(cells.valeur(by.get((m, c))), Type.ENTIER)}"
                for m in months
            )
            for c, nom in series
        ),
        cles=months,
        notes=[REFUS_OFFRES] if not jeunes else [],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None if rows else Vide("Aucune donnée pour ce territoire sur cette période."),
    )


def _mois_court(mois: str) -> str:
    year, month = (int(x) for x in mois.split("-"))
    return format_date(date(year, month, 1), format="MMM yy", locale=fmt.LOCALE)


def delai(
    ctx: Context, view: View, mois: str | None = None, departement: str | None = None
) -> Block:
    """Waiting time from the MLDS entry to the first positioning and to the parcours start
    (Kaplan-Meier quartiles and curves), for the youths who entered in the view's year (every
    year: all of them); a département is read at its académie's level."""
    common.exiger(ctx, "jeunes")
    p = lire_portee(ctx, view, mois, departement)
    applied, ignored = portee(view, HONORE)
    niveau, code = (p.niveau, p.code)
    notes = []
    if niveau == "departement":
        parent = ctx.rows(
            "select code_parent from marts.fct_offres_attente where niveau = 'departement' "
            "and code_niveau = ? limit 1",
            code,
        )
        niveau, code = "academie", parent[0]["code_parent"] if parent else "NR"
        notes.append(
            "Les délais d'attente ne sont pas calculés par département (trop peu de jeunes) : "
            "ils sont ceux de l'académie."
        )
    periode = view.annee
    rows = ctx.rows(
        "select * from marts.fct_attente_delais where niveau = ? and code_niveau = ? "
        "and periode = ?",
        niveau,
        code,
        periode,
    )
    by = {r["evenement"]: r for r in rows}
    lignes = []
    for evenement, libelle in EVENEMENTS:
        r = by.get(evenement)
        lignes.append(
            [libelle, *(_jours(r, champ) for champ in ("q1", "mediane", "q3")), _ic_jours(r)]
        )
    depart = by.get("debut_parcours")
    if depart is not None and not depart["diffusable"]:
        part = fmt.SECRET
    elif depart is None or depart["part_sortis_sans_parcours"] is None:
        part = fmt.ABSENT
    else:
        part = texte(depart["part_sortis_sans_parcours"], Type.TAUX)
    courbes = ctx.rows(
        "select * from marts.fct_attente_courbes where niveau = ? and code_niveau = ? "
        "and periode = ? order by evenement, semaine",
        niveau,
        code,
        periode,
    )
    semaines = sorted({r["semaine"] for r in courbes})
    par = {(r["evenement"], r["semaine"]): r for r in courbes}
    series = []
    for evenement, libelle in EVENEMENTS:
        values, textes = [], []
        for s in semaines:
            r = par.get((evenement, s))
            hidden = r is not None and not r["diffusable"]
            v = None if r is None or hidden else r["part_en_attente"]
            values.append(v)
            textes.append(fmt.SECRET if hidden else (fmt.percent(v) if v is not None else "–"))
        series.append((libelle, values, textes))
    cachees = any(isinstance(c, Masque) for line in lignes for c in line[1:])
    notes += [
        "Le délai court de l'entrée à la MLDS ; un jeune sorti de la MLDS sans parcours, ou "
        "encore en attente à la date d'observation, compte jusqu'à ce jour-là sans que le délai "
        "soit tenu pour atteint (Kaplan-Meier). « non atteint » : moins de la part de jeunes "
        "correspondante y est arrivée.",
        f"Part des jeunes sortis de la MLDS sans avoir commencé de parcours : {part}.",
    ]
    periode_jeunes = (
        "entrés à la MLDS en " + view.annee if view.annee != "ensemble" else "toutes entrées"
    )
    return Block(
        id="attente-delai",
        titre="Délai d'attente d'un parcours",
        resume=f"Combien de temps les jeunes orientés vers un parcours CSF attendent, "
        f"{common.lieu(ctx, niveau, code) if niveau != 'region_academique' else lieu(p)} "
        f"({periode_jeunes}) : un quart, la moitié et trois quarts d'entre eux ont été "
        "positionnés, puis ont commencé leur parcours, avant ces délais.",
        tableau=Tableau(
            [
                Colonne("Délai", largeur=34),
                Colonne("Un quart des jeunes", Type.JOURS),
                Colonne("Délai médian", Type.JOURS),
                Colonne("Trois quarts des jeunes", Type.JOURS),
                Colonne("Délai médian : intervalle à 95 %", largeur=24),
            ],
            lignes,
        ),
        figure=figures.lignes(
            [f"{s} sem." for s in semaines],
            series,
            "Part des jeunes encore en attente",
            pourcentage=True,
        )
        if semaines and not cachees
        else None,
        alternative="Part des jeunes encore en attente selon les semaines écoulées depuis "
        "l'entrée à la MLDS : "
        + " ; ".join(
            f"{libelle} : "
            + ", ".join(
                f"{s} semaines {t}" for s, t in zip(semaines, textes, strict=True) if s % 4 == 0
            )
            for libelle, _, textes in series
        ),
        cles=[e for e, _ in EVENEMENTS],
        notes=notes,
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None
        if rows
        and not all(isinstance(c, Masque) or c is None for line in lignes for c in line[1:4])
        else Vide(
            "Aucun délai diffusable pour ce territoire et cette période : trop peu de jeunes "
            "orientés vers un parcours CSF (secret statistique)."
            if rows
            else "Aucun jeune orienté vers un parcours CSF pour ce territoire et cette période."
        ),
    )


def _jours(row: dict | None, champ: str) -> object:
    if row is None:
        return None
    if not row["diffusable"]:
        return cells.SECRET
    return "non atteint" if row[champ] is None else int(row[champ])


def _ic_jours(row: dict | None) -> object:
    if row is None:
        return None
    if not row["diffusable"]:
        return cells.SECRET
    bas, haut = row["mediane_ic_bas"], row["mediane_ic_haut"]
    if bas is None:
        return None
    return (
        f"{fmt.jours(bas)} – {fmt.jours(haut)}"
        if haut is not None
        else (f"{fmt.jours(bas)} ou plus")
    )


def _sous_territoires(p: Portee) -> tuple[str, str | None]:
    """The level ranked under the territory: départements of an académie (or of the
    département's académie), académies of a région or of France."""
    if p.niveau in ("academie", "departement"):
        return "departement", None
    if p.niveau == "region_academique":
        return "academie", p.code
    return "academie", None


def tension(
    ctx: Context, view: View, mois: str | None = None, departement: str | None = None
) -> Block:
    """The territories where youths wait most per open offer, at the month's end."""
    common.exiger(ctx, "jeunes")
    p = lire_portee(ctx, view, mois, departement)
    applied, ignored = portee(view, HONORE)
    niveau, parent = _sous_territoires(p)
    if niveau == "departement":
        parent = p.code if p.niveau == "academie" else _parent(ctx, p.code)
    rows = _classement(
        ctx, p.mois, niveau, parent, (TENSION, "nb_jeunes_en_attente", "nb_offres_ouvertes")
    )
    lignes, cles, trie = [], [], []
    for code, libelle, r in rows:
        t = r.get(TENSION)
        trie.append((cells.trace(t) is None, -(cells.trace(t) or 0), libelle, code, r))
    trie.sort(key=lambda x: x[:3])
    trie = trie[:CLASSEMENT_MAX]
    for _, _, libelle, code, r in trie:
        lignes.append(
            [
                libelle,
                cells.valeur(r.get("nb_jeunes_en_attente")),
                cells.valeur(r.get("nb_offres_ouvertes")),
                _tension(r.get(TENSION), r.get("nb_jeunes_en_attente")),
                cells.intervalle(r.get(TENSION)),
            ]
        )
        cles.append(code)
    unite = "départements" if niveau == "departement" else "académies"
    noms = [line[0] for line in lignes]
    ratios = [r.get(TENSION) for *_, r in trie]
    valeurs = [cells.trace(t) for t in ratios]
    textes = [texte(line[3], Type.RAPPORT) for line in lignes]
    bas = [t["ic_bas"] if v is not None else None for t, v in zip(ratios, valeurs, strict=True)]
    hauts = [t["ic_haut"] if v is not None else None for t, v in zip(ratios, valeurs, strict=True)]
    return Block(
        id="attente-tension",
        titre="Où les jeunes attendent le plus par offre",
        resume=f"Les {unite} {lieu(p) if p.niveau != 'national' else 'de France'} "
        f"{'classés' if niveau == 'departement' else 'classées'} par "
        f"nombre de jeunes en attente pour une offre ouverte, {_au(p)} (les {CLASSEMENT_MAX} "
        "premiers) : au-dessus de 1, les jeunes attendent plus d'offres qu'il n'en existe.",
        tableau=Tableau(
            [
                Colonne("Territoire", largeur=30),
                Colonne("Jeunes en attente", Type.ENTIER),
                Colonne("Offres ouvertes", Type.ENTIER),
                Colonne("Jeunes par offre", Type.RAPPORT),
                Colonne("Intervalle de confiance à 95 %", Type.INTERVALLE, 24, Type.RAPPORT),
            ],
            lignes,
        ),
        figure=figures.classement(
            noms,
            valeurs,
            textes,
            bas,
            hauts,
            pourcentage=False,
            titre_axe="Jeunes en attente par offre ouverte",
        )
        if lignes
        else None,
        cles=cles,
        notes=[
            "« sans offre » : des jeunes attendent et aucune offre n'est ouverte. Un territoire de "
            "peu de jeunes ou d'offres a un intervalle large.",
            NOTE_DEFINITIONS,
        ],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None if lignes else Vide("Aucun territoire à classer pour ce mois."),
    )


def _tension(row: dict | None, attente: dict | None) -> object:
    """The ratio, « sans offre » where youths wait and no offer is open."""
    value = cells.valeur(row)
    if value is None and row is not None and attente is not None and attente["diffusable"]:
        return "sans offre" if (attente["valeur"] or 0) > 0 else None
    return value


def _parent(ctx: Context, departement: str) -> str | None:
    found = ctx.rows(
        "select code_parent from marts.fct_offres_attente where niveau = 'departement' "
        "and code_niveau = ? limit 1",
        departement,
    )
    return found[0]["code_parent"] if found else None


def _classement(
    ctx: Context, mois: str, niveau: str, parent: str | None, codes: tuple[str, ...]
) -> list[tuple[str, str, dict[str, dict]]]:
    rows = ctx.rows(
        "select * from marts.fct_offres_attente where periode = ? and niveau = ? "
        "and (? is null or code_parent = ?) and list_contains(?, indicateur) "
        "order by libelle_niveau",
        mois,
        niveau,
        parent,
        parent,
        list(codes),
    )
    by: dict[str, tuple[str, dict[str, dict]]] = {}
    for r in rows:
        by.setdefault(r["code_niveau"], (r["libelle_niveau"], {}))[1][r["indicateur"]] = r
    return [(code, libelle, found) for code, (libelle, found) in by.items()]


def expirations(
    ctx: Context, view: View, mois: str | None = None, departement: str | None = None
) -> Block:
    """The territories where the most offers expired unfilled over the 12 months to the month
    (public procurement data)."""
    p = lire_portee(ctx, view, mois, departement)
    applied, ignored = portee(view, HONORE)
    niveau, parent = _sous_territoires(p)
    if niveau == "departement":
        parent = p.code if p.niveau == "academie" else _parent(ctx, p.code)
    rows = _classement(
        ctx, p.mois, niveau, parent, ("nb_offres_expirees_12m", "nb_offres_ouvertes")
    )
    trie = sorted(
        rows,
        key=lambda x: (-(x[2].get("nb_offres_expirees_12m") or {}).get("valeur", 0), x[1]),
    )
    trie = [t for t in trie if (t[2].get("nb_offres_expirees_12m") or {}).get("valeur")][
        :CLASSEMENT_MAX
    ]
    lignes = [
        [
            libelle,
            cells.valeur(found.get("nb_offres_expirees_12m")),
            cells.valeur(found.get("nb_offres_ouvertes")),
        ]
        for _, libelle, found in trie
    ]
    unite = "départements" if niveau == "departement" else "académies"
    valeurs = [float(line[1].valeur) for line in lignes]
    textes = [texte(line[1], Type.ENTIER) for line in lignes]
    return Block(
        id="attente-expirations",
        titre="Où des offres expirent sans jeune",
        resume=f"Les {unite} {lieu(p) if p.niveau != 'national' else 'de France'} où le plus "
        "d'offres de parcours ont expiré sans avoir été pourvues sur les 12 mois jusqu'à "
        f"{nom_mois(p.mois)}, avec leurs offres encore ouvertes {_au(p)} : là, mobiliser la "
        "MLDS pour positionner des jeunes."
        if p.mois
        else "Aucun mois dans les données.",
        tableau=Tableau(
            [
                Colonne("Territoire", largeur=30),
                Colonne("Offres expirées non pourvues (12 mois)", Type.ENTIER),
                Colonne("Offres ouvertes", Type.ENTIER),
            ],
            lignes,
        ),
        figure=figures.classement(
            [line[0] for line in lignes],
            valeurs,
            textes,
            [None] * len(lignes),
            [None] * len(lignes),
            pourcentage=False,
            titre_axe="Offres expirées non pourvues sur 12 mois",
        )
        if lignes
        else None,
        cles=[code for code, _, _ in trie],
        notes=[
            "Une offre expire non pourvue quand la clause prend fin, ou que l'entreprise ne l'a "
            "pas déclarée 6 mois avant sa fin, alors qu'il lui restait au moins 150 heures.",
        ],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None
        if lignes
        else Vide("Aucune offre expirée sans jeune sur ces 12 mois dans ce territoire."),
    )


def echeances(
    ctx: Context, view: View, mois: str | None = None, departement: str | None = None
) -> Block:
    """The offers open on the observation date that close within ``ECHEANCE_JOURS`` days unless
    a youth is positioned, soonest first (public procurement data): what the MLDS can act on."""
    p = lire_portee(ctx, view, mois, departement)
    applied, ignored = portee(view, HONORE)
    colonne = {
        "national": None,
        "region_academique": "region_academique",
        "academie": "code_academie",
        "departement": "code_departement",
    }[p.niveau]
    rows = ctx.rows(
        "select * from marts.fct_offres_ouvertes where jours_avant_echeance <= ? "
        + (f"and {colonne} = ? " if colonne else "")
        + "order by echeance_date, nom_acheteur, clause_id",
        ECHEANCE_JOURS,
        *([p.code] if colonne else []),
    )
    observed = ctx.date_observation
    au = f"au {fmt.french_date(observed)}" if isinstance(observed, date) else ""
    # The hours left tell the hours of the parcours already started: a reader who may not see
    # youths gets the clause's hours (public) instead.
    restantes = _jeunes(ctx)
    lignes = [
        [
            r["echeance_date"],
            labels.libelle(r["motif_echeance"], "motif_echeance"),
            r["nom_acheteur"],
            r["nom_entreprise"],
            r["libelle_departement"],
            r["heures_restantes"] if restantes else r["heures_clause"],
            "déclarée" if r["is_declaree"] else "attendue",
        ]
        for r in rows
    ]
    return Block(
        id="attente-echeances",
        titre="Offres à pourvoir avant leur échéance",
        resume=f"{_initiale(lieu(p))}, les offres de parcours ouvertes {au} qui se fermeront "
        f"dans les {ECHEANCE_JOURS} jours si aucun jeune n'y est positionné, de la plus proche "
        "à la plus lointaine.",
        tableau=Tableau(
            [
                Colonne("Échéance", Type.DATE, 12),
                Colonne("Motif", largeur=26),
                Colonne("Acheteur", largeur=34),
                Colonne("Entreprise", largeur=30),
                Colonne("Département", largeur=22),
                Colonne("Heures restantes" if restantes else "Heures de la clause", Type.ENTIER),
                Colonne("Offre", largeur=10),
            ],
            lignes,
        ),
        cles=[r["clause_id"] for r in rows],
        notes=[
            "Le mois choisi n'a pas d'effet sur cette liste : elle porte sur la date "
            "d'observation. Une offre « attendue » n'a pas encore été déclarée par l'entreprise ; "
            "son échéance est alors la date limite de déclaration."
        ],
        filtres_appliques=applied,
        filtres_ignores=ignored,
        vide=None
        if rows
        else Vide(f"Aucune offre ouverte ne se ferme dans les {ECHEANCE_JOURS} jours ici."),
    )
