"""The methodology page: docs/methodologie.md rendered once, served as a plain French HTML page."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

METHODOLOGY = Path(__file__).resolve().parent.parent / "docs" / "methodologie.md"

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><main class="methodologie">
<p><a href="/">Retour aux indicateurs</a></p>
{body}
</main></body>
</html>"""


@cache
def page() -> str:
    """The whole HTML page (the document is part of the release: read once per process)."""
    text = METHODOLOGY.read_text(encoding="utf-8")
    # Raw HTML in the document is escaped, not passed through (commonmark with html off).
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    title = html.escape(text.splitlines()[0].lstrip("# ").strip())
    return PAGE.format(title=title, body=renderer.render(text))
