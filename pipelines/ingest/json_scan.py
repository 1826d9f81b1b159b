"""Find the big record arrays of a JSON document without parsing it.

The national DECP file is one JSON object of more than 1 GB whose records sit in one or two arrays
(``marches`` in v1.5; ``marches.marche`` and ``marches.contrat-concession`` in v2). DuckDB reads a
bare top-level array ten times faster, and in a fraction of the memory, than the same records inside
the wrapper, so the reader locates each array's byte span here and hands DuckDB the span.

The scan is vectorised with numpy over memory-mapped chunks: find the unescaped quotes, tell which
brackets lie outside strings, and track the nesting depth with a cumulative sum. Nothing is decoded
into Python objects except the small *skeleton* left once the arrays are cut out, which is parsed
with ``json.loads`` to check the document's shape and read its top-level keys.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_BYTES = 16 << 20
QUOTE, BACKSLASH = 0x22, 0x5C
OPEN_ARRAY, CLOSE_ARRAY = 0x5B, 0x5D
# Depth of the containers whose arrays are cut out: 1 for {"marches": [...]},
# 2 for {"marches": {"marche": [...]}}.
SPAN_DEPTHS = (1, 2)


class JsonShapeError(ValueError):
    """The document is not well-formed JSON at the structural level (truncated, unbalanced)."""


@dataclass(frozen=True)
class ArraySpan:
    """An array cut out of the document: its key path and its bytes ``[start, end)``."""

    path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class ScannedDocument:
    """The document without its big arrays (parsed), and where those arrays are."""

    skeleton: dict
    spans: list[ArraySpan]


def scan_document(
    path: Path, progress: Callable[[int, int], None] | None = None, exact: bool = False
) -> ScannedDocument:
    """Locate the arrays nested at depth 1 or 2 of a JSON object file; parse the rest.

    By default the spans come from the fast path (see ``_fast_spans``): the caller must check them
    by parsing each span (the DECP reader does, with DuckDB) and call again with ``exact=True`` if
    that fails. ``exact=True`` tracks every bracket of the file. ``progress(done, total)`` is called
    after each chunk of an exact scan. Raises JsonShapeError if the document is truncated or
    unbalanced, and ``json.JSONDecodeError`` if what remains without the arrays is not JSON.
    """
    size = path.stat().st_size
    if size == 0:
        raise JsonShapeError("fichier vide")
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        raw_spans = None if exact else _fast_spans(mm, size)
        if raw_spans is None:
            raw_spans = _exact_spans(mm, size, progress)
        skeleton_bytes = _skeleton(mm, size, raw_spans)
    skeleton = json.loads(skeleton_bytes)
    if not isinstance(skeleton, dict):
        raise JsonShapeError("le document JSON n'est pas un objet")
    spans = [
        ArraySpan(key_path, start, end)
        for key_path, (start, end) in _label_spans(skeleton, raw_spans).items()
    ]
    return ScannedDocument(_strip_markers(skeleton), spans)


# Keys of the DECP v2 lists, and what must surround a later list's key for it to be one: the
# previous list's closing bracket before it, an opening bracket after. A key between unescaped
# quotes cannot sit inside a JSON string, so this only mistakes a nested key of the same name.
LIST_KEYS = (b"marche", b"contrat-concession")
_BOUNDARY_BEFORE = re.compile(rb"\]\s*,\s*$")
_BOUNDARY_AFTER = re.compile(rb"^\s*:\s*\[")
_KEY_BEFORE = re.compile(rb'"([^"\\]+)"\s*:\s*$')


def _fast_spans(mm: mmap.mmap, size: int) -> list[tuple[int, int]] | None:
    """Spans found by scanning the first chunk exactly and jumping over the records.

    Inside the first records array, the next list can only start at ``], "<list key>": [`` and the
    last list ends at the file's last ``]``: both are found with byte searches instead of a full
    scan. Wrong only for documents outside the DECP shapes, which then fail the caller's parse.
    Returns None when the head does not show a records array (the exact scan then decides).
    """
    scanner = _Scanner()
    head = min(size, CHUNK_BYTES)
    scanner.feed(np.frombuffer(mm, dtype=np.uint8, count=head, offset=0), mm, 0)
    if head == size:
        return scanner.finish()
    if scanner.open_at is None:
        return None
    spans: list[tuple[int, int]] = []
    start = scanner.open_at
    first_key = _KEY_BEFORE.search(mm[max(0, start - 256) : start])
    for key in LIST_KEYS:
        if first_key and first_key.group(1) == key:
            continue
        found = _list_key_after(mm, key, start + 1)
        if found is not None:
            close, opening = found
            spans.append((start, close + 1))
            start = opening
    last_close = mm.rfind(b"]")
    if last_close <= start:
        return None
    spans.append((start, last_close + 1))
    return spans


def _list_key_after(mm: mmap.mmap, key: bytes, start: int) -> tuple[int, int] | None:
    """Position of the ``]`` before and the ``[`` after a later list's key, if there is one."""
    token = b'"' + key + b'"'
    position = find_in_map(mm, token, start)
    while position != -1:
        before = mm[max(start, position - 256) : position]
        after = mm[position + len(token) : position + len(token) + 256]
        if _BOUNDARY_BEFORE.search(before) and _BOUNDARY_AFTER.search(after):
            close = max(start, position - 256) + before.rindex(b"]")
            opening = position + len(token) + after.index(b"[")
            return close, opening
        position = find_in_map(mm, token, position + 1)
    return None


def find_in_map(mm: mmap.mmap, token: bytes, start: int, end: int | None = None) -> int:
    """``mm.find`` window by window, releasing each window's pages once searched.

    Pages of a file mapping that were read count in the process's resident memory until
    released; searching 1.5 GB in one call would show 1.5 GB of RSS.
    """
    end = len(mm) if end is None else end
    for window in range(start, end, CHUNK_BYTES):
        stop = min(end, window + CHUNK_BYTES + len(token) - 1)
        found = mm.find(token, window, stop)
        release(mm, window, stop - window)
        if found != -1:
            return found
    return -1


def release(mm: mmap.mmap, start: int, length: int) -> None:
    """Drop mapped pages from this process's resident set (the page cache keeps them)."""
    aligned = start - start % mmap.PAGESIZE
    length = min(len(mm) - aligned, length + start - aligned)
    if length > 0:
        mm.madvise(mmap.MADV_DONTNEED, aligned, length)


def _exact_spans(
    mm: mmap.mmap, size: int, progress: Callable[[int, int], None] | None
) -> list[tuple[int, int]]:
    scanner = _Scanner()
    for offset in range(0, size, CHUNK_BYTES):
        count = min(CHUNK_BYTES, size - offset)
        scanner.feed(np.frombuffer(mm, dtype=np.uint8, count=count, offset=offset), mm, offset)
        release(mm, offset, count)
        if progress:
            progress(offset + count, size)
    return scanner.finish()


class _Scanner:
    """String state and nesting depth carried from one chunk to the next."""

    def __init__(self) -> None:
        self.in_string = False
        self.depth = 0
        self.open_at: int | None = None
        self.open_depth = -1
        self.spans: list[tuple[int, int]] = []
        # Buffers reused across chunks: fresh 16 MB arrays per chunk cost more in page faults
        # than the comparisons themselves.
        self._folded = np.empty(CHUNK_BYTES, dtype=np.uint8)
        self._mask = np.empty(CHUNK_BYTES, dtype=bool)
        self._other = np.empty(CHUNK_BYTES, dtype=bool)

    def feed(self, chunk: np.ndarray, mm: mmap.mmap, offset: int) -> None:
        """Advance over ``chunk`` (which starts at byte ``offset`` of ``mm``)."""
        count = chunk.size
        f, m, o = self._folded[:count], self._mask[:count], self._other[:count]
        # Events: quotes and brackets ('[' -> '{' and ']' -> '}' once bit 5 is set).
        np.bitwise_or(chunk, 0x20, out=f)
        np.equal(f, 0x7B, out=m)
        np.equal(f, 0x7D, out=o)
        np.logical_or(m, o, out=m)
        np.equal(chunk, QUOTE, out=o)
        np.logical_or(m, o, out=m)
        events = np.flatnonzero(m)
        kinds = chunk[events]
        is_quote = kinds == QUOTE
        escaped = _escaped_quotes(mm, chunk, offset)
        if escaped.size:
            is_quote[np.searchsorted(events, escaped)] = False
        # A bracket sits outside strings when the count of real quotes before it is even
        # (uint8 wraps around, parity survives).
        odd = (np.cumsum(is_quote, dtype=np.uint8) & 1).astype(bool)
        brackets = (kinds != QUOTE) & (odd == self.in_string)
        positions = events[brackets]
        kinds = kinds[brackets]
        steps = np.where(kinds & 0x02, 1, -1).astype(np.int64)  # '[' and '{' have bit 1 set
        after = self.depth + np.cumsum(steps)
        before = after - steps
        if after.size and after.min() < 0:
            raise JsonShapeError("crochet ou accolade fermant sans ouvrant")
        opens = np.flatnonzero((kinds == OPEN_ARRAY) & np.isin(before, SPAN_DEPTHS))
        closes = np.flatnonzero((kinds == CLOSE_ARRAY) & np.isin(after, SPAN_DEPTHS))
        # Few marks per chunk (the arrays' own brackets): paired in Python.
        marks = sorted(
            [(int(positions[i]) + offset, True, int(before[i])) for i in opens]
            + [(int(positions[i]) + offset, False, int(after[i])) for i in closes]
        )
        for position, is_open, level in marks:
            if is_open and self.open_at is None:
                self.open_at, self.open_depth = position, level
            elif not is_open and self.open_at is not None and level == self.open_depth:
                self.spans.append((self.open_at, position + 1))
                self.open_at = None
        if after.size:
            self.depth = int(after[-1])
        if odd.size and odd[-1]:
            self.in_string = not self.in_string

    def finish(self) -> list[tuple[int, int]]:
        """The spans, once the whole document has been fed."""
        if self.in_string or self.depth != 0 or self.open_at is not None:
            raise JsonShapeError("JSON tronqué : le document s'arrête avant sa fin")
        return self.spans


def _escaped_quotes(mm: mmap.mmap, chunk: np.ndarray, offset: int) -> np.ndarray:
    """Chunk positions of quotes after an odd run of backslashes (rare: checked one by one)."""
    backslashes = np.flatnonzero(chunk == BACKSLASH)
    candidates = backslashes + 1
    candidates = candidates[candidates < chunk.size]
    candidates = candidates[chunk[candidates] == QUOTE]
    if chunk.size and chunk[0] == QUOTE and offset > 0 and mm[offset - 1] == BACKSLASH:
        candidates = np.concatenate(([0], candidates))
    escaped = []
    for index in np.unique(candidates).tolist():
        position, run = offset + index - 1, 0
        while position >= 0 and mm[position] == BACKSLASH:
            run += 1
            position -= 1
        if run % 2:
            escaped.append(index)
    return np.asarray(escaped, dtype=np.int64)


def _skeleton(mm: mmap.mmap, size: int, spans: list[tuple[int, int]]) -> bytes:
    """The document with each span replaced by a marker string naming its index."""
    parts: list[bytes] = []
    cursor = 0
    for index, (start, end) in enumerate(spans):
        parts.append(mm[cursor:start])
        parts.append(b'"\x00span:%d"' % index)
        cursor = end
    parts.append(mm[cursor:size])
    return b"".join(parts).replace(b"\x00", b"\\u0000")


def _label_spans(skeleton: dict, spans: list[tuple[int, int]]) -> dict[tuple[str, ...], tuple]:
    """Key path of each span, found by walking the parsed skeleton to the markers."""
    labelled: dict[tuple[str, ...], tuple[int, int]] = {}

    def walk(node: object, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, str) and node.startswith("\x00span:"):
            labelled[path] = spans[int(node.removeprefix("\x00span:"))]

    walk(skeleton, ())
    return labelled


def _strip_markers(node: object) -> object:
    """The skeleton with each cut-out array shown as an empty list."""
    if isinstance(node, dict):
        return {key: _strip_markers(value) for key, value in node.items()}
    if isinstance(node, str) and node.startswith("\x00span:"):
        return []
    return node
