"""Personal data at the edges (issue 19, point 5): columns outside the contract, INEs typed by
hand, free text typed by operators. Reader-level tests first, then the real ``csf run`` on a small
inbox built from the sample with hostile extra columns and values."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.exports.microdata import RELEASABLE_CODES
from pipelines.ingest import parsing as p
from pipelines.ingest.csv_reader import read_csv_export
from pipelines.ingest.privacy import PERSONAL_NAME_PATTERN, header_label, mask_identifiers
from pipelines.ingest.sources import (
    CODE_AUTRE,
    CSF_CLAUSES,
    CSV_SOURCES,
    DERNIERES_CLASSES,
    MLDS_JEUNES,
    MLDS_PARCOURS,
    MOTIFS_INTERRUPTION,
    SYNTHETIC_MARKER,
)
from tests.conftest import SAMPLE, csf, status

KEY = b"k" * 32
TODAY = date(2026, 11, 25)

# INE variants as operators type them (data-contracts.md: 10 digits + 1 letter, 9 digits + 2).
INE_VARIANTS = [
    "4168537143Z",
    "4168537143z",
    "4168537143 Z",
    "4168 537 143Z",
    "4168 537 143 z",
    "4168.537.143.Z",
    "4168-537-143-Z",
    "4168537143-z",
    "4168\u00a0537\u00a0143\u00a0Z",
    "123456789AB",
    "123456789ab",
    "123 456 789 AB",
    "123.456.789.ab",
    "123-456-789-A-B",
]
# Values that look a little like an INE and must stay as they are.
NOT_INE = [
    "82870437904664",  # SIRET
    "828 704 379 04664",
    "CSF-2023-00013",
    "45316110-9",  # CPV with its check digit
    "P000006",
    "2023-04-25",
    "1 234 567,50",
    "0612345678 appelle",  # a phone (masked as a phone, not as an INE)
]


@pytest.mark.parametrize("variant", INE_VARIANTS)
def test_ine_variants_are_masked_in_any_column(variant):
    for text in (variant, f"abandon, INE {variant}.", f"({variant})"):
        masked = pl.select(mask_identifiers(pl.lit(text))).item()
        assert "[INE masqué]" in masked, text
        assert not re.search(r"\d{3}", masked), masked


@pytest.mark.parametrize("value", NOT_INE)
def test_ine_masking_leaves_other_codes_alone(value):
    assert "INE" not in pl.select(mask_identifiers(pl.lit(value))).item()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


JEUNES_HEADER = [
    "INE",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Sexe",
    "Code académie",
    "Date entrée MLDS",
    "Dernière classe",
    "UAI établissement origine",
    "Responsable légal",
    "NIR",
    "Observations",
]


def test_ine_typed_with_separators_or_lower_case_is_the_same_youth():
    rows = [JEUNES_HEADER] + [
        [ine, "X", "Y", "01/11/2006", "M", "24", "01/10/2023", "3e", "", "", "", ""]
        for ine in ("4168537143Z", "4168.537.143.z", "4168 537 143-Z")
    ]
    load = read_csv_export(_csv(rows), MLDS_JEUNES, KEY, TODAY)
    # One youth: the variants are the same INE (the later rows are its duplicates).
    assert load.clean["jeune_id"].n_unique() == 1
    assert set(load.quarantine["rule"]) == {"doublon:ine+date_entree_mlds"}


def test_unknown_extra_columns_are_dropped_unread_and_counted():
    hostile = ["Jean Dupont", "1850775123456", "née le 12/03/2008, 3 rue des Lilas"]
    rows = [
        JEUNES_HEADER,
        ["4168537143Z", "A", "B", "12/03/2008", "F", "24", "01/10/2023", "3e", "0", *hostile],
        # Quarantined (unknown sex): its record must be as minimised as a clean row.
        ["223456789AB", "A", "B", "12/03/2008", "Z", "24", "01/10/2023", "3e", "0", *hostile],
    ]
    load = read_csv_export(_csv(rows), MLDS_JEUNES, KEY, TODAY)
    assert (load.clean.height, load.quarantine.height) == (1, 1)
    text = load.clean.write_csv() + load.quarantine.write_csv()
    for secret in (*hostile, "Dupont", "Lilas", "12/03/2008", "4168537143"):
        assert secret not in text
    assert load.clean["extra_columns"].to_list() == [None]
    assert load.dropped_columns == 3
    assert load.dropped_labels == ["responsable_legal", "nir", "observations"]
    assert set(json.loads(load.quarantine["record"][0])) >= {"jeune_id", "sexe"}
    assert "observations" not in load.quarantine["record"][0]


def test_an_allowed_extra_column_is_kept_the_others_dropped():
    header = [
        "Identifiant clause",
        "Identifiant marché",
        "SIRET acheteur",
        "Date de notification du marché",
        "Heures parcours",
        "Académie parcours",
        "Code CPV",
        "Commentaire acheteur",
        "Données synthétiques",
    ]
    row = ["C1", "M1", "19240001800018", "01/02/2024", "150", "24", "45210000", "M. Dupont", "oui"]
    load = read_csv_export(_csv([header, row]), CSF_CLAUSES, KEY, TODAY)
    assert json.loads(load.clean["extra_columns"][0]) == {"code_cpv": "45210000"}
    assert (load.dropped_columns, load.dropped_labels) == (1, ["commentaire_acheteur"])
    assert load.is_synthetic  # the marker is part of the contract, not an extra column


def test_allow_lists_hold_no_contract_or_personal_looking_column():
    for source in CSV_SOURCES.values():
        contract = {c.name for c in source.columns} | set(source.personal) | {SYNTHETIC_MARKER}
        for name in source.extra_allowed:
            assert name == p.normalise_column_name(name) and name not in contract
            assert not re.search(PERSONAL_NAME_PATTERN, name), (source.name, name)
    assert MLDS_JEUNES.extra_allowed == MLDS_PARCOURS.extra_allowed == ()


@pytest.mark.parametrize(
    ("header", "label"),
    [
        ("NIR 1850775123456", "nir_#"),
        ("Tél. 06 12 34 56 78", "tel_#"),
        ("Colonne 12", "colonne_12"),
        ("marie.dupont@exemple.fr", "marie_dupont_exemple_fr"),
        ("INE 4168537143Z", "ine_#z"),
        ("Né le 12/03/2008", "ne_le_#"),
        ("x" * 60, "x" * 39 + "…"),
    ],
)
def test_dropped_headers_are_shown_normalised_without_identifiers(header, label):
    assert header_label(p.normalise_column_name(header)) == label


PARCOURS_HEADER = [
    "Identifiant parcours",
    "INE",
    "Identifiant clause",
    "Date début",
    "Statut",
    "Motif interruption",
]


def test_free_text_is_coded_to_reviewed_categories():
    motifs = {
        "P1": ("Déménagement", "demenagement"),
        "P2": ("RAISON DE SANTÉ", "raisons_personnelles"),
        "P3": ("entrée en apprentissage", "entree_formation_emploi"),
        "P4": ("INE 4168 537 143 Z : le jeune a abandonné", CODE_AUTRE),
        "P5": ("Jean Dupont, 3 rue des Lilas", CODE_AUTRE),
        "P6": ("", None),
        "P7": ("fin_entreprise", "fin_entreprise"),  # a code is accepted as itself
    }
    rows = [PARCOURS_HEADER] + [
        [pid, "4168537143Z", "C1", "01/02/2024", "interrompu", text]
        for pid, (text, _) in motifs.items()
    ]
    rows.append(["P8", "4168537143Z", "C1", "01/02/2024", "statut inconnu", "Jean Dupont"])
    load = read_csv_export(_csv(rows), MLDS_PARCOURS, KEY, TODAY)
    coded = dict(zip(load.clean["id_parcours"], load.clean["motif_interruption"], strict=True))
    assert coded == {pid: code for pid, (_, code) in motifs.items()}
    record = json.loads(load.quarantine["record"][0])
    assert record["motif_interruption"] == CODE_AUTRE  # quarantine holds the code too
    text = load.clean.write_csv() + load.quarantine.write_csv()
    assert "Dupont" not in text and "4168" not in text


def test_mapping_files_are_reviewed_closed_sets():
    for labels in (MOTIFS_INTERRUPTION, DERNIERES_CLASSES):
        keys: dict[str, str] = {}
        for label, code in labels.items():
            assert re.fullmatch(r"[a-z0-9_]+", code), code
            # Two labels that read the same must not mean two codes.
            assert keys.setdefault(p.normalise_label(label), code) == code, label
        assert CODE_AUTRE not in labels.values()
    assert RELEASABLE_CODES["motif_interruption"] == set(MOTIFS_INTERRUPTION.values()) | {
        CODE_AUTRE
    }


# --- The real csf run on a small hostile inbox -------------------------------------------------

HOSTILE = {
    "responsable_legal": "Jean Dupont-Hostile",
    "nir": "1850775123456",
    "observations": "née le 12/03/2008, 3 rue des Lilas-Hostile, INE 4168 537 143 z",
    "motif": "Jean Dupont-Hostile a abandonné (INE 4168.537.143.Z)",
    "commentaire": "appeler M. Dupont-Hostile",
}
RARE_SECTOR = "Boulangerie artisanale de Trifouilly"
NEEDLES = [
    "Dupont-Hostile",
    "Lilas-Hostile",
    "1850775123456",
    "12/03/2008",
    "4168 537 143",
    "4168.537.143",
    "4168-537-143",
    "4168537143",
    "123 456 789",
]


def _read_sample(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    separator = max(";,\t", key=text.split("\n", 1)[0].count)
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=separator) if r]


def _column(rows: list[list[str]], name: str) -> int:
    return next(i for i, h in enumerate(rows[0]) if p.normalise_column_name(h) == name)


def _hostile_inbox(inbox: Path) -> None:
    inbox.mkdir()
    (inbox / "decp_2024_2026_v2.json").write_bytes((SAMPLE / "decp_2024_2026_v2.json").read_bytes())
    jeunes = _read_sample(SAMPLE / "mlds_24_jeunes.csv")
    classe, uai, sexe = (
        _column(jeunes, c) for c in ("derniere_classe", "uai_etablissement_origine", "sexe")
    )
    jeunes[1][classe] = "4168.537.143.Z"
    jeunes[2][uai] = "4168 537 143z"
    quarantined = list(jeunes[3])
    quarantined[sexe], quarantined[uai] = "inconnu", "123 456 789 ab"
    jeunes.append(quarantined)
    jeunes[0] += ["Responsable légal", "NIR", "Observations"]
    for row in jeunes[1:]:
        row += [HOSTILE["responsable_legal"], HOSTILE["nir"], HOSTILE["observations"]]
    (inbox / "mlds_24_jeunes.csv").write_bytes(_csv(jeunes))

    parcours = _read_sample(SAMPLE / "mlds_24_parcours.csv")
    motif, statut, ident = (
        _column(parcours, c) for c in ("motif_interruption", "statut", "identifiant_parcours")
    )
    interrupted = [r for r in parcours[1:] if p.normalise_label(r[statut]) == "interrompu"]
    assert interrupted
    for row in interrupted[:3]:
        row[motif] = HOSTILE["motif"]
    bad = list(interrupted[0])
    bad[ident], bad[statut] = "PX00001", "statut inconnu"
    parcours.append(bad)
    (inbox / "mlds_24_parcours.csv").write_bytes(_csv(parcours))
    (inbox / "mlds_24_suivis.csv").write_bytes((SAMPLE / "mlds_24_suivis.csv").read_bytes())

    register = _read_sample(SAMPLE / "registre_clauses_csf.csv")
    objet, clause, secteur = (
        _column(register, c)
        for c in ("objet_du_marche", "identifiant_clause", "secteur_activite_entreprise")
    )
    register[1][objet] = "Nettoyage, référent 4168-537-143-Z"
    # A sector typed for one clause only, which hosts a parcours: it would name the company.
    hosting = parcours[1][_column(parcours, "identifiant_clause")]
    for row in register[1:]:
        if row[clause] == hosting:
            row[secteur] = RARE_SECTOR
    register[0] += ["Code CPV", "Commentaire acheteur"]
    for row in register[1:]:
        row += ["45210000", HOSTILE["commentaire"]]
    (inbox / "registre_clauses_csf.csv").write_bytes(_csv(register))


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    _hostile_inbox(root / "inbox")
    home = root / "home"
    result = csf(home, "run", "--inbox", str(root / "inbox"))
    assert result.returncode == 0, result.stderr[-3000:]
    return home


def _text_cells_holding(con: duckdb.DuckDBPyConnection, needles: list[str]) -> list[tuple]:
    """(table, column, needle) for every text or JSON cell of the database holding a needle."""
    tables: dict[str, list[str]] = {}
    for database, schema, table, column in con.execute(
        "select database_name, schema_name, table_name, column_name from duckdb_columns() "
        "where data_type in ('VARCHAR', 'JSON') and not internal"
    ).fetchall():
        tables.setdefault(f'"{database}"."{schema}"."{table}"', []).append(column)
    found = []
    for relation, columns in tables.items():
        pairs = [(c, n) for c in columns for n in needles]
        counts = con.execute(
            "select "
            + ", ".join(
                f"count(*) filter (where contains(lower(\"{c}\"::varchar), '{n.lower()}'))"
                for c, n in pairs
            )
            + f" from {relation}"
        ).fetchone()
        found += [(relation, c, n) for (c, n), hits in zip(pairs, counts, strict=True) if hits]
    return found


@pytest.mark.slow
def test_no_hostile_value_reaches_any_warehouse_table_quarantine_or_release(hostile_home):
    warehouse = hostile_home / "warehouse"
    databases = sorted(warehouse.glob("*.duckdb"))
    assert {d.name for d in databases} >= {"build.duckdb", "published.duckdb"}
    for db in databases:
        blob = db.read_bytes()
        assert not [n for n in NEEDLES if n.encode() in blob], db.name
        with duckdb.connect(str(db), read_only=True) as con:
            assert _text_cells_holding(con, NEEDLES) == [], db.name
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        # The hostile rows are there, masked or coded: clean and quarantined.
        assert (
            con.execute(
                "select count(*) from ingest.quarantine where source = 'mlds_jeunes' "
                "and record->>'sexe' = 'inconnu' and record->>'uai_etablissement_origine' "
                "= '[INE masqué]' and record->>'derniere_classe' is not null"
            ).fetchone()[0]
            == 1
        )
        assert con.execute(
            "select list(distinct record->>'motif_interruption') from ingest.quarantine "
            "where source = 'mlds_parcours' and record->>'id_parcours' = 'PX00001'"
        ).fetchone()[0] == [CODE_AUTRE]
        assert (
            con.execute(
                "select count(*) from raw.mlds_jeunes where extra_columns is not null"
            ).fetchone()[0]
            == 0
        )
        assert (
            con.execute(
                "select count(*) filter (where extra_columns->>'code_cpv' = '45210000'), count(*) "
                "from raw.csf_clauses"
            ).fetchone()
            == (con.execute("select count(*) from raw.csf_clauses").fetchone()[0],) * 2
        )
        assert (
            con.execute(
                "select count(*) from raw.csf_clauses where objet_marche like '%[INE masqué]%'"
            ).fetchone()[0]
            == 1
        )
    releases = list((hostile_home / "exports").glob("auto-*"))
    assert len(releases) == 1
    for path in releases[0].rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".md", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [n for n in NEEDLES if n in text], path.name


@pytest.mark.slow
def test_free_text_reaches_marts_and_microdata_only_as_codes(hostile_home):
    with duckdb.connect(
        str(hostile_home / "warehouse" / "published.duckdb"), read_only=True
    ) as con:
        motifs = {
            m
            for (m,) in con.execute(
                "select distinct motif_interruption from marts.fct_parcours "
                "where motif_interruption is not null"
            ).fetchall()
        }
        classes = {
            c
            for (c,) in con.execute(
                "select derniere_classe from marts.fct_parcours union "
                "select derniere_classe from marts.fct_jeunes_comparaison"
            ).fetchall()
            if c is not None
        }
        rare = con.execute(
            "select count(*) from marts.fct_parcours where secteur = ?", [RARE_SECTOR]
        ).fetchone()[0]
        common = {
            s
            for (s,) in con.execute(
                "select secteur from marts.fct_parcours group by secteur "
                "having count(distinct siret_entreprise) >= 5"
            ).fetchall()
        }
    assert CODE_AUTRE in motifs <= RELEASABLE_CODES["motif_interruption"]
    assert CODE_AUTRE in classes <= RELEASABLE_CODES["derniere_classe"]
    assert rare > 0  # the warehouse keeps it...
    release = next((hostile_home / "exports").glob("auto-*"))
    sectors = {r["secteur"] for r in _release_rows(release, "microdonnees_parcours")} - {""}
    assert RARE_SECTOR not in sectors and CODE_AUTRE in sectors  # ...the release does not
    assert sectors - {CODE_AUTRE} <= common and sectors - {CODE_AUTRE}
    for name, columns in (
        ("microdonnees_parcours", ("motif_interruption", "derniere_classe")),
        ("microdonnees_jeunes_comparaison", ("derniere_classe",)),
    ):
        rows = _release_rows(release, name)
        assert rows, name
        for column in columns:
            values = {r[column] for r in rows} - {""}
            assert values and values <= RELEASABLE_CODES[column], (name, column, values)


def _release_rows(release: Path, name: str) -> list[dict[str, str]]:
    path = next(release.rglob(f"{name}.csv"))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=_delimiter(path)))


def _delimiter(path: Path) -> str:
    head = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    return max(";,\t", key=head.count)


@pytest.mark.slow
def test_dropped_columns_are_counted_per_file_in_the_ledger_and_status(hostile_home):
    files = {Path(f["file"]).name: f for f in status(hostile_home)["files"]}
    assert {f["status"] for f in files.values()} == {"loaded"}
    jeunes = files["mlds_24_jeunes.csv"]
    assert jeunes["extra_columns_dropped"] == 4
    assert jeunes["extra_columns_dropped_labels"] == [
        "telephone",
        "responsable_legal",
        "nir",
        "observations",
    ]
    assert files["registre_clauses_csf.csv"]["extra_columns_dropped"] == 1  # code_cpv is kept
    assert files["mlds_24_parcours.csv"]["extra_columns_dropped"] == 0
    assert files["decp_2024_2026_v2.json"]["extra_columns_dropped"] is None
    text = csf(hostile_home, "status")
    assert text.returncode == 0, text.stderr
    assert (
        "4 colonne(s) hors contrat écartée(s) sans être lue(s) : telephone, responsable_legal, "
        "nir, observations" in text.stdout
    )
    with duckdb.connect(str(hostile_home / "warehouse" / "build.duckdb"), read_only=True) as con:
        ledger = dict(
            con.execute(
                "select file_name, extra_columns_dropped from ingest.file_ledger"
            ).fetchall()
        )
    assert ledger["mlds_24_jeunes.csv"] == 4 and ledger["mlds_24_suivis.csv"] == 0
