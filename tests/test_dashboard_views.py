"""What a reader sees in a real browser (Chromium), at 1400 px and on a phone (390 px): the
filters as chips, blocks that say which filters they do not apply, the buyer's view that is the
buyer's or says it is national, the home page's takeaways and default year, one message in
place of an empty chart, and the reports offered where they belong."""

from __future__ import annotations

import os
import re

import duckdb
import pytest
import requests

from dashboards.server import served_in_background

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIDTHS = (1400, 390)


@pytest.fixture(scope="module")
def dashboard(demo_home):
    with served_in_background({**os.environ, "CSF_HOME": str(demo_home)}) as url:
        yield url


@pytest.fixture(scope="module")
def facts(demo_home) -> dict:
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        buyer, name = con.execute(
            "select siret_acheteur, nom_acheteur from marts.dim_acheteurs "
            "where nb_clauses_csf > 0 order by nb_clauses_csf desc limit 1"
        ).fetchone()
        observed = con.execute("select date_observation from meta.publication").fetchone()[0]
        # An académie and year where no figure of the comparison block may be shown.
        small = con.execute(
            "select code_niveau, periode from marts.indicateurs where niveau = 'academie' "
            "and periode != 'ensemble' and regexp_matches(indicateur, "
            "'^(ecart_)?taux_sortie_positive_[a-z0-9]+(_csf_compares|_comparaison)?$') "
            "group by all having bool_and(not diffusable or valeur is null) order by all limit 1"
        ).fetchone()
    return {
        "buyer": buyer,
        "name": name,
        "default_year": str(observed.year - 1),
        "small": small,
    }


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


def _open(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#contenu h1")
    page.wait_for_selector("#contenu section, #contenu .fr-alert", state="attached")
    return page, errors


def _no_page_wide_scroll(page) -> None:
    """Nothing but a table's own scroll box may be wider than a phone's screen."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        page.evaluate("document.documentElement.scrollWidth")
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_home_has_takeaways_the_default_year_and_the_data_date(dashboard, browser, facts, width):
    page, errors = _open(browser, dashboard + "/", width)
    chips = page.locator("#filtres-actifs").inner_text()
    assert f"Année : {facts['default_year']}" in chips and "par défaut" in chips
    assert page.locator("#filtre-annee").input_value() == facts["default_year"]
    takeaways = page.locator("#a-retenir p").all_inner_texts()
    assert 2 <= len(takeaways) <= 3
    # Each sentence quotes a figure the tiles show.
    tiles = page.locator(".kpi-value").all_inner_texts()
    for sentence in takeaways:
        assert any(value in sentence for value in tiles if value != "secret"), sentence
    assert re.search(r"Données au \d{2}/\d{2}/\d{4}", page.locator("#donnees-au").inner_text())
    text = page.locator("#contenu").inner_text()
    assert not re.search(r"\d{8}T\d{6}Z", text), "a technical id in the visible text"
    assert "marge d'incertitude" in text and "ne s'additionnent pas" in text
    _no_page_wide_scroll(page)
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_buyers_view_is_the_buyers_or_says_it_is_national(dashboard, browser, facts, width):
    page, errors = _open(browser, f"{dashboard}/clauses?acheteur={facts['buyer']}", width)
    page.wait_for_selector("#bloc-clauses-acheteur")
    for section in page.locator("section.bloc").all():
        summary = section.locator(".resume").inner_text()
        badge = section.locator(".portee")
        if facts["name"] not in summary:
            assert badge.count() == 1 and "Chiffres nationaux" in badge.inner_text(), summary
    assert "Acheteur" in page.locator("#filtres-actifs").inner_text()
    # The buyer's reports, of the snapshot shown.
    links = page.locator("#rapports-acheteur a")
    assert links.count() == 2
    for href in [links.nth(i).get_attribute("href") for i in range(2)]:
        assert facts["buyer"] in href
        response = requests.get(dashboard + href, timeout=30)
        assert response.ok and response.headers["Content-Type"].startswith(
            ("application/pdf", "application/vnd.openxml")
        )
    _no_page_wide_scroll(page)
    assert errors == []
    page.close()


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("123", "n'est pas un SIRET valide"),
        ("73282932000074", "Aucun acheteur de SIRET 73282932000074"),  # valid, not a buyer
        ("<script>alert(1)</script>", "n'est pas un SIRET valide"),
    ],
)
def test_a_wrong_siret_gets_a_french_message_and_no_buyer_title(dashboard, browser, siret, message):
    page, errors = _open(browser, f"{dashboard}/clauses?acheteur={siret}", 1400)
    alert = page.locator(".erreur-filtre").inner_text()
    assert message in alert
    assert "pour l'acheteur" not in page.locator("#contenu").inner_text()
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_filters_show_as_chips_and_blocks_say_what_they_ignore(dashboard, browser, width):
    page, errors = _open(browser, f"{dashboard}/clauses?academie=24&secteur=Espaces verts", width)
    chips = page.locator("#filtres-actifs").inner_text()
    assert "Académie : Créteil" in chips and "Secteur : Espaces verts" in chips
    # The dormant clauses by académie follow the académie, not the sector: said on the block.
    assert "secteur" in page.locator("#portee-dormantes").inner_text()
    # Removing a chip removes its filter only.
    page.locator("#filtres-actifs a", has_text="Secteur").click()
    page.wait_for_url(re.compile(r"academie=24(?!.*secteur)"))
    # On the youth page, the buyer type applies to nothing: disabled, with the reason.
    page.goto(f"{dashboard}/jeunes")
    page.wait_for_selector("#filtre-type-acheteur")
    assert page.locator("#filtre-type-acheteur").is_disabled()
    assert "Sans effet" in page.locator("label[for=filtre-type-acheteur]").inner_text()
    _no_page_wide_scroll(page)
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_small_cell_gives_one_message_with_a_way_out(dashboard, browser, facts, width):
    academie, year = facts["small"]
    page, errors = _open(browser, f"{dashboard}/jeunes?academie={academie}&annee={year}", width)
    message = page.locator("#vide-sorties-positives")
    assert "secret statistique" in message.inner_text()
    assert page.locator("#graphique-sorties-positives").count() == 0
    link = message.locator("a")
    assert link.count() == 1 and "région académique" in link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"region="))
    page.wait_for_selector("#bloc-sorties-positives")
    # An unknown year: said, and every year shown instead.
    page.goto(f"{dashboard}/clauses?annee=2019")
    page.wait_for_selector(".erreur-filtre")
    assert "2019" in page.locator(".erreur-filtre").inner_text()
    assert errors == []
    page.close()
