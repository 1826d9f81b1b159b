"""Screenshots of every dashboard page for reviewers (``make screenshots`` → docs/captures/).

Serves the dashboard on ``CSF_HOME``'s published snapshot with the real ``csf dashboard`` and
photographs each page in Debian's Chromium at a desktop width.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboards.frame import PAGES
from dashboards.server import served_in_background
from pipelines.settings import child_environ


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
            page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
            for path, _label in PAGES:
                name = path.strip("/") or "vue-ensemble"
                page.goto(url + path)
                page.wait_for_selector("#contenu h1")
                page.wait_for_timeout(800)  # let Plotly finish drawing
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                print(args.out / f"{name}.png")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
