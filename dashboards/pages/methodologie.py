"""Méthodologie: docs/methodologie.md, the document the whole project shares."""

import dash
from dash import dcc, html

from dashboards import methodology
from dashboards.filters import lire
from dashboards.page import cadre

dash.register_page(
    __name__, path="/methodologie", name="Méthodologie", title="Méthodologie — CSF", order=5
)


def layout(**query: str) -> html.Div:
    text = methodology.METHODOLOGY.read_text(encoding="utf-8")
    body = text.split("\n", 1)[1]  # the page frame carries the title
    return cadre(
        "/methodologie",
        "Méthodologie des indicateurs",
        lire(query),
        [dcc.Markdown(body, className="methodologie")],
    )
