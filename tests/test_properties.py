"""Property-based tests: malformed rows and files never crash a reader, nor lose or add a row.

For any input, a reader either refuses the whole file with FileRejected (a clear message) or
accounts for every record: rows read = clean + quarantined, each quarantined row with a rule. The
number of records is computed independently here (csv / json modules), not taken from the reader.
"""

import csv
import io
import json
from datetime import date, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.csv_reader import read_csv_export
from pipelines.ingest.decp_reader import load_decp
from pipelines.ingest.errors import FileRejected
from pipelines.ingest.inbox import detect_source
from pipelines.ingest.json_scan import scan_document
from pipelines.ingest.sources import CSV_SOURCES, MLDS_JEUNES, MLDS_SUIVIS
from pipelines.warehouse.connection import ensure_schema

KEY = b"p" * 32
TODAY = date(2026, 11, 25)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Cells that real exports hold, good and bad, personal data included.
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1234567890A",
            "123456789AB",
            "12345",
            "01/02/2024",
            "2024-02-01",
            "1/2/24",
            "31/02/2024",
            "2099-01-01",
            "Sortie",
            "6 mois",
            "Retour en formation initiale",
            "apprentissage",
            "inconnu",
            "24",
            "05",
            "99",
            "oui",
            "NON",
            "1 234,50",
            "Dupont",
            "0601020304",
            "a.b@exemple.fr",
            'avec "guillemets"',
            "avec ; point-virgule",
            "deux\nlignes",
        ]
    ),
    st.text(max_size=12),
)


def _csv_bytes(header, rows, separator, encoding):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def _records_in(data: bytes) -> int | None:
    """Non-blank records after the header, by the csv module alone (None if it cannot parse)."""
    text = data.decode("utf-8-sig") if data[:3] == b"\xef\xbb\xbf" else None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    separator = max(";,\t", key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        return None
    return sum(1 for r in rows[1:] if r)


@SETTINGS
@given(
    source=st.sampled_from([MLDS_SUIVIS, MLDS_JEUNES]),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=25),
    separator=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    extra=st.booleans(),
)
def test_csv_rows_are_conserved_whatever_the_cells(source, rows, separator, encoding, extra):
    header = [c.name for c in source.columns if c.kind != "derived"][:8]
    header = [*header, *source.required_headers]
    header = list(dict.fromkeys(header)) + (["Nom", "Remarque"] if extra else [])
    width = len(header)
    # Most rows have the right width, some do not (shifted fields).
    rows = [(r * width)[:width] if i % 4 else r for i, r in enumerate(rows)]
    data = _csv_bytes(header, rows, separator, encoding)
    try:
        load = read_csv_export(data, source, KEY, TODAY)
    except FileRejected as exc:
        assert str(exc)
        return
    expected = _records_in(data)
    assert load.rows_read == load.clean.height + load.quarantine.height
    if expected is not None:
        assert load.rows_read == expected
    assert load.quarantine["rule"].null_count() == 0
    # Wherever they sit, identifiers recognisable by their form never come out (a name typed in
    # the wrong column cannot be recognised: only its own column is dropped).
    dumped = load.clean.write_csv() + load.quarantine.write_csv()
    for secret in ("1234567890A", "123456789AB", "0601020304", "a.b@exemple.fr"):
        assert secret not in dumped


@SETTINGS
@given(data=st.binary(max_size=400))
def test_any_bytes_are_refused_or_read_never_crash(data):
    try:
        source = detect_source(data)
    except FileRejected as exc:
        assert str(exc)
        return
    if source == "decp":
        return  # JSON heads are covered below
    try:
        load = read_csv_export(data, CSV_SOURCES[source], KEY, TODAY)
    except FileRejected as exc:
        assert str(exc)
        return
    assert load.rows_read == load.clean.height + load.quarantine.height


# DECP records with fields of any JSON type where the schema expects another.
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=15),
    st.sampled_from(['"]}', "\\", '\\"', "NC", "2024-02-30", "2019-04-25+02:00", "[{"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "acheteur": st.one_of(st.fixed_dictionaries({"id": JSON_SCALARS}), JSON_VALUES),
        "dateNotification": JSON_SCALARS,
        "montant": JSON_SCALARS,
        "dureeMois": JSON_SCALARS,
        "codeCPV": JSON_SCALARS,
        "titulaires": JSON_VALUES,
        "modifications": JSON_VALUES,
        "considerationsSociales": JSON_VALUES,
        "autoriteConcedante": st.fixed_dictionaries({"id": JSON_SCALARS}),
        "objet": st.text(max_size=30),
    },
)


@SETTINGS
@given(
    marches=st.lists(RECORD, max_size=8),
    concessions=st.lists(RECORD, max_size=3),
    version=st.sampled_from(["1.5", "2"]),
    cut=st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
)
def test_decp_records_are_conserved_or_the_file_refused(
    tmp_path_factory, marches, concessions, version, cut
):
    if version == "2":
        document = {"marches": {"marche": marches, "contrat-concession": concessions}}
    else:
        document = {"marches": marches + concessions}
    text = json.dumps(document, ensure_ascii=bool(cut and cut % 2), indent=cut and 1)
    data = text.encode("utf-8")
    if cut is not None and cut < len(data):
        data = data[:cut]  # truncated
    folder = tmp_path_factory.mktemp("decp")
    path = folder / "decp.json"
    path.write_bytes(data)
    con = duckdb.connect(str(folder / "w.duckdb"))
    ensure_schema(con)
    con.execute("begin transaction")
    fields = {
        "file_name": "decp.json",
        "source": "decp",
        "run_id": "h",
        "quarantined_at": datetime(2026, 11, 25),
    }
    try:
        load = load_decp(con, path, "sha", fields, folder / "work")
    except FileRejected as exc:
        con.execute("rollback")
        assert str(exc)
        assert con.execute("select count(*) from raw.decp_marches").fetchone() == (0,)
        return
    con.execute("commit")
    expected = len(marches) + len(concessions)
    assert load.rows_read == expected
    stored = sum(
        con.execute(f"select count(*) from {table}").fetchone()[0]
        for table in ("raw.decp_marches", "raw.decp_concessions", "ingest.quarantine")
    )
    assert stored == expected


@SETTINGS
@given(
    before=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=3),
    records=st.lists(JSON_VALUES, max_size=6),
    other=st.lists(JSON_VALUES, max_size=3),
    wrapper=st.sampled_from(["v1.5", "v2", "v2-concessions-first"]),
)
def test_scan_spans_hold_exactly_the_arrays(tmp_path_factory, before, records, other, wrapper):
    before = {k: v for k, v in before.items() if k != "marches"}
    if wrapper == "v1.5":
        document = {**before, "marches": records}
        expected = {("marches",): records}
    elif wrapper == "v2":
        document = {**before, "marches": {"marche": records, "contrat-concession": other}}
        expected = {("marches", "marche"): records, ("marches", "contrat-concession"): other}
    else:
        document = {"marches": {"contrat-concession": other, "marche": records}, **before}
        expected = {("marches", "marche"): records, ("marches", "contrat-concession"): other}
    path = tmp_path_factory.mktemp("scan") / "doc.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    data = path.read_bytes()
    for exact in (False, True):
        scanned = scan_document(path, exact=exact)
        found = {s.path: json.loads(data[s.start : s.end]) for s in scanned.spans}
        for key_path, value in expected.items():
            assert found.get(key_path) == value, (exact, key_path)


@pytest.mark.parametrize("cut", [1, 10, 30, -3, -1])
def test_truncated_documents_are_refused_by_the_exact_scan(tmp_path, cut):
    path = tmp_path / "doc.json"
    path.write_bytes(
        json.dumps({"marches": {"marche": [{"id": "a]"}, {"id": "b"}]}}).encode()[:cut]
    )
    with pytest.raises(ValueError):
        scan_document(path, exact=True)
