"""One block, three renderings: for a filtered view, the dashboard's table (the page and its CSV),
the PDF report's table and the workbook's sheet of the same block hold the same figures, read
back from the real files (pdftotext, openpyxl) and the real server."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
import requests

from dashboards.components import LIGNES_MAX
from dashboards.downloads import nombre_csv
from dashboards.response_cache import page_request
from dashboards.server import served_in_background
from pipelines.content.table import Type
from pipelines.reports.xlsx import LIGNE_ENTETE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dashboard(demo_home):
    with served_in_background({**os.environ, "CSF_HOME": str(demo_home)}) as url:
        yield url


def _csv(url: str) -> list[list[str]]:
    response = requests.get(url, timeout=30)
    assert response.ok, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _sheet(path: Path, name: str) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path, read_only=True)[name]
    rows = [list(r) for r in sheet.iter_rows(min_row=LIGNE_ENTETE + 1, values_only=True)]
    header = rows[0]
    width = len([h for h in header if h])
    body = []
    for row in rows[1:]:
        if not any(row[:width]):
            break
        body.append(row[:width])
    return [header[:width], *body]


def _pdf(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _table(node: object, table_id: str) -> list[list[str]] | None:
    """The rows of text (header first) of the table ``table_id`` in a Dash layout."""
    if isinstance(node, list):
        for child in node:
            found = _table(child, table_id)
            if found is not None:
                return found
        return None
    if not isinstance(node, dict):
        return None
    props = node.get("props", node)  # a component, or the response's plain mapping
    if props.get("id") == table_id:
        return [_cells(tr) for tr in _find(props, "Tr")]
    for value in props.values():
        found = _table(value, table_id)
        if found is not None:
            return found
    return None


def _find(node: object, kind: str) -> list[dict]:
    if isinstance(node, list):
        return [n for child in node for n in _find(child, kind)]
    if not isinstance(node, dict):
        return []
    if node.get("type") == kind:
        return [node]
    return [n for value in node.get("props", node).values() for n in _find(value, kind)]


def _cells(tr: dict) -> list[str]:
    return [str(cell["props"].get("children", "")) for cell in tr["props"]["children"]]


def _typed(value: object) -> str:
    """A workbook cell as the typed CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",")


def _report(home: Path, fragment: str, suffix: str) -> Path:
    index = json.loads((home / "reports" / "index.json").read_text(encoding="utf-8"))
    found = [f for f in index["fichiers"] if fragment in f and f.endswith(suffix)]
    assert len(found) == 1, found
    return home / "reports" / found[0]


def test_the_buyers_clause_list_is_the_same_on_the_page_in_the_pdf_and_the_workbook(
    dashboard, demo_home
):
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        siret = con.execute(
            "select siret_acheteur from marts.dim_acheteurs order by nb_clauses_csf desc limit 1"
        ).fetchone()[0]
    url = f"{dashboard}/telecharger/clauses-acheteur.csv?acheteur={siret}"
    typed, shown = _csv(url), _csv(url + "&format=affiche")
    # The page's table is the displayed CSV, cell for cell.
    page = requests.post(
        f"{dashboard}/_dash-update-component",
        json=page_request("/clauses", f"?acheteur={siret}"),
        timeout=30,
    ).json()
    table = _table(page, "table-clauses-acheteur")
    assert table == shown[: LIGNES_MAX + 1]  # a long list is cut on the page, whole in the CSV
    # The workbook's sheet: the same header and typed values.
    book = _sheet(_report(demo_home, f"-{siret}-", ".xlsx"), "Clauses")
    assert [str(h) for h in book[0]] == typed[0]
    assert [[_typed(v) for v in row] for row in book[1:]] == typed[1:]
    # The PDF: every clause it lists (the ones not detailed as dormant) with its figures.
    text = re.sub(r"\s+", " ", _pdf(_report(demo_home, f"-{siret}-", ".pdf")))
    header = shown[0]
    listed = [line for line in shown[1:] if line[header.index("Dormante")] == "non"]
    assert listed
    for line in listed[:50]:
        dates = f"{line[header.index('Notification')]} → {line[header.index('Fin de la clause')]}"
        assert dates in text, dates
        assert line[header.index("Heures prévues")] in text


def test_the_national_funnel_is_the_same_on_the_page_in_the_pdf_and_the_workbook(
    dashboard, demo_home
):
    index = json.loads((demo_home / "reports" / "index.json").read_text(encoding="utf-8"))
    year = index["periode"]
    url = f"{dashboard}/telecharger/entonnoir.csv?annee={year}"
    typed, shown = _csv(url), _csv(url + "&format=affiche")
    book = _sheet(_report(demo_home, "national/", ".xlsx"), "Entonnoir")
    # The CSV's headers state the unit the workbook's number formats show.
    assert [str(h) for h in book[0]] == [re.sub(r" \((%|jours)\)$", "", h) for h in typed[0]]
    kinds = [
        Type.TAUX if h.endswith("(%)") else Type.JOURS if h.endswith("(jours)") else Type.ENTIER
        for h in typed[0]
    ]
    for row, expected in zip(book[1:], typed[1:], strict=True):
        # The workbook stores the unrounded figure under its format; the CSV the rounded one.
        assert row[0] == expected[0]
        for value, cell, kind in zip(row[1:], expected[1:], kinds[1:], strict=True):
            if cell in ("", "secret"):
                assert _typed(value) == cell
            else:
                assert nombre_csv(value, kind) == cell, (row, cell)
    text = re.sub(r"\s+", " ", _pdf(_report(demo_home, "national/", ".pdf")))
    for line in shown[1:]:
        for cell in line:
            assert cell.replace("\u202f", " ").replace("\u00a0", " ") in text.replace(
                "\u202f", " "
            ).replace("\u00a0", " "), cell
