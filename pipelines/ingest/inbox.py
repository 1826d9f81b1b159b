"""Inventory of the inbox: which files are new, and which source each one is, by content."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.ingest.csv_reader import canonical_names, decode, detect_separator
from pipelines.ingest.errors import FileRejected
from pipelines.ingest.sources import CSV_SOURCES, DECP

HEAD_BYTES = 65536
_DECP_HEAD = re.compile(rb'"marches"\s*:\s*[\[{]')


@dataclass(frozen=True)
class InboxFile:
    """A file found in the inbox, with its content hash and detected source."""

    path: Path
    sha256: str
    size_bytes: int
    modified_at: datetime
    source: str | None
    problem: str | None  # why the file cannot be loaded at all, when detection already knows


def sha256_of(path: Path) -> str:
    """Content hash, read in chunks so a 1 GB export never sits in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_source(head: bytes) -> str:
    """The source a file's first bytes say it is; FileRejected when none fits."""
    if not head.strip():
        raise FileRejected("fichier vide")
    if b"\x00" in head:
        raise FileRejected("fichier binaire : ni JSON DECP ni CSV")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        if _DECP_HEAD.search(head):
            return DECP
        raise FileRejected("JSON non reconnu : pas de tableau « marches » (format DECP attendu)")
    text, _ = decode(head)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text)))
    scores = {
        name: len(src.signature & set(canonical_names(header, src)))
        for name, src in CSV_SOURCES.items()
    }
    best = max(scores.values())
    winners = [name for name, score in scores.items() if score == best]
    if best < 2 or len(winners) > 1:
        raise FileRejected(
            "format inconnu : l'en-tête ne correspond à aucune source (registre des clauses, "
            "jeunes, parcours ou suivis MLDS, DECP)"
        )
    return winners[0]


def scan(
    inbox: Path, known: set[str], hashed: dict[tuple[str, int, datetime], str] | None = None
) -> list[InboxFile]:
    """Files under ``inbox`` whose content hash is not in ``known``, sorted by path.

    ``hashed`` maps a (path, size, save time) already seen to its hash: a file whose three are
    unchanged is not read again (hashing the national DECP file alone takes seconds)."""
    found: list[InboxFile] = []
    hashed = hashed or {}
    for path in sorted(p for p in inbox.rglob("*") if p.is_file() and not _ignored(p)):
        stat = path.stat()
        modified = datetime.fromtimestamp(stat.st_mtime)
        sha = hashed.get((str(path), stat.st_size, modified)) or sha256_of(path)
        if sha in known:
            continue
        known.add(sha)  # the same content twice in one inbox is loaded once
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
        try:
            source, problem = detect_source(head), None
        except FileRejected as exc:
            source, problem = None, str(exc)
        found.append(InboxFile(path, sha, stat.st_size, modified, source, problem))
    return found


def _ignored(path: Path) -> bool:
    """Hidden files, editor leftovers and documentation that sit next to exports."""
    return path.name.startswith((".", "~$")) or path.suffix.lower() in (".md", ".pdf")
