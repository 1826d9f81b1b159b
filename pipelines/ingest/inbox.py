"""Inventory of the inbox: which files are new, and which source each one is, by content."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import stat as stat_mode
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.ingest.csv_reader import (
    Limits,
    canonical_names,
    csv_reader,
    decode,
    detect_separator,
)
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


def detect_source(head: bytes, limits: Limits | None = None) -> str:
    """The source a file's first bytes say it is; FileRejected when none fits."""
    limits = limits or Limits()
    if not head.strip():
        raise FileRejected("fichier vide")
    if b"\x00" in head:
        raise FileRejected("fichier binaire : ni JSON DECP ni CSV")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        if _DECP_HEAD.search(head):
            return DECP
        raise FileRejected("JSON non reconnu : pas de tableau « marches » (format DECP attendu)")
    # ``head`` is the file's first bytes: a character may be cut at their end.
    text, _ = decode(head, final=False)
    try:
        header = next(csv_reader(text, detect_separator(text), limits))
    except csv.Error as exc:
        raise FileRejected(f"en-tête CSV illisible ({exc})") from exc
    limits.check_header(header)
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
    inbox: Path,
    known: set[str],
    hashed: dict[tuple[str, int, datetime], str] | None = None,
    limits: Limits | None = None,
) -> list[InboxFile]:
    """Files under ``inbox`` whose content hash is not in ``known``, sorted by path.

    ``hashed`` maps a (path, size, save time) already seen to its hash: a file whose three are
    unchanged is not read again (hashing the national DECP file alone takes seconds).

    Each file is inventoried inside its own guard: one that cannot be read, is over the size
    limit or is a symbolic link out of the inbox (never followed) comes back refused, with a
    problem, under a key made of its path, size and save time, so the ledger skips it until one
    of them changes."""
    found: list[InboxFile] = []
    hashed = hashed or {}
    limits = limits or Limits()
    root = Path(os.path.realpath(inbox))
    for path in _entries(inbox):
        item = _inventory(path, root, known, hashed, limits)
        if item is not None:
            found.append(item)
    return found


def _entries(inbox: Path) -> list[Path]:
    """Files and symbolic links under ``inbox``, sorted; symlinked folders are listed, not
    entered."""
    entries: list[Path] = []
    for folder, dirs, files in os.walk(inbox, followlinks=False):
        base = Path(folder)
        entries += [base / name for name in files]
        entries += [base / name for name in dirs if (base / name).is_symlink()]
    return sorted(p for p in entries if not _ignored(p))


def _inventory(
    path: Path,
    root: Path,
    known: set[str],
    hashed: dict[tuple[str, int, datetime], str],
    limits: Limits,
) -> InboxFile | None:
    try:
        link = path.lstat()
    except OSError:
        return None  # gone since the folder was listed
    try:
        if stat_mode.S_ISLNK(link.st_mode) and not _inside(path, root):
            raise FileRejected(
                "lien symbolique pointant hors de la boîte de dépôt : refusé, non suivi"
            )
        info = path.stat()
        if not stat_mode.S_ISREG(info.st_mode):
            return None  # a folder linked from inside the inbox, a device, a socket
        limits.check_size(info.st_size)
        modified = datetime.fromtimestamp(info.st_mtime)
        sha = hashed.get((str(path), info.st_size, modified))
        if sha is None:
            sha = sha256_of(path)
            _check_unchanged(path, info)
        if sha in known:
            return None
        known.add(sha)  # the same content twice in one inbox is loaded once
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except (FileRejected, OSError) as exc:
        message = str(exc) if isinstance(exc, FileRejected) else _unreadable(exc)
        return _refused(path, link, known, message)
    try:
        source, problem = detect_source(head, limits), None
    except (FileRejected, UnicodeError, ValueError) as exc:
        source, problem = None, str(exc)
    return InboxFile(path, sha, info.st_size, modified, source, problem)


REWRITTEN = (
    "fichier modifié pendant sa lecture : cette version n'est pas chargée, la version finale "
    "le sera au prochain passage"
)


def _check_unchanged(path: Path, before: os.stat_result) -> None:
    """FileRejected when ``path`` no longer has the size and save time of ``before``: its bytes
    were being written while they were read, and their hash would match no version."""
    after = path.stat()
    if (after.st_size, after.st_mtime_ns, after.st_ino) != (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    ):
        raise FileRejected(REWRITTEN)


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)


def _unreadable(exc: OSError) -> str:
    return f"fichier illisible : {exc.strerror or type(exc).__name__}"


def _refused(path: Path, link: os.stat_result, known: set[str], message: str) -> InboxFile | None:
    """A file refused before its content is read, keyed by its path, size and save time."""
    identity = f"refus\0{path}\0{link.st_size}\0{link.st_mtime_ns}".encode(errors="surrogatepass")
    key = hashlib.sha256(identity).hexdigest()
    if key in known:
        return None
    known.add(key)
    modified = datetime.fromtimestamp(link.st_mtime)
    return InboxFile(path, key, link.st_size, modified, None, message)


def _ignored(path: Path) -> bool:
    """Hidden files, editor leftovers and documentation that sit next to exports."""
    return path.name.startswith((".", "~$")) or path.suffix.lower() in (".md", ".pdf")
