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
import shutil
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import metadata
from pathlib import Path

from pipelines.reports.model import Rapport
from pipelines.reports.pdf import MARIANNE
from pipelines.settings import PLOTLY_BASIC_JS, PROJECT_ROOT

# Fields that name a report's making, not its content.
MAKING = ("instantane", "genere_le")
# Libraries whose output is in the files: layout and fonts (WeasyPrint, pydyf, fontTools),
# templates, workbook, charts (plotly's figure, kaleido and choreographer driving Chromium).
RENDERING_LIBRARIES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "jinja2",
    "xlsxwriter",
    "plotly",
    "kaleido",
    "choreographer",
    "babel",
)
# Files read when rendering: the code turning a report's content into files (templates,
# styles, cell formatting), the DSFR's fonts, and the plotly bundle the charts are drawn with.
RENDERING_FILES = (
    Path(__file__).parent,
    Path(__file__).parents[1] / "content",
    MARIANNE,
    PLOTLY_BASIC_JS,
)
# The system Chromium that draws the charts (an apt upgrade changes its text metrics).
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def rendering_files() -> list[Path]:
    """Every file read when rendering: bytecode apart, whatever its kind (templates are .j2,
    fonts .woff)."""
    files: list[Path] = []
    for root in RENDERING_FILES:
        found = sorted(root.rglob("*")) if root.is_dir() else [root]
        files += [p for p in found if p.is_file() and "__pycache__" not in p.parts]
    return files


@cache
def rendering_fingerprint() -> str:
    """SHA-256 of the files read when rendering, the rendering libraries' versions and the
    Chromium binary (its size and time: hashing 250 MB at each run would cost a second)."""
    digest = hashlib.sha256()
    for path in rendering_files():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    for root in RENDERING_FILES:  # an absent font folder or bundle changes the files too
        digest.update(f"{root.relative_to(PROJECT_ROOT)}:{root.exists()}".encode())
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            stat = Path(found).resolve().stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
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
