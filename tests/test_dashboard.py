"""The dashboard served by the real ``csf dashboard`` (gunicorn) on the demo snapshot: pages,
downloads, disclosure, roles, security headers, and a real browser (Chromium) with axe-core."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import duckdb
import pytest
import requests

from dashboards import blocks
from dashboards.frame import PAGES as PAGE_LINKS
from dashboards.response_cache import page_request
from dashboards.server import served_in_background
from pipelines.content.formatting import LEGENDE_SECRET, SECRET, number
from tests.conftest import ROOT, users_environ

pytestmark = pytest.mark.slow

PAGES = [path for path, _label in PAGE_LINKS]
PASSWORD = "mot-de-passe-de-test-1"
USERS = {"direction": "national", "creteil": "academie:24", "achats": "achats"}


@pytest.fixture(scope="module")
def dashboard(demo_home):
    with served_in_background({**os.environ, "CSF_HOME": str(demo_home)}) as url:
        yield url


@pytest.fixture(scope="module")
def secured(demo_home, tmp_path_factory):
    users = tmp_path_factory.mktemp("config") / "utilisateurs.toml"
    env = users_environ(demo_home, users, USERS, PASSWORD)
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    assert PASSWORD not in users.read_text()
    with served_in_background(env) as url:
        yield url


def _csv(response: requests.Response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _published(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)


def test_every_page_answers_in_french_with_security_headers(dashboard):
    for path in PAGES:
        page = requests.get(dashboard + path, timeout=10)
        assert page.status_code == 200
        assert '<html lang="fr"' in page.text
        csp = page.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "frame-ancestors 'none'" in csp
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "/vendor/dsfr/1-core/core.min.css" in requests.get(dashboard, timeout=10).text


def test_csv_download_holds_the_displayed_figures(dashboard, demo_home):
    url = f"{dashboard}/telecharger/chiffres-cles.csv?annee=ensemble"
    rows = _csv(requests.get(url, timeout=10))
    shown = _csv(requests.get(url + "&format=affiche", timeout=10))
    with _published(demo_home) as con:
        clauses = con.execute(
            "select numerateur from marts.indicateurs where indicateur = 'nb_clauses_csf' "
            "and niveau = 'national' and periode = 'ensemble'"
        ).fetchone()[0]
    assert rows[0][:2] == ["Indicateur", "Valeur"]
    # An interval's bounds are typed numbers whose header states their unit.
    assert rows[0][3:5] == [
        "Intervalle de confiance à 95 % — borne basse (%)",
        "Intervalle de confiance à 95 % — borne haute (%)",
    ]
    # Numbers as numbers; the displayed text only where asked.
    assert ["Clauses sociales de formation", str(clauses)] == rows[1][:2]
    assert ["Clauses sociales de formation", number(clauses)] == shown[1][:2]
    rate = next(row for row in rows if row[0].startswith("Taux d'activation à 6 mois"))
    assert rate[2] == "%" and float(rate[1].replace(",", ".")) < 100
    assert requests.get(f"{dashboard}/telecharger/inconnu.csv", timeout=10).status_code == 404


def test_no_page_or_download_shows_a_hidden_value(dashboard, demo_home):
    """Scan: for every youth indicator of the map, every period and every académie, a cell the
    mart hides is displayed as the one secret mark, and no youth count from 1 to 4 is shown."""
    with _published(demo_home) as con:
        cells = con.execute(
            "select indicateur, periode, libelle_niveau, diffusable from marts.indicateurs "
            "where niveau = 'academie' and code_niveau != 'NR' and indicateur in "
            "('taux_sortie_positive_6m', 'nb_jeunes_csf')"
        ).fetchall()
        years = [
            r[0] for r in con.execute("select distinct periode from marts.indicateurs").fetchall()
        ]
        academies = [
            r[0] for r in con.execute("select code_academie from marts.dim_academies").fetchall()
        ]
    hidden = {(i, p, a) for i, p, a, shown in cells if not shown}
    assert hidden, "the demo sample must exercise suppression"
    checked = 0
    for indicator in ("taux_sortie_positive_6m", "nb_jeunes_csf"):
        for year in years:
            query = f"?indicateur={indicator}&annee={year}"
            rows = _csv(requests.get(f"{dashboard}/telecharger/carte.csv{query}", timeout=10))
            for academie, _region, value, *_interval in rows[1:]:
                if (indicator, year, academie) in hidden:
                    assert value == SECRET, (indicator, year, academie, value)
                    checked += 1
                else:
                    assert value != SECRET, (indicator, year, academie, value)
            ranking = _csv(
                requests.get(f"{dashboard}/telecharger/classement.csv{query}", timeout=10)
            )
            for _rank, academie, value, *_interval in ranking[1:]:
                if (indicator, year, academie) in hidden:
                    assert value == SECRET, (indicator, year, academie, value)
    assert checked == len(hidden)
    for code in academies[:8]:
        for year in years:
            query = f"?academie={code}&annee={year}"
            rows = _csv(
                requests.get(f"{dashboard}/telecharger/resultats-6m.csv{query}", timeout=10)
            )
            for label, value, _unit, _low, _high, base in rows[1:]:
                if label in ("Jeunes en parcours CSF", "Parcours commencés"):
                    assert not re.fullmatch(r"[1-4]", value), (code, year, label, value)
                # A rate on no youth at all is shown (nothing to hide; its value is empty).
                assert base in ("", SECRET, "0") or int(base) >= 20


def test_access_needs_a_user_of_the_users_file(secured):
    assert requests.get(secured, timeout=10).status_code == 401
    wrong = requests.get(secured, auth=("creteil", "faux-mot-de-passe"), timeout=10)
    assert wrong.status_code == 401
    assert requests.get(secured, auth=("creteil", PASSWORD), timeout=10).status_code == 200


def test_academie_user_gets_its_youth_detail_and_no_other(secured):
    detail = f"{secured}/telecharger/parcours-academie.csv"
    own = requests.get(detail + "?academie=24", auth=("creteil", PASSWORD), timeout=10)
    other = requests.get(detail + "?academie=25", auth=("creteil", PASSWORD), timeout=10)
    national = requests.get(detail + "?academie=25", auth=("direction", PASSWORD), timeout=10)
    assert own.status_code == 200 and len(_csv(own)) > 1
    assert other.status_code == 403 and "MLDS de l'académie" in other.text
    assert national.status_code == 403
    # National aggregates stay open to the académie's users.
    outcomes = f"{secured}/telecharger/sorties-positives.csv?academie=25"
    assert requests.get(outcomes, auth=("creteil", PASSWORD), timeout=10).status_code == 200


def _page_callback(url: str, path: str, search: str, auth) -> str:
    """Render a page through Dash's page callback, as the browser asks for it."""
    body = page_request(path, search)
    response = requests.post(f"{url}/_dash-update-component", json=body, auth=auth, timeout=10)
    assert response.status_code == 200
    return response.text


def test_refusals_are_decided_in_the_server_callback(secured):
    creteil = ("creteil", PASSWORD)
    other = _page_callback(secured, "/jeunes", "?academie=25", creteil)
    own = _page_callback(secured, "/jeunes", "?academie=24", creteil)
    assert "MLDS de l'académie" in other and "table-parcours-academie" not in other
    assert "table-parcours-academie" in own
    buyers = _page_callback(secured, "/jeunes", "", ("achats", PASSWORD))
    assert "ne donne pas accès" in buyers and "table-sorties-positives" not in buyers
    anonymous = requests.post(f"{secured}/_dash-update-component", json={}, timeout=10)
    assert anonymous.status_code == 401


def test_buyer_detail_lists_its_clauses_without_youth_stages(secured, demo_home):
    with _published(demo_home) as con:
        siret, clauses = con.execute(
            "select siret_acheteur, count(*) from marts.fct_clauses group by all "
            "order by count(*) desc, siret_acheteur limit 1"
        ).fetchone()
    auth = ("achats", PASSWORD)
    url = f"{secured}/telecharger/clauses-acheteur.csv?acheteur={siret}"
    rows = _csv(requests.get(url, auth=auth, timeout=10))
    assert len(rows) == clauses + 1
    stages = {row[6] for row in rows[1:]}
    assert stages and not stages & {"Parcours terminé", "Sortie positive à 6 mois"}
    ranked = _csv(
        requests.get(
            f"{secured}/telecharger/activation.csv?acheteur={siret}", auth=auth, timeout=10
        )
    )
    assert len(ranked) > 1
    page = _page_callback(secured, "/clauses", f"?acheteur={siret}", auth)
    assert "table-clauses-acheteur" in page


def test_buyers_role_sees_procurement_but_no_youth_figures(secured):
    auth = ("achats", PASSWORD)
    assert requests.get(f"{secured}/telecharger/entonnoir.csv", auth=auth, timeout=10).ok
    youths = requests.get(f"{secured}/telecharger/sorties-positives.csv", auth=auth, timeout=10)
    assert youths.status_code == 403


def _detail_rows(home: Path, code: str) -> int:
    with _published(home) as con:
        count = con.execute(
            "select count(*) from marts.fct_parcours where code_academie = ?", [code]
        ).fetchone()[0]
    return min(count, blocks.DETAIL_MAX)


def test_parcours_detail_only_for_the_academies_own_mlds(secured, dashboard, demo_home):
    """Crafted requests, one per role, for the row-level parcours detail: its CSV and the page
    callback. National, achats, another académie's MLDS and the local anonymous user (no users
    file: national) are refused server-side with the French message; the académie's own MLDS
    gets its rows."""
    expected = _detail_rows(demo_home, "24")
    assert expected > 0, "the demo sample must have parcours in Créteil"
    refused = [
        (secured, ("direction", PASSWORD), "24"),
        (secured, ("achats", PASSWORD), "24"),
        (secured, ("creteil", PASSWORD), "25"),
        (dashboard, None, "24"),  # local anonymous user, without a users file
        (dashboard, None, "25"),
    ]
    for url, auth, code in refused:
        for search in (f"?academie={code}", f"?academie={code}&annee=2025", ""):
            response = requests.get(
                f"{url}/telecharger/parcours-academie.csv{search}", auth=auth, timeout=10
            )
            assert response.status_code == 403, (auth, search)
            assert "text/csv" not in response.headers["Content-Type"]
        page = _page_callback(url, "/jeunes", f"?academie={code}", auth)
        assert "table-parcours-academie" not in page and "csv-parcours-academie" not in page
        if auth is None or auth[0] != "achats":
            assert blocks.REFUS_DETAIL in page, auth
    response = requests.get(
        f"{secured}/telecharger/parcours-academie.csv?academie=24&annee=ensemble",
        auth=("creteil", PASSWORD),
        timeout=10,
    )
    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0][:2] == ["Début", "Statut"] and len(rows) - 1 == expected
    page = _page_callback(secured, "/jeunes", "?academie=24", ("creteil", PASSWORD))
    assert "table-parcours-academie" in page and blocks.REFUS_DETAIL not in page
    # Without credentials at all, nothing is served.
    bare = requests.get(f"{secured}/telecharger/parcours-academie.csv?academie=24", timeout=10)
    assert bare.status_code == 401


YOUTH_STAGES = {"Parcours terminé", "Sortie positive à 6 mois"}


def test_buyers_role_gets_no_youth_domain_row_anywhere(secured, demo_home):
    """The achats role: the funnel stops at « parcours commencé » (no youth stage, nor the
    clauses stopped there and the days spent there, which would give them away), every youth
    block is refused, the quality page leaves the MLDS files out."""
    auth = ("achats", PASSWORD)
    direction = ("direction", PASSWORD)
    with _published(demo_home) as con:
        years = [
            r[0] for r in con.execute("select distinct periode from marts.indicateurs").fetchall()
        ]
        youth_files = {
            r[0]
            for r in con.execute(
                "select fichier from marts.qualite_fichiers where source like 'mlds%'"
            ).fetchall()
        }
        procurement_rules = {
            r[0]
            for r in con.execute(
                "select distinct regle from marts.qualite_regles where source not like 'mlds%'"
            ).fetchall()
        }
    assert youth_files
    for search in ("", "?academie=24", "?academie=25", *(f"?annee={y}" for y in years)):
        if search == "?annee=ensemble":
            continue
        rows = _csv(requests.get(f"{secured}/telecharger/entonnoir.csv{search}", auth=auth))
        stages = [row[0] for row in rows[1:]]
        assert stages and not YOUTH_STAGES & set(stages), (search, stages)
        assert stages[-1] == "Parcours commencé"
        assert rows[-1][2] == "" and rows[-1][4] == "", rows[-1]
        # The national role gets the whole funnel from the same route.
        full = _csv(requests.get(f"{secured}/telecharger/entonnoir.csv{search}", auth=direction))
        assert {row[0] for row in full[1:]} >= YOUTH_STAGES
    page = _page_callback(secured, "/clauses", "", auth)
    assert "table-entonnoir" in page and not any(stage in page for stage in YOUTH_STAGES)
    for youth in (
        "sorties-positives.csv",
        "resultats-6m.csv",
        "parcours-academie.csv?academie=24",
        "carte.csv?indicateur=taux_sortie_positive_6m",
        "classement.csv?indicateur=nb_jeunes_csf",
    ):
        response = requests.get(f"{secured}/telecharger/{youth}", auth=auth, timeout=10)
        assert response.status_code == 403, youth
    for path, search in (
        ("/jeunes", "?academie=24"),
        ("/territoires", "?indicateur=nb_jeunes_csf"),
    ):
        page = _page_callback(secured, path, search, auth)
        assert "ne donne pas accès" in page and "table-" not in page, path
    for bloc_id in ("fichiers", "controles", "fraicheur"):
        text = requests.get(f"{secured}/telecharger/{bloc_id}.csv", auth=auth).text
        assert "mlds" not in text.lower() and not any(f in text for f in youth_files), bloc_id
        shown = requests.get(f"{secured}/telecharger/{bloc_id}.csv", auth=direction).text
        assert "mlds" in shown.lower()
    rules = _csv(requests.get(f"{secured}/telecharger/quarantaine.csv", auth=auth))
    assert {row[-1] for row in rules[1:]} == procurement_rules
    quality = _page_callback(secured, "/qualite", "", auth)
    assert not any(f in quality for f in youth_files)


OLD_MARKS = re.compile(r"(<\s*5|n\.\s*d\.?)")


def test_every_download_uses_only_the_one_secret_mark(dashboard, secured, demo_home):
    """Every block's CSV, for every period and several académies: a hidden cell is the one
    mark, never "< 5" or "n.d."; the funnel's mark follows the mart's ``diffusable`` alone;
    every page carries the one legend."""
    with _published(demo_home) as con:
        years = [
            r[0] for r in con.execute("select distinct periode from marts.indicateurs").fetchall()
        ]
        funnel = {
            (periode, etape): diffusable
            for periode, etape, diffusable in con.execute(
                "select periode, libelle_etape, diffusable from marts.fct_entonnoir_clauses "
                "where niveau = 'national'"
            ).fetchall()
        }
        siret = con.execute(
            "select siret_acheteur from marts.fct_clauses group by all "
            "order by count(*) desc limit 1"
        ).fetchone()[0]
    searches = [
        f"?annee={y}" + part
        for y in years
        for part in ("", "&academie=24", "&academie=25", "&secteur=BTP")
    ]
    marks = 0
    for bloc_id in blocks.BLOCS:
        if bloc_id == "parcours-academie":
            continue
        for search in searches:
            search = search.replace("?&", "?")
            if bloc_id == "clauses-acheteur":
                search += f"&acheteur={siret}"
            indicators = blocks.CARTE_INDICATEURS if bloc_id in ("carte", "classement") else [None]
            for indicator in indicators:
                query = search + (f"&indicateur={indicator}" if indicator else "")
                response = requests.get(f"{dashboard}/telecharger/{bloc_id}.csv{query}")
                assert response.status_code == 200, (bloc_id, query)
                rows = _csv(response)
                for row in rows[1:]:
                    for cell in row:
                        assert not OLD_MARKS.fullmatch(cell.strip()), (bloc_id, query, row)
                        marks += cell == SECRET
    assert marks > 0, "the demo sample must exercise suppression"
    for year in years:
        # annee=ensemble asks for every year (no annee: the last full year).
        rows = _csv(requests.get(f"{dashboard}/telecharger/entonnoir.csv?annee={year}"))
        for row in rows[1:]:
            shown = funnel[(year, row[0])]
            assert (row[1] == SECRET) == (not shown), (year, row)
            assert (SECRET in row) == (not shown), (year, row)
    own = requests.get(
        f"{secured}/telecharger/parcours-academie.csv?academie=24&annee=ensemble",
        auth=("creteil", PASSWORD),
    )
    assert not any(OLD_MARKS.fullmatch(c.strip()) for row in _csv(own) for c in row)
    for path in PAGES:
        page = _page_callback(dashboard, path, "", None)
        assert "legende-secret" in page and LEGENDE_SECRET in page, path
        assert "« < 5 »" not in page and "« n.d. »" not in page, path


def _browser(pw):
    return pw.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    )


@pytest.mark.browser
def test_pages_filters_and_downloads_in_chromium(dashboard, demo_home, tmp_path):
    from playwright.sync_api import sync_playwright

    with _published(demo_home) as con:
        clauses = con.execute(
            "select numerateur from marts.indicateurs where indicateur = 'nb_clauses_csf' "
            "and niveau = 'national' and periode = 'ensemble'"
        ).fetchone()[0]
    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(locale="fr-FR", accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # plotly.js only warns when a trace type is missing from its bundle.
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None,
        )
        for path in PAGES:
            page.goto(dashboard + path)
            page.wait_for_selector("#contenu h1")
            assert page.locator("html").get_attribute("lang") == "fr"
            # Every chart is drawn by the bundle served (the basic one).
            page.wait_for_function(
                "[...document.querySelectorAll('.dash-graph')]"
                ".every(g => g.querySelector('.main-svg .trace'))"
            )
        page.goto(dashboard + "/?annee=ensemble")
        assert page.locator("#kpi-nb_clauses_csf").inner_text() == number(clauses)
        assert page.locator("#banner-demo").is_visible()
        # A filter change is kept in the URL and the page follows it.
        page.goto(dashboard + "/clauses")
        page.wait_for_selector("#resume-activation")
        page.select_option("#filtre-academie", "24")
        page.click("#filtres-appliquer")
        page.wait_for_url(re.compile(r"academie=24"))
        page.wait_for_selector("#resume-activation")
        page.wait_for_function(
            "document.querySelector('#resume-activation').innerText.includes('Créteil')"
        )
        with page.expect_download() as info:
            page.click("#csv-activation")
        downloaded = Path(info.value.path()).read_bytes()
        assert (
            downloaded
            == requests.get(f"{dashboard}/telecharger/activation.csv?academie=24").content
        )
        # Keyboard only: the first Tab reaches the skip link, which leads to the content; a
        # filter changes with the arrow keys and the form submits from its button.
        page.goto(dashboard + "/clauses")
        page.wait_for_selector("#resume-activation")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.innerText") == "Aller au contenu"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"#contenu$"))
        page.focus("#filtre-annee")
        page.keyboard.press("ArrowDown")
        page.focus("#filtres-appliquer")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"annee=\d{4}"))
        page.wait_for_selector("#resume-activation")
        page.click("#lien-methodologie")
        page.wait_for_url("**/methodologie")
        assert page.locator("h1").inner_text() == "Méthodologie des indicateurs"
        assert errors == []
        browser.close()


@pytest.mark.browser
def test_every_page_passes_axe_without_serious_violations(dashboard):
    from playwright.sync_api import sync_playwright

    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    with sync_playwright() as pw:
        browser = _browser(pw)
        # The audit script is injected inline: the page's own CSP would (rightly) refuse it.
        context = browser.new_context(locale="fr-FR", bypass_csp=True)
        page = context.new_page()
        found = {}
        for path in PAGES:
            page.goto(dashboard + path)
            page.wait_for_selector("#contenu h1")
            page.wait_for_timeout(500)
            page.add_script_tag(path=str(axe))
            result = page.evaluate(
                "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            )
            serious = [
                (v["id"], v["nodes"][0]["target"])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            if serious:
                found[path] = serious
        browser.close()
    assert found == {}


@pytest.mark.browser
def test_academie_user_sees_a_refusal_for_another_academie_in_the_page(secured):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        context = browser.new_context(
            locale="fr-FR", http_credentials={"username": "creteil", "password": PASSWORD}
        )
        page = context.new_page()
        page.goto(secured + "/jeunes?academie=25")
        page.wait_for_selector("#contenu h1")
        assert "MLDS de l'académie" in page.locator(".fr-alert").inner_text()
        assert page.locator("#table-parcours-academie").count() == 0
        page.goto(secured + "/jeunes?academie=24")
        page.wait_for_selector("#table-parcours-academie", state="attached")
        browser.close()


def test_a_new_publish_is_served_without_restart(dashboard, demo_home):
    """The page cache and the read connections follow the snapshot version: after a publish,
    the running server answers from the new snapshot, without errors."""
    from tests.conftest import csf

    def shown_snapshot() -> str:
        page = _page_callback(dashboard, "/", "", None)
        return re.search(r"Publication (\d{8}T\d{6}Z-[0-9a-f]+)", page).group(1)

    before = shown_snapshot()
    result = csf(demo_home, "run", "--inbox", str(ROOT / "data" / "sample"))
    assert result.returncode == 0, result.stderr[-2000:]
    with _published(demo_home) as con:
        published = con.execute("select snapshot_id from meta.publication").fetchone()[0]
    assert published != before
    assert shown_snapshot() == published
    assert requests.get(f"{dashboard}/telecharger/entonnoir.csv", timeout=10).ok


def test_filter_messages_agree_with_every_filter_and_name_it_in_french(dashboard):
    """An unknown value or a repeated parameter is said in French, with the filter's label (not
    its URL name) and a wording that agrees whatever the filter's gender."""
    page = _page_callback(
        dashboard, "/clauses", "?type_acheteur=Rectorat&annee=2024&annee=2023", None
    )
    assert "Valeur « Rectorat » absente des données pour le filtre type d'acheteur" in page
    assert "Filtre « année » donné plusieurs fois" in page
    assert "inconnue" not in page and "« annee »" not in page


def test_an_intervals_bounds_in_the_csv_are_the_displayed_ones(dashboard):
    """The typed CSV splits an interval into its two bounds, in the column's unit: the same
    figures as the page's « a à b » (an écart in points, not a hundred times more)."""
    url = f"{dashboard}/telecharger/sorties-positives.csv?annee=ensemble"
    typed = _csv(requests.get(url, timeout=10))
    shown = _csv(requests.get(url + "&format=affiche", timeout=10))
    header = typed[0]
    assert "Intervalle de l'écart — borne basse (points)" in header
    assert "Intervalle (CSF comparés) — borne basse (%)" in header
    compared = 0
    for row, text in zip(typed[1:], shown[1:], strict=True):
        for titre in ("Intervalle (CSF comparés)", "Intervalle de l'écart"):
            cell = text[shown[0].index(titre)]
            bounds = re.findall(r"[+-]?\d+(?:,\d+)?", cell)
            if len(bounds) != 2:
                continue  # hidden or no interval: both bounds empty or marked alike
            low = row[next(i for i, h in enumerate(header) if h.startswith(f"{titre} — borne b"))]
            high = row[next(i for i, h in enumerate(header) if h.startswith(f"{titre} — borne h"))]
            assert [float(b.replace(",", ".")) for b in bounds] == [
                float(low.replace(",", ".")),
                float(high.replace(",", ".")),
            ], (titre, cell, low, high)
            compared += 1
    assert compared >= 2
