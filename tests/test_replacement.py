"""Corrected exports replace, DECP republications upsert, broken files are refused one by one."""

import hashlib
import json
import os
import shutil

import duckdb
import pytest

from tests.conftest import SAMPLE, csf, status

pytestmark = pytest.mark.slow

FILES = (
    "registre_clauses_csf.csv",
    "decp_2024_2026_v2.json",
    "mlds_31_jeunes.csv",
    "mlds_31_parcours.csv",
    "mlds_31_suivis.csv",
)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def later(path, seconds=3600):
    """Give ``path`` a save time after every sample file's (a newer export)."""
    stamp = max(os.stat(SAMPLE / name).st_mtime for name in FILES) + seconds
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("replacement")
    home, inbox = root / "home", root / "inbox"
    inbox.mkdir()
    for name in FILES:
        shutil.copy2(SAMPLE / name, inbox / name)
    first = csf(home, "run", "--inbox", str(inbox))
    assert first.returncode == 0, first.stderr[-3000:]
    build = home / "warehouse" / "build.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        before = {
            "marches": con.execute("select count(*) from staging.stg_decp__marches").fetchone()[0],
            "jeunes": con.execute("select count(*) from staging.stg_mlds__jeunes").fetchone()[0],
        }

    # A corrected export of Martinique's youths: the last 20 records are gone.
    lines = (SAMPLE / "mlds_31_jeunes.csv").read_bytes().splitlines(keepends=True)
    corrected = inbox / "mlds_31_jeunes_corrige.csv"
    corrected.write_bytes(b"".join(lines[:-20]))
    later(corrected)
    # A DECP republication of one contract, with a new amount and a later publication date.
    document = json.loads((SAMPLE / "decp_2024_2026_v2.json").read_text(encoding="utf-8"))
    contract = next(c for c in document["marches"]["marche"] if c["acheteur"]["id"])
    contract.update(montant=123456.78, datePublicationDonnees="2026-09-29")
    republished = {"donneesSynthetiques": True, "marches": {"marche": [contract]}}
    (inbox / "decp_republication.json").write_text(json.dumps(republished), encoding="utf-8")
    # Files no reader can take: each is refused alone, the others still load.
    (inbox / "vide.csv").write_bytes(b"")
    (inbox / "tronque.json").write_bytes((SAMPLE / "decp_2024_2026_v2.json").read_bytes()[:5000])
    (inbox / "image.csv").write_bytes(bytes(range(256)) * 4)
    (inbox / "autre.csv").write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    (inbox / "jeunes_sans_ine.csv").write_text(
        "nom;date_naissance;code_academie;date_entree_mlds;sexe\nX;01/02/2008;24;01/10/2024;F\n",
        encoding="utf-8",
    )
    second = csf(home, "run", "--inbox", str(inbox))
    assert second.returncode == 0, second.stderr[-3000:]
    return home, build, before, contract, corrected


def test_corrected_export_replaces_the_previous_one(two_runs):
    home, build, before, _, corrected = two_runs
    with duckdb.connect(str(build), read_only=True) as con:
        jeunes = con.execute("select count(*) from staging.stg_mlds__jeunes").fetchone()[0]
        corrected_youths = con.execute(
            "select count(distinct jeune_id) from raw.mlds_jeunes where _file_sha256 = ?",
            [sha(corrected)],
        ).fetchone()[0]
        gone = con.execute(
            "select count(*) from staging.stg_mlds__jeunes where jeune_id not in "
            "(select jeune_id from raw.mlds_jeunes where _file_sha256 = ?)",
            [sha(corrected)],
        ).fetchone()[0]
    assert jeunes == corrected_youths < before["jeunes"]
    assert gone == 0  # nothing survives from the replaced export
    files = {os.path.basename(f["file"]): f for f in status(home)["files"]}
    old = files["mlds_31_jeunes.csv"]
    assert old["status"] == "loaded" and old["replaced_by"] == corrected.name  # ledger keeps both
    assert files[corrected.name]["replaced_by"] is None
    assert files[corrected.name]["scope"] == old["scope"] == "academie:31"


def test_decp_republication_upserts_by_uid(two_runs):
    _, build, before, contract, _ = two_runs
    uid = contract["acheteur"]["id"] + contract["id"]
    with duckdb.connect(str(build), read_only=True) as con:
        count = con.execute("select count(*) from staging.stg_decp__marches").fetchone()[0]
        row = con.execute(
            "select montant, nb_publications from staging.stg_decp__marches where uid = ?", [uid]
        ).fetchone()
    assert count == before["marches"]
    assert row == (123456.78, 2)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("vide.csv", "vide"),
        ("tronque.json", "tronqué"),
        ("image.csv", "binaire"),
        ("autre.csv", "format inconnu"),
        ("jeunes_sans_ine.csv", "colonnes obligatoires absentes pour mlds_jeunes : ine"),
    ],
)
def test_each_broken_file_is_refused_with_a_clear_message(two_runs, name, message):
    home, build, *_ = two_runs
    files = {os.path.basename(f["file"]): f for f in status(home)["files"]}
    assert files[name]["status"] == "rejected"
    assert message in files[name]["message"]
    with duckdb.connect(str(build), read_only=True) as con:
        left = con.execute(
            "select count(*) from ingest.quarantine where file_name = ?", [name]
        ).fetchone()[0]
    assert left == 0  # nothing half-loaded


def test_every_other_file_loaded(two_runs):
    home, *_ = two_runs
    files = status(home)["files"]
    loaded = [f for f in files if f["status"] == "loaded"]
    assert len(loaded) == len(FILES) + 2
    for f in loaded:
        assert f["rows_read"] == f["rows_clean"] + f["rows_quarantined"]
