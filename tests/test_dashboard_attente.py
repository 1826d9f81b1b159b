"""The « Offres et jeunes en attente » page in a real browser (Chromium, 1400 and 390 px): the
month and the territory are chosen by links kept in the URL, every block shows the warehouse's
cell for them, its CSV holds what the page shows, hostile parameters give a French notice and
nothing else; and the content blocks for an audience without youth figures (issue 24)."""

from __future__ import annotations

import csv
import io
import os
import re

import duckdb
import pytest
import requests

from dashboards.server import served_in_background
from pipelines.content.block import Context, National, Public, Refus, View
from pipelines.content.blocks import BLOCS, attente
from pipelines.warehouse.snapshot import SnapshotReader

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def published(demo_home):
    return demo_home / "warehouse" / "published.duckdb"


@pytest.fixture(scope="module")
def dashboard(demo_home):
    env = {**os.environ, "CSF_HOME": str(demo_home)}
    env.pop("CSF_USERS_FILE", None)
    with served_in_background(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


def _cell(published, indicateur: str, mois: str, niveau: str, code: str) -> dict:
    with duckdb.connect(str(published), read_only=True) as con:
        row = con.execute(
            "select valeur, diffusable from marts.fct_offres_attente where indicateur = ? "
            "and periode = ? and niveau = ? and code_niveau = ?",
            [indicateur, mois, niveau, code],
        ).fetchone()
    assert row is not None, (indicateur, mois, niveau, code)
    return {"valeur": row[0], "diffusable": row[1]}


def _a_departement(published) -> tuple[str, str, str]:
    """An académie, one of its named départements and its name."""
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(
            "select code_parent, code_niveau, libelle_niveau from marts.fct_offres_attente "
            "where niveau = 'departement' and code_niveau not like '%-NR' "
            "and indicateur = 'nb_offres_ouvertes' order by valeur desc, code_niveau limit 1"
        ).fetchone()


def _open(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#contenu h1")
    page.wait_for_selector("#bloc-attente-situation", state="attached")
    return page, errors


def _table_value(page, bloc_id: str, label: str) -> str:
    row = page.locator(f"#bloc-{bloc_id} table tr", has_text=label).first
    return (row.locator("td").nth(1).text_content() or "").strip()


@pytest.mark.parametrize("width", [1400, 390])
def test_month_and_departement_are_chosen_by_links_and_every_block_follows(
    browser, dashboard, published, width
):
    academie, departement, nom = _a_departement(published)
    page, errors = _open(browser, f"{dashboard}/attente?annee=2025&academie={academie}", width)
    # The year's last month is chosen by default, and said so.
    current = page.locator("nav[aria-label='Mois affiché'] a[aria-current='true']")
    assert current.inner_text().strip() == "décembre 2025"
    assert "31/12/2025" in page.locator("#resume-attente-situation").inner_text()
    # Another month: the URL keeps it, the stocks are taken on its last day.
    page.locator("nav[aria-label='Mois affiché'] a", has_text="juin 2025").click()
    page.wait_for_url(re.compile(r"mois=2025-06"))
    page.wait_for_selector("#resume-attente-situation")
    assert "30/06/2025" in page.locator("#resume-attente-situation").inner_text()
    # A département of the académie: its name in every block's sentence, its own figures.
    # By its exact name: the académie's « non renseigné » link may carry the same words.
    page.locator("nav[aria-label='Département affiché']").get_by_role(
        "link", name=nom, exact=True
    ).click()
    page.wait_for_url(re.compile(rf"departement={departement}"))
    page.wait_for_selector("#resume-attente-situation")
    assert nom in page.locator("#resume-attente-situation").inner_text()
    assert nom in page.locator("#resume-attente-flux").inner_text()
    expected = _cell(published, "nb_offres_ouvertes", "2025-06", "departement", departement)
    shown = _table_value(page, "attente-situation", "Offres ouvertes")
    assert shown.replace("\u202f", "").replace("\u00a0", "") == str(int(expected["valeur"]))
    waiting = _cell(published, "nb_jeunes_en_attente", "2025-06", "departement", departement)
    shown = _table_value(page, "attente-situation", "Jeunes en attente")
    if waiting["diffusable"]:
        assert shown.replace("\u202f", "") == str(int(waiting["valeur"]))
    else:
        assert shown == "secret"
    # Nothing wider than the screen but a table's own scroll box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not errors
    page.close()


def test_the_csv_holds_what_the_page_shows(browser, dashboard, published):
    academie, departement, _ = _a_departement(published)
    page, errors = _open(
        browser,
        f"{dashboard}/attente?annee=2025&mois=2025-06&academie={academie}"
        f"&departement={departement}",
        1400,
    )
    for bloc_id in ("attente-situation", "attente-flux", "attente-expirations"):
        link = page.locator(f"#csv-{bloc_id}")
        if not link.count():
            continue
        href = link.get_attribute("href")
        assert "mois=2025-06" in href and f"departement={departement}" in href, href
        response = requests.get(dashboard + href + "&format=affiche", timeout=60)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        table = page.locator(f"#bloc-{bloc_id} table")
        shown = [
            [c.strip() for c in table.locator("tr").nth(i).locator("th, td").all_text_contents()]
            for i in range(table.locator("tr").count())
        ]
        assert rows[: len(shown)] == shown, bloc_id
    assert not errors
    page.close()


def test_hostile_parameters_give_a_french_notice_and_the_default_view(browser, dashboard):
    page, errors = _open(
        browser,
        f"{dashboard}/attente?mois=%3Cscript%3Ealert(1)%3C/script%3E&departement=%22%3E%3Cimg%3E",
        1400,
    )
    notices = " ".join(page.locator(".erreur-filtre").all_inner_texts())
    assert "Mois « <script>alert(1)</script> »" in notices or "Mois « <script>" in notices
    assert "Département" in notices and "filtre ignoré" in notices
    assert page.locator("#contenu img").count() == 0
    assert page.locator("#bloc-attente-situation table").count() == 1
    assert not errors
    page.close()
    for query in ("mois=2025-13", "mois=" + "9" * 300, "departement[]=1&mois=2025-01"):
        response = requests.get(
            f"{dashboard}/telecharger/attente-situation.csv?{query}", timeout=60
        )
        assert response.status_code == 200, query


def test_an_audience_without_youth_figures_sees_the_offers_only(published):
    with SnapshotReader(published) as reader:
        public, national = Context(reader, Public()), Context(reader, National())
        view = View(annee="2025")
        for bloc_id in ("attente-delai", "attente-tension"):
            with pytest.raises(Refus):
                BLOCS[bloc_id](public, view)
        shown = BLOCS["attente-situation"](public, view)
        assert shown.cles == [
            "nb_offres_ouvertes",
            "nb_offres_declarees",
            "nb_offres_nouvelles",
            "nb_offres_expirees",
        ]
        assert attente.REFUS_OFFRES in shown.notes
        flows = BLOCS["attente-flux"](public, view)
        assert [c.titre for c in flows.colonnes] == [
            "Mois",
            "Nouvelles offres",
            "Offres expirées non pourvues",
        ]
        full = BLOCS["attente-situation"](national, view)
        assert "nb_jeunes_en_attente" in full.cles and "tension_jeunes_par_offre" in full.cles


def test_every_indicator_of_the_mart_is_known_to_the_page(published):
    with duckdb.connect(str(published), read_only=True) as con:
        found = {
            r[0]
            for r in con.execute(
                "select distinct indicateur from marts.fct_offres_attente"
            ).fetchall()
        }
    assert found == set(attente.INDICATEURS)
