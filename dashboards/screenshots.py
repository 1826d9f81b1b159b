"""Screenshots of every dashboard page for reviewers (``make screenshots`` → docs/captures/).

Serves the dashboard on ``CSF_HOME``'s published snapshot with the real ``csf dashboard`` and
photographs each page in Debian's Chromium at a desktop width.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PAGES = {
    "vue-ensemble": "/",
    "clauses": "/clauses",
    "jeunes": "/jeunes",
    "territoires": "/territoires",
    "qualite": "/qualite",
    "methodologie": "/methodologie",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/captures"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = _port()
    csf = str(Path(sys.executable).with_name("csf"))
    server = subprocess.Popen(
        [csf, "dashboard", "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
            for name, path in PAGES.items():
                page.goto(url + path)
                page.wait_for_selector("#contenu h1")
                page.wait_for_timeout(800)  # let Plotly finish drawing
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                print(args.out / f"{name}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
