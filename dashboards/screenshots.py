"""Screenshots of every dashboard page for reviewers (``make screenshots`` → docs/captures/).

Serves the dashboard on ``CSF_HOME``'s published snapshot with the real ``csf dashboard`` and
photographs each page in Debian's Chromium at a desktop width (1400 px) and a phone's (390 px),
with a buyer's view and a filtered youth view besides the pages as they open.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboards.frame import PAGES
from dashboards.server import served_in_background
from pipelines.settings import child_environ, load_settings
from pipelines.warehouse.snapshot import SnapshotReader

WIDTHS = (1400, 390)


def _largest_buyer() -> str:
    """The SIRET of the buyer with the most clauses in the published snapshot."""
    with SnapshotReader(load_settings().published_db) as snapshot:
        return snapshot.rows(
            "select siret_acheteur from marts.dim_acheteurs order by nb_clauses_csf desc limit 1"
        )[0]["siret_acheteur"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/captures"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with served_in_background(child_environ()) as url:
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            views = [(path.strip("/") or "vue-ensemble", path) for path, _label in PAGES]
            views += [
                ("clauses-acheteur", f"/clauses?acheteur={_largest_buyer()}"),
                ("jeunes-academie", "/jeunes?academie=24"),
            ]
            for width in WIDTHS:
                page = browser.new_page(locale="fr-FR", viewport={"width": width, "height": 900})
                for name, path in views:
                    page.goto(url + path)
                    page.wait_for_selector("#contenu h1")
                    page.wait_for_timeout(800)  # let Plotly finish drawing
                    target = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                page.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
