"""Plotly figures from display tables (pure functions, no database), as plain figure dicts:
building ``go.Figure`` objects validates every property and cost most of a page's render time.
French number format, values written on the marks (meaning never carried by colour alone),
DSFR colours."""

from __future__ import annotations

BLEU = "#000091"  # bleu France
GRIS = "#666666"
SEPARATEURS = ", "  # decimal comma, space between thousands
POLICE = {"family": "Marianne, Arial, sans-serif", "color": "#161616"}


def _layout(**extra: object) -> dict:
    return {
        "separators": SEPARATEURS,
        "margin": {"l": 60, "r": 30, "t": 20, "b": 40},
        "plot_bgcolor": "white",
        "font": POLICE,
        "showlegend": False,
    } | extra


def _marques_vides(
    categories: list[str],
    valeurs: list[float | None],
    textes: list[str],
    horizontal: bool = False,
    decalage: int = 0,
) -> list[dict]:
    """A bar with no value draws nothing, so its text (« secret », « – ») would not show:
    write it at the axis instead, so that a gap never reads as zero or as missing data."""
    return [
        {
            "x": 0 if horizontal else c,
            "y": c if horizontal else 0,
            "text": t,
            "showarrow": False,
            "xanchor": "left" if horizontal else "center",
            "yanchor": "middle" if horizontal else "bottom",
            "xshift": 4 if horizontal else decalage,
            "font": {"color": GRIS},
        }
        for c, v, t in zip(categories, valeurs, textes, strict=True)
        if v is None and t
    ]


def barres(
    categories: list[str],
    valeurs: list[float | None],
    textes: list[str],
    titre_axe: str,
    pourcentage: bool = False,
    horizontal: bool = False,
    erreurs: tuple[list[float | None], list[float | None]] | None = None,
) -> dict:
    """One bar per category; hidden values are gaps labelled with the secret marker."""
    bar: dict = {
        "type": "bar",
        "x": valeurs if horizontal else categories,
        "y": categories if horizontal else valeurs,
        "orientation": "h" if horizontal else "v",
        "text": textes,
        "textposition": "outside",
        "marker": {"color": BLEU},
        "hovertext": [f"{c} : {t}" for c, t in zip(categories, textes, strict=True)],
        "hoverinfo": "text",
        "cliponaxis": False,
    }
    if erreurs is not None:
        low, high = erreurs
        bar["error_x" if horizontal else "error_y"] = {
            "type": "data",
            "array": [
                h - v if h is not None and v is not None else None
                for v, h in zip(valeurs, high, strict=True)
            ],
            "arrayminus": [
                v - lo if lo is not None and v is not None else None
                for v, lo in zip(valeurs, low, strict=True)
            ],
            "color": GRIS,
        }
    value_axis = {
        "title": {"text": titre_axe},
        "gridcolor": "#dddddd",
        "rangemode": "tozero",
        "automargin": True,
    }
    if pourcentage:
        value_axis["tickformat"] = ".0%"
    category_axis = {"type": "category", "automargin": True}
    if horizontal:
        category_axis["autorange"] = "reversed"
        axes = {"xaxis": value_axis, "yaxis": category_axis}
    else:
        axes = {"xaxis": category_axis, "yaxis": value_axis}
    height = max(320, 26 * len(categories)) if horizontal else 320
    marques = _marques_vides(categories, valeurs, textes, horizontal)
    return {"data": [bar], "layout": _layout(height=height, annotations=marques, **axes)}


def groupes(
    categories: list[str],
    series: list[tuple[str, list[float | None], list[str]]],
    titre_axe: str,
) -> dict:
    """Grouped bars for several series (CSF vs comparison group): each series also has its own
    pattern, so the legend does not rely on colour."""
    styles = [(BLEU, ""), ("#6a6af4", "/")]
    data = [
        {
            "type": "bar",
            "name": name,
            "x": categories,
            "y": values,
            "text": texts,
            "textposition": "outside",
            "marker": {"color": color, "pattern": {"shape": pattern}},
            "hovertext": [f"{name}, {c} : {t}" for c, t in zip(categories, texts, strict=True)],
            "hoverinfo": "text",
            "cliponaxis": False,
        }
        for (name, values, texts), (color, pattern) in zip(series, styles, strict=False)
    ]
    # Two series side by side: each gap's mark sits over its own bar.
    decalages = [-22, 22] if len(series) == 2 else [0] * len(series)
    marques = [
        marque
        for (_, values, texts), decalage in zip(series, decalages, strict=False)
        for marque in _marques_vides(categories, values, texts, decalage=decalage)
    ]
    layout = _layout(
        annotations=marques,
        barmode="group",
        height=340,
        showlegend=True,
        legend={"orientation": "h", "y": -0.15},
        yaxis={
            "title": {"text": titre_axe},
            "tickformat": ".0%",
            "gridcolor": "#dddddd",
            "rangemode": "tozero",
            "automargin": True,
        },
        xaxis={"type": "category", "automargin": True},
    )
    return {"data": data, "layout": layout}


def tuiles(
    positions: dict[str, tuple[int, int]],
    libelles: dict[str, str],
    valeurs: dict[str, float | None],
    textes: dict[str, str],
) -> dict:
    """A tile-grid map: one square per académie at a fixed grid position (overseas in a row
    below), shaded by value and labelled with it; hidden values (the secret marker) and
    académies without data ("–") are light grey with their label."""
    codes = list(positions)
    shown = [c for c in codes if valeurs.get(c) is not None]
    hidden = [c for c in codes if valeurs.get(c) is None]
    low = min((valeurs[c] for c in shown), default=0.0)
    high = max((valeurs[c] for c in shown), default=1.0)

    def position(code: str) -> float:
        return 0.5 if high == low else (valeurs[code] - low) / (high - low)

    def tiles(selected: list[str], marker: dict, colours: list[str] | str, texts: dict) -> dict:
        return {
            "type": "scatter",
            "x": [positions[c][0] for c in selected],
            "y": [-positions[c][1] for c in selected],
            "mode": "markers+text",
            "marker": {"symbol": "square", "size": 50} | marker,
            "text": [f"{libelles[c][:6]}<br>{texts.get(c, '–')}" for c in selected],
            "textfont": {"size": 9, "color": colours},
            "hovertext": [f"{libelles[c]} : {texts.get(c, 'aucune donnée')}" for c in selected],
            "hoverinfo": "text",
        }

    data = [
        tiles(
            shown,
            {
                "color": [position(c) for c in shown],
                "cmin": 0,
                "cmax": 1,
                # Two halves with a step between them: dark text on the light half, white text
                # on the dark half, both with a contrast of at least 4.5:1 (a smooth scale has a
                # middle band where neither text colour reaches it).
                "colorscale": [[0, "#e3e3fd"], [0.5, "#b1b1f4"], [0.5, "#3f3fb5"], [1, BLEU]],
                "showscale": False,
                "line": {"color": "white", "width": 1},
            },
            ["white" if position(c) > 0.5 else "#161616" for c in shown],
            textes,
        ),
        tiles(hidden, {"color": "#f6f6f6", "line": {"color": GRIS, "width": 1}}, "#161616", textes),
    ]
    layout = _layout(
        height=520,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
    )
    return {"data": data, "layout": layout}


def cible(figure: dict, valeur: float, libelle: str) -> dict:
    """The same figure with a dashed horizontal target line, labelled in words (not by colour)."""
    layout = figure["layout"] | {
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": valeur,
                "y1": valeur,
                "line": {"color": "#ce0500", "width": 2, "dash": "dash"},
            }
        ],
        "annotations": [
            {
                "xref": "paper",
                "x": 1,
                "y": valeur,
                "xanchor": "right",
                "yanchor": "bottom",
                "text": libelle,
                "showarrow": False,
                "font": {"color": "#ce0500"},
            }
        ],
    }
    return {"data": figure["data"], "layout": layout}
