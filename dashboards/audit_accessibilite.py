"""The automated accessibility check (axe-core in Chromium) of every dashboard page, at a desktop
and a phone width, without and with a filter, and its record (``make accessibility-audit`` →
docs/accessibilite/audit-axe.json), which the accessibility statement quotes.

An automated check finds only part of the RGAA's defects: it does not replace the manual audit
that a compliance status needs (see the statement, ``pages/accessibilite.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from dashboards.frame import PAGES, PAGES_PIED

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "docs" / "accessibilite" / "audit-axe.json"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 390)
IMPACTS = ("critical", "serious", "moderate", "minor")
# Every page of the site, and an address no page answers (the "page introuvable" page).
PAGE_INTROUVABLE = "/page-inexistante"
AUDITED = list(dict.fromkeys([p for p, _ in PAGES] + [p for p, _, _ in PAGES_PIED]))
CHARTS_DRAWN = (
    "[...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg .trace'))"
)


def load_record(path: Path = RECORD) -> dict | None:
    """The last recorded run (None when there is none or it is unreadable)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def audit(url: str, browser, searches: list[str] | None = None) -> dict:
    """Run axe-core on every page of the dashboard at ``url``, at each width, with each query
    string of ``searches`` (default: none, and the first académie of the filter form).

    Returns the record: the date, axe's version, what was checked and every violation found
    (page, width, query, rule, impact, number of elements)."""
    context = browser.new_context(locale="fr-FR", bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    if searches is None:
        page.goto(url + "/")
        page.wait_for_selector("#contenu h1")
        code = page.eval_on_selector(
            "#filtre-academie option[value]:not([value=''])", "o => o.value"
        )
        searches = ["", f"?academie={code}"]
    violations, views, version = [], 0, None
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in [*AUDITED, PAGE_INTROUVABLE]:
            for search in searches:
                page.goto(url + path + search)
                page.wait_for_selector("#contenu h1")
                page.wait_for_function(CHARTS_DRAWN, polling=50)
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("axe.run(document)")
                version = result["testEngine"]["version"]
                views += 1
                violations += [
                    {
                        "page": path,
                        "largeur": width,
                        "filtre": search,
                        "regle": v["id"],
                        "impact": v["impact"],
                        "elements": len(v["nodes"]),
                        "exemple": v["nodes"][0]["target"],
                        # A content block (chart, table, summary) or the frame around them.
                        "dans_un_bloc": page.evaluate(
                            "s => !!document.querySelector(s)?.closest('.bloc')",
                            v["nodes"][0]["target"][0],
                        ),
                    }
                    for v in result["violations"]
                ]
    context.close()
    counts = Counter(v["impact"] for v in violations)
    return {
        "date": date.today().isoformat(),
        "outil": f"axe-core {version}",
        "regles": "toutes les règles d'axe-core hors expérimentales (WCAG 2.0, 2.1, 2.2 A et AA, "
        "bonnes pratiques)",
        "navigateur": "Chromium",
        "largeurs_px": list(WIDTHS),
        "pages": [*AUDITED, PAGE_INTROUVABLE],
        "filtres": searches,
        "vues": views,
        "violations_par_impact": {impact: counts.get(impact, 0) for impact in IMPACTS},
        "violations": violations,
    }


def main(argv: list[str] | None = None) -> int:
    """Serve ``CSF_HOME``'s snapshot with the real ``csf dashboard`` and record the check."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=RECORD)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from dashboards.server import served_in_background
    from pipelines.settings import child_environ

    with served_in_background(child_environ()) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        record = audit(url, browser)
        browser.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(args.out, record["vues"], "vues", record["violations_par_impact"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
