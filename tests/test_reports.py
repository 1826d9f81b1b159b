"""Reports for the Mission des achats: real PDFs (read back with pdftotext) and real workbooks
(read back with openpyxl), written from the snapshot ``csf run`` published on the demo sample."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from pipelines.content import cells, labels
from pipelines.content import formatting as fmt
from pipelines.content.contacts import load_contacts
from pipelines.content.table import Colonne, Masque, Tableau, Type, Valeur
from pipelines.reports.buyer import buyer_report_stem
from pipelines.reports.model import Graphique, Rapport, Section
from pipelines.reports.xlsx import COLONNE_SECRET, LIGNE_ENTETE, write_workbook
from pipelines.settings import BUNDLED_CONTACTS
from tests.conftest import ROOT, SAMPLE, csf

# ------------------------------------------------------------------ helpers


def pdf_text(path: Path) -> str:
    """The PDF's text, every kind of space made a plain one (French figures use U+202F)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[\u00a0\u202f]", " ", out)


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def french_percent(value: float) -> str:
    """Independent of the code under test: 0.2712 → '27,1 %', a half away from zero on the
    value's 15 significant digits (docs/methodologie.md, « Arrondis »)."""
    digits = Decimal(format(value, ".15g")).scaleb(2).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{digits:f}".replace(".", ",") + " %"


def published(home: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def sheet_rows(sheet) -> tuple[list[str], list[tuple]]:
    """(header, data rows) of a report sheet."""
    rows = list(sheet.iter_rows(min_row=LIGNE_ENTETE + 1, values_only=True))
    header = [h for h in rows[0] if h is not None]
    data = []
    for row in rows[1:]:
        if all(v is None for v in row):
            break
        data.append(row)
    return header, data


@pytest.fixture(scope="module")
def index(demo_home) -> dict:
    return json.loads((demo_home / "reports" / "index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def national_pdf(demo_home, index) -> Path:
    return demo_home / "reports" / "national" / f"rapport-national-{index['periode']}.pdf"


def buyer_report(home: Path, siret: str, periode: str, kind: str = "pdf") -> Path:
    """The one report of ``siret`` for ``periode`` (its name also carries the buyer's name)."""
    found = sorted(
        (home / "reports" / "acheteurs").glob(f"rapport-acheteur-*{siret}-{periode}.{kind}")
    )
    assert len(found) == 1, found
    return found[0]


def buyers_with_clauses(home: Path) -> list[str]:
    found = published(
        home, "select siret_acheteur from marts.dim_acheteurs where nb_clauses_csf > 0"
    )
    return sorted(r[0] for r in found)


# ------------------------------------------------------------------ unit: no database


def test_disclosure_thresholds_are_those_of_the_dbt_project():
    variables = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    assert variables["seuil_comptage"] == cells.SEUIL_COMPTAGE
    assert variables["seuil_denominateur"] == cells.SEUIL_DENOMINATEUR


def test_a_hidden_indicator_gives_the_one_mark_never_its_value_nor_its_rule():
    row = {
        "diffusable": False,
        "unite": "taux",
        "numerateur": 10,
        "denominateur": 19,
        "valeur": 0.526,
        "ic_bas": 0.3,
        "ic_haut": 0.7,
    }
    for field in ("valeur", "ic_bas", "ic_haut"):
        assert cells.valeur(row, field) == cells.SECRET
    assert cells.effectif(row, "denominateur") == cells.SECRET
    count = {"diffusable": False, "unite": "nombre", "numerateur": 3, "denominateur": None}
    assert cells.valeur(count) == Masque("secret", "secret statistique")
    assert cells.valeur(count | {"numerateur": 40}) == cells.SECRET
    shown = row | {"diffusable": True}
    assert cells.valeur(shown) == Valeur(0.526, Type.TAUX)
    # A rate on no one is shown, empty: no value, not a secret.
    empty = shown | {"numerateur": 0, "denominateur": 0, "valeur": None}
    assert cells.valeur(empty) is None and cells.effectif(empty, "denominateur") == 0


def test_workbook_cells_are_typed_and_hidden_cells_marked_secret(tmp_path):
    rapport = Rapport(
        titre="Essai",
        sous_titre="Classeur d'essai",
        fichier="essai",
        periode="2025",
        date_observation=date(2026, 9, 30),
        instantane="essai",
        synthetique=True,
        sections=[
            Section(
                id="s",
                titre="Section",
                onglet="Données",
                paragraphes=["Une phrase."],
                tableau=Tableau(
                    [
                        Colonne("Libellé"),
                        Colonne("Nombre", Type.ENTIER),
                        Colonne("Taux", Type.TAUX),
                        Colonne("Date", Type.DATE),
                        Colonne("Mixte", Type.ENTIER),
                    ],
                    [
                        ["a", 1234, 0.457, date(2026, 11, 25), Valeur(0.3, Type.TAUX)],
                        ["b", cells.SECRET, cells.SECRET, None, Valeur(12.5, Type.POINTS)],
                    ],
                ),
            )
        ],
    )
    book = openpyxl.load_workbook(write_workbook(rapport, tmp_path / "essai.xlsx"))
    assert book.sheetnames == ["À propos", "Données"]
    sheet = book["Données"]
    header, (first, second) = sheet_rows(sheet)
    assert header == ["Libellé", "Nombre", "Taux", "Date", "Mixte", COLONNE_SECRET]
    assert sheet.freeze_panes == f"A{LIGNE_ENTETE + 2}"
    assert sheet.auto_filter.ref == f"A{LIGNE_ENTETE + 1}:F{LIGNE_ENTETE + 3}"
    assert first[:5] == ("a", 1234, 0.457, datetime(2026, 11, 25), 0.3)
    cell = {c.column_letter: c for c in sheet[LIGNE_ENTETE + 2]}
    assert cell["B"].number_format == "#,##0"
    assert cell["C"].number_format == "0.0%"
    assert cell["D"].number_format == "dd/mm/yyyy"
    assert cell["E"].number_format == "0.0%"  # a mixed column takes each value's own format
    # Hidden: the one mark in the cell (text), an empty cell is only "no value".
    assert second[1:4] == ("secret", "secret", None)
    assert second[5] == "secret statistique"  # never which rule, nor which column
    assert first[5] is None
    notes = [r[0] for r in sheet.iter_rows(min_row=LIGNE_ENTETE + 4, values_only=True) if r[0]]
    assert fmt.LEGENDE_SECRET in notes


# ------------------------------------------------------------------ the run writes them all


@pytest.mark.slow
def test_one_browser_draws_a_batch_of_charts_each_from_its_own_figure(monkeypatch):
    """The renderer reloads kaleido's page only every few charts: a chart drawn after
    another (on either side of a reload) shows its own data and nothing of the one before."""
    from pipelines.reports import charts

    monkeypatch.setattr(charts, "RECHARGER_TOUS_LES", 3)
    figures = [
        Graphique(
            {
                "data": [{"type": "bar", "x": [f"Année {i}"], "y": [i + 1]}],
                "layout": {"title": {"text": f"Graphique numéro {i}"}},
            },
            alternative=f"Graphique {i}",
            hauteur=200,
        )
        for i in range(7)
    ]
    with charts.Renderer() as renderer:
        svgs = [renderer.svg(g) for g in figures]
    for i, svg in enumerate(svgs):
        assert svg.startswith("<svg") and 'height="200"' in svg
        assert f"Graphique numéro {i}" in svg and f"Année {i}" in svg
        assert all(f"Graphique numéro {j}<" not in svg for j in range(7) if j != i)


@pytest.mark.slow
def test_csf_run_writes_the_national_report_and_every_buyers_in_both_formats(demo_home, index):
    buyers = published(
        demo_home,
        "select siret_acheteur, nom_acheteur from marts.dim_acheteurs where nb_clauses_csf > 0",
    )
    periode = index["periode"]
    expected = {f"national/rapport-national-{periode}.{k}" for k in ("pdf", "xlsx")} | {
        f"acheteurs/{buyer_report_stem({'siret_acheteur': s, 'nom_acheteur': n}, periode)}.{k}"
        for s, n in buyers
        for k in ("pdf", "xlsx")
    }
    assert set(index["fichiers"]) == expected
    snapshot = published(demo_home, "select snapshot_id from meta.publication")[0][0]
    assert index["instantane"] == snapshot
    for name in expected:
        assert (demo_home / "reports" / name).stat().st_size > 5_000, name
    assert not list((demo_home / "reports").glob(".lot-*")), "no staging folder is left behind"
    assert "Rapports : " in (demo_home / "first_run.out").read_text()


@pytest.mark.slow
def test_national_pdf_is_a_tagged_pdf_ua_document_in_french(national_pdf):
    info = pdf_info(national_pdf)
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip().startswith("Clause sociale de formation — rapport national")
    assert int(info["Pages"]) >= 5
    metadata = subprocess.run(
        ["pdfinfo", "-meta", str(national_pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert 'pdfuaid:part="1"' in metadata  # PDF/UA-1 identification in the XMP metadata
    tags = subprocess.run(
        ["pdfinfo", "-struct", str(national_pdf)], capture_output=True, text=True, check=True
    ).stdout
    found = {line.split()[0].rstrip(":") for line in tags.splitlines() if line.strip()}
    assert {"H1", "H2", "Table", "TH", "TD", "Figure", "L"} <= found


@pytest.mark.slow
def test_national_pdf_holds_the_published_figures(demo_home, national_pdf, index):
    layout = pdf_text(national_pdf)
    text = " ".join(layout.split())
    periode = index["periode"]

    def indicator(code: str, period: str = periode) -> tuple:
        return published(
            demo_home,
            "select numerateur, denominateur, valeur, ic_bas, ic_haut from marts.indicateurs "
            "where indicateur = ? and periode = ? and niveau = 'national'",
            code,
            period,
        )[0]

    clauses = indicator("nb_clauses_csf")
    before = indicator("nb_clauses_csf", str(int(periode) - 1))
    assert f"En {periode}, {clauses[0]} clauses sociales de formation ont été notifiées " in text
    assert f"({before[0]} en {int(periode) - 1})" in text
    _, _, rate, low, high = indicator("taux_activation_6m")
    assert (
        f"{french_percent(rate)} des clauses notifiées depuis au moins six mois ont donné lieu"
        in text
    )
    assert f"(IC 95 % : {french_percent(low)} – {french_percent(high)})" in text
    share = indicator("part_marches_clause_sociale")[2]
    assert f"En {periode}, {french_percent(share)} des marchés publiés" in text
    assert "la cible nationale est de 30,0 %" in text
    observed = published(demo_home, "select date_observation from meta.publication")[0][0]
    assert f"Date d'observation : {observed:%d/%m/%Y}" in text
    assert "DONNÉES DE DÉMONSTRATION" in text
    for title in (
        "Chiffres clés",
        "Marchés avec une clause sociale",
        "Les clauses sociales de formation par statut",
        "L'activation des clauses au fil des années",
        "Où le processus bloque",
        "Le devenir des jeunes",
        "Notes de méthode",
    ):
        assert title in text
    total = published(demo_home, "select count(*) from marts.fct_clauses")[0][0]
    assert re.search(rf"^\s*Total\s+\d+\s+{total}\s*$", layout, re.M), "clauses by status"


@pytest.mark.slow
def test_hidden_cells_show_the_one_mark_in_the_pdf_and_the_workbook(demo_home, national_pdf, index):
    periode = index["periode"]
    hidden = published(
        demo_home,
        "select libelle_indicateur, valeur from marts.indicateurs where niveau = 'national' "
        "and periode = ? and indicateur = 'ecart_taux_sortie_positive_6m' and not diffusable",
        periode,
    )
    if not hidden:
        pytest.skip("the demo sample shows this écart in this period")
    label, value = hidden[0]
    # The PDF may wrap a label: its base (the final parenthesis) then goes to the next line.
    name = labels.nom_et_base(label)[0]
    text = pdf_text(national_pdf)
    line = next(x for x in text.splitlines() if x.strip().startswith(name))
    assert line.split(name, 1)[1].split()[:3] == ["secret"] * 3  # value and its interval
    assert f"{value * 100:+.1f}".replace(".", ",") not in line
    assert " ".join(fmt.LEGENDE_SECRET.split()[:8]) in " ".join(text.split())
    book = openpyxl.load_workbook(national_pdf.with_suffix(".xlsx"))
    header, rows = sheet_rows(book["Chiffres clés"])
    row = next(r for r in rows if r[0] == label)
    assert row[header.index(periode)] == "secret"
    assert row[header.index(COLONNE_SECRET)] == "secret statistique"
    shown = next(r for r in rows if r[0] == "Clauses sociales de formation")
    assert isinstance(shown[header.index(periode)], int | float)
    assert shown[header.index(COLONNE_SECRET)] is None


def _workbook_rows(path: Path) -> list[tuple[str, list, tuple]]:
    """(sheet, header, row) of every table row of a report workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    found = []
    for sheet in book.worksheets[1:]:
        rows = list(sheet.iter_rows(min_row=LIGNE_ENTETE + 1, values_only=True))
        if not rows or rows[0][0] is None:
            continue
        header = list(rows[0])
        for row in rows[1:]:
            if all(v is None for v in row):
                break
            found.append((sheet.title, header, row))
    return found


@pytest.mark.slow
def test_every_report_uses_only_the_one_secret_mark(demo_home):
    """No PDF or workbook writes an old mark ("< 5", "n.d.") nor says which rule hid a cell;
    a workbook row with a hidden cell says exactly « secret statistique »."""
    reports = demo_home / "reports"
    old_marks = re.compile(r"(?<![\w.])(n\.d\.|< ?5(?![\d,]))")
    rules = ("inférieur à 5", "au dénominateur", "dans l'un des deux groupes", "secondaire")
    pdfs = sorted(reports.rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        text = pdf_text(pdf)
        assert not old_marks.search(text), pdf.name
        assert not any(rule in text for rule in rules), pdf.name
    hidden = 0
    for path in sorted(reports.rglob("*.xlsx")):
        for sheet, header, row in _workbook_rows(path):
            values = [v for v in row if isinstance(v, str)]
            assert not any(old_marks.fullmatch(v.strip()) for v in values), (path.name, sheet)
            if COLONNE_SECRET in header:
                flag = row[header.index(COLONNE_SECRET)]
                marked = [v for v in row[: header.index(COLONNE_SECRET)] if v == fmt.SECRET]
                assert flag == ("secret statistique" if marked else None), (path.name, row)
                hidden += len(marked)
            else:
                assert fmt.SECRET not in row, (path.name, sheet, row)
    assert hidden, "the demo sample must exercise suppression in a report"


@pytest.mark.slow
def test_reports_hold_no_row_level_youth_data(demo_home, index):
    """Reports are aggregates and public procurement data: no parcours row, no youth stage or
    hours done of a clause (the buyer's list stops at « parcours commencé »)."""
    # The columns of the dashboard's parcours detail and of a clause's youth-side fields.
    youth_columns = {
        "Heures réalisées",
        "Heures prévues / réalisées",
        "Situation à 6 mois",
        "Parcours commencés",
        "Premier parcours",
    }
    youth_stages = {
        r[0]
        for r in published(
            demo_home,
            "select distinct libelle_etape from marts.fct_entonnoir_clauses "
            "where domaine = 'jeunes'",
        )
    }
    assert youth_stages == {"Parcours terminé", "Sortie positive à 6 mois"}
    buyers = sorted((demo_home / "reports" / "acheteurs").glob("*.xlsx"))
    assert buyers
    for path in [*buyers, *(demo_home / "reports" / "national").glob("*.xlsx")]:
        for sheet, header, row in _workbook_rows(path):
            # A month's row is an aggregate under secrecy (« Mouvements mensuels »), not a row of
            # a clause or parcours: its « Parcours commencés » is a count of the month.
            if header[0] != "Mois":
                assert not youth_columns & set(header), (path.name, sheet)
            if path in buyers:
                assert not youth_stages & set(row), (path.name, sheet, row)
    for path in (demo_home / "reports" / "acheteurs").glob("*.pdf"):
        text = " ".join(pdf_text(path).split())
        assert not any(stage in text for stage in youth_stages), path.name
        assert "Heures réalisées" not in text and " / réalisées" not in text, path.name


@pytest.mark.slow
def test_national_workbook_has_one_typed_sheet_per_section(national_pdf, demo_home):
    book = openpyxl.load_workbook(national_pdf.with_suffix(".xlsx"))
    assert book.sheetnames == [
        "À propos",
        "Chiffres clés",
        "Marchés clause sociale",
        "Clauses par statut",
        "Activation",
        "Académies",
        "Entonnoir",
        "Devenir des jeunes",
        "Offres et attente",
        "Mouvements mensuels",
        "Tension par académie",
        "Offres expirées",
        "Délai d'attente",
        "Méthode",
    ]
    header, rows = sheet_rows(book["Activation"])
    assert header[:4] == [
        "Année de notification",
        "Clauses notifiées depuis 6 mois ou plus",
        "Clauses activées dans les 6 mois",
        "Taux d'activation à 6 mois",
    ]
    expected = published(
        demo_home,
        "select periode, denominateur, numerateur, valeur from marts.indicateurs where "
        "indicateur = 'taux_activation_6m' and niveau = 'national' and periode != 'ensemble' "
        "and denominateur > 0 order by periode",
    )
    assert [r[:3] for r in rows] == [tuple(e[:3]) for e in expected]
    assert [r[3] for r in rows] == pytest.approx([e[3] for e in expected], rel=1e-12)
    sheet = book["Activation"]
    assert sheet.freeze_panes == f"A{LIGNE_ENTETE + 2}"
    assert sheet.auto_filter.ref.startswith(f"A{LIGNE_ENTETE + 1}:")
    assert sheet.cell(LIGNE_ENTETE + 2, 4).number_format == "0.0%"


@pytest.mark.slow
def test_buyer_report_lists_its_dormant_clauses_with_deadline_and_mlds_role(demo_home, index):
    siret, count = published(
        demo_home,
        "select siret_acheteur, count(*) from marts.fct_clauses_dormantes group by 1 "
        "order by 2 desc, 1 limit 1",
    )[0]
    pdf = buyer_report(demo_home, siret, index["periode"])
    text = pdf_text(pdf)
    dormant = published(
        demo_home,
        "select marche_id, date_limite_declaration_offre, code_academie, libelle_academie "
        "from marts.fct_clauses_dormantes where siret_acheteur = ?",
        siret,
    )
    assert len(dormant) == count
    contacts = load_contacts(BUNDLED_CONTACTS)  # the demo home has no contacts file of its own
    for marche, deadline, code, libelle in dormant:
        assert marche in text
        assert f"{deadline:%d/%m/%Y}" in text
        mlds = contacts.mlds_de(code, libelle)
        assert mlds.nom in text and mlds.courriel in text
    book = openpyxl.load_workbook(pdf.with_suffix(".xlsx"))
    header, rows = sheet_rows(book["Clauses dormantes"])
    assert len(rows) == count
    deadline_col = header.index("Date limite de l'offre")
    assert all(isinstance(r[deadline_col], datetime) for r in rows)
    header, rows = sheet_rows(book["Clauses"])
    total = published(
        demo_home, "select count(*) from marts.fct_clauses where siret_acheteur = ?", siret
    )[0][0]
    assert len(rows) == total
    assert all(isinstance(r[header.index("Heures prévues")], int) for r in rows)


@pytest.mark.slow
def test_buyer_report_compares_its_activation_with_the_national_rate(demo_home, index):
    siret, rate = published(
        demo_home,
        "select code_niveau, valeur from marts.indicateurs where indicateur = "
        "'taux_activation_6m' and niveau = 'acheteur' and periode = 'ensemble' "
        "and valeur is not null order by denominateur desc limit 1",
    )[0]
    national = published(
        demo_home,
        "select valeur from marts.indicateurs where indicateur = 'taux_activation_6m' "
        "and niveau = 'national' and periode = 'ensemble'",
    )[0][0]
    pdf = buyer_report(demo_home, siret, index["periode"])
    text = " ".join(pdf_text(pdf).split())
    assert (
        f"{french_percent(rate)} de ses clauses notifiées depuis au moins six mois ont donné "
        f"lieu à un parcours dans les six mois, contre {french_percent(national)} au niveau "
        "national" in text
    )


@pytest.mark.slow
def test_no_youth_identity_or_contact_reaches_any_report(demo_home):
    """Names, phones, INE and birth dates of the raw MLDS exports appear in no report."""
    youths = []
    for path in SAMPLE.glob("mlds_*_jeunes.csv"):
        with path.open(encoding="utf-8", errors="replace") as f:
            youths += list(csv.DictReader(f, delimiter=";"))
    assert youths
    texts = [pdf_text(p) for p in (demo_home / "reports").rglob("*.pdf")]
    for book_path in (demo_home / "reports").rglob("*.xlsx"):
        book = openpyxl.load_workbook(book_path, read_only=True)
        texts.append(
            "\n".join(
                " ".join(str(v) for v in row if v is not None)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
        )
    corpus = "\n".join(texts)
    for youth in youths[:300]:
        for secret in (youth.get("ine"), youth.get("telephone")):
            if secret and len(secret) >= 8:
                assert secret not in corpus
        if youth.get("prenom") and youth.get("nom"):
            assert f"{youth['prenom']} {youth['nom']}" not in corpus
            assert f"{youth['nom']} {youth['prenom']}" not in corpus


# ------------------------------------------------------------------ the command line


def _valid_unknown_siret(known: set[str]) -> str:
    for n in range(10**7, 10**7 + 1000):
        siren = f"{n:08d}" + luhn.calc_check_digit(f"{n:08d}")
        candidate = siren + "0001"
        candidate += luhn.calc_check_digit(candidate)
        if stdnum_siret.is_valid(candidate) and candidate not in known:
            return candidate
    raise AssertionError("no free SIRET")


@pytest.mark.slow
def test_report_command_for_one_buyer_one_format_and_one_period(demo_home):
    siret = buyers_with_clauses(demo_home)[0]
    result = csf(demo_home, "report", "--buyer", siret, "--format", "xlsx", "--period", "2024")
    assert result.returncode == 0, result.stderr
    written = [Path(p) for p in result.stdout.split()]
    assert written == [buyer_report(demo_home, siret, "2024", "xlsx")]
    book = openpyxl.load_workbook(written[0])
    assert book["À propos"]["B5"].value == "2024"  # the period line of the identity block
    assert not written[0].with_suffix(".pdf").exists()


@pytest.mark.slow
def test_report_command_national_pdf(demo_home):
    result = csf(demo_home, "report", "--national", "--format", "pdf", "--period", "2024")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.split()[0])
    assert path.name == "rapport-national-2024.pdf"
    assert "rapport national 2024" in pdf_text(path)


@pytest.mark.slow
def test_report_command_keeps_the_dashboards_report_set_current(demo_home):
    """``csf report`` of the set's snapshot and period puts its files in the set the dashboard
    links (reports/index.json); another period leaves the set as it was."""
    path = demo_home / "reports" / "index.json"
    before = json.loads(path.read_text(encoding="utf-8"))
    siret = buyers_with_clauses(demo_home)[0]
    pdf = str(buyer_report(demo_home, siret, before["periode"], "pdf").relative_to(path.parent))
    assert pdf in before["fichiers"]
    # As if the set had been written before this buyer's report existed.
    path.write_text(
        json.dumps(dict(before, fichiers=[f for f in before["fichiers"] if f != pdf])),
        encoding="utf-8",
    )
    try:
        result = csf(demo_home, "report", "--buyer", siret, "--format", "pdf")
        assert result.returncode == 0, result.stderr
        after = json.loads(path.read_text(encoding="utf-8"))
        assert after == before  # the buyer's file is back, nothing else changed
        other = str(int(before["periode"]) - 1)
        result = csf(demo_home, "report", "--national", "--format", "pdf", "--period", other)
        assert result.returncode == 0, result.stderr
        assert json.loads(path.read_text(encoding="utf-8")) == before
    finally:
        path.write_text(json.dumps(before, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.mark.slow
def test_a_report_of_a_snapshot_no_longer_published_leaves_the_set_alone(demo_home, tmp_path):
    """A ``csf report`` that finishes after a newer publish must not replace the report set of
    the snapshot shown (the dashboard would link nothing, or old figures)."""
    from pipelines.reports.build import Lot, _add_to_index
    from pipelines.settings import load_settings

    path = demo_home / "reports" / "index.json"
    before = path.read_bytes()
    stale = tmp_path / "rapport-acheteur-ancien.pdf"
    stale.write_bytes(b"%PDF-1.7")
    _add_to_index(
        load_settings(home=demo_home),
        Lot(fichiers=[stale], instantane="20200101T000000Z-ancien", periode="2025"),
    )
    assert path.read_bytes() == before


@pytest.mark.slow
def test_report_command_says_clearly_what_is_wrong(demo_home):
    known = {r[0] for r in published(demo_home, "select siret_acheteur from marts.dim_acheteurs")}
    unknown = _valid_unknown_siret(known)
    result = csf(demo_home, "report", "--buyer", unknown)
    assert result.returncode == 2
    assert f"SIRET {unknown} inconnu" in result.stderr
    assert "Traceback" not in result.stderr
    result = csf(demo_home, "report", "--buyer", "12345678901234")
    assert result.returncode == 2
    assert "n'est pas un SIRET valide" in result.stderr
    result = csf(demo_home, "report", "--national", "--period", "1999")
    assert result.returncode == 2
    assert "période 1999 absente" in result.stderr and "2025" in result.stderr
    empty = demo_home.parent / "sans-instantane"
    empty.mkdir(exist_ok=True)
    result = csf(empty, "report", "--national")
    assert result.returncode == 2
    assert "aucun instantané publié" in result.stderr


@pytest.mark.slow
def test_a_failure_midway_leaves_the_previous_reports_as_they_were(
    demo_home, tmp_path, monkeypatch
):
    import shutil

    from pipelines.reports import build
    from pipelines.settings import Settings

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy(demo_home / "warehouse" / "published.duckdb", home / "warehouse")
    shutil.copytree(demo_home / "reports", home / "reports")
    before = {p: p.read_bytes() for p in (home / "reports").rglob("*") if p.is_file()}
    calls = []

    def failing(snapshot, siret, periode=None, *, contacts):
        calls.append(siret)
        if len(calls) == 2:
            raise RuntimeError("panne simulée pendant le deuxième rapport d'acheteur")
        return real(snapshot, siret, periode, contacts=contacts)

    real = build.rapport_acheteur
    monkeypatch.setattr(build, "rapport_acheteur", failing)
    # One worker: the simulated failure happens in this process, where it was patched.
    settings = Settings(home=home, inbox=home / "inbox", report_workers=1)
    with pytest.raises(RuntimeError, match="panne simulée"):
        build.report_all(settings)
    after = {p: p.read_bytes() for p in (home / "reports").rglob("*") if p.is_file()}
    assert after == before
    assert not list((home / "reports").glob(".lot-*"))
