"""A report's content fingerprint: what decides whether a new snapshot needs its files again.

A monthly export of one académie changes few buyers' figures, yet every report used to be laid
out again (WeasyPrint: most of a refresh's time). A report whose fingerprint equals the one its
files were written with keeps those files. The fingerprint covers everything a file shows except
the two fields that name its making, the snapshot id and the day it was produced (a kept file
shows the snapshot it was first written from, whose figures are the same), plus the code and
libraries that render it, so an upgrade writes every report again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import metadata
from pathlib import Path

from pipelines.reports.model import Rapport

# Fields that name a report's making, not its content.
MAKING = ("instantane", "genere_le")
# Libraries whose output is in the files: layout, PDF writing, workbook, charts.
RENDERING_LIBRARIES = (
    "weasyprint",
    "pydyf",
    "xlsxwriter",
    "jinja2",
    "plotly",
    "playwright",
    "babel",
)
# Code that turns a report's content into files (templates, styles, cell formatting).
RENDERING_CODE = (Path(__file__).parent, Path(__file__).parents[1] / "content")


@cache
def rendering_fingerprint() -> str:
    """SHA-256 of the rendering code's files and the rendering libraries' versions."""
    digest = hashlib.sha256()
    for root in RENDERING_CODE:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".svg", ".json"):
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    for name in RENDERING_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}".encode())
    return digest.hexdigest()


def _plain(value: object) -> object:
    # Tagged, so that a date cell and a text cell holding its ISO form (rendered differently)
    # never give the same fingerprint.
    if isinstance(value, datetime | date):
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    # Anything else would be hashed by an address or not at all: refuse, so a new kind of
    # content is added here knowingly.
    raise TypeError(f"contenu de rapport sans forme canonique : {type(value).__name__}")


def fingerprint(rapport: Rapport) -> str:
    """SHA-256 of the report's content (all but ``MAKING``) and of its rendering."""
    content = dataclasses.asdict(rapport)
    for name in MAKING:
        content.pop(name)
    text = json.dumps(
        [rendering_fingerprint(), content], sort_keys=True, ensure_ascii=False, default=_plain
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
