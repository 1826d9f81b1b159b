"""The methodology document (docs/methodologie.md), shown by the dashboard's Méthodologie page.

The document is cut at its headings: ``dcc.Markdown`` gives a heading no id, so a table of
contents (or a block's « voir la méthodologie ») could link to nothing. Each heading becomes an
element with a stable id made from its title (``ancre``), and the page lists them first."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

METHODOLOGY = Path(__file__).resolve().parent.parent / "docs" / "methodologie.md"

_TITRE = re.compile(r"^(#{1,3}) +(.+?) *#*$")
# French typography: no line break between a word and the « : ; ! ? % » after it, nor inside
# guillemets (the source is typed with plain spaces, the browser would break there).
_AVANT = re.compile(r"(?<=[^\s|])\s+([:;!?»%])")
_APRES = re.compile(r"«\s+")


def typographie(texte: str) -> str:
    """Plain spaces made no-break where French typography wants one: ``Secret : aucun`` →
    ``Secret\u00a0: aucun``, ``« secret »`` → ``«\u00a0secret\u00a0»``."""
    return _APRES.sub("«\u00a0", _AVANT.sub("\u00a0\\1", texte))


@dataclass(frozen=True)
class Section:
    """One heading of the document (level 2 or 3), its anchor and the text under it."""

    niveau: int
    titre: str
    ancre: str
    texte: str


@dataclass(frozen=True)
class Document:
    titre: str
    introduction: str
    sections: list[Section]


def ancre(titre: str) -> str:
    """The id of a heading: « Secret statistique » → ``secret-statistique``, « Taux
    d'activation à 6 mois » → ``taux-d-activation-a-6-mois`` (ASCII, so that a link to it is
    typed and read as it is shown)."""
    sans_accents = unicodedata.normalize("NFKD", titre).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", sans_accents.lower()).strip("-") or "section"


def lire(texte: str | None = None) -> Document:
    """The document cut at its level-1 to level-3 headings (those inside a fenced block are
    text); two headings with one title get ``-2``, ``-3``… so that every id is unique."""
    if texte is None:
        texte = METHODOLOGY.read_text(encoding="utf-8")
    titre, introduction = "", []
    sections: list[tuple[int, str, list[str]]] = []
    clos = True
    for ligne in texte.splitlines():
        if ligne.lstrip().startswith("```"):
            clos = not clos
        found = _TITRE.match(ligne) if clos else None
        if found and len(found[1]) == 1 and not titre and not sections:
            titre = found[2]
        elif found and len(found[1]) > 1:
            sections.append((len(found[1]), found[2], []))
        elif sections:
            sections[-1][2].append(ligne)
        else:
            introduction.append(ligne)
    vues: dict[str, int] = {}
    resultat = []
    for niveau, titre_section, lignes in sections:
        base = ancre(titre_section)
        vues[base] = vues.get(base, 0) + 1
        id_ = base if vues[base] == 1 else f"{base}-{vues[base]}"
        texte_section = typographie("\n".join(lignes).strip())
        resultat.append(Section(niveau, typographie(titre_section), id_, texte_section))
    return Document(typographie(titre), typographie("\n".join(introduction).strip()), resultat)
