"""Writing reports to ``$CSF_HOME/reports/``: one report, or the whole set after a publish.

The main process reads the snapshot and draws every chart in one Chromium; laying out PDFs is
the slow part (WeasyPrint, about a millisecond per table cell), so worker processes write the
files, each with its own fonts and stylesheet loaded once.

Every file is written beside its final place and renamed over it, so a reader never opens a
half-written report. The whole set is rendered before any file is moved: a failure midway
leaves the previous set as it was.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import gc
import json
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.content.contacts import Contacts, ContactsError, load_contacts
from pipelines.reports.buyer import acheteur, acheteurs_avec_clauses, rapport_acheteur
from pipelines.reports.charts import Renderer
from pipelines.reports.model import Rapport
from pipelines.reports.national import rapport_national
from pipelines.reports.sections import periode_par_defaut
from pipelines.settings import Settings
from pipelines.warehouse.snapshot import SnapshotReader

FORMATS = ("pdf", "xlsx")
NATIONAL = "national"
ACHETEURS = "acheteurs"


@dataclass
class Lot:
    """What a batch wrote, and the seconds spent on each part (summed over workers)."""

    fichiers: list[Path] = field(default_factory=list)
    instantane: str = ""
    periode: str = ""
    secondes: dict[str, float] = field(default_factory=dict)

    def chrono(self, part: str, seconds: float) -> None:
        self.secondes[part] = self.secondes.get(part, 0.0) + seconds


def reports_dir(settings: Settings) -> Path:
    return settings.home / "reports"


def contacts_of(settings: Settings) -> Contacts:
    """The contacts file the reports quote, read before anything is rendered: a file that
    cannot be used stops the batch with its French message, and no report is written."""
    try:
        return load_contacts(settings.contacts_file)
    except ContactsError as exc:
        raise ContactsError(f"aucun rapport écrit : {exc}") from exc


def report_workers(settings: Settings) -> int:
    """Worker processes for a batch (``CSF_REPORT_WORKERS``; default: one per core)."""
    return settings.report_workers or os.cpu_count() or 1


_pdf_writer = None  # one per process: fonts and stylesheet loaded once
_pdf_writer_lock = threading.Lock()


def pdf_writer():
    """This process's PDF writer, made on first use (WeasyPrint's import and fonts: a second
    and a half, so batches start it in the background while Chromium draws the charts)."""
    global _pdf_writer
    with _pdf_writer_lock:
        if _pdf_writer is None:
            from pipelines.reports.pdf import PdfWriter

            writer = PdfWriter()
            # Layout allocates millions of small objects: a young generation larger than the
            # default 700 makes far fewer collections scan the fonts' caches.
            gc.freeze()
            gc.set_threshold(50_000, 20, 20)
            _pdf_writer = writer
            # Released before the interpreter tears modules down, or WeasyPrint's font
            # configuration fails noisily in its finaliser as a worker exits.
            atexit.register(_release_pdf_writer)
    return _pdf_writer


def write_files(
    rapport: Rapport, images: dict[str, str], folder: Path, formats: tuple[str, ...]
) -> tuple[list[Path], dict[str, float]]:
    """Write one report in ``formats``, each file atomically; returns the files and timings."""
    from pipelines.reports.xlsx import write_workbook

    folder.mkdir(parents=True, exist_ok=True)
    written, timings = [], {}
    for kind in formats:
        target = folder / f"{rapport.fichier}.{kind}"
        tmp = folder / f".{rapport.fichier}.{uuid.uuid4().hex}.{kind}"
        started = time.perf_counter()
        try:
            if kind == "pdf":
                pdf_writer().write(rapport, images, tmp)
            else:
                write_workbook(rapport, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        timings[kind] = time.perf_counter() - started
        written.append(target)
    return written, timings


def _write_batch(
    reports: Iterable[tuple[Rapport, Path]],
    formats: tuple[str, ...],
    workers: int,
    lot: Lot,
    settings: Settings,
) -> None:
    """Draw the charts here, write the files in ``workers`` processes (here when 1)."""
    with ExitStack() as stack:
        pool = None
        if workers > 1:
            # spawn, not fork: this process holds DuckDB and Chromium threads. Each worker
            # loads WeasyPrint as it starts; the warm-up tasks start them all now.
            context = multiprocessing.get_context("spawn")
            initializer = _warm_pdf_writer if "pdf" in formats else None
            pool = stack.enter_context(
                ProcessPoolExecutor(workers, mp_context=context, initializer=initializer)
            )
            for _ in range(workers):
                pool.submit(_started)
        elif "pdf" in formats:
            # A failure here surfaces again, in this thread, at the first write.
            threading.Thread(target=_warm_pdf_writer, daemon=True).start()
        renderer = (
            stack.enter_context(Renderer(settings.chart_timeout_seconds))
            if "pdf" in formats
            else None
        )
        pending: list[Future] = []
        for rapport, folder in reports:
            started = time.perf_counter()
            images = {}
            if renderer is not None:
                images = {s.id: renderer.svg(s.graphique) for s in rapport.sections if s.graphique}
            lot.chrono("graphiques", time.perf_counter() - started)
            lot.instantane, lot.periode = rapport.instantane, rapport.periode
            if pool is None:
                _collect(lot, write_files(rapport, images, folder, formats))
            else:
                pending.append(pool.submit(write_files, rapport, images, folder, formats))
        for future in pending:
            _collect(lot, future.result())


def _release_pdf_writer() -> None:
    global _pdf_writer
    _pdf_writer = None


def _started() -> None:
    """A no-op task: submitting one makes the pool start a worker."""


def _warm_pdf_writer() -> None:
    with contextlib.suppress(Exception):
        pdf_writer()


def _collect(lot: Lot, result: tuple[list[Path], dict[str, float]]) -> None:
    files, timings = result
    lot.fichiers.extend(files)
    for part, seconds in timings.items():
        lot.chrono(part, seconds)


def _national(
    snapshot: SnapshotReader, periode: str | None, folder: Path, lot: Lot, contacts: Contacts
) -> Iterator:
    started = time.perf_counter()
    rapport = rapport_national(snapshot, periode, contacts=contacts)
    lot.chrono("requetes", time.perf_counter() - started)
    yield rapport, folder


def _buyers(
    snapshot: SnapshotReader,
    sirets: list[str],
    periode: str | None,
    folder: Path,
    lot: Lot,
    contacts: Contacts,
) -> Iterator:
    for siret in sirets:
        started = time.perf_counter()
        rapport = rapport_acheteur(snapshot, siret, periode, contacts=contacts)
        lot.chrono("requetes", time.perf_counter() - started)
        yield rapport, folder


def report_national(
    settings: Settings, periode: str | None = None, formats: tuple[str, ...] = FORMATS
) -> Lot:
    """The national report, in ``$CSF_HOME/reports/national/``."""
    lot = Lot()
    contacts = contacts_of(settings)
    with SnapshotReader(settings.published_db) as snapshot:
        folder = reports_dir(settings) / NATIONAL
        _write_batch(_national(snapshot, periode, folder, lot, contacts), formats, 1, lot, settings)
    _add_to_index(settings, lot)
    return lot


def report_buyers(
    settings: Settings,
    sirets: list[str] | None = None,
    periode: str | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> Lot:
    """Buyers' reports (default: every buyer with a CSF clause), in ``reports/acheteurs/``.

    Every SIRET, and the contacts file, is checked before anything is written, so a typo fails
    fast and clearly."""
    lot = Lot()
    contacts = contacts_of(settings)
    with SnapshotReader(settings.published_db) as snapshot:
        if sirets is None:
            sirets = acheteurs_avec_clauses(snapshot)
        else:
            sirets = [acheteur(snapshot, s)["siret_acheteur"] for s in sirets]
        folder = reports_dir(settings) / ACHETEURS
        workers = min(report_workers(settings), len(sirets)) or 1
        _write_batch(
            _buyers(snapshot, sirets, periode, folder, lot, contacts),
            formats,
            workers,
            lot,
            settings,
        )
    _add_to_index(settings, lot)
    return lot


def report_all(settings: Settings, periode: str | None = None) -> Lot:
    """The national report and every buyer's, both formats, for the published snapshot.

    Rendered into a staging folder first; files move into place only once all are written.
    """
    final = reports_dir(settings)
    contacts = contacts_of(settings)
    staging = final / f".lot-{uuid.uuid4().hex}"
    lot = Lot()
    try:
        with SnapshotReader(settings.published_db) as snapshot:
            periode = periode or periode_par_defaut(snapshot)

            def everything() -> Iterator:
                yield from _national(snapshot, periode, staging / NATIONAL, lot, contacts)
                yield from _buyers(
                    snapshot,
                    acheteurs_avec_clauses(snapshot),
                    periode,
                    staging / ACHETEURS,
                    lot,
                    contacts,
                )

            _write_batch(everything(), FORMATS, report_workers(settings), lot, settings)
        moved = []
        for path in lot.fichiers:
            target = final / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(target)
        lot.fichiers = moved
        with _index_lock(final):
            _write_index(final, lot)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return lot


@contextlib.contextmanager
def _index_lock(folder: Path) -> Iterator[None]:
    """Held while ``reports/index.json`` is read and rewritten: a ``csf report`` and a
    ``csf run`` finishing together never lose each other's files."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".index.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _published_id(settings: Settings) -> str | None:
    try:
        with SnapshotReader(settings.published_db) as snapshot:
            return snapshot.publication["snapshot_id"]
    except (OSError, duckdb.Error, KeyError, TypeError):
        return None


def _add_to_index(settings: Settings, lot: Lot) -> None:
    """After a single report (``csf report``): its files join the current set when that set
    comes from the same snapshot and period; a report of another period leaves the set as it
    is (the dashboard links one period's set), and so does a report of a snapshot no longer
    published (a publish happened while it was written: its figures are not the ones shown). A
    set from an older snapshot is replaced by these files."""
    if not lot.fichiers or lot.instantane != _published_id(settings):
        return
    folder = reports_dir(settings)
    with _index_lock(folder):
        try:
            index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        kept: list[Path] = []
        if index.get("instantane") == lot.instantane and index.get("periode") != lot.periode:
            return
        if index.get("instantane") == lot.instantane:
            root = folder.resolve()
            for name in index.get("fichiers", []):
                path = (folder / str(name)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    kept.append(path)
        written = [p.resolve() for p in lot.fichiers]
        merged = Lot(
            fichiers=sorted({*kept, *written}),
            instantane=lot.instantane,
            periode=lot.periode,
        )
        _write_index(folder.resolve(), merged)


def _write_index(folder: Path, lot: Lot) -> None:
    """``reports/index.json``: which snapshot and period the current set comes from."""
    index = {
        "instantane": lot.instantane,
        "periode": lot.periode,
        "fichiers": sorted(str(p.relative_to(folder)) for p in lot.fichiers),
    }
    tmp = folder / f".index.{uuid.uuid4().hex}.json"
    tmp.write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, folder / "index.json")
