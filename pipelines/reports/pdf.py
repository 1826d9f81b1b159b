"""A report as a tagged, accessible PDF (PDF/UA-1) through HTML and WeasyPrint."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from pipelines.content import formatting as fmt
from pipelines.content.display import est_numerique, texte
from pipelines.content.table import Masque, Type, Valeur
from pipelines.reports.model import Rapport, Section
from pipelines.reports.sections import identite
from pipelines.settings import PROJECT_ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The DSFR's Marianne, copied by `make install` with the dashboard's assets; without it the PDF
# falls back to DejaVu Sans (the stylesheet's next choice).
MARIANNE = PROJECT_ROOT / "dashboards" / "assets" / "vendor" / "dsfr" / "fonts"
GRAISSES = {"Regular": 400, "Medium": 500, "Bold": 700}
# A table this wide gets a landscape page of its own (the section's text and chart stay on the
# portrait page before it: a forced break before a whole section left a page mostly blank).
COLONNES_PAYSAGE = 8


@dataclass(frozen=True)
class _Cell:
    texte: str
    classe: str


def _font_faces() -> str:
    faces = []
    for name, weight in GRAISSES.items():
        for style, suffix in (("normal", ""), ("italic", "_Italic")):
            font = MARIANNE / f"Marianne-{name}{suffix}.woff"
            if font.exists():
                faces.append(
                    f"@font-face {{ font-family: Marianne; font-weight: {weight}; "
                    f"font-style: {style}; src: url({font.as_uri()}); }}"
                )
    return "\n".join(faces)


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class PdfWriter:
    """Renders reports to PDF; fonts and stylesheet are loaded once for a batch."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self._fonts = FontConfiguration()
        stylesheet = _font_faces() + "\n" + (TEMPLATES / "rapport.css").read_text("utf-8")
        self._css = CSS(string=stylesheet, font_config=self._fonts)
        self._template = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"])
        ).get_template("rapport.html.j2")

    def html(self, rapport: Rapport, images: dict[str, str]) -> str:
        """The report's HTML; ``images`` maps a section id to its chart as SVG."""
        pied = f"Instantané {rapport.instantane} · données au " + texte(
            rapport.date_observation, Type.DATE
        )
        if rapport.synthetique:
            pied += " · DONNÉES DE DÉMONSTRATION"
        return self._template.render(
            rapport=rapport,
            identite=identite(rapport),
            sections=[_section(s, images.get(s.id)) for s in rapport.sections],
            pied=Markup(_css_string(pied)),
        )

    def write(self, rapport: Rapport, images: dict[str, str], path: Path) -> Path:
        """Write the report to ``path`` (PDF/UA-1, fonts embedded)."""
        from weasyprint import HTML

        document = HTML(string=self.html(rapport, images), base_url=str(TEMPLATES))
        document.write_pdf(
            path,
            stylesheets=[self._css],
            font_config=self._fonts,
            pdf_variant="pdf/ua-1",
        )
        return path


def _section(section: Section, svg: str | None) -> dict:
    tableau = None
    shown = section.tableau_pdf or section.tableau
    if shown is not None:
        colonnes = shown.colonnes
        tableau = {
            "colonnes": [
                {
                    "titre": c.titre,
                    "numerique": est_numerique(c.type),
                    # Widths in proportion to the workbook's: a fixed table layout spares
                    # WeasyPrint measuring every cell twice (a fifth of a long list's time).
                    "largeur": round(100 * c.largeur / sum(k.largeur for k in colonnes), 1),
                }
                for c in colonnes
            ],
            "lignes": [
                [_cell(value, c.type) for value, c in zip(ligne, colonnes, strict=True)]
                for ligne in shown.lignes
            ],
        }
    image = None
    if svg is not None:
        image = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode()
    notes = list(section.notes)
    if shown is not None and shown.masques and fmt.LEGENDE_SECRET not in notes:
        notes.append(fmt.LEGENDE_SECRET)
    return {
        "id": section.id,
        "titre": section.titre,
        "paragraphes": section.paragraphes,
        "puces": section.puces,
        "notes": notes,
        "image": image,
        "alternative": section.graphique.alternative if section.graphique else "",
        "tableau": tableau,
        "large": shown is not None and len(shown.colonnes) >= COLONNES_PAYSAGE,
    }


def _cell(value: object, kind: Type) -> _Cell:
    if isinstance(value, Masque):
        return _Cell(value.marque, "masque")
    if isinstance(value, Valeur):
        kind = value.type
    classe = "date" if kind is Type.DATE else ("nombre" if est_numerique(kind) else "")
    return _Cell(texte(value, kind), classe)
