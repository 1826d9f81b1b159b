"""Reader for DECP procurement open data, JSON schemas v1.5 (2019) and v2 (2022), at any size.

The document is never parsed as a whole: ``json_scan`` finds the byte spans of its record arrays,
each span is copied (by the kernel) to a file of its own, and DuckDB reads that file as a bare
top-level array, straight into the raw tables, in the caller's transaction. Values are read as
text next to their typed version, so quirks are kept, not rejected: ``dureeMois: "NC"`` and text
amounts give a null typed value beside the raw text; the social consideration field is absent in
v1.5 and stays null (unknown), never false. Records missing their key are then moved from the raw
table to the quarantine, with their fields as read.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest.errors import FileRejected
from pipelines.ingest.json_scan import ArraySpan, JsonShapeError, find_in_map, scan_document
from pipelines.ingest.sources import DECP_CONCESSIONS_COLUMNS, DECP_MARCHES_COLUMNS

# Every field is read as text or JSON: a number where text was expected (or the reverse) must not
# fail the file. DuckDB ignores the fields not listed here.
_COLUMNS = {
    "id": "VARCHAR",
    "uid": "VARCHAR",
    "_type": "VARCHAR",
    "acheteur": "JSON",
    "autoriteConcedante": "JSON",
    "nature": "VARCHAR",
    "objet": "VARCHAR",
    "codeCPV": "VARCHAR",
    "procedure": "VARCHAR",
    "lieuExecution": "JSON",
    "dureeMois": "VARCHAR",
    "dateNotification": "VARCHAR",
    "dateSignature": "VARCHAR",
    "datePublicationDonnees": "VARCHAR",
    "montant": "VARCHAR",
    "valeurGlobale": "VARCHAR",
    "formePrix": "VARCHAR",
    "titulaires": "JSON",
    "concessionnaires": "JSON",
    "considerationsSociales": "JSON",
    "modifications": "JSON",
}
_READ = (
    "(select $first_line + row_number() over () - 1 as _line_number, * from read_json("
    "$span_file, format = 'array', records = true, columns = {"
    + ", ".join(f"'{name}': '{kind}'" for name, kind in _COLUMNS.items())
    + "}))"
)
# v2 says by its list what a record is; v1.5 mixes concessions into "marches", recognised by their
# granting authority. $split is false when a byte search found no sign of a concession in the
# span: every record is then a contract and one read suffices. Coalesced, so that the two
# inserts' predicates are exact complements and no record is read into both or neither.
_IS_CONCESSION = (
    "(case when $list = 'marches' then $split and coalesce("
    "json_type(autoriteConcedante) = 'OBJECT' or _type = 'Contrat de concession', false) "
    "else $list = 'contrat-concession' end)"
)


def _insert(table: str, columns: dict[str, tuple[str, str]], predicate: str) -> str:
    """The insert of one raw DECP table, its columns read as sources.py says."""
    select = ",\n    ".join(f"{expression} as {name}" for name, (_, expression) in columns.items())
    return (
        f"insert into raw.{table} by name\nselect\n    {select},\n    $sha as _file_sha256,\n"
        f"    _line_number\nfrom {_READ}\nwhere {predicate}"
    )


_INSERT_MARCHES = _insert("decp_marches", DECP_MARCHES_COLUMNS, f"not {_IS_CONCESSION}")
_INSERT_CONCESSIONS = _insert("decp_concessions", DECP_CONCESSIONS_COLUMNS, _IS_CONCESSION)

# Rules a record can break; evaluated on the raw row once inserted, then the row is moved.
_RULES = {
    "decp_marches": """case
        when id is null then 'valeur_manquante:id'
        when acheteur_id is null then 'valeur_manquante:acheteur.id'
        when date_notification_brut is null then 'valeur_manquante:dateNotification'
        when date_notification is null then 'date_invalide:dateNotification'
    end""",
    "decp_concessions": """case
        when id is null then 'valeur_manquante:id'
        when autorite_concedante_id is null then 'valeur_manquante:autoriteConcedante.id'
    end""",
}


@dataclass(frozen=True)
class DecpLoad:
    """What one DECP file gave, once inserted."""

    schema_version: str
    is_synthetic: bool
    rows_marches: int
    rows_concessions: int
    rows_quarantined: int

    @property
    def rows_read(self) -> int:
        return self.rows_marches + self.rows_concessions + self.rows_quarantined

    @property
    def rows_clean(self) -> int:
        return self.rows_marches + self.rows_concessions


def load_decp(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sha: str,
    quarantine_fields: dict[str, object],
    work_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> DecpLoad:
    """Insert one DECP file into raw.decp_* and its bad records into ingest.quarantine.

    Must run first in a transaction the caller began: when the fast scan guessed the record
    arrays wrong, it rolls that transaction back and begins it again for an exact scan.
    ``quarantine_fields`` fills the quarantine's file columns (file_name, source, run_id,
    quarantined_at). Raises FileRejected when the file is not DECP JSON or is broken (truncated,
    malformed): the caller rolls back, so nothing is half-loaded.
    """
    try:
        document = scan_document(path, progress)
        try:
            counts = _insert_spans(
                con, path, sha, document.skeleton, document.spans, work_dir, progress
            )
        except duckdb.InvalidInputException:
            # The fast scan guessed the spans from byte patterns; only an exact scan can tell a
            # malformed record from a wrong guess.
            con.execute("rollback")
            con.execute("begin transaction")
            document = scan_document(path, progress, exact=True)
            counts = _insert_spans(
                con, path, sha, document.skeleton, document.spans, work_dir, progress
            )
    except (JsonShapeError, ValueError) as exc:
        raise FileRejected(f"JSON illisible ou tronqué : {exc}") from exc
    except duckdb.InvalidInputException as exc:
        raise FileRejected(f"JSON illisible : {str(exc).splitlines()[0]}") from exc
    moved = {
        table: _move_to_quarantine(con, table, rule, sha, quarantine_fields)
        for table, rule in _RULES.items()
    }
    return DecpLoad(
        schema_version=counts["schema_version"],
        is_synthetic=counts["is_synthetic"],
        rows_marches=counts["decp_marches"] - moved["decp_marches"],
        rows_concessions=counts["decp_concessions"] - moved["decp_concessions"],
        rows_quarantined=sum(moved.values()),
    )


def _insert_spans(con, path, sha, skeleton, spans, work_dir, progress) -> dict:
    marches = skeleton.get("marches")
    if isinstance(marches, list):
        schema_version = "1.5"
    elif isinstance(marches, dict):
        schema_version = "2"
    else:
        raise FileRejected("JSON sans liste « marches » : ce n'est pas un fichier DECP")
    record_spans = [s for s in spans if s.path in (("marches",), ("marches", "marche"))]
    record_spans += [s for s in spans if s.path == ("marches", "contrat-concession")]
    counts = {"decp_marches": 0, "decp_concessions": 0}
    first_line = 1
    for span in sorted(record_spans, key=lambda s: s.start):
        with _span_file(path, span, work_dir) as span_file:
            params = {
                "span_file": str(span_file),
                "first_line": first_line,
                "schema_version": schema_version,
                "sha": sha,
                "list": span.path[-1],
                "split": _may_hold_concessions(path, span),
            }
            inserted = 0
            for table, sql in (
                ("decp_marches", _INSERT_MARCHES),
                ("decp_concessions", _INSERT_CONCESSIONS),
            ):
                if table == "decp_marches" and span.path[-1] == "contrat-concession":
                    continue
                if table == "decp_concessions" and not (
                    params["split"] or span.path[-1] == "contrat-concession"
                ):
                    continue
                with _watch(con, progress, span, path.stat().st_size):
                    n = con.execute(sql, params).fetchone()[0]
                counts[table] += n
                inserted += n
        first_line += inserted
        if progress:
            progress(span.end, path.stat().st_size)
    return counts | {
        "schema_version": schema_version,
        "is_synthetic": skeleton.get("donneesSynthetiques") is True,
    }


@contextmanager
def _watch(con, progress, span: ArraySpan, total: int):
    """Report a long insert's progress from DuckDB's own estimate, polled in a thread."""
    if progress is None:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.5):
            percent = con.query_progress()
            if percent >= 0:
                progress(span.start + int((span.end - span.start) * percent / 100), total)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _may_hold_concessions(path: Path, span: ArraySpan) -> bool:
    """Whether a records array can hold concessions (a byte search saves a second read)."""
    if span.path != ("marches",):  # v2 says by its list what a record is
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return any(
            find_in_map(mm, marker, span.start, span.end) != -1
            for marker in (b'"autoriteConcedante"', b"Contrat de concession")
        )


@contextmanager
def _span_file(path: Path, span: ArraySpan, work_dir: Path):
    """A temporary file holding exactly the span's bytes (a bare JSON array)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="decp-", suffix=".json", dir=work_dir)
    target = Path(name)
    try:
        with open(path, "rb") as source, os.fdopen(handle, "wb") as sink:
            _copy_range(source, sink, span.start, span.end - span.start)
        yield target
    finally:
        target.unlink(missing_ok=True)


def _copy_range(source, sink, start: int, length: int) -> None:
    """Copy bytes between files in the kernel when it can (no trip through Python)."""
    try:
        done = 0
        while done < length:
            copied = os.copy_file_range(
                source.fileno(), sink.fileno(), length - done, offset_src=start + done
            )
            if copied == 0:
                break
            done += copied
        if done == length:
            return
    except (AttributeError, OSError):
        pass
    source.seek(start)
    sink.seek(0)
    sink.truncate()
    remaining = length
    while remaining:
        block = source.read(min(remaining, 16 << 20))
        if not block:
            break
        sink.write(block)
        remaining -= len(block)


def _move_to_quarantine(con, table: str, rule: str, sha: str, fields: dict) -> int:
    """Move this file's rows that break a rule from the raw table to the quarantine."""
    con.execute(
        f"""
        insert into ingest.quarantine
            (file_sha256, file_name, source, line_number, rule, record, run_id, quarantined_at)
        select $sha, $file_name, $source, rows._line_number, rows._rule,
            to_json(fields), $run_id, $quarantined_at
        from (
            select {rule} as _rule, * exclude (_file_sha256)
            from raw.{table}
            where _file_sha256 = $sha
        ) as rows,
            lateral (select rows.* exclude (_line_number, _rule)) as fields
        where rows._rule is not null
        """,
        {"sha": sha, **fields},
    )
    return con.execute(
        f"delete from raw.{table} where _file_sha256 = $sha and {rule} is not null", {"sha": sha}
    ).fetchone()[0]
