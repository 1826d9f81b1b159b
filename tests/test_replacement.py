"""Through real runs: corrected exports replace, DECP republications upsert, DECP quirks are kept
and flagged by dbt, broken files are refused one by one."""

import hashlib
import json
import os
import shutil

import duckdb
import polars as pl
import pytest

from tests.conftest import SAMPLE, csf, status

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

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
    # DECP quirks (v2) and a v1.5 package without any social-consideration field.
    shutil.copy(os.path.join(FIXTURES, "decp_quirks_v2.json"), inbox / "decp_quirks_v2.json")
    shutil.copy(os.path.join(FIXTURES, "paquet.json"), inbox / "decp_paquet_v15.json")
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
            "select montant, nb_publications from intermediate.int_decp__marches where uid = ?",
            [uid],
        ).fetchone()
    # Four new contracts come from the quirk fixtures; the republication adds none.
    assert count == before["marches"] + 4
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
    assert len(loaded) == len(FILES) + 4
    for f in loaded:
        assert f["rows_read"] == f["rows_clean"] + f["rows_quarantined"]


def _contract(build, uid):
    with duckdb.connect(str(build), read_only=True) as con:
        frame = pl.from_arrow(
            con.sql(
                "select * from intermediate.int_decp__marches where uid = $uid",
                params={"uid": uid},
            ).to_arrow_table()
        )
    assert frame.height == 1, uid
    return frame.row(0, named=True)


def test_decp_quirks_are_kept_and_flagged(two_runs):
    _, build, *_ = two_runs
    nc = _contract(build, "19750001700018Q1-NC")
    assert nc["is_duree_non_communiquee"] and nc["duree_mois"] is None
    assert nc["is_montant_fictif"] and nc["montant"] is None and nc["montant_brut"] == "1.0"
    assert (nc["code_cpv"], nc["division_cpv"], nc["categorie_cpv"]) == (
        "09310000",
        "09",
        "fournitures",
    )
    assert nc["titulaire_principal_type"] == "TVA" and nc["is_siret_titulaire_valide"] is None
    assert str(nc["date_notification"]) == "2024-02-10"
    assert nc["a_clause_sociale"] is True

    escaped = _contract(build, "19750001700018Q3-ECHAPPE")
    assert escaped["objet"].startswith('Quirk: "guillemets"') and escaped["code_cpv"] is None
    assert escaped["a_clause_sociale"] is False and escaped["is_siret_titulaire_valide"] is True


def test_decp_modifications_apply_in_notification_order(two_runs):
    _, build, *_ = two_runs
    modified = _contract(build, "19750001700018Q2-MODIFS")
    assert (modified["code_cpv"], modified["categorie_cpv"]) == ("45316110", "travaux")
    assert modified["montant_initial"] == 120000 and modified["montant"] == 200000
    assert modified["duree_mois_initiale"] == 24 and modified["duree_mois"] == 30
    assert modified["titulaires_initiaux"][0]["id"] == "12345678901234"
    # La Poste's SIRET fails Luhn but passes its own rule (python-stdnum knows it).
    assert modified["titulaire_principal_id"] == "35600000000001"
    assert modified["is_siret_titulaire_valide"] is True
    assert modified["nb_modifications"] == 2
    assert modified["a_clause_sociale"] is False and modified["a_consideration_sociale"] is True
    with duckdb.connect(str(build), read_only=True) as con:
        history = con.execute(
            "select rang_modification, montant from staging.stg_decp__modifications "
            "where uid = '19750001700018Q2-MODIFS' order by rang_modification"
        ).fetchall()
        invalid = con.execute(
            "select is_siret_valide from staging.stg_siret__validite where siret = '12345678901234'"
        ).fetchone()
    assert history == [(1, 150000.0), (2, 200000.0)]
    assert invalid == (False,)  # flagged, and the contract is still there


def test_decp_v15_social_field_is_unknown_not_no(two_runs):
    _, build, *_ = two_runs
    v15 = _contract(build, "213502388000192010345211200")
    assert v15["schema_version"] == "1.5"
    assert v15["a_clause_sociale"] is None and v15["considerations_sociales"] is None
    with duckdb.connect(str(build), read_only=True) as con:
        concessions = con.execute(
            "select count(*) from staging.stg_decp__concessions where schema_version = '1.5'"
        ).fetchone()[0]
    assert concessions >= 1
