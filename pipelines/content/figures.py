"""Plotly figures from display tables (pure functions, no database), as plain figure dicts:
building ``go.Figure`` objects validates every property and cost most of a page's render time.

Only bar and scatter traces (the dashboard serves plotly.js's basic bundle; the reports draw with
it too). Every number a reader sees comes from ``pipelines.content.formatting``: the values
written on the marks are passed in already formatted, and the axis ticks are computed here and
written by the same functions (``graduations``), so that a tick reads « 40 % » beside a label
« 16,7 % », never Plotly's own « 40% ». Meaning is never carried by colour alone (values are
written on the marks, styles have a pattern or a word), DSFR colours, Marianne.

Value labels are annotations placed at the end of each bar, or past the end of its confidence
interval when it has one, so that an error bar never strikes through them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from pipelines.content import formatting as fmt
from pipelines.content import territoires

BLEU = "#000091"  # bleu France
GRIS = "#666666"
# Error bars: 3:1 contrast both on white and on a BLEU bar, which they cross (DSFR grey 625).
INTERVALLE = "#929292"
TEXTE = "#161616"
TRAIT = "#3a3a3a"  # reference lines (the national value) and their labels
ROUGE = "#ce0500"  # a target line
SEPARATEURS = ", "  # decimal comma, space between thousands (hover and any Plotly number)
POLICE = {"family": "Marianne, Arial, sans-serif", "color": TEXTE}
TAILLE = 12  # Plotly's default font size, which the label room below is measured with

# The current, incomplete period: lighter and hatched, named in its tick label and the legend.
# Half-transparent colours (not a marker opacity, which the legend's swatch would not show);
# BLEU at half opacity keeps a 3:1 contrast with white.
CLAIR = {BLEU: "rgba(0, 0, 145, 0.5)", "#6a6af4": "rgba(106, 106, 244, 0.5)"}
MOTIF_PROVISOIRE = "/"
MENTION_PROVISOIRE = "(provisoire)"
LEGENDE_PROVISOIRE = "Année en cours, provisoire"

# Tiles: five classes of equal width from 0 (rates: 0 to 100 %, counts: 0 to a round number
# above the largest), each with the text colour that keeps a contrast of at least 4.5:1 on it.
CLASSES = ("#ececfe", "#cacafb", "#8585f6", "#3333c8", BLEU)
TEXTE_CLASSES = (TEXTE, TEXTE, TEXTE, "#ffffff", "#ffffff")
# Tiles without a value: hidden by the statistical secret (grey, hatched) or without any data
# (white, outlined), each explained once in the legend.
FOND_SECRET = "#e5e5e5"
MOTIF_SECRET = "/"
BORD_ABSENT = "#929292"
LEGENDE_SECRET = f"{fmt.SECRET} : {fmt.MOTIF_SECRET}"
LEGENDE_ABSENT = f"{fmt.ABSENT} : aucune donnée"
OUTRE_MER = "Outre-mer"


# Margins that already hold what Plotly's automargin would add (an axis's tick labels and
# title: 44 px below, 61 px left; a legend above: 46 px): automargin stays on for unusual
# labels, but does not redraw every chart a second time to push a margin by a few pixels,
# which was half of a chart's drawing time on a first visit.
MARGE_BAS = 46
MARGE_GAUCHE = 64
MARGE_LEGENDE = 48


def _layout(**extra: object) -> dict:
    return {
        "separators": SEPARATEURS,
        "margin": {"l": MARGE_GAUCHE, "r": 30, "t": 20, "b": MARGE_BAS},
        "plot_bgcolor": "white",
        "font": POLICE,
        "showlegend": False,
    } | extra


# ------------------------------------------------------------------------------ value axes


def _pas(brut: float, entier: bool) -> Decimal:
    """The round step (1, 2 or 5 times a power of ten) at or above ``brut``; at least 1 for a
    count, whose ticks are whole."""
    if brut <= 0:
        return Decimal(1) if entier else Decimal("0.2")
    exposant = math.floor(math.log10(brut))
    for mantisse in (1, 2, 5, 10):
        pas = Decimal(mantisse).scaleb(exposant)
        if pas >= Decimal(repr(brut)):
            break
    return max(pas, Decimal(1)) if entier else pas


def texte_graduation(valeur: float, pourcentage: bool, pas: float | Decimal = 1) -> str:
    """A tick's text, as the value labels write it: « 40 % » (a proportion, with as many
    decimals as the step needs: « 0,5 % »), « 1 200 » (a count)."""
    if pourcentage:
        decimales = max(0, -Decimal(repr(float(pas))).scaleb(2).normalize().adjusted())
        return fmt.percent(valeur, decimales)
    return fmt.number(valeur, fmt.DECIMALES["nombre"])


def graduations(haut: float, pourcentage: bool, nombre: int = 5) -> tuple[list[float], list[str]]:
    """About ``nombre`` round ticks from 0 to the first at or above ``haut``, and their text
    (``texte_graduation``): ``graduations(0.59, True)`` → 0 to 0.6, « 0 % » … « 60 % »."""
    if haut <= 0:
        haut = 1.0
    pas = _pas(haut / nombre, entier=not pourcentage)
    dernier = math.ceil(Decimal(repr(haut)) / pas)
    valeurs = [float(pas * k) for k in range(dernier + 1)]
    return valeurs, [texte_graduation(v, pourcentage, pas) for v in valeurs]


def _axe_valeurs(titre: str, haut: float, pourcentage: bool, marge: float = 1.0) -> dict:
    """A value axis from 0, ticks written by ``graduations``; ``marge`` leaves room above the
    highest mark (its label on a vertical chart)."""
    valeurs, textes = graduations(haut, pourcentage)
    return {
        "title": {"text": titre},
        "range": [0, max(valeurs[-1], haut * marge)],
        "tickmode": "array",
        "tickvals": valeurs,
        "ticktext": textes,
        "gridcolor": "#dddddd",
        "zeroline": True,
        "zerolinecolor": GRIS,
        "automargin": True,
        "fixedrange": True,
    }


def _axe_categories(
    categories: Sequence[str],
    libelles: Sequence[str] | None,
    provisoire: Collection[str],
    retour: str,
) -> dict:
    """A category axis whose tick labels may differ from the categories (short names) and name
    the provisional ones: « 2026 (provisoire) »."""
    libelles = list(libelles) if libelles is not None else list(categories)
    textes = [
        f"{lib}{retour}{MENTION_PROVISOIRE}" if c in provisoire else lib
        for c, lib in zip(categories, libelles, strict=True)
    ]
    return {
        "type": "category",
        "automargin": True,
        "fixedrange": True,
        "tickmode": "array",
        "tickvals": list(range(len(categories))),  # by index, as the annotations
        "ticktext": textes,
    }


# ------------------------------------------------------------------------------ labels


def _sans_secret(valeurs: Sequence[float | None], textes: Sequence[str]) -> list[float | None]:
    """A value whose label is the secret mark is not drawn either: the bar's length would
    give away the figure its label hides."""
    return [None if t == fmt.SECRET else v for v, t in zip(valeurs, textes, strict=True)]


def _marques_vides(
    valeurs: Sequence[float | None],
    textes: Sequence[str],
    horizontal: bool = False,
    decalage: float = 0,
    angle: int = 0,
) -> list[dict]:
    """A bar with no value draws nothing, so its text (« secret », « – ») would not show:
    write it at the axis instead, so that a gap never reads as zero or as missing data.

    Annotations locate a category by its index: Plotly reads a category name that looks like a
    number (« 2024 ») as that number, far off the axis. ``decalage``: the bar's offset from its
    category's centre, in categories (grouped bars); ``angle``: -90 writes it upwards, as the
    bars' labels when they are too close to be written across."""
    return [
        {
            "x": 0 if horizontal else i + decalage,
            "y": i + decalage if horizontal else 0,
            "text": t,
            "showarrow": False,
            "xanchor": "left" if horizontal else "center",
            "yanchor": "middle" if horizontal else "bottom",
            "xshift": 4 if horizontal else 0,
            "textangle": angle,
            "font": {"color": GRIS},
        }
        for i, (v, t) in enumerate(zip(valeurs, textes, strict=True))
        if v is None and t
    ]


def _etiquettes(
    valeurs: Sequence[float | None],
    textes: Sequence[str],
    fins: Sequence[float | None],
    horizontal: bool,
) -> list[dict]:
    """Each value's label just past the end of its mark: the bar's end, or the upper end of its
    interval when it has one (never on the error bar). Right of it on a horizontal chart,
    above it on a vertical one; a light background keeps a reference line from crossing it.
    The category by its index, as in ``_marques_vides``."""
    return [
        {
            "x": fin if horizontal else i,
            "y": i if horizontal else fin,
            "text": t,
            "showarrow": False,
            "xanchor": "left" if horizontal else "center",
            "yanchor": "middle" if horizontal else "bottom",
            "xshift": 4 if horizontal else 0,
            "yshift": 0 if horizontal else 3,
            "bgcolor": "rgba(255, 255, 255, 0.85)",
            "font": {"color": TEXTE},
        }
        for i, (v, t, fin) in enumerate(zip(valeurs, textes, fins, strict=True))
        if v is not None and t
    ]


def _fins(valeurs: Sequence[float | None], hauts: Sequence[float | None] | None) -> list:
    """Where each mark ends: the value, or the upper end of its interval when larger."""
    hauts = hauts if hauts is not None else [None] * len(valeurs)
    return [
        None if v is None else max(v, h if h is not None else v)
        for v, h in zip(valeurs, hauts, strict=True)
    ]


def _place_etiquettes(textes: Sequence[str], taille: float = TAILLE) -> int:
    """The margin a horizontal chart needs for labels beside it: its values written past the
    longest bar (right), its category labels (left)."""
    return 12 + math.ceil(max((territoires.largeur_texte(t, taille) for t in textes), default=0))


def _legende_provisoire(motif: str) -> dict:
    """A legend entry drawn like a provisional bar, with its meaning in words."""
    return {
        "type": "bar",
        "name": LEGENDE_PROVISOIRE,
        "x": [None],
        "y": [None],
        "marker": {"color": CLAIR[BLEU], "pattern": {"shape": motif}},
        "showlegend": True,
        "hoverinfo": "skip",
    }


LEGENDE_HAUT = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}


# ------------------------------------------------------------------------------ bars


def barres(
    categories: list[str],
    valeurs: list[float | None],
    textes: list[str],
    titre_axe: str,
    pourcentage: bool = False,
    horizontal: bool = False,
    erreurs: tuple[list[float | None], list[float | None]] | None = None,
    *,
    provisoire: Collection[str] = (),
    libelles: list[str] | None = None,
) -> dict:
    """One bar per category; hidden values are gaps labelled with the secret marker.

    ``erreurs``: the (low, high) ends of each value's 95 % interval, drawn as error bars, the
    value's label past the high end. ``provisoire``: categories of an incomplete period (the
    current year), lighter and hatched, « (provisoire) » in their tick label and a legend entry.
    ``libelles``: tick labels when they differ from the categories (short names); the hover
    keeps the category."""
    valeurs = _sans_secret(valeurs, textes)
    motifs = [MOTIF_PROVISOIRE if c in provisoire else "" for c in categories]
    bar: dict = {
        "type": "bar",
        "x": valeurs if horizontal else categories,
        "y": categories if horizontal else valeurs,
        "orientation": "h" if horizontal else "v",
        # Kept on the trace for what reads it; drawn by the annotations below.
        "text": textes,
        "textposition": "none",
        "marker": {
            "color": [CLAIR[BLEU] if c in provisoire else BLEU for c in categories],
            "pattern": {"shape": motifs},
        },
        "hovertext": [
            f"{c} {MENTION_PROVISOIRE} : {t}" if c in provisoire else f"{c} : {t}"
            for c, t in zip(categories, textes, strict=True)
        ],
        "hoverinfo": "text",
        "cliponaxis": False,
        "showlegend": False,
    }
    hauts = None
    if erreurs is not None:
        low, high = erreurs
        low = [None if v is None else b for v, b in zip(valeurs, low, strict=True)]
        hauts = [None if v is None else h for v, h in zip(valeurs, high, strict=True)]
        bar["error_x" if horizontal else "error_y"] = {
            "type": "data",
            "array": [
                h - v if h is not None and v is not None else None
                for v, h in zip(valeurs, hauts, strict=True)
            ],
            "arrayminus": [
                v - lo if lo is not None and v is not None else None
                for v, lo in zip(valeurs, low, strict=True)
            ],
            "color": INTERVALLE,
            "thickness": 2,
            "width": 4,
        }
    fins = _fins(valeurs, hauts)
    haut = max((f for f in fins if f is not None), default=0.0)
    # Vertical: room above the highest label inside the plot (a legend may sit above it).
    value_axis = _axe_valeurs(titre_axe, haut, pourcentage, marge=1.0 if horizontal else 1.2)
    category_axis = _axe_categories(categories, libelles, provisoire, " " if horizontal else "<br>")
    if horizontal:
        category_axis |= {"autorange": "reversed", "ticklabelstandoff": 4}
        axes = {"xaxis": value_axis, "yaxis": category_axis}
        # The category labels' room measured in Marianne, rather than left to Plotly's
        # automargin: a page is drawn with the width Chromium measured, and a fallback font
        # there cut the longest label on paper.
        # (+ 6 px: the labels' standoff from the axis, which automargin would otherwise add.)
        gauche = max(60, _place_etiquettes(category_axis["ticktext"]) + 6)
        margin = {"l": gauche, "r": _place_etiquettes(textes), "t": 20, "b": MARGE_BAS}
    else:
        axes = {"xaxis": category_axis, "yaxis": value_axis}
        margin = {"l": MARGE_GAUCHE, "r": 30, "t": 20, "b": MARGE_BAS}
    height = max(320, 26 * len(categories)) if horizontal else 320
    annotations = _etiquettes(valeurs, textes, fins, horizontal)
    annotations += _marques_vides(valeurs, textes, horizontal)
    data = [bar]
    extra: dict = {}
    if any(c in provisoire for c in categories):
        data.append(_legende_provisoire(MOTIF_PROVISOIRE))
        extra = {"showlegend": True, "legend": LEGENDE_HAUT}
        margin["t"] = MARGE_LEGENDE
    layout = _layout(height=height, margin=margin, annotations=annotations, **axes, **extra)
    return {"data": data, "layout": layout}


# Grouped bars: value labels are written across when the bars stand far enough apart at the
# narrowest width the chart is drawn at (a 358 px phone column by default, a 680 px page for the
# reports), else upwards when a line of text fits between two bars, else the bars are laid
# horizontally, labels past their ends: two labels never run into each other, nor shrink.
LARGEUR_MIN = 358
TAILLE_GROUPES = 11
AXE_VALEURS = 110  # what the value axis, its ticks and title take from a vertical chart's width


def groupes(
    categories: list[str],
    series: list[tuple[str, list[float | None], list[str]]],
    titre_axe: str,
    *,
    pourcentage: bool = True,
    provisoire: Collection[str] = (),
    largeur: int = LARGEUR_MIN,
) -> dict:
    """Grouped bars for several series (CSF vs comparison group): each series also has its own
    pattern, so the legend does not rely on colour. ``provisoire``: categories of an incomplete
    period, lighter, « (provisoire) » in their tick label and a legend entry. ``largeur``: the
    narrowest width it is drawn at, in pixels, which decides how the labels fit (across,
    upwards, or bars laid horizontally)."""
    styles = [(BLEU, ""), ("#6a6af4", "/")]
    series = [(name, _sans_secret(values, texts), texts) for name, values, texts in series]
    # Plotly's groups share 0.8 of a category between the series.
    ecart = (largeur - AXE_VALEURS) * 0.8 / max(1, len(categories) * len(series))
    plus_large = max(
        (territoires.largeur_texte(t, TAILLE_GROUPES) for _, _, texts in series for t in texts),
        default=0,
    )
    a_plat = plus_large + 4 <= ecart
    horizontal = not a_plat and ecart < TAILLE_GROUPES * 1.5 + 4
    angle = 0 if a_plat or horizontal else -90
    data = [
        {
            "type": "bar",
            "name": name,
            "x": values if horizontal else categories,
            "y": categories if horizontal else values,
            "orientation": "h" if horizontal else "v",
            "text": texts,
            "textposition": "outside",
            "textangle": angle,
            # Never shrunk to the bar's width (unreadable): the room is made beside it.
            "constraintext": "none",
            "textfont": {"size": TAILLE_GROUPES, "color": TEXTE},
            "marker": {
                "color": [CLAIR[color] if c in provisoire else color for c in categories],
                "pattern": {"shape": pattern},
            },
            "hovertext": [f"{name}, {c} : {t}" for c, t in zip(categories, texts, strict=True)],
            "hoverinfo": "text",
            "cliponaxis": False,
        }
        for (name, values, texts), (color, pattern) in zip(series, styles, strict=False)
    ]
    if any(c in provisoire for c in categories):
        data.append(_legende_provisoire(""))
    # Each gap's mark over its own bar: Plotly's groups share 0.8 of a category between series.
    part = 0.8 / max(1, len(series))
    decalages = [part * (k - (len(series) - 1) / 2) for k in range(len(series))]
    marques = [
        marque
        for (_, values, texts), decalage in zip(series, decalages, strict=False)
        for marque in _marques_vides(values, texts, horizontal, decalage, angle)
    ]
    haut = max((v for _, values, _ in series for v in values if v is not None), default=0.0)
    categorie = _axe_categories(categories, None, provisoire, " " if horizontal else "<br>")
    if horizontal:
        # A line of text per bar: about 24 px for each (the legend and axis take 140).
        hauteur = max(340, 140 + 28 * len(categories) * len(series))
        axes = {
            "xaxis": _axe_valeurs(titre_axe, haut, pourcentage),
            "yaxis": categorie | {"autorange": "reversed", "ticklabelstandoff": 4},
        }
        textes = [t for _, _, texts in series for t in texts]
        marges = {"r": _place_etiquettes(textes, TAILLE_GROUPES)}
    else:
        hauteur = 340
        # Room above the highest bar for its label, upright or written upwards, in a plot
        # about 200 px high.
        marge = 1.2 if a_plat else 1 / (1 - (plus_large + 8) / 200)
        axes = {"yaxis": _axe_valeurs(titre_axe, haut, pourcentage, marge), "xaxis": categorie}
        marges = {}
    layout = _layout(
        annotations=marques,
        barmode="group",
        bargap=0.2,
        bargroupgap=0,
        height=hauteur,
        showlegend=True,
        legend=LEGENDE_HAUT,
        **axes,
    )
    layout["margin"] = layout["margin"] | {"t": MARGE_LEGENDE} | marges
    return {"data": data, "layout": layout}


def _trait(couleur: str, **position: object) -> list[dict]:
    """A dashed reference line on a white halo, which keeps it visible across a BLEU bar."""
    return [
        {"type": "line", "line": {"color": "white", "width": 4}} | position,
        {"type": "line", "line": {"color": couleur, "width": 2, "dash": "dash"}} | position,
    ]


def _ligne_verticale(valeur: float, texte: str, haut: float) -> tuple[list[dict], dict]:
    """A dashed vertical reference line across the plot, labelled in words above it (on the
    side with more room)."""
    traits = _trait(TRAIT, xref="x", yref="paper", x0=valeur, x1=valeur, y0=0, y1=1)
    droite = valeur <= haut / 2
    libelle = {
        "xref": "x",
        "yref": "paper",
        "x": valeur,
        "y": 1,
        "xanchor": "left" if droite else "right",
        "yanchor": "bottom",
        "xshift": 2 if droite else -2,
        "text": texte,
        "showarrow": False,
        "font": {"color": TRAIT},
    }
    return traits, libelle


def classement(
    noms: list[str],
    valeurs: list[float | None],
    textes: list[str],
    ic_bas: list[float | None],
    ic_haut: list[float | None],
    *,
    national: float | None = None,
    national_texte: str | None = None,
    pourcentage: bool = True,
    titre_axe: str = "",
    compact: bool = False,
) -> dict:
    """A ranking (académies, from the caller's order, top first): horizontal bars with their
    95 % interval, each label past its interval, and a dashed vertical line at the national
    value labelled in words (« France : 36,2 % » unless ``national_texte`` says otherwise).
    ``compact``: short names as tick labels (a phone's width), the full name in the hover."""
    libelles = list(territoires.abreviations(noms, 12).values()) if compact else None
    figure = barres(
        noms,
        valeurs,
        textes,
        titre_axe,
        pourcentage,
        horizontal=True,
        erreurs=(ic_bas, ic_haut),
        libelles=libelles,
    )
    if national is None:
        return figure
    layout = figure["layout"]
    if national_texte is None:
        valeur = fmt.percent(national) if pourcentage else fmt.number(national)
        national_texte = f"France : {valeur}"
    fins = _fins(_sans_secret(valeurs, textes), ic_haut)
    haut = max([national, *(f for f in fins if f is not None)])
    axe = _axe_valeurs(titre_axe, haut, pourcentage)
    traits, libelle = _ligne_verticale(national, national_texte, axe["range"][1])
    layout = layout | {
        "xaxis": axe,
        "shapes": [*layout.get("shapes", []), *traits],
        "annotations": [*layout["annotations"], libelle],
        "margin": layout["margin"] | {"t": 30},
    }
    return {"data": figure["data"], "layout": layout}


# ------------------------------------------------------------------------------ funnel

LIGNE_ETAPE = 80  # pixels per stage: its name, its figures and its bar


def entonnoir(
    etapes: list[str],
    atteintes: list[float | None],
    textes: list[str],
    conversions: list[str],
    jours: list[str],
    *,
    titre_axe: str = "Clauses ayant atteint l'étape",
) -> dict:
    """The funnel: one bar per stage (clauses that reached it), top to bottom, with above each
    bar the stage's name and, in words, its conversion from the previous stage and the median
    days spent at it (« Conversion : 83,3 % · durée médiane à l'étape : 36 jours »).

    ``textes``, ``conversions`` and ``jours`` are the formatted figures (an empty one is left
    out: the first stage has no conversion). A stage whose count is the secret mark is hidden
    whole: no bar, and the mark for each of its figures, never a number."""
    secret = [t == fmt.SECRET for t in textes]
    valeurs = [None if s else v for s, v in zip(secret, atteintes, strict=True)]
    rangs = list(range(len(etapes)))
    bar = {
        "type": "bar",
        "orientation": "h",
        "x": valeurs,
        "y": rangs,
        "width": 0.36,
        "text": textes,
        "textposition": "none",
        "marker": {"color": BLEU},
        "hovertext": [f"{e} : {t}" for e, t in zip(etapes, textes, strict=True)],
        "hoverinfo": "text",
        "cliponaxis": False,
        "showlegend": False,
    }
    annotations = []
    for i, (etape, cache, conversion, jour) in enumerate(
        zip(etapes, secret, conversions, jours, strict=True)
    ):
        if cache:
            conversion = fmt.SECRET if conversion else ""
            jour = fmt.SECRET if jour else ""
        details = []
        if conversion:
            details.append(f"Conversion : {conversion}")
        if jour:
            details.append(f"{'durée' if details else 'Durée'} médiane à l'étape : {jour}")
        # Above the bar (whose top edge is at i - 0.18 on the reversed axis): the name, then
        # the details, each a line of text measured in pixels from the bar.
        haut_barre = i - 0.18
        annotations.append(
            _texte_gauche(f"<b>{etape}</b>", haut_barre, 22 if details else 2, TEXTE, TAILLE)
        )
        if details:
            annotations.append(_texte_gauche(" · ".join(details), haut_barre, 2, TRAIT, 11))
    annotations += _etiquettes(valeurs, textes, valeurs, horizontal=True)
    annotations += _marques_vides(valeurs, textes, horizontal=True)
    haut = max((v for v in valeurs if v is not None), default=0.0)
    layout = _layout(
        height=LIGNE_ETAPE * len(etapes) + 60,
        margin={"l": 12, "r": _place_etiquettes(textes), "t": 8, "b": 50},
        xaxis=_axe_valeurs(titre_axe, haut, pourcentage=False),
        yaxis={
            "visible": False,
            "fixedrange": True,
            "range": [len(etapes) - 1 + 0.3, -0.75],
        },
        annotations=annotations,
    )
    return {"data": [bar], "layout": layout}


def _texte_gauche(texte: str, y: float, decalage: int, couleur: str, taille: int) -> dict:
    """A line of text from the plot's left edge, its bottom ``decalage`` pixels above ``y``."""
    return {
        "xref": "paper",
        "x": 0,
        "y": y,
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": decalage,
        "text": texte,
        "showarrow": False,
        "align": "left",
        "font": {"color": couleur, "size": taille},
    }


# ------------------------------------------------------------------------------ tile map

# Tile geometry for each arrangement: the tile's side in grid units, the text size, the room a
# name has on a tile (pixels, at the smallest width the arrangement is meant for: 680 px wide,
# a 358 px phone column) and the figure's height.
TUILE = 0.94
GEOMETRIE = {
    False: {"taille": 11, "place": 64, "lignes": 2, "hauteur": 650},
    True: {"taille": 10, "place": 50, "lignes": 2, "hauteur": 700},
}


def noms_courts(libelles: Mapping[str, str], compact: bool = False) -> dict[str, str]:
    """Each académie's name as its tile writes it (on two lines at most, abbreviated with a
    dot when a word does not fit), by code."""
    geo = GEOMETRIE[compact]
    courts = territoires.abreviations(
        libelles.values(),
        geo["place"],
        geo["lignes"],
        lambda ligne: territoires.largeur_texte(ligne, geo["taille"]),
    )
    return {code: courts[nom] for code, nom in libelles.items()}


def echelle(valeurs: Sequence[float], pourcentage: bool) -> float:
    """The top of a tile map's colour scale: 100 % for a rate, else five times a round step
    at or above a fifth of the largest value (so that every class bound is round)."""
    if pourcentage:
        return 1.0
    return float(_pas(max(valeurs, default=0) / len(CLASSES), entier=True) * len(CLASSES))


def classe(valeur: float, haut: float) -> int:
    """The colour class of a value: equal fifths of [0, haut], a bound in the class above it
    (20 % is in « 20 % – 40 % »), the top in the last."""
    if haut <= 0:
        return 0
    return min(len(CLASSES) - 1, max(0, math.floor(valeur / haut * len(CLASSES))))


def tuiles(
    positions: Mapping[str, tuple[int, int]] | None,
    libelles: Mapping[str, str],
    valeurs: Mapping[str, float | None],
    textes: Mapping[str, str],
    *,
    pourcentage: bool | None = None,
    titre_legende: str = "",
    compact: bool = False,
) -> dict:
    """A tile-grid map: one square per académie at its grid position (``positions``, by default
    ``territoires.TUILES``, or ``TUILES_COMPACT`` when ``compact``), its short name and its
    value written on it, its full name in the hover.

    Shaded by five classes of a fixed scale (rates from 0 to 100 %, counts from 0 to a round
    number above the largest), shown in a colour bar with the bounds written as every value
    is; a tile hidden by the statistical secret is grey and hatched, one without data is
    white and outlined, each explained once in the legend. ``compact``: the arrangement and
    text for a phone (six columns, overseas below). ``pourcentage``: a rate (by default, when
    every value lies within [0, 1] and one is not whole)."""
    geo = GEOMETRIE[compact]
    if positions is None:
        positions = territoires.positions(compact)
    codes = sorted(positions, key=lambda c: (positions[c][1], positions[c][0]))
    courts = noms_courts({c: libelles.get(c, c) for c in codes}, compact)

    def sorte(code: str) -> str:
        if textes.get(code) == fmt.SECRET:
            return "secret"
        return "valeur" if valeurs.get(code) is not None else "absent"

    montrees = [valeurs[c] for c in codes if sorte(c) == "valeur"]
    if pourcentage is None:
        pourcentage = all(0 <= v <= 1 for v in montrees) and any(v != int(v) for v in montrees)
    haut = echelle(montrees, pourcentage)
    bornes = [haut * k / len(CLASSES) for k in range(len(CLASSES) + 1)]
    pas = Decimal(repr(bornes[1])) if len(bornes) > 1 else 1

    def texte(code: str) -> str:
        return textes.get(code) or fmt.ABSENT

    def carres(selection: list[str], marker: dict, **trace: object) -> dict:
        return {
            "type": "bar",
            "x": [positions[c][0] for c in selection],
            "y": [TUILE] * len(selection),
            "base": [-positions[c][1] - TUILE / 2 for c in selection],
            "width": TUILE,
            "marker": marker,
            "hovertext": [
                f"{libelles.get(c, c)} : "
                + {"valeur": texte(c), "secret": LEGENDE_SECRET, "absent": "aucune donnée"}[
                    sorte(c)
                ]
                for c in selection
            ],
            "hoverinfo": "text",
            "textposition": "none",
        } | trace

    avec = [c for c in codes if sorte(c) == "valeur"]
    caches = [c for c in codes if sorte(c) == "secret"]
    vides = [c for c in codes if sorte(c) == "absent"]
    echelon = []
    for k, couleur in enumerate(CLASSES):
        echelon += [[k / len(CLASSES), couleur], [(k + 1) / len(CLASSES), couleur]]
    data = [
        carres(
            avec,
            {
                "color": [CLASSES[classe(valeurs[c], haut)] for c in avec],
                "line": {"color": "white", "width": 1},
            },
            showlegend=False,
        ),
        # The colour bar, on a trace of no point: plotly.js warns about a bar trace coloured by
        # numbers, and the tiles take their class's colour above.
        {
            "type": "scatter",
            "mode": "markers",
            "x": [None],
            "y": [None],
            "marker": {
                "color": [0],
                "cmin": 0,
                "cmax": haut,
                "colorscale": echelon,
                "showscale": True,
                "colorbar": {
                    "orientation": "h",
                    "x": 0.5,
                    "xanchor": "center",
                    "y": -0.02,
                    "yanchor": "top",
                    "len": 0.9 if compact else 0.6,
                    "thickness": 14,
                    "outlinewidth": 0,
                    "tickmode": "array",
                    "tickvals": bornes,
                    "ticktext": [texte_graduation(b, pourcentage, pas) for b in bornes],
                    "title": {"text": titre_legende, "side": "top"},
                },
            },
            "hoverinfo": "skip",
            "showlegend": False,
        },
        carres(
            caches,
            {
                "color": FOND_SECRET,
                "pattern": {"shape": MOTIF_SECRET, "fgcolor": "#b5b5b5", "solidity": 0.15},
                "line": {"color": FOND_SECRET, "width": 1},
            },
            name=LEGENDE_SECRET,
            showlegend=bool(caches),
        ),
        carres(
            vides,
            {"color": "white", "line": {"color": BORD_ABSENT, "width": 1}},
            name=LEGENDE_ABSENT,
            showlegend=bool(vides),
        ),
        {
            "type": "scatter",
            "mode": "text",
            "x": [positions[c][0] for c in codes],
            "y": [-positions[c][1] for c in codes],
            "text": [f"{courts[c].replace(chr(10), '<br>')}<br><b>{texte(c)}</b>" for c in codes],
            "textfont": {
                "size": geo["taille"],
                "color": [
                    TEXTE_CLASSES[classe(valeurs[c], haut)] if sorte(c) == "valeur" else TEXTE
                    for c in codes
                ],
            },
            "hoverinfo": "skip",
            "showlegend": False,
            "cliponaxis": False,
        },
    ]
    colonnes = max(x for x, _ in positions.values()) + 1
    lignes = max(y for _, y in positions.values()) + 1
    outre_mer = [positions[c] for c in territoires.OUTRE_MER if c in positions]
    annotations = []
    if outre_mer:
        x0, y0 = min(outre_mer, key=lambda p: (p[1], p[0]))
        annotations.append(
            {
                "x": x0 - TUILE / 2,
                "y": -y0 + TUILE / 2,
                "xanchor": "left",
                "yanchor": "bottom",
                "text": OUTRE_MER,
                "showarrow": False,
                "font": {"color": TEXTE, "size": geo["taille"] + 1},
            }
        )
    layout = _layout(
        height=geo["hauteur"],
        margin={"l": 4, "r": 4, "t": 10, "b": 90},
        barmode="overlay",
        showlegend=bool(caches or vides),
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
        xaxis={
            "visible": False,
            "range": [-0.5, colonnes - 0.5],
            "fixedrange": True,
            "constrain": "domain",
        },
        yaxis={
            "visible": False,
            "range": [-(lignes - 0.5), 0.5 + 0.35],
            "scaleanchor": "x",
            "scaleratio": 1,
            "fixedrange": True,
            "constrain": "domain",
        },
        annotations=annotations,
    )
    return {"data": data, "layout": layout}


# ------------------------------------------------------------------------------ target


def cible(figure: dict, valeur: float, libelle: str) -> dict:
    """The same figure with a dashed horizontal target line, labelled in words (not by colour);
    the value axis stretched to show it, the figure's own labels kept."""
    layout = figure["layout"]
    axe = layout.get("yaxis", {})
    if "range" in axe and valeur > axe["range"][1]:
        pourcentage = any(t.endswith("%") for t in axe.get("ticktext", []))
        titre = axe.get("title", {}).get("text", "")
        axe = axe | _axe_valeurs(titre, valeur, pourcentage, marge=1.2)
    layout = layout | {
        "yaxis": axe,
        "shapes": [
            *layout.get("shapes", []),
            *_trait(ROUGE, xref="paper", x0=0, x1=1, y0=valeur, y1=valeur),
        ],
        "annotations": [
            *layout.get("annotations", []),
            {
                "xref": "paper",
                "x": 1,
                "y": valeur,
                "xanchor": "right",
                "yanchor": "bottom",
                "text": libelle,
                "showarrow": False,
                "bgcolor": "rgba(255, 255, 255, 0.85)",
                "font": {"color": ROUGE},
            },
        ],
    }
    return {"data": figure["data"], "layout": layout}


# ------------------------------------------------------------------------------ lines

# Each series of a line chart has its own colour, dash and marker symbol: the legend never
# relies on colour alone (DSFR blue France, its lighter sun, grey, and the « illustrative »
# green and brown of the DSFR palette, all 3:1 on white).
STYLES_LIGNES = (
    (BLEU, "solid", "circle"),
    ("#6a6af4", "dash", "square"),
    ("#3a3a3a", "dot", "diamond"),
    ("#18753c", "dashdot", "triangle-up"),
    ("#a94645", "longdash", "x"),
)


def lignes(
    categories: list[str],
    series: list[tuple[str, list[float | None], list[str]]],
    titre_axe: str,
    *,
    pourcentage: bool = False,
    libelles: list[str] | None = None,
    hauteur: int = 340,
) -> dict:
    """Several series over ordered categories (months, weeks): one line each, with markers; a
    hidden or missing value is a gap in its line (never joined across), its text (the secret
    mark, « – ») in the hover. ``libelles``: tick labels when they differ from the categories.
    Values are read in the hover and in the block's table, which every chart sits beside."""
    data = []
    for (name, values, texts), (couleur, tirets, symbole) in zip(
        series, STYLES_LIGNES, strict=False
    ):
        values = _sans_secret(values, texts)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": categories,
                "y": values,
                "line": {"color": couleur, "dash": tirets, "width": 2},
                "marker": {"color": couleur, "symbol": symbole, "size": 7},
                "connectgaps": False,
                "hovertext": [f"{name}, {c} : {t}" for c, t in zip(categories, texts, strict=True)],
                "hoverinfo": "text",
                "cliponaxis": False,
            }
        )
    haut = max(
        (v for trace in data for v in trace["y"] if v is not None),
        default=0.0,
    )
    categorie = _axe_categories(categories, libelles, (), "<br>")
    layout = _layout(
        height=hauteur,
        showlegend=True,
        legend=LEGENDE_HAUT,
        xaxis=categorie,
        yaxis=_axe_valeurs(titre_axe, haut, pourcentage, marge=1.1),
    )
    layout["margin"] = layout["margin"] | {"t": MARGE_LEGENDE * max(1, math.ceil(len(data) / 3))}
    return {"data": data, "layout": layout}
