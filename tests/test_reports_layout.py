"""The reports as their readers found them (issue 23, point 10): the buyer's actions on the first
page, dormant clauses grouped by holder and by MLDS, contacts from the contacts file, file names
with the buyer's name, and a national PDF without a blank page, a cut legend or an unreadable
target. Real PDFs read back with pdftotext, real workbooks with openpyxl, real charts drawn by
Chromium."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pipelines.content import figures
from pipelines.content.contacts import ContactsError, load_contacts
from pipelines.reports import buyer as buyer_module
from pipelines.reports.buyer import buyer_report_stem, dormantes_par_titulaire
from pipelines.reports.sections import pourquoi_absent
from pipelines.settings import BUNDLED_CONTACTS, Settings
from tests.conftest import SAMPLE, csf
from tests.test_reports import buyer_report, pdf_text, published, sheet_rows

SVG = "{http://www.w3.org/1999/xhtml}"
MM = 72 / 25.4  # PDF points per millimetre
MARGE_VERTICALE = 20 * MM  # rapport.css: @page margin, top and bottom


# ------------------------------------------------------------------ helpers


def page_text(path: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"[\u00a0\u202f]", " ", out)


def page_fill(path: Path) -> list[tuple[float, int]]:
    """For each page: how far down its text reaches, as a share of the area between the page's
    margins (a chart's axis labels and legend are text too), and how many lines it holds."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    found = []
    for page in root.iter(f"{SVG}page"):
        top, bottom = MARGE_VERTICALE, float(page.get("height")) - MARGE_VERTICALE
        lines = [
            float(line.get("yMax"))
            for line in page.iter(f"{SVG}line")
            if float(line.get("yMin")) >= top and float(line.get("yMax")) <= bottom
        ]
        found.append(((max(lines, default=top) - top) / (bottom - top), len(lines)))
    return found


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def clause(n: int, holder: str, deadline: date, late: bool, academie: str = "24") -> dict:
    """A dormant clause as ``rapport_acheteur`` reads it from the snapshot."""
    return {
        "clause_id": f"C{n:03d}",
        "marche_id": f"M{n:03d}",
        "objet_marche": f"Objet {n}",
        "siret_titulaire": holder,
        "nom_titulaire": f"Titulaire {holder[-3:]}",
        "date_notification": date(2024, 1, 1),
        "date_fin_clause": date(2027, 1, 1),
        "date_limite_declaration_offre": deadline,
        "est_delai_offre_depasse": late,
        "est_dormante": True,
        "etape_publique": "Clause rédigée (marché notifié)",
        "code_academie": academie,
        "libelle_academie": "Créteil",
    }


@pytest.fixture(scope="module")
def periode(demo_home) -> str:
    import json

    return json.loads((demo_home / "reports" / "index.json").read_text())["periode"]


@pytest.fixture(scope="module")
def busiest(demo_home) -> str:
    """The buyer with the most dormant clauses past their deadline (then the most dormant)."""
    return published(
        demo_home,
        "select siret_acheteur from marts.fct_clauses_dormantes group by 1 order by "
        "count(*) filter (where est_delai_offre_depasse) desc, count(*) desc, 1 limit 1",
    )[0][0]


# ------------------------------------------------------------------ file names (no database)

HOSTILE = [
    "Lycée des métiers Louis-Joseph (Créteil)",
    "../../etc/passwd",
    "CROUS / Créteil.pdf",
    "...",
    "",
    None,
    "🎓🏫✨",
    "Œuvre Ærienne Straße — « Ça »",
    "x" * 300,
    "A" * 40 + " " + "B" * 40,
    "nul\x00octet\ttab\nligne",
    "CON",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_report_file_name_is_a_safe_ascii_slug_with_the_siret(name):
    stem = buyer_report_stem({"nom_acheteur": name, "siret_acheteur": "25988000352358"}, "2025")
    assert re.fullmatch(r"rapport-acheteur-(?:[a-z0-9]+-)*25988000352358-2025", stem), stem
    assert len(stem.encode()) <= 120
    assert "--" not in stem


def test_file_names_keep_buyers_apart_and_show_the_name():
    one, other = (
        {buyer_report_stem({"nom_acheteur": n, "siret_acheteur": siret}, "2025") for n in HOSTILE}
        for siret in ("25988000352358", "39968745898489")
    )
    assert not one & other  # two buyers never share a file, whatever their names
    # Different names keep different files; names without any letter share the name-less one.
    assert len(one) == len(HOSTILE) - 3
    named = buyer_report_stem(
        {"nom_acheteur": "Lycée des métiers Louis-Joseph (Créteil)", "siret_acheteur": "1" * 14},
        "2025",
    )
    assert named == f"rapport-acheteur-lycee-des-metiers-louis-joseph-creteil-{'1' * 14}-2025"
    assert buyer_report_stem({"nom_acheteur": "🎓", "siret_acheteur": "1" * 14}, "2025") == (
        f"rapport-acheteur-{'1' * 14}-2025"
    )


def test_an_identifier_that_is_not_a_siret_stays_safe_and_distinct():
    stems = [
        buyer_report_stem({"nom_acheteur": "Acheteur", "siret_acheteur": ident}, "2025")
        for ident in ("FR 123/456", "FR-123-456", "../..", "")
    ]
    assert len(set(stems)) == len(stems)
    for stem in stems:
        assert re.fullmatch(r"[a-z0-9A-Z-]+", stem) and ".." not in stem, stem


# ------------------------------------------------------------------ grouping (no database)


def test_dormant_clauses_are_grouped_by_holder_the_group_past_a_deadline_first():
    clauses = [
        clause(1, "11111111111111", date(2026, 12, 1), False),
        clause(2, "22222222222222", date(2027, 3, 1), False),
        clause(3, "22222222222222", date(2026, 5, 1), True),
        clause(4, "11111111111111", date(2026, 11, 1), False),
        clause(5, "22222222222222", date(2026, 10, 15), False),
    ]
    mlds = {"24": load_contacts(BUNDLED_CONTACTS).mlds_de("24", "Créteil")}
    section = dormantes_par_titulaire(clauses, mlds)
    pdf = section.tableau_pdf.lignes
    assert [row[1] for row in pdf] == [3, 2]  # the holder with a deadline passed first
    assert pdf[0][0].endswith("SIRET 22222222222222")
    assert pdf[0][2] == "01/05/2026\n(dépassée)"
    assert pdf[0][3].splitlines()[0].startswith("M003 · Objet 3 · 01/05/2026 (dépassée)")
    assert [line.split(" · ")[0] for line in pdf[0][3].splitlines()] == ["M003", "M005", "M002"]
    header = [c.titre for c in section.tableau.colonnes]
    rows = [dict(zip(header, row, strict=True)) for row in section.tableau.lignes]
    assert [r["Marché"] for r in rows] == ["M003", "M005", "M002", "M004", "M001"]
    assert [r["Clauses dormantes du titulaire"] for r in rows] == [3, 3, 3, 2, 2]
    assert rows[3]["Première échéance du titulaire"] == date(2026, 11, 1)
    assert {r["MLDS à contacter"] for r in rows} == {"MLDS de l'académie de Créteil"}


def test_a_long_group_leaves_its_other_clauses_to_the_workbook():
    n = buyer_module.CLAUSES_PAR_GROUPE_PDF + 3
    clauses = [clause(i, "3" * 14, date(2027, 1, 1 + i), False) for i in range(n)]
    section = dormantes_par_titulaire(clauses, {"24": load_contacts(BUNDLED_CONTACTS).service})
    lines = section.tableau_pdf.lignes[0][3].splitlines()
    assert len(lines) == buyer_module.CLAUSES_PAR_GROUPE_PDF + 1
    assert lines[-1] == "… et 3 autres : voir le classeur Excel"
    assert len(section.tableau.lignes) == n


def test_an_empty_median_is_explained_from_its_rows_never_guessed():
    def row(**values):
        return {
            "indicateur": "delai_activation_jours",
            "unite": "jours",
            "diffusable": True,
            "valeur": None,
            "ic_bas": None,
            "numerateur": 90,
            "denominateur": 218,
        } | values

    note = pourquoi_absent(
        "Délai d'activation (médiane)",
        [("2025", row()), ("2024", row(numerateur=78, denominateur=199, ic_bas=220.0))],
    )
    assert note.startswith("Délai d'activation (médiane) « – » : médiane non atteinte")
    assert "(2025 : 90 clauses activées sur 218 ; 2024 : 78 sur 199)" in note
    assert "borne basse" in note
    assert pourquoi_absent("x", [("2025", row(valeur=120.0))]) is None
    assert pourquoi_absent("x", [("2025", row(diffusable=False))]) is None  # the mark says it
    assert pourquoi_absent("x", [("2025", None)]) is None  # no row: nothing says why
    empty = pourquoi_absent("Taux", [("2025", row(indicateur="t", unite="taux", denominateur=0))])
    assert empty == "Taux « – » (2025) : base de calcul vide, aucune observation."


# ------------------------------------------------------------------ the buyer's report


@pytest.mark.slow
def test_buyer_pdf_starts_with_the_actions_overdue_first(demo_home, periode, busiest):
    pdf = buyer_report(demo_home, busiest, periode)
    first = page_text(pdf, 1)
    assert "À faire maintenant" in first
    body = first.split("À faire maintenant", 2)[-1]  # after the table of contents' entry
    assert "Où en est l'acheteur" not in body  # the indicators come after the actions
    urgent = published(
        demo_home,
        "select marche_id, est_delai_offre_depasse, date_limite_declaration_offre "
        "from marts.fct_clauses_dormantes where siret_acheteur = ? "
        "order by est_delai_offre_depasse desc, date_limite_declaration_offre, clause_id "
        "limit ?",
        busiest,
        buyer_module.URGENTES,
    )
    assert urgent[0][1], "the demo's busiest buyer has a clause past its deadline"
    positions = [body.index(marche) for marche, _, _ in urgent]
    assert positions == sorted(positions), "overdue first, then the nearest deadline"
    for marche, late, deadline in urgent:
        line = next(x for x in body.splitlines() if marche in x)
        assert f"{deadline:%d/%m/%Y}" in line
        assert ("(dépassée)" in line) == late
    late = published(
        demo_home,
        "select count(*) from marts.fct_clauses_dormantes where siret_acheteur = ? "
        "and est_delai_offre_depasse",
        busiest,
    )[0][0]
    assert f"{late} clauses dormantes ont dépassé la date limite" in " ".join(body.split())
    fill, _ = page_fill(pdf)[0]
    assert fill > 0.75, "no half-empty first page"


@pytest.mark.slow
def test_buyer_dormant_clauses_grouped_by_holder_and_mlds_hold_the_data(
    demo_home, periode, busiest
):
    by_holder = dict(
        published(
            demo_home,
            "select siret_titulaire, count(*) from marts.fct_clauses_dormantes "
            "where siret_acheteur = ? group by 1",
            busiest,
        )
    )
    pdf = buyer_report(demo_home, busiest, periode)
    text = pdf_text(pdf)
    section = text.split("Les clauses dormantes, par titulaire")[-1]
    for siret in by_holder:
        assert f"SIRET {siret}" in section
    book = openpyxl.load_workbook(pdf.with_suffix(".xlsx"))
    header, rows = sheet_rows(book["Clauses dormantes"])
    col = {name: header.index(name) for name in header}
    assert sum(by_holder.values()) == len(rows)
    for row in rows:
        assert (
            row[col["Clauses dormantes du titulaire"]] == by_holder[row[col["SIRET du titulaire"]]]
        )
    seen = [row[col["SIRET du titulaire"]] for row in rows]
    assert [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]] == list(
        dict.fromkeys(seen)
    ), "a holder's clauses are next to each other"
    assert book["Clauses dormantes"].auto_filter.ref  # to filter and sort by group
    by_academie = dict(
        published(
            demo_home,
            "select libelle_academie, count(*) from marts.fct_clauses_dormantes "
            "where siret_acheteur = ? group by 1",
            busiest,
        )
    )
    header, rows = sheet_rows(book["Dormantes par MLDS"])
    assert {r[0]: r[header.index("Clauses dormantes")] for r in rows} == by_academie
    codes = dict(
        published(demo_home, "select libelle_academie, code_academie from marts.dim_academies")
    )
    contacts = load_contacts(BUNDLED_CONTACTS)  # the demo home has no contacts file of its own
    for row in rows:
        mlds = contacts.mlds_de(codes[row[0]], row[0])
        assert row[1:3] == (mlds.nom, mlds.courriel)


CONTACTS = """
[service]
nom = "Cellule de pilotage CSF"
courriel = "pilotage-essai@exemple.test"
telephone = "01 02 03 04 05"

[achats]
nom = "Facilitateurs d'essai"
courriel = "facilitateurs-essai@exemple.test"
telephone = "01 06 07 08 09"

[mlds_defaut]
nom = "Mission décrochage — {academie}"
courriel = "mlds-essai@exemple.test"

[mlds."24"]
nom = "MLDS Créteil (essai)"
courriel = "mlds-creteil@exemple.test"
telephone = "01 57 02 60 00"
"""


def _export_contacts() -> set[str]:
    """Personal contacts of the clause register (names, mails, phones of buyers' and holders'
    staff): none may reach a report."""
    with (SAMPLE / "registre_clauses_csf.csv").open(encoding="cp1252") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    fields = [k for k in rows[0] if "contact" in k.lower() or "référent" in k.lower()]
    assert len(fields) == 6, fields
    return {r[k].strip() for r in rows for k in fields if len(r[k].strip()) >= 8}


def _corpus(folder: Path) -> str:
    texts = [pdf_text(p) for p in folder.rglob("*.pdf")]
    for path in folder.rglob("*.xlsx"):
        book = openpyxl.load_workbook(path, read_only=True)
        texts += [
            " ".join(str(v) for v in row if v is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    return "\n".join(texts)


@pytest.mark.slow
def test_reports_quote_the_contacts_file_never_an_exports_contact(
    demo_home, tmp_path, busiest, periode
):
    from pipelines.reports.build import report_buyers, report_national

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy(demo_home / "warehouse" / "published.duckdb", home / "warehouse")
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(CONTACTS, encoding="utf-8")
    settings = Settings(
        home=home, inbox=home / "inbox", report_workers=1, contacts_file_override=contacts
    )
    report_buyers(settings, [busiest])
    report_national(settings, formats=("pdf",))
    pdf = buyer_report(home, busiest, periode)
    text = " ".join(pdf_text(pdf).split())
    for expected in (
        "MLDS Créteil (essai)",
        "mlds-creteil@exemple.test",
        "01 57 02 60 00",
        "facilitateurs-essai@exemple.test",
        "01 06 07 08 09",
        "pilotage-essai@exemple.test",
    ):
        assert expected in text, expected
    academies = published(
        demo_home,
        "select distinct libelle_academie from marts.fct_clauses_dormantes "
        "where siret_acheteur = ? and code_academie != '24'",
        busiest,
    )
    for (libelle,) in academies:
        assert f"Mission décrochage — {libelle}" in text
    # The warehouse's own role text (« MLDS de l'académie de … ») is not what reports print.
    assert "MLDS de l'académie" not in text
    national = pdf_text(home / "reports" / "national" / f"rapport-national-{periode}.pdf")
    assert "pilotage-essai@exemple.test" in national
    book = openpyxl.load_workbook(pdf.with_suffix(".xlsx"))
    header, rows = sheet_rows(book["Contacts"])
    assert {"Courriel", "Téléphone"} <= set(header)
    assert ("MLDS Créteil (essai)", "mlds-creteil@exemple.test", "01 57 02 60 00") in {
        r[header.index("Service") : header.index("Téléphone") + 1] for r in rows
    }
    corpus = _corpus(home / "reports") + _corpus(demo_home / "reports")
    personal = sorted(_export_contacts(), key=len, reverse=True)
    leaked = re.findall(
        r"(?<![\w@.])(?:" + "|".join(map(re.escape, personal)) + r")(?![\w@])", corpus
    )
    assert not leaked, sorted(set(leaked))[:5]


@pytest.mark.slow
def test_an_unusable_contacts_file_stops_before_any_report(demo_home, tmp_path):
    from pipelines.reports.build import report_all

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy(demo_home / "warehouse" / "published.duckdb", home / "warehouse")
    broken = tmp_path / "contacts.toml"
    broken.write_text("[service]\nnom = 'Sans courriel'\n", encoding="utf-8")
    settings = Settings(home=home, inbox=home / "inbox", contacts_file_override=broken)
    with pytest.raises(ContactsError, match="aucun rapport écrit"):
        report_all(settings)
    assert not (home / "reports").exists() or not any((home / "reports").rglob("*.*"))
    result = csf(home, "report", "--national", env={"CSF_CONTACTS_FILE": str(broken)})
    assert result.returncode == 2
    assert "aucun rapport écrit" in result.stderr and str(broken) in result.stderr
    assert "Traceback" not in result.stderr
    assert not any((home / "reports").rglob("*.pdf"))


# ------------------------------------------------------------------ the national report


@pytest.mark.slow
def test_no_page_of_a_report_is_mostly_blank(demo_home, periode, busiest):
    national = demo_home / "reports" / "national" / f"rapport-national-{periode}.pdf"
    for pdf in (national, buyer_report(demo_home, busiest, periode)):
        pages = page_fill(pdf)
        assert len(pages) >= 4
        for number, (fill, lines) in enumerate(pages[:-1], start=1):
            assert fill >= 0.6 and lines >= 10, (pdf.name, number, fill, lines)
    # No page of its own for the youth outcome table: seven columns fit a portrait page.
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(national)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = [tuple(map(float, m)) for m in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)]
    assert len(sizes) == len(page_fill(national))
    assert all(width < height for width, height in sizes)


@pytest.mark.slow
def test_national_median_row_says_why_it_is_empty(demo_home, periode):
    rows = published(
        demo_home,
        "select periode, numerateur, denominateur from marts.indicateurs where indicateur = "
        "'delai_activation_jours' and niveau = 'national' and valeur is null and diffusable "
        "and denominateur > 0 and periode in (?, ?, 'ensemble') "
        "order by periode = 'ensemble', periode desc",
        periode,
        str(int(periode) - 1),
    )
    if not rows:
        pytest.skip("every national median of the demo is reached")
    national = demo_home / "reports" / "national" / f"rapport-national-{periode}.pdf"
    text = " ".join(pdf_text(national).split())
    counts = " ; ".join(
        f"{'toutes années' if p == 'ensemble' else p} : {n}{' clauses activées' if i == 0 else ''}"
        f" sur {d}"
        for i, (p, n, d) in enumerate(rows)
    )
    label = published(
        demo_home,
        "select libelle_indicateur from marts.dim_indicateurs "
        "where indicateur = 'delai_activation_jours'",
    )[0][0]
    assert (
        f"{label} « – » : médiane non atteinte, moins de la moitié des "
        f"clauses ayant été activées à la date d'observation ({counts})" in text
    )
    for _, activated, notified in rows:
        assert 2 * activated < notified  # what the note says is what the data shows


@pytest.mark.slow
def test_national_target_label_is_readable_and_off_the_bars(demo_home):
    from pipelines.reports.national import rapport_national
    from pipelines.warehouse.snapshot import SnapshotReader

    with SnapshotReader(demo_home / "warehouse" / "published.duckdb") as snapshot:
        rapport = rapport_national(snapshot)
    figure = next(s for s in rapport.sections if s.id == "marches-clause-sociale").graphique.figure
    label = next(a for a in figure["layout"]["annotations"] if "Cible nationale" in a["text"])
    assert label["xref"] == "paper" and label["x"] >= 1 and label["xanchor"] == "left"
    assert figure["layout"]["margin"]["r"] >= 100  # room for it right of the plot
    assert contrast(label["font"]["color"], label["bgcolor"]) >= 4.5  # WCAG AA
    # Every bar blue: full, or light for the provisional current year (never the target's red).
    bars = {
        colour
        for t in figure["data"]
        if t.get("type") == "bar"
        for colour in (
            t["marker"]["color"]
            if isinstance(t["marker"]["color"], list)
            else [t["marker"]["color"]]
        )
    }
    assert bars <= {figures.BLEU, figures.CLAIR[figures.BLEU]} and figures.BLEU in bars


@pytest.mark.slow
def test_chart_legend_is_measured_in_marianne_and_never_clipped(demo_home):
    from fontTools.ttLib import TTFont

    from pipelines.reports.charts import POLICE_IMPRESSION, Renderer
    from pipelines.reports.national import rapport_national
    from pipelines.reports.pdf import MARIANNE
    from pipelines.warehouse.snapshot import SnapshotReader

    regular = MARIANNE / "Marianne-Regular.woff"
    if not regular.exists():
        pytest.skip("Marianne is installed by `make install`")
    with SnapshotReader(demo_home / "warehouse" / "published.duckdb") as snapshot:
        rapport = rapport_national(snapshot)
    graphique = next(s for s in rapport.sections if s.id == "resultats-jeunes").graphique
    names = [t["name"] for t in graphique.figure["data"]]
    assert names == ["Parcours CSF comparés", "Groupe de comparaison (standardisé)"]
    assert all(name in graphique.alternative for name in ("comparés", "standardisé"))
    with Renderer() as renderer:
        svg = renderer.svg(graphique)
    assert 'clip-path="url(#legend' not in svg
    font = TTFont(str(regular))
    cmap, advances, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm

    def width(text: str) -> float:
        return sum(advances[cmap[ord(c)]][0] for c in text) * POLICE_IMPRESSION["size"] / em

    legend = svg[svg.index('<g class="legend"') :]
    x0 = float(re.search(r"translate\(([\d.]+),", legend).group(1))
    items = re.findall(
        r'<g class="traces" transform="translate\(([\d.]+),[\d.]+\)".*?'
        r'class="legendtext"[^>]*>([^<]+)</text>.*?class="legendtoggle"[^>]*width="([\d.]+)"',
        legend,
    )
    assert [text for _, text, _ in items] == names
    for offset, text, toggle in items:
        # plotly's item = 40 px of symbol and padding + the text as Chromium measured it: in
        # Marianne, as WeasyPrint draws it (Liberation Sans measured it 7 % narrower).
        assert float(toggle) - 40 >= width(text) - 1, (text, toggle, width(text))
        assert x0 + float(offset) + float(toggle) <= 680, "the legend fits the chart's width"
