"""Plausibility rules (issue 20, point 2): values that parse but cannot be true are quarantined
under the rule's name; the merely unusual stays clean.

Each case writes a small export in ``tmp_path``: a valid row (line 2) and, next to it, a row that
breaks exactly one rule (line 3). A last test runs the real ``csf run`` on an inbox whose exports
carry impossible rows and finds them, by rule, in the warehouse's quarantine.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import plausibility
from pipelines.ingest.csv_reader import (
    canonical_names,
    decode,
    detect_separator,
    parse_records,
    read_csv_export,
)
from pipelines.ingest.inbox import detect_source
from pipelines.ingest.sources import CSF_CLAUSES, CSV_SOURCES, MLDS_JEUNES, MLDS_PARCOURS
from pipelines.sample import DEFAULT_SEED, generate
from pipelines.sample.world import AS_OF, SCALES
from tests.conftest import SAMPLE, csf, status

KEY = b"k" * 32
LOAD_DAY = date(2026, 11, 25)

# One valid row per source (canonical column names); the unique key is set per row by `row`.
VALID: dict[str, dict[str, str]] = {
    MLDS_JEUNES.name: {
        "date_naissance": "05/03/2007",
        "sexe": "F",
        "code_academie": "24",
        "date_reperage": "01/09/2023",
        "date_entree_mlds": "12/09/2023",
        "date_sortie_mlds": "15/03/2024",
    },
    MLDS_PARCOURS.name: {
        "id_clause": "CSF-2023-00001",
        "date_positionnement": "01/10/2023",
        "date_convention": "15/10/2023",
        "date_debut": "01/11/2023",
        "date_fin_prevue": "01/02/2024",
        "date_fin_reelle": "01/02/2024",
        "heures_prevues": "450",
        "heures_realisees": "450",
        "statut": "Terminé",
    },
    CSF_CLAUSES.name: {
        "id_marche": "2023AO12345",
        "siret_acheteur": "13000000000000",
        "date_notification_marche": "01/03/2023",
        "date_fin_clause_sociale": "01/03/2025",
        "date_fin_clause_sociale_reconduction_comprise": "01/03/2026",
        "heures_parcours": "450",
        "academie_parcours": "24",
        "date_transmission_mlds": "01/04/2023",
        "date_declaration_offre": "01/05/2023",
    },
}

# (source, cells changed from the valid row, the one rule the row breaks)
BROKEN = [
    # Youths: born 2024, entered 2023 (the age, -1, is named after the birth year).
    (MLDS_JEUNES, {"date_naissance": "05/03/2024"}, "naissance_apres_entree:annee_naissance"),
    (MLDS_JEUNES, {"date_naissance": "13/09/2009"}, "age_hors_bornes:age_entree"),  # 13
    (MLDS_JEUNES, {"date_naissance": "12/09/1997"}, "age_hors_bornes:age_entree"),  # 26
    (MLDS_JEUNES, {"date_reperage": "13/09/2023"}, "ordre_dates:date_reperage>date_entree_mlds"),
    (
        MLDS_JEUNES,
        {"date_sortie_mlds": "11/09/2023"},
        "ordre_dates:date_entree_mlds>date_sortie_mlds",
    ),
    # Parcours: each pair of the chain positionnement ≤ convention ≤ début ≤ fin réelle, the
    # wider pairs when the dates between are empty; début ≤ fin prévue; hours.
    (
        MLDS_PARCOURS,
        {"date_positionnement": "16/10/2023"},
        "ordre_dates:date_positionnement>date_convention",
    ),
    (MLDS_PARCOURS, {"date_convention": "02/11/2023"}, "ordre_dates:date_convention>date_debut"),
    (MLDS_PARCOURS, {"date_fin_reelle": "31/10/2023"}, "ordre_dates:date_debut>date_fin_reelle"),
    (
        MLDS_PARCOURS,
        {"date_convention": "", "date_positionnement": "05/11/2023"},
        "ordre_dates:date_positionnement>date_debut",
    ),
    (
        MLDS_PARCOURS,
        {"date_debut": "", "date_fin_prevue": "", "date_convention": "05/02/2024"},
        "ordre_dates:date_convention>date_fin_reelle",
    ),
    (
        MLDS_PARCOURS,
        {
            "date_convention": "",
            "date_debut": "",
            "date_fin_prevue": "",
            "date_positionnement": "05/02/2024",
        },
        "ordre_dates:date_positionnement>date_fin_reelle",
    ),
    (MLDS_PARCOURS, {"date_fin_prevue": "31/10/2023"}, "ordre_dates:date_debut>date_fin_prevue"),
    (MLDS_PARCOURS, {"heures_prevues": "0"}, "heures_hors_bornes:heures_prevues"),
    (MLDS_PARCOURS, {"heures_prevues": "-150"}, "heures_hors_bornes:heures_prevues"),
    (MLDS_PARCOURS, {"heures_prevues": "1821"}, "heures_hors_bornes:heures_prevues"),
    (MLDS_PARCOURS, {"heures_realisees": "-1"}, "heures_hors_bornes:heures_realisees"),
    (MLDS_PARCOURS, {"heures_realisees": "4 500"}, "heures_hors_bornes:heures_realisees"),
    # Clauses: notification ≤ end ≤ end with renewals (the wide pair when the end is empty).
    (
        CSF_CLAUSES,
        {"date_fin_clause_sociale": "28/02/2023"},
        "ordre_dates:date_notification_marche>date_fin_clause_sociale",
    ),
    (
        CSF_CLAUSES,
        {"date_fin_clause_sociale_reconduction_comprise": "28/02/2025"},
        "ordre_dates:date_fin_clause_sociale>date_fin_clause_sociale_reconduction_comprise",
    ),
    (
        CSF_CLAUSES,
        {
            "date_fin_clause_sociale": "",
            "date_fin_clause_sociale_reconduction_comprise": "28/02/2023",
        },
        "ordre_dates:date_notification_marche>date_fin_clause_sociale_reconduction_comprise",
    ),
    (CSF_CLAUSES, {"heures_parcours": "-150"}, "heures_hors_bornes:heures_parcours"),
]

# (source, cells changed from the valid row): unusual, or at a bound, but possible: clean.
ACCEPTED = [
    (MLDS_JEUNES, {"date_naissance": "12/09/2009"}),  # 14 on the day of entry
    (MLDS_JEUNES, {"date_naissance": "13/09/1997"}),  # 25, the day before turning 26
    (MLDS_JEUNES, {"date_reperage": "12/09/2023", "date_sortie_mlds": "12/09/2023"}),  # same day
    (MLDS_JEUNES, {"date_reperage": "", "date_sortie_mlds": ""}),  # dates not known
    (MLDS_JEUNES, {"date_naissance": ""}),  # no birth date: no age to check
    (
        MLDS_PARCOURS,
        {
            f"date_{d}": "01/11/2023"
            for d in ("positionnement", "convention", "debut", "fin_prevue", "fin_reelle")
        },
    ),
    (MLDS_PARCOURS, {"date_fin_reelle": "15/12/2023"}),  # interrupted before the planned end
    (MLDS_PARCOURS, {"date_fin_reelle": "01/03/2024"}),  # extended past it
    (MLDS_PARCOURS, {"heures_realisees": "500"}),  # more hours done than planned
    (MLDS_PARCOURS, {"heures_realisees": "0"}),  # none done (stopped on day one)
    (MLDS_PARCOURS, {"heures_prevues": "1 820", "heures_realisees": "1820"}),
    (MLDS_PARCOURS, {"date_fin_reelle": "", "heures_realisees": "", "statut": "en cours"}),
    (MLDS_PARCOURS, {"date_fin_prevue": "01/06/2030"}),  # a planned end may be in the future
    (
        CSF_CLAUSES,
        {"date_fin_clause_sociale": "01/03/2023"},  # ends on notification day
    ),
    (
        CSF_CLAUSES,
        {"date_fin_clause_sociale_reconduction_comprise": "01/03/2025"},  # no renewal
    ),
    (
        CSF_CLAUSES,
        # The buyer may alert the MLDS, and the holder declare its offer, between award and
        # notification; the holder may declare to the MLDS before the buyer transmits.
        {"date_transmission_mlds": "15/02/2023", "date_declaration_offre": "10/02/2023"},
    ),
    (CSF_CLAUSES, {"heures_parcours": "0"}),  # a finding of the marts, not a refusal
    (CSF_CLAUSES, {"heures_parcours": "1000"}),
]


def row(source, index: int, cells: dict[str, str]) -> dict[str, str]:
    """The valid row of ``source`` with ``cells`` changed and a unique key of its own."""
    values = dict(VALID[source.name])
    if source is MLDS_JEUNES:
        values["ine"] = f"{index:010d}A"
    elif source is MLDS_PARCOURS:
        values |= {"ine": f"{index:010d}A", "id_parcours": f"P{index:06d}"}
    else:
        values["id_clause"] = f"CSF-2023-{index:05d}"
    return values | cells


def write_export(folder: Path, source, rows: list[dict[str, str]], drop: tuple = ()) -> Path:
    """A ``;``-separated export of ``rows`` in ``folder`` (without the ``drop`` columns)."""
    columns = [c for c in dict.fromkeys(k for r in rows for k in r) if c not in drop]
    path = folder / f"{source.name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([r.get(c, "") for c in columns] for r in rows)
    return path


def read(path: Path, source):
    return read_csv_export(path.read_bytes(), source, KEY, LOAD_DAY)


def case_id(case) -> str:
    return f"{case[0].name}-{case[-1] if isinstance(case[-1], str) else ''}-{case[1]}"


@pytest.mark.parametrize("case", BROKEN, ids=case_id)
def test_an_impossible_row_is_quarantined_under_its_rule_its_neighbour_is_clean(tmp_path, case):
    source, cells, rule = case
    path = write_export(tmp_path, source, [row(source, 1, {}), row(source, 2, cells)])
    load = read(path, source)
    assert dict(zip(load.quarantine["line_number"], load.quarantine["rule"], strict=True)) == {
        3: rule
    }
    assert load.clean["_line_number"].to_list() == [2]


@pytest.mark.parametrize("case", ACCEPTED, ids=case_id)
def test_an_unusual_but_possible_row_stays_clean(tmp_path, case):
    source, cells = case
    path = write_export(tmp_path, source, [row(source, 1, {}), row(source, 2, cells)])
    load = read(path, source)
    assert load.quarantine.height == 0, load.quarantine.to_dicts()
    assert load.clean["_line_number"].to_list() == [2, 3]


def test_every_declared_rule_has_an_impossible_row():
    declared = {name for s in CSV_SOURCES for name in plausibility.rule_names(s)}
    assert declared == {rule for *_, rule in BROKEN}


def test_every_rule_names_columns_of_its_source_of_the_right_kind():
    for rule in plausibility.RULES:
        columns = {c.name: c.kind for c in CSV_SOURCES[rule.source].columns}
        if isinstance(rule, plausibility.DateOrder):
            assert all(columns[c] == "date" for c in rule.chain), rule
        elif isinstance(rule, plausibility.Range):
            assert columns[rule.column] == "integer", rule
        else:
            assert (columns[rule.year_column], columns[rule.date_column]) == ("integer", "date")


def test_a_rule_on_a_column_the_file_lacks_is_skipped_the_dates_around_it_compared(tmp_path):
    rows = [row(MLDS_PARCOURS, 1, {}), row(MLDS_PARCOURS, 2, {"date_positionnement": "05/11/2023"})]
    path = write_export(tmp_path, MLDS_PARCOURS, rows, drop=("date_convention", "heures_prevues"))
    load = read(path, MLDS_PARCOURS)
    assert load.quarantine["rule"].to_list() == ["ordre_dates:date_positionnement>date_debut"]


@pytest.mark.parametrize(
    ("cells", "rule"),
    [
        # A date that does not parse is named by its type rule, and is null for plausibility.
        ({"date_sortie_mlds": "31/02/2024"}, "date_invalide:date_sortie_mlds"),
        # An entry after the load day is a future event before being an age of 92.
        ({"date_entree_mlds": "12/09/2099"}, "date_future:date_entree_mlds"),
        # A birth date that does not parse leaves no age: named by its own rule.
        ({"date_naissance": "le 5 mars"}, "date_invalide:date_naissance"),
    ],
)
def test_type_and_event_rules_name_a_row_before_plausibility(tmp_path, cells, rule):
    path = write_export(
        tmp_path, MLDS_JEUNES, [row(MLDS_JEUNES, 1, {}), row(MLDS_JEUNES, 2, cells)]
    )
    assert read(path, MLDS_JEUNES).quarantine["rule"].to_list() == [rule]


def plausibility_rows(folder: Path, load_day: date) -> dict[str, list[tuple[int, str]]]:
    """Per CSV export of ``folder``, the rows a plausibility rule quarantines."""
    found = {}
    for path in sorted(folder.glob("*.csv")):
        data = path.read_bytes()
        source = CSV_SOURCES[detect_source(data[:65536])]
        names = set(plausibility.rule_names(source))
        quarantine = read_csv_export(data, source, KEY, load_day).quarantine
        found[path.name] = [
            (line, rule)
            for line, rule in zip(quarantine["line_number"], quarantine["rule"], strict=True)
            if rule in names
        ]
    return found


def test_the_committed_sample_breaks_no_plausibility_rule():
    found = plausibility_rows(SAMPLE, AS_OF)
    assert len(found) == 22  # every CSV export of the demo was read
    assert {name: rows for name, rows in found.items() if rows} == {}


def test_another_generated_world_breaks_no_plausibility_rule(tmp_path):
    scale = replace(SCALES["demo"], clauses=300, other_contracts=10)
    generate(tmp_path, scale, DEFAULT_SEED + 7)
    found = plausibility_rows(tmp_path, AS_OF)
    assert {name: rows for name, rows in found.items() if rows} == {}


# The real run: copies of one académie's exports and the register, with a few clean rows made
# impossible. (file, cells changed, rule) for each row broken, in file order.
E2E_BREAKS = {
    "mlds_31_jeunes.csv": (
        MLDS_JEUNES,
        [
            ({"date_naissance": "1990-01-01"}, "age_hors_bornes:age_entree"),
            ({"date_naissance": "2031-06-01"}, "naissance_apres_entree:annee_naissance"),
            ({"date_sortie_mlds": "2022-01-01"}, "ordre_dates:date_entree_mlds>date_sortie_mlds"),
        ],
    ),
    "mlds_31_parcours.csv": (
        MLDS_PARCOURS,
        [
            (
                {"date_convention": "2021-01-01"},
                "ordre_dates:date_positionnement>date_convention",
            ),
            ({"heures_realisees": "-5"}, "heures_hors_bornes:heures_realisees"),
        ],
    ),
    "registre_clauses_csf.csv": (
        CSF_CLAUSES,
        [
            (
                {"date_fin_clause_sociale": "2021-01-01"},
                "ordre_dates:date_notification_marche>date_fin_clause_sociale",
            )
        ],
    ),
}


def break_rows(original: bytes, source, breaks: list[tuple[dict[str, str], str]]):
    """``original`` with its first clean rows changed as ``breaks`` say, in its own encoding,
    separator and line ends: the bytes and the (line number, rule) expected in quarantine."""
    clean = set(read_csv_export(original, source, KEY, AS_OF).clean["_line_number"].to_list())
    text, encoding = decode(original)
    separator = detect_separator(text)
    header, records, lines = parse_records(text, separator)
    position = {name: j for j, name in enumerate(canonical_names(header, source))}
    chosen = [i for i, line in enumerate(lines) if line in clean][: len(breaks)]
    for i, (cells, _) in zip(chosen, breaks, strict=True):
        for column, value in cells.items():
            records[i][position[column]] = value
    out = io.StringIO(newline="")
    newline = "\r\n" if "\r\n" in text else "\n"
    writer = csv.writer(out, delimiter=separator, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(records)
    data = out.getvalue().encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    _, _, new_lines = parse_records(out.getvalue(), separator)
    return data, {(new_lines[i], rule) for i, (_, rule) in zip(chosen, breaks, strict=True)}


@pytest.mark.slow
def test_csf_run_quarantines_impossible_rows_by_rule_and_publishes(tmp_path: Path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy2(SAMPLE / "mlds_31_suivis.csv", inbox / "mlds_31_suivis.csv")
    expected: set[tuple[str, int, str]] = set()
    for name, (source, breaks) in E2E_BREAKS.items():
        data, rows = break_rows((SAMPLE / name).read_bytes(), source, breaks)
        (inbox / name).write_bytes(data)
        expected |= {(name, line, rule) for line, rule in rows}
        # The reader alone finds them, and nothing else of the plausibility rules.
        assert set(plausibility_rows(inbox, AS_OF)[name]) == {(line, rule) for line, rule in rows}

    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Instantané publié" in result.stdout

    names = {n for s in CSV_SOURCES for n in plausibility.rule_names(s)}
    files = {Path(f["file"]).name: f for f in status(home)["files"]}
    for name, (_, breaks) in E2E_BREAKS.items():
        f = files[name]
        assert f["status"] == "loaded", f
        assert f["rows_read"] == f["rows_clean"] + f["rows_quarantined"]
        by_rule = {r: n for r, n in f["quarantine_by_rule"].items() if r in names}
        assert by_rule == {rule: sum(r == rule for _, r in breaks) for _, rule in breaks}

    warehouse = home / "warehouse"
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        quarantined = con.execute(
            "select file_name, line_number, rule from ingest.quarantine"
        ).fetchall()
    assert {(Path(f).name, line, rule) for f, line, rule in quarantined if rule in names} == (
        expected
    )
    # The quality page's table, in the published snapshot, counts them by rule.
    with duckdb.connect(str(warehouse / "published.duckdb"), read_only=True) as con:
        published = con.execute(
            "select fichier, regle, lignes from marts.qualite_regles"
        ).fetchall()
    assert {(Path(f).name, r, n) for f, r, n in published if r in names} == {
        (name, rule, sum(r == rule for _, r in breaks))
        for name, (_, breaks) in E2E_BREAKS.items()
        for _, rule in breaks
    }
