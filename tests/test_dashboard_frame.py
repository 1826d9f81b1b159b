"""The frame of every dashboard page (issue 23, points 8 and 9), on the real ``csf dashboard``
serving the demo snapshot: the DSFR footer and the site's own pages (accessibility statement,
legal notice, contact), the French « page introuvable » with its 404 status, the navigation
folded behind « Menu » on a phone, axe-core on every page at both widths, and compressed
responses with year-long caching of the static files whose URL names their version."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re

import pytest
import requests

from dashboards import frame
from dashboards.app import PLOTLY_PATH
from dashboards.audit_accessibilite import AUDITED, PAGE_INTROUVABLE, load_record
from dashboards.auth import ANONYME
from dashboards.response_cache import ResponseCache, page_request
from dashboards.server import served_in_background
from pipelines.content.contacts import load_contacts
from pipelines.content.formatting import french_date
from pipelines.settings import load_settings

pytestmark = pytest.mark.slow

BLOCKING = ("critical", "serious", "moderate")
# The sections of the official RGAA statement, in order.
STATEMENT = (
    "État de conformité",
    "Résultats des tests",
    "Contenus non accessibles",
    "Établissement de cette déclaration d'accessibilité",
    "Retour d'information et contact",
    "Voies de recours",
)
# Dash's fingerprint in a component suite's file name (``react@18.v4_4_1m1796040771.3.1.min.js``)
# or the modification time it adds to an asset's URL.
VERSIONED = re.compile(r"\.v[\w-]+m\d+|\?m=\d")


@pytest.fixture(scope="module")
def tableau(demo_home):
    with served_in_background({**os.environ, "CSF_HOME": str(demo_home)}) as url:
        yield url


@pytest.fixture(scope="module")
def contacts(demo_home):
    return load_contacts(load_settings(home=demo_home).contacts_file)


def _rendered(url: str, path: str, search: str = "") -> dict:
    """The page's content as Dash's page callback sends it (a component tree)."""
    response = requests.post(
        f"{url}/_dash-update-component", json=page_request(path, search), timeout=30
    )
    response.raise_for_status()
    return response.json()["response"]["_pages_content"]["children"]


def _nodes(node):
    """Every component of a tree, depth first."""
    if isinstance(node, list):
        for child in node:
            yield from _nodes(child)
    elif isinstance(node, dict):
        yield node
        yield from _nodes(node.get("props", {}).get("children"))


def _by_id(tree, id_: str) -> dict:
    return next(n for n in _nodes(tree) if n.get("props", {}).get("id") == id_)


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(_text(child) for child in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    return ""


def _links(tree) -> dict[str, str]:
    """Link text → address."""
    return {_text(n): n["props"]["href"] for n in _nodes(tree) if n.get("type") == "A"}


def _headings(tree) -> list[str]:
    return [_text(n) for n in _nodes(tree) if n.get("type") in ("H1", "H2", "H3")]


def _browser(pw):
    return pw.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    )


def test_footer_links_the_sites_pages_which_answer_in_french(tableau, contacts):
    tree = _rendered(tableau, "/clauses", "?annee=2025")
    footer = next(n for n in _nodes(tree) if n.get("type") == "Footer")
    links = _links(footer)
    for path, text, id_ in frame.PAGES_PIED:
        assert links[text] == path and _by_id(footer, id_)["props"]["href"] == path
    assert f"Accessibilité : {frame.ETAT_CONFORMITE}" in links
    assert _text(_by_id(footer, "legende-secret")).startswith("secret")
    assert links[contacts.service.courriel] == f"mailto:{contacts.service.courriel}"
    # The main navigation keeps the dashboard's pages only, with the view's filters.
    nav = _links(_by_id(tree, "navigation-principale"))
    assert nav == {label: path + "?annee=2025" for path, label in frame.PAGES}

    for path, title in (
        ("/accessibilite", "Déclaration d'accessibilité"),
        ("/mentions-legales", "Mentions légales"),
        ("/contact", "Contact"),
    ):
        shell = requests.get(tableau + path, timeout=10)
        assert shell.status_code == 200 and '<html lang="fr"' in shell.text, path
        page = _rendered(tableau, path)
        assert _headings(page)[0] == title, path
        assert not any(n.get("type") == "Form" for n in _nodes(page)), path  # no filters here

    statement = _rendered(tableau, "/accessibilite")
    # The footer's mention and the statement's status are one and the same.
    assert _text(_by_id(statement, "etat-conformite")) == frame.ETAT_CONFORMITE
    assert [h for h in _headings(statement) if h in STATEMENT] == list(STATEMENT)
    text = _text(statement)
    assert "Défenseur des droits" in text and contacts.service.courriel in text
    record = load_record()
    assert record is not None, "make accessibility-audit writes docs/accessibilite/audit-axe.json"
    results = _text(_by_id(statement, "audit-automatise"))
    assert french_date(record["date"]) in results and f"{record['vues']} vues" in results
    counts = record["violations_par_impact"]
    assert _text(_by_id(statement, "audit-resultat")).startswith(
        f"Anomalies relevées : {sum(counts[k] for k in BLOCKING)} "
    )

    legal = _rendered(tableau, "/mentions-legales")
    assert _text(_by_id(legal, "hebergement-a-completer")).startswith("À compléter")
    assert "aucun cookie" in _text(_by_id(legal, "cookies"))
    contact = _links(_rendered(tableau, "/contact"))
    assert contact[contacts.service.courriel] == f"mailto:{contacts.service.courriel}"
    assert contact[contacts.achats.courriel] == f"mailto:{contacts.achats.courriel}"


def test_an_unknown_address_answers_a_french_page_with_a_404_status(tableau):
    for path in (PAGE_INTROUVABLE, "/clauses/inconnue", "/not-found-404"):
        shell = requests.get(tableau + path, timeout=10)
        assert shell.status_code == 404, path
        assert '<html lang="fr"' in shell.text and "Content-Security-Policy" in shell.headers
        page = _rendered(tableau, path)
        assert _headings(page)[0] == "Page introuvable"
        assert _by_id(page, "lien-accueil-404")["props"]["href"] == "/"
    for path in ["/", "/clauses/", *AUDITED]:
        assert requests.get(tableau + path, timeout=10).status_code == 200, path
    # Outside the pages, Werkzeug's English errors are answered in French.
    download = requests.get(f"{tableau}/telecharger/inconnu.csv", timeout=10)
    assert (download.status_code, download.text) == (404, "Page introuvable.")
    post = requests.post(tableau + "/", timeout=10)
    assert (post.status_code, post.text) == (405, "Méthode non autorisée.")
    assert "GET" in post.headers["Allow"]


@pytest.mark.browser
def test_not_found_page_leads_home_in_the_browser(tableau):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(locale="fr-FR")
        response = page.goto(tableau + PAGE_INTROUVABLE)
        assert response.status == 404
        page.wait_for_selector("#contenu h1")
        assert page.locator("#contenu h1").inner_text() == "Page introuvable"
        page.wait_for_function("document.title === 'Page introuvable — CSF'")
        page.click("#lien-accueil-404")
        page.wait_for_url(tableau + "/")
        page.wait_for_selector("#kpi-nb_clauses_csf")
        browser.close()


@pytest.mark.browser
def test_navigation_folds_behind_a_menu_button_on_a_phone(tableau):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(locale="fr-FR", viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None,
        )
        page.goto(tableau + "/clauses?annee=2025")
        page.wait_for_selector("#contenu h1")
        menu, nav = page.locator("#bouton-menu"), page.locator("#navigation-principale")
        assert menu.is_visible() and menu.inner_text() == "Menu"
        assert not nav.is_visible()
        # The mouse opens it; the close button and Escape close it.
        menu.click()
        nav.wait_for(state="visible")
        # The DSFR's modal: a dialog, the button marked open.
        assert page.get_attribute("#menu-principal", "role") == "dialog"
        assert menu.get_attribute("data-fr-opened") == "true"
        page.get_by_role("button", name="Fermer").click()
        nav.wait_for(state="hidden")
        # The keyboard alone: Enter on the button, Tab into the menu, Enter on a link (which
        # keeps the filters), Escape closes and gives the focus back.
        menu.focus()
        page.keyboard.press("Enter")
        nav.wait_for(state="visible")
        assert page.evaluate("document.activeElement.innerText") == "Fermer"
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.innerText") == "Territoires":
                break
        assert page.evaluate("document.activeElement.closest('nav')?.id") == "navigation-principale"
        page.keyboard.press("Escape")
        nav.wait_for(state="hidden")
        assert page.evaluate("document.activeElement.id") == "bouton-menu"
        menu.click()
        page.get_by_role("link", name="Territoires").click()
        page.wait_for_url(re.compile(r"/territoires\?annee=2025$"))
        page.wait_for_selector("#contenu h1")
        assert not page.locator("#navigation-principale").is_visible()
        # On a desktop screen the navigation shows and the button does not.
        page.set_viewport_size({"width": 1400, "height": 900})
        page.locator("#navigation-principale").wait_for(state="visible")
        assert not page.locator("#bouton-menu").is_visible()
        assert errors == []
        browser.close()


@pytest.fixture(scope="module")
def axe_record(tableau) -> dict:
    """axe-core on every page, at 1400 and 390 px, without and with a filter."""
    from playwright.sync_api import sync_playwright

    from dashboards.audit_accessibilite import audit

    with sync_playwright() as pw:
        browser = _browser(pw)
        record = audit(tableau, browser)
        browser.close()
    return record


@pytest.mark.browser
def test_every_page_passes_axe_at_desktop_and_phone_widths(axe_record):
    """No critical, serious or moderate finding in the frame of any page (header, navigation,
    footer, the site's own pages, the not-found page); the content blocks: next test."""
    assert axe_record["vues"] == 2 * 2 * (len(AUDITED) + 1)
    assert axe_record["largeurs_px"] == [1400, 390] and len(axe_record["filtres"]) == 2
    assert [
        v for v in axe_record["violations"] if v["impact"] in BLOCKING and not v["dans_un_bloc"]
    ] == []
    # The statement quotes a record of the same pages (make accessibility-audit).
    assert load_record()["pages"] == axe_record["pages"]


@pytest.mark.browser
def test_content_blocks_pass_axe_at_desktop_and_phone_widths(axe_record):
    assert [
        (v["page"], v["largeur"], v["regle"], v["exemple"])
        for v in axe_record["violations"]
        if v["impact"] in BLOCKING and v["dans_un_bloc"]
    ] == []


@pytest.mark.browser
def test_menu_opened_on_a_phone_passes_axe(tableau):
    from playwright.sync_api import sync_playwright

    from dashboards.audit_accessibilite import AXE

    with sync_playwright() as pw:
        browser = _browser(pw)
        context = browser.new_context(
            locale="fr-FR", bypass_csp=True, viewport={"width": 390, "height": 844}
        )
        page = context.new_page()
        page.goto(tableau + "/")
        page.wait_for_selector("#contenu h1")
        page.click("#bouton-menu")
        page.locator("#navigation-principale").wait_for(state="visible")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document.querySelector('header'))")
        browser.close()
    assert [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in BLOCKING] == []


INLINE_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def inline_script_hashes(page: str) -> list[str]:
    """CSP hashes of the page's executable inline scripts, as a browser computes them."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for attrs, body in INLINE_SCRIPT.findall(page)
        if "src=" not in attrs and "application/json" not in attrs
    ]


def test_responses_are_compressed_and_versioned_files_cached_for_a_year(tableau, demo_home):
    page = requests.get(tableau + "/clauses", headers={"Accept-Encoding": "br"}, timeout=10)
    assert page.headers["Content-Encoding"] == "br"
    assert int(page.headers["Content-Length"]) < len(page.content) / 2
    assert "Accept-Encoding" in page.headers["Vary"] and page.headers["X-CSF-Instantane"]
    # The CSP hashes are those of the page's scripts as the browser reads them (decompressed).
    hashes = inline_script_hashes(page.text)
    assert hashes and all(h in page.headers["Content-Security-Policy"] for h in hashes)
    plain = requests.get(tableau + "/clauses", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers
    per_request = re.compile(r'"end_id":"[^"]*"')  # Dash's token, new for every page
    assert per_request.sub("", plain.text) == per_request.sub("", page.text)

    # Every script and style sheet the page links names its version, and is kept a year (but
    # plotly.js, whose address Dash fixes: below).
    linked = re.findall(r'<(?:script|link rel="stylesheet") (?:src|href)="([^"]+)"', page.text)
    linked = [url for url in linked if url != PLOTLY_PATH]
    assert len(linked) >= 10
    for url in linked:
        assert VERSIONED.search(url), url
        static = requests.get(tableau + url, headers={"Accept-Encoding": "br, gzip"}, timeout=10)
        assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        if len(static.content) > 500:  # smaller ones gain nothing (flask-compress's minimum)
            assert static.headers["Content-Encoding"] in ("br", "gzip"), url
    # What is fetched under a fixed URL is not kept forever: plotly.js (compressed), the fonts.
    plotly = requests.get(
        f"{tableau}/_dash-component-suites/plotly/package_data/plotly.min.js",
        headers={"Accept-Encoding": "gzip"},
        timeout=10,
    )
    assert plotly.headers["Content-Encoding"] == "gzip"
    assert "immutable" not in plotly.headers["Cache-Control"]
    font = requests.get(f"{tableau}/assets/vendor/dsfr/fonts/Marianne-Regular.woff2", timeout=10)
    assert font.status_code == 200 and "immutable" not in font.headers.get("Cache-Control", "")

    # A page callback is compressed too; the response cache keeps it uncompressed.
    body = page_request("/clauses", "?secteur=inconnu&annee=2024")
    callback = requests.post(
        f"{tableau}/_dash-update-component",
        json=body,
        headers={"Accept-Encoding": "gzip"},
        timeout=30,
    )
    assert callback.headers["Content-Encoding"] == "gzip"
    key = ResponseCache.key(json.dumps(body).encode(), ANONYME.roles)
    stored = list((demo_home / "cache" / "dashboard").glob(f"*/{key}"))
    assert stored and json.loads(stored[0].read_bytes()) == callback.json()
    again = requests.post(
        f"{tableau}/_dash-update-component",
        json=body,
        headers={"Accept-Encoding": "br"},
        timeout=30,
    )
    assert again.headers["Content-Encoding"] == "br" and again.json() == callback.json()

    # Downloads are compressed but never stored.
    csv = requests.get(
        f"{tableau}/telecharger/activation.csv", headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert csv.headers["Cache-Control"] == "private, no-store"
    assert csv.content.startswith("\ufeff".encode())


def test_pages_with_charts_load_plotly_ahead(tableau):
    """A view whose rendered content holds a chart runs plotly.js while the browser waits for the
    content; a view without one only prefetches it (not run)."""
    search = "?annee=2024"
    for path in ("/clauses", "/methodologie"):
        _rendered(tableau, path, search)  # now in the response cache, as warm-up does
    deferred = f'<script src="{PLOTLY_PATH}" defer></script>'
    prefetch = f'<link rel="prefetch" href="{PLOTLY_PATH}">'
    clauses = requests.get(f"{tableau}/clauses{search}", timeout=10).text
    assert deferred in clauses and prefetch not in clauses
    methodologie = requests.get(f"{tableau}/methodologie{search}", timeout=10).text
    assert deferred not in methodologie and prefetch in methodologie


def test_a_report_set_written_after_a_publish_reaches_pages_already_cached(tableau, demo_home):
    """Workers pre-render pages as soon as a snapshot is published, before its reports are
    written: the report links must appear once the set is written, not at the next publish."""
    index = demo_home / "reports" / "index.json"
    fichiers = json.loads(index.read_text(encoding="utf-8"))["fichiers"]
    siret = next(re.search(r"\d{14}", f).group() for f in fichiers if re.search(r"\d{14}", f))

    def links() -> list[str]:
        page = json.dumps(_rendered(tableau, "/clauses", f"?acheteur={siret}"))
        return re.findall(r'"/rapports/([^"]+)"', page)

    assert links(), "the buyer's reports are linked"
    aside = index.with_name("index.json.ecarte")
    os.replace(index, aside)
    try:
        assert links() == []  # rendered (and cached) while no report set exists
    finally:
        os.replace(aside, index)
    assert links(), "the report set written afterwards is linked without a new publish"
