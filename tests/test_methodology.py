"""docs/methodologie.md documents every indicator of ref_indicateurs, in words for its readers
(no developer jargon), and the dashboard's page opens on a table of contents whose links lead
to each section."""

import csv
import os
import re

import pytest

from dashboards import methodology
from pipelines.content.blocks import attente
from pipelines.content.labels import FAMILLES_REGLES
from tests.conftest import ROOT

HORIZON = re.compile(r"_(sortie|3m|6m|12m)(_comparaison)?$")


def _documented_name(indicator: str) -> str:
    """The name under which the document describes an indicator: per-horizon rates as `…_h`,
    comparison rates as `…_comparaison`, compared CSF rates as
    `…_csf_compares`, differences as `ecart_…`."""
    if indicator.startswith("ecart_"):
        return "ecart_…"
    if indicator.endswith("_comparaison"):
        return "…_comparaison"
    if indicator.endswith("_csf_compares"):
        return "…_csf_compares"
    if HORIZON.search(indicator):
        return HORIZON.sub("_h", indicator)
    return indicator


def _indicators() -> list[str]:
    """Every indicator code: those of ref_indicateurs and those of the offers-and-waiting mart
    (which the page and the release name as the mart does)."""
    with (ROOT / "dbt_project" / "seeds" / "ref_indicateurs.csv").open(encoding="utf-8") as f:
        codes = [row["indicateur"] for row in csv.DictReader(f)]
    return codes + list(attente.INDICATEURS)


def _text() -> str:
    return methodology.METHODOLOGY.read_text(encoding="utf-8")


def test_every_indicator_has_its_section():
    text = _text()
    indicators = _indicators()
    documented = set(re.findall(r"`([^`]+)`", text))
    missing = sorted(
        {i if i in documented else _documented_name(i) for i in indicators} - documented
    )
    assert missing == []
    for heading in ("Définition", "Numérateur", "Dénominateur", "Censure", "Intervalle", "Secret"):
        assert f"**{heading}**" in text


# What a reader of the dashboard has no use for: settings, commands, paths, warehouse tables and
# models, tools. Their place is docs/methodology-implementation.md.
JARGON = re.compile(
    r"\bCSF_[A-Z_]+|\bmake\b|\b(?:pipelines|dashboards|tests|docs|dbt_project)/"
    r"|\.(?:py|md|sql|ya?ml|toml)\b|\b(?:marts|staging|raw|meta|ingest|reference)\.\w+"
    r"|\b(?:fct|dim|int|stg|ref|qualite)_\w+|\b(?:dbt|SQL|Python|Dagster|DuckDB|polars|pandas"
    r"|README|Great Expectations|HiGHS)\b|\bcsf (?:run|status|serve|dashboard|reports|releases)\b",
    re.IGNORECASE,
)


def test_the_document_speaks_to_its_readers_not_to_developers():
    text = _text()
    assert JARGON.findall(text) == []
    # Backquotes hold only indicator codes: what the downloaded files call them.
    codes = set(_indicators())
    allowed = codes | {_documented_name(code) for code in codes}
    assert set(re.findall(r"`([^`]+)`", text)) - allowed == set()
    # The check finds what the page used to show.
    for old in ("`CSF_OBSERVATION_DATE`", "`make docs`", "`marts.indicateurs`", "dbt"):
        assert JARGON.search(old), old


def test_the_quality_rules_are_named_as_the_quality_page_names_them():
    text = " ".join(_text().split())
    rapprochement = [
        famille
        for famille in FAMILLES_REGLES
        if famille.startswith(("parcours_", "suivi_", "jeune_"))
    ]
    assert len(rapprochement) >= 12
    missing = [f for f in rapprochement if f"« {FAMILLES_REGLES[f]} »" not in text]
    assert missing == []


def test_every_heading_gets_a_unique_id_the_contents_link_to():
    document = methodology.lire()
    headings = re.findall(r"^#{2,3} +(.+)$", _text(), re.M)
    assert [s.titre for s in document.sections] == [methodology.typographie(h) for h in headings]
    ids = [s.ancre for s in document.sections]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)
    assert document.titre == "Méthodologie des indicateurs"
    assert methodology.ancre("Secret statistique") == "secret-statistique"
    assert methodology.ancre("Taux d'activation à 6 mois") == "taux-d-activation-a-6-mois"
    # Headings are plain titles (no code in them: a heading is read aloud and linked).
    assert not any("`" in s.titre for s in document.sections)
    # Two headings with one title, and a heading in a fenced block, which is text.
    twice = methodology.lire("# T\n\nintro\n\n## A\n\nx\n\n```\n## pas un titre\n```\n\n## A\n")
    assert [s.ancre for s in twice.sections] == ["a", "a-2"]
    assert "## pas un titre" in twice.sections[0].texte
    # No line break before « : ; ! ? » % » nor after « (the source has plain spaces).
    assert (
        methodology.typographie("a : b ; « c\n  » 5 %")
        == "a\u00a0: b\u00a0; «\u00a0c\u00a0» 5\u00a0%"
    )
    assert methodology.typographie("| :--- |") == "| :--- |"


def _heading_in_window(page, anchor: str) -> bool:
    """The section's heading is wholly in the browser's window."""
    return page.evaluate(
        """id => {
            const h = document.getElementById(id).getBoundingClientRect();
            return h.top >= -1 && h.bottom <= window.innerHeight;
        }""",
        anchor,
    )


def _contents_lead_to_sections(page, url: str, document: methodology.Document) -> None:
    page.goto(url + "/methodologie")
    page.wait_for_selector("#sommaire-titre")
    links = page.locator("nav[aria-labelledby=sommaire-titre] a")
    assert links.count() == len(document.sections)
    assert links.all_inner_texts() == [s.titre for s in document.sections]
    # From the last section back up: each is out of the window before its link is clicked.
    for section in (document.sections[-1], document.sections[8], document.sections[1]):
        assert not _heading_in_window(page, section.ancre), section.titre
        page.click(f"nav[aria-labelledby=sommaire-titre] a[href='#{section.ancre}']")
        page.wait_for_url(f"**/methodologie#{section.ancre}")
        page.wait_for_function(
            "id => document.getElementById(id).matches(':target')", arg=section.ancre
        )
        assert _heading_in_window(page, section.ancre), section.titre
    # An address naming a section leads to it once the page is drawn.
    target = next(s for s in document.sections if s.titre == "Secret statistique")
    page.goto(url + "/")
    page.wait_for_selector("#contenu h1")
    page.goto(f"{url}/methodologie#{target.ancre}")
    page.wait_for_selector(f"#{target.ancre}")
    page.wait_for_function(
        "id => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 120",
        arg=target.ancre,
    )
    assert page.evaluate("window.scrollY") > 1000
    assert page.locator("h1").inner_text() == "Méthodologie des indicateurs"


@pytest.mark.slow
@pytest.mark.browser
def test_the_table_of_contents_leads_to_each_section_in_chromium(demo_home):
    from playwright.sync_api import sync_playwright

    from dashboards.server import served_in_background

    document = methodology.lire()
    with (
        served_in_background({**os.environ, "CSF_HOME": str(demo_home)}) as url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        errors: list[str] = []
        for width in (1400, 390):
            page = browser.new_page(locale="fr-FR", viewport={"width": width, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _contents_lead_to_sections(page, url, document)
            page.close()
        browser.close()
    assert errors == []
