"""Plotly figures from display tables (pure functions, no database): French number format, values
written on the marks (meaning never carried by colour alone), DSFR colours."""

from __future__ import annotations

import plotly.graph_objects as go

BLEU = "#000091"  # bleu France
GRIS = "#666666"
SEPARATEURS = ", "  # decimal comma, space between thousands


def barres(
    categories: list[str],
    valeurs: list[float | None],
    textes: list[str],
    titre_axe: str,
    pourcentage: bool = False,
    horizontal: bool = False,
    erreurs: tuple[list[float | None], list[float | None]] | None = None,
) -> go.Figure:
    """One bar per category; hidden values are gaps with their "n.d." / "< 5" text."""
    error = None
    if erreurs is not None:
        low, high = erreurs
        error = {
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
    bar = go.Bar(
        x=valeurs if horizontal else categories,
        y=categories if horizontal else valeurs,
        orientation="h" if horizontal else "v",
        text=textes,
        textposition="outside",
        marker_color=BLEU,
        hovertext=[f"{c} : {t}" for c, t in zip(categories, textes, strict=True)],
        hoverinfo="text",
        error_x=error if horizontal else None,
        error_y=None if horizontal else error,
        showlegend=False,
        cliponaxis=False,
    )
    fig = go.Figure(bar)
    fig.update_layout(
        separators=SEPARATEURS,
        margin={"l": 10, "r": 30, "t": 10, "b": 10},
        height=max(320, 26 * len(categories)) if horizontal else 320,
        plot_bgcolor="white",
        font={"family": "Marianne, Arial, sans-serif", "color": "#161616"},
    )
    value_axis = {"title": titre_axe, "gridcolor": "#dddddd", "rangemode": "tozero"}
    if pourcentage:
        value_axis["tickformat"] = ".0%"
    if horizontal:
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(autorange="reversed", type="category")
    else:
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(type="category")
    return fig


def groupes(
    categories: list[str],
    series: list[tuple[str, list[float | None], list[str]]],
    titre_axe: str,
) -> go.Figure:
    """Grouped bars for several series (CSF vs comparison group): each series also has its own
    pattern, so the legend does not rely on colour."""
    styles = [(BLEU, ""), ("#6a6af4", "/")]
    fig = go.Figure()
    for (name, values, texts), (color, pattern) in zip(series, styles, strict=False):
        fig.add_bar(
            name=name,
            x=categories,
            y=values,
            text=texts,
            textposition="outside",
            marker={"color": color, "pattern": {"shape": pattern}},
            hovertext=[f"{name}, {c} : {t}" for c, t in zip(categories, texts, strict=True)],
            hoverinfo="text",
            cliponaxis=False,
        )
    fig.update_layout(
        separators=SEPARATEURS,
        barmode="group",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=340,
        plot_bgcolor="white",
        font={"family": "Marianne, Arial, sans-serif", "color": "#161616"},
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_yaxes(title=titre_axe, tickformat=".0%", gridcolor="#dddddd", rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


def tuiles(
    positions: dict[str, tuple[int, int]],
    libelles: dict[str, str],
    valeurs: dict[str, float | None],
    textes: dict[str, str],
) -> go.Figure:
    """A tile-grid map: one square per académie at a fixed grid position (overseas in a row
    below), shaded by value and labelled with it; hidden values ("n.d.") and académies without
    data ("–") are light grey with their label."""
    codes = list(positions)
    shown = [c for c in codes if valeurs.get(c) is not None]
    hidden = [c for c in codes if valeurs.get(c) is None]
    low = min((valeurs[c] for c in shown), default=0.0)
    high = max((valeurs[c] for c in shown), default=1.0)

    def position(code: str) -> float:
        return 0.5 if high == low else (valeurs[code] - low) / (high - low)

    fig = go.Figure()
    fig.add_scatter(
        x=[positions[c][0] for c in shown],
        y=[-positions[c][1] for c in shown],
        mode="markers+text",
        marker={
            "symbol": "square",
            "size": 50,
            "color": [position(c) for c in shown],
            "cmin": 0,
            "cmax": 1,
            # Two halves with a step between them: dark text on the light half, white text on
            # the dark half, both with a contrast of at least 4.5:1 (a smooth scale has a middle
            # band where neither text colour reaches it).
            "colorscale": [[0, "#e3e3fd"], [0.5, "#b1b1f4"], [0.5, "#3f3fb5"], [1, BLEU]],
            "showscale": False,
            "line": {"color": "white", "width": 1},
        },
        text=[f"{libelles[c][:6]}<br>{textes[c]}" for c in shown],
        textfont={
            "size": 9,
            "color": ["white" if position(c) > 0.5 else "#161616" for c in shown],
        },
        hovertext=[f"{libelles[c]} : {textes[c]}" for c in shown],
        hoverinfo="text",
        showlegend=False,
    )
    fig.add_scatter(
        x=[positions[c][0] for c in hidden],
        y=[-positions[c][1] for c in hidden],
        mode="markers+text",
        marker={
            "symbol": "square",
            "size": 50,
            "color": "#f6f6f6",
            "line": {"color": GRIS, "width": 1},
        },
        text=[f"{libelles[c][:6]}<br>{textes.get(c, '–')}" for c in hidden],
        textfont={"size": 9, "color": "#161616"},
        hovertext=[f"{libelles[c]} : {textes.get(c, 'aucune donnée')}" for c in hidden],
        hoverinfo="text",
        showlegend=False,
    )
    fig.update_layout(
        separators=SEPARATEURS,
        height=520,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
        font={"family": "Marianne, Arial, sans-serif"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig
