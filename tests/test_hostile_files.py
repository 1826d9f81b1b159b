"""One bad file never takes the others down (issue 20, point 6).

Reader-level cases run in milliseconds and bound the time of what used to be quadratic; one module
fixture runs the real ``csf run`` twice on a small inbox of good files plus hostile ones: the run
publishes, each hostile file is refused by name with a French message, the good ones load, and the
second run skips the refused files (recorded in the ledger) and publishes again."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from pipelines.ingest import inbox as inbox_module
from pipelines.ingest.csv_reader import Limits, canonical_names, read_csv_export
from pipelines.ingest.errors import FileRejected, log_name
from pipelines.ingest.inbox import REWRITTEN, scan
from pipelines.ingest.loader import load_pending, register_new_files
from pipelines.ingest.sources import MLDS_JEUNES
from pipelines.settings import load_settings
from pipelines.warehouse import connection as warehouse
from tests.conftest import SAMPLE, csf, status

KEY = b"k" * 32
JEUNES = (SAMPLE / "mlds_28_jeunes.csv").read_bytes()  # tab-separated, Windows-1252
HEADER, _, ROWS = JEUNES.partition(b"\n")


def _read(data: bytes, limits: Limits | None = None):
    return read_csv_export(data, MLDS_JEUNES, KEY, date(2026, 11, 30), limits)


def _stray_quote(size: int) -> bytes:
    """The jeunes export with a stray ``"`` before its last header name, grown past ``size``."""
    header = HEADER.replace(b";Donn", b';"Donn')
    rows = ROWS * (size // len(ROWS) + 1)
    return header + b"\n" + rows


# --- Reader level -------------------------------------------------------------------------------


def test_duplicate_and_empty_header_names_are_named_in_linear_time():
    header = ["INE", *["x"] * 2_000, *[""] * 20_000, "x_bis", "x_bis2"]
    started = time.perf_counter()
    names = canonical_names(header, MLDS_JEUNES)
    assert time.perf_counter() - started < 2
    assert len(set(names)) == len(names) == len(header)
    assert names[1:4] == ["x", "x_bis", "x_bis2"]
    assert names[2_001:2_003] == ["colonne_sans_nom", "colonne_sans_nom_bis"]


def test_thousands_of_trailing_separators_are_read_quickly():
    wide = b"\n".join(line.rstrip(b"\r") + b";" * 2_000 for line in JEUNES.split(b"\n")[:200])
    started = time.perf_counter()
    load = _read(wide)
    assert time.perf_counter() - started < 5
    assert load.rows_read == 199
    assert load.dropped_columns == _read(JEUNES).dropped_columns + 2_000


@pytest.mark.parametrize("size", [200_000, 1_200_000])
def test_a_stray_quote_in_the_header_refuses_the_file_with_a_french_message(size):
    # Python's csv field limit (128 KB) made this a _csv.Error outside the per-file guard.
    with pytest.raises(FileRejected, match="guillemet non fermé"):
        _read(_stray_quote(size))


def test_an_overlong_line_is_refused_before_decoding():
    data = HEADER + b"\n" + b"x" * 3_000_000
    started = time.perf_counter()
    with pytest.raises(FileRejected, match=r"ligne 2 trop longue.*CSF_MAX_LINE_BYTES"):
        _read(data)
    with pytest.raises(FileRejected, match="ligne 1 trop longue"):
        _read(HEADER + b";" * 2_000_000)
    assert time.perf_counter() - started < 2


def test_the_line_check_is_linear_in_the_file():
    data = (b"a" * 99 + b"\n") * 400_000  # 40 MB of short lines
    started = time.perf_counter()
    Limits(line_bytes=1_000).check_lines(data)
    assert time.perf_counter() - started < 3


def test_a_header_over_the_width_limit_is_refused():
    with pytest.raises(FileRejected, match=r"en-tête trop large : 2018 colonnes.*CSF_MAX_HEAD"):
        _read(HEADER.rstrip(b"\r") + b";" * 2_000 + b"\n" + ROWS, Limits(header_columns=2_000))


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(FileRejected, match=r"trop volumineux.*CSF_MAX_FILE_MB"):
        _read(JEUNES, Limits(file_mb=0.01))


def test_limits_are_read_from_the_settings():
    assert Limits.of(load_settings({})) == Limits(1_048_576, 16_384, 4_096)
    environ = {
        "CSF_MAX_LINE_BYTES": "1000",
        "CSF_MAX_HEADER_COLUMNS": "50",
        "CSF_MAX_FILE_MB": "2.5",
    }
    assert Limits.of(load_settings(environ)) == Limits(1_000, 50, 2.5)
    with pytest.raises(ValueError, match="CSF_MAX_FILE_MB"):
        load_settings({"CSF_MAX_FILE_MB": "0"})


def test_file_names_are_escaped_for_log_lines():
    assert log_name("mlds 23 jeunes.csv") == "mlds 23 jeunes.csv"
    assert log_name("a\nb\r\x1b[31m\u2028é.csv") == "a\\nb\\r\\x1b[31m\\u2028é.csv"
    assert "\n" not in log_name("x\n2026-11-30 - dagster - INFO - faux.csv")


def test_symlinks_out_of_the_inbox_are_refused_not_followed(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "ailleurs"
    inbox.mkdir()
    outside.mkdir()
    secret = outside / "secret.csv"
    secret.write_bytes(JEUNES)
    (inbox / "lien.csv").symlink_to(secret)
    (inbox / "dossier").symlink_to(outside, target_is_directory=True)
    (inbox / "vrai.csv").write_bytes(JEUNES + b"\n")
    (inbox / "lien_interne.csv").symlink_to(inbox / "vrai.csv")
    found = {f.path.name: f for f in scan(inbox, set())}
    for name in ("lien.csv", "dossier"):
        assert found[name].source is None
        assert (
            "lien symbolique" in found[name].problem and "hors de la boîte" in found[name].problem
        )
    # A link inside the inbox is followed; the same content as vrai.csv, it is registered once.
    inside = [found[n] for n in ("lien_interne.csv", "vrai.csv") if n in found]
    assert len(inside) == 1 and inside[0].source == MLDS_JEUNES.name and not inside[0].problem
    assert len(found) == 3  # secret.csv never reached through the linked folder
    # Refused under a key of path, size and time: a second scan knows it.
    assert scan(inbox, {f.sha256 for f in found.values()}) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused_not_raised(tmp_path):
    locked = tmp_path / "verrou.csv"
    locked.write_bytes(JEUNES)
    locked.chmod(0)
    try:
        (found,) = scan(tmp_path, set())
    finally:
        locked.chmod(0o600)
    assert found.problem.startswith("fichier illisible")


# --- The real csf run ---------------------------------------------------------------------------

GOOD = ["mlds_23_jeunes.csv", "mlds_23_parcours.csv", "mlds_23_suivis.csv"]
GOOD += ["registre_clauses_csf.csv"]
NEWLINE_NAME = "mauvais\nnom.csv"
HOSTILE = {
    "guillemet_en_tete.csv": "guillemet non fermé",  # 1.2 MB: over the csv field limit
    "guillemet_en_tete_200k.csv": "guillemet non fermé",  # over Python's 128 KB default
    "une_seule_ligne.csv": "ligne 1 trop longue",  # a 2 MB header line
    "vingt_mille_colonnes.csv": "en-tête trop large",
    "trop_gros.csv": "fichier trop volumineux",
    "lien.csv": "lien symbolique",
    NEWLINE_NAME: "séparateur introuvable",
}


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    inbox, home, outside = root / "inbox", root / "home", root / "ailleurs"
    for folder in (inbox, home, outside):
        folder.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLE / name, inbox / name)
    # 2,000 trailing separators on every line of an académie's youths: read, not refused.
    (inbox / "mlds_28_jeunes_large.csv").write_bytes(
        b"\n".join(line.rstrip(b"\r") + b";" * 2_000 for line in JEUNES.strip().split(b"\n"))
    )
    (inbox / "guillemet_en_tete.csv").write_bytes(_stray_quote(1_200_000))
    (inbox / "guillemet_en_tete_200k.csv").write_bytes(_stray_quote(200_000))
    (inbox / "une_seule_ligne.csv").write_bytes(HEADER.rstrip(b"\r") + b"x" * 2_000_000)
    (inbox / "vingt_mille_colonnes.csv").write_bytes(
        HEADER.rstrip(b"\r") + b";x" * 20_000 + b"\n" + ROWS
    )
    (inbox / "trop_gros.csv").write_bytes(HEADER + b"\n" + ROWS * (3_500_000 // len(ROWS) + 1))
    (outside / "secret.csv").write_bytes((SAMPLE / "mlds_24_jeunes.csv").read_bytes())
    (inbox / "lien.csv").symlink_to(outside / "secret.csv")
    (inbox / NEWLINE_NAME).write_bytes(b"n'importe quoi\n2026-11-30 - dagster - ERROR - faux\n")
    env = {"CSF_MAX_FILE_MB": "3", "CSF_INGEST_WORKERS": "1"}
    started = time.perf_counter()
    first = csf(home, "run", "--inbox", str(inbox), env=env)
    first_status = status(home)
    second = csf(home, "run", "--inbox", str(inbox), env=env)
    return home, first, first_status, second, time.perf_counter() - started


def test_the_run_publishes_despite_the_hostile_files(hostile_runs):
    _, first, _, second, elapsed = hostile_runs
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Instantané publié" in first.stdout
    assert second.returncode == 0, second.stderr[-3000:]
    assert elapsed < 240  # two runs; none hangs on a hostile file


def test_each_hostile_file_is_refused_by_name_with_a_french_message(hostile_runs):
    _, first, files, *_ = hostile_runs
    by_name = {Path(f["file"]).name: f for f in files["files"]}
    for name, message in HOSTILE.items():
        assert by_name[name]["status"] == "rejected", (name, by_name[name])
        assert message in by_name[name]["message"], (name, by_name[name]["message"])
        assert by_name[name]["rows_read"] is None  # nothing of it loaded
        assert f"{log_name(name)}: refusé" in first.stderr
    assert "_csv.Error" not in first.stderr and "Traceback" not in first.stderr


def test_the_good_files_load(hostile_runs):
    _, _, files, *_ = hostile_runs
    by_name = {Path(f["file"]).name: f for f in files["files"]}
    for name in [*GOOD, "mlds_28_jeunes_large.csv"]:
        assert by_name[name]["status"] == "loaded", (name, by_name[name])
        f = by_name[name]
        assert f["rows_read"] == f["rows_clean"] + f["rows_quarantined"] > 0
    assert by_name["mlds_28_jeunes_large.csv"]["extra_columns_dropped"] >= 2_000


def test_a_newline_in_a_file_name_does_not_split_a_log_line(hostile_runs):
    _, first, *_ = hostile_runs
    output = first.stderr + first.stdout
    assert "mauvais\\nnom.csv" in output
    assert not any(line.startswith("nom.csv") for line in output.splitlines())


def test_refused_files_are_recorded_and_skipped_by_the_next_run(hostile_runs):
    home, _, first_files, second, _ = hostile_runs
    after = status(home)["files"]
    assert len(after) == len(first_files["files"])  # nothing registered again
    before = {f["file"]: (f["status"], f["message"]) for f in first_files["files"]}
    assert {f["file"]: (f["status"], f["message"]) for f in after} == before
    assert "refusé" not in second.stderr  # no file was read again


# --- A file rewritten while it is read ----------------------------------------------------------


def _ledger(con) -> dict[str, tuple[str, str | None]]:
    rows = con.execute("select file_sha256, status, message from ingest.file_ledger").fetchall()
    return {sha: (status, message) for sha, status, message in rows}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("source", "sample", "table"),
    [
        ("mlds_jeunes", "mlds_28_jeunes.csv", "mlds_jeunes"),
        ("decp", "decp_2022_2023_v1.5.json", "decp_marches"),
    ],
)
def test_a_file_rewritten_after_its_hash_is_not_loaded_under_that_hash(
    tmp_path, source, sample, table
):
    """The ledger's hash is always the hash of the bytes loaded: a file rewritten between its
    inventory and its load is refused for this run (nothing of it loaded), and its final version,
    new content, is registered and loaded by the next."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export = inbox / sample
    shutil.copy(SAMPLE / sample, export)
    first = _sha(export)
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_schema(con)
        register_new_files(con, inbox, "run-1")
        # Rewritten in place (same name), as an export tool overwriting its file would.
        export.write_bytes(export.read_bytes().replace(b"2023", b"2022"))
        [outcome] = load_pending(con, source, KEY, "run-1", tmp_path)
        assert outcome.status == "rejected" and outcome.message == REWRITTEN
        assert _ledger(con)[first] == ("rejected", REWRITTEN)
        assert con.execute(f"select count(*) from raw.{table}").fetchone() == (0,)
        assert con.execute("select count(*) from ingest.quarantine").fetchone() == (0,)

        register_new_files(con, inbox, "run-2")
        [outcome] = load_pending(con, source, KEY, "run-2", tmp_path)
        assert outcome.status == "loaded"
        assert _ledger(con)[_sha(export)] == ("loaded", None)
        loaded = con.execute(
            f"select distinct _file_sha256 from raw.{table} where _file_sha256 is not null"
        ).fetchall()
        assert loaded == [(_sha(export),)]


def test_a_file_written_while_it_is_hashed_is_not_registered_under_a_mixed_hash(
    tmp_path, monkeypatch
):
    """A writer appending while the inventory hashes the file: the hash covers a version that
    never existed whole, so the file is refused for this run under its size and save time, and
    registered by the next run once it is stable."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export = inbox / "mlds_28_jeunes.csv"
    export.write_bytes(JEUNES)
    hash_whole = inbox_module.sha256_of

    def hash_while_a_writer_appends(path: Path) -> str:
        digest = hash_whole(path)
        with open(path, "ab") as handle:
            handle.write(ROWS.splitlines(keepends=True)[0])
        return digest

    monkeypatch.setattr(inbox_module, "sha256_of", hash_while_a_writer_appends)
    [item] = scan(inbox, set())
    assert item.problem == REWRITTEN and item.source is None
    monkeypatch.setattr(inbox_module, "sha256_of", hash_whole)
    [item] = scan(inbox, {item.sha256})
    assert item.problem is None and item.sha256 == _sha(export)
