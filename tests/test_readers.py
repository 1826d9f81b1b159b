"""Readers on small fixtures, dirty ones included."""

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.csv_reader import read_csv_export
from pipelines.ingest.decp_reader import load_decp
from pipelines.ingest.errors import FileRejected
from pipelines.ingest.inbox import HEAD_BYTES, detect_source, scan
from pipelines.ingest.sources import CSF_CLAUSES, MLDS_JEUNES
from pipelines.warehouse.connection import ensure_schema

FIXTURES = Path(__file__).parent / "fixtures"
KEY = b"k" * 32
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0)

JEUNES = (
    "INE;Nom;Prénom;Date de naissance;Sexe;Code académie;Date entrée MLDS;Téléphone jeune;Note\r\n"
    "1234567890A;Dupont;Marie;05/03/2007;F;24;12/09/2023;0601020304;ras\r\n"
    "1234567890A;Dupont;Marie;05/03/2007;F;24;12/09/2023;0601020304;doublon\r\n"
    "12345;Martin;Léo;01/02/2006;M;24;01/10/2023;;\r\n"
    "123456789AB;Martin;Léo;01/01/2006;M;99;01/10/2023;;\r\n"
    '223456789AB;Ra;"Lé;o";01/11/2006;M;21;01/10/2023;;"deux\nlignes"\r\n'
    "323456789AB;Ra;Lé;o;01/11/2006;M;21;01/10/2023;;\r\n"
    "423456789AB;X;Y;01/11/2006;M;05;01/10/2099;;\r\n"
    "523456789AB;X;Y;01/11/2006;M;05;1/10/99;;\r\n"
)


def test_jeunes_rows_end_clean_or_quarantined_with_a_named_rule():
    load = read_csv_export(JEUNES.encode("cp1252"), MLDS_JEUNES, KEY, TODAY)
    assert (load.encoding, load.separator) == ("windows-1252", ";")
    assert load.rows_read == 8 == load.clean.height + load.quarantine.height
    assert dict(zip(load.quarantine["line_number"], load.quarantine["rule"], strict=True)) == {
        3: "doublon:ine+date_entree_mlds",
        4: "ine_invalide",
        5: "academie_inconnue:code_academie",
        8: "nombre_de_champs",
        9: "date_future:date_entree_mlds",
        10: "date_trop_ancienne:date_entree_mlds",
    }
    assert load.clean["_line_number"].to_list() == [2, 6]  # the quoted newline spans two lines


def test_personal_data_never_leaves_the_reader():
    load = read_csv_export(JEUNES.encode("utf-8-sig"), MLDS_JEUNES, KEY, TODAY)
    text = load.clean.write_csv() + load.quarantine.write_csv()
    for secret in ("1234567890A", "Dupont", "Marie", "0601020304", "05/03/2007", "2007-03-05"):
        assert secret not in text
    assert "telephone_jeune" not in load.clean.columns
    first = load.clean.row(0, named=True)
    assert (first["annee_naissance"], first["age_entree"]) == (2007, 16)
    assert len(first["jeune_id"]) == 64
    # Columns outside the contract are dropped unread and counted (no allow-list for youths).
    assert first["extra_columns"] is None
    assert (load.dropped_columns, load.dropped_labels) == (2, ["telephone_jeune", "note"])


def test_same_ine_gives_same_pseudonym_only_under_same_key():
    a = read_csv_export(JEUNES.encode(), MLDS_JEUNES, KEY, TODAY).clean["jeune_id"][0]
    b = read_csv_export(JEUNES.encode(), MLDS_JEUNES, KEY, TODAY).clean["jeune_id"][0]
    c = read_csv_export(JEUNES.encode(), MLDS_JEUNES, b"other" * 8, TODAY).clean["jeune_id"][0]
    assert a == b != c


def test_comma_and_tab_separators_are_detected():
    for sep in (",", "\t"):
        data = JEUNES.replace(";", sep).encode()
        assert read_csv_export(data, MLDS_JEUNES, KEY, TODAY).separator == sep


def test_missing_required_columns_refuse_the_file_naming_them():
    data = b"id_clause;id_marche;heures_parcours\nC1;M1;150\n"
    with pytest.raises(FileRejected, match="siret_acheteur, date_notification_marche, academie"):
        read_csv_export(data, CSF_CLAUSES, KEY, TODAY)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"marches": [', "decp"),
        (b"ine;id_parcours;date_observation;horizon;situation\n", "mlds_suivis"),
        ("Identifiant clause;Identifiant marché;Heures parcours\n".encode("cp1252"), "csf_clauses"),
    ],
)
def test_source_is_detected_from_content(head, expected):
    assert detect_source(head) == expected


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_character_cut_by_the_end_of_the_first_bytes_read_is_no_error(tmp_path, bom):
    """The inbox reads a file's first 64 KiB to tell its source: a valid UTF-8 file whose
    « é » straddles that boundary is detected and loaded, not refused (a national-scale
    académie's export was, with or without BOM)."""
    header = "INE;Nom;Prénom;Date de naissance;Sexe;Code académie;Date entrée MLDS\r\n"
    line = "1234567890A;Dupont;Léa;05/03/2007;F;24;12/09/2023\r\n"
    prefix = bom + header.encode()
    cut = HEAD_BYTES - 1  # the first byte of a two-byte « é » lands at the last byte read
    filler = "x" * (cut - len(prefix) - len("1234567890A;") - len(";L"))
    row = f"1234567890A;{filler};Léa;05/03/2007;F;24;12/09/2023\r\n".encode()
    data = prefix + row + line.encode() * 10
    assert data[cut : cut + 2] == "é".encode()
    assert detect_source(data[:HEAD_BYTES]) == "mlds_jeunes"
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "mlds_24_jeunes.csv").write_bytes(data)
    [item] = scan(tmp_path / "inbox", set(), {})
    assert item.source == "mlds_jeunes" and item.problem is None


@pytest.mark.parametrize("head", [b"", b"\x00\x01\x02", b'{"autre": 1}', b"a;b;c\n1;2;3\n"])
def test_unknown_content_is_refused_with_a_message(head):
    with pytest.raises(FileRejected):
        detect_source(head)


def load_decp_file(path, tmp_path):
    """Load one DECP file into a fresh warehouse, as the pipeline does; return it and the load."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.execute("begin transaction")
    fields = {"file_name": path.name, "source": "decp", "run_id": "t", "quarantined_at": NOW}
    try:
        load = load_decp(con, path, "sha", fields, tmp_path / "work")
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")
    return con, load


def test_decp_v2_keeps_quirks_as_read(tmp_path):
    con, load = load_decp_file(FIXTURES / "decp_test_2022.json", tmp_path)
    assert load.schema_version == "2" and load.rows_read == 5 and load.rows_quarantined == 0
    nc = (
        con.sql("select * from raw.decp_marches where duree_mois_brut = 'NC'")
        .pl()
        .row(0, named=True)
    )
    assert (
        nc["duree_mois"] is None and nc["acheteur_id"] + nc["id"] == "219740222000192022VI2022.242"
    )
    assert list((tmp_path / "work").iterdir()) == []  # span files are removed


def test_decp_v15_concessions_are_split(tmp_path):
    con, load = load_decp_file(FIXTURES / "paquet.json", tmp_path)
    assert load.schema_version == "1.5"
    assert (load.rows_marches, load.rows_concessions) == (1, 1)
    assert con.sql("select considerations_sociales from raw.decp_marches").fetchall() == [(None,)]


def test_decp_record_without_buyer_id_is_quarantined(tmp_path):
    con, load = load_decp_file(FIXTURES / "decp_test_2019.json", tmp_path)
    rules = con.sql("select rule, record from ingest.quarantine").fetchall()
    assert [rule for rule, _ in rules] == ["valeur_manquante:acheteur.id"]
    assert json.loads(rules[0][1])["acheteur_id"] is None
    assert load.rows_read == load.rows_clean + load.rows_quarantined


def test_truncated_json_is_refused_and_leaves_nothing(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes((FIXTURES / "decp_test_2022.json").read_bytes()[:500])
    with pytest.raises(FileRejected, match="JSON"):
        load_decp_file(broken, tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("select count(*) from raw.decp_marches").fetchone() == (0,)


def test_decp_v15_published_uid_is_kept(tmp_path):
    con, load = load_decp_file(FIXTURES / "mar-basique-avec-uid.json", tmp_path)
    uid = con.execute("select uid_publie from raw.decp_marches").fetchone()[0]
    assert load.rows_marches == 1 and uid == "213502388000192010345211200"


def test_the_same_content_twice_in_an_inbox_is_registered_once(tmp_path):
    data = b"ine;id_parcours;date_observation;horizon;situation\n"
    (tmp_path / "a.csv").write_bytes(data)
    (tmp_path / "copie de a.csv").write_bytes(data)
    found = scan(tmp_path, set())
    assert len(found) == 1 and found[0].source == "mlds_suivis"
    assert scan(tmp_path, {found[0].sha256}) == []  # a known hash is skipped
