"""Hangs become diagnosed failures (issue 20, point 8).

Issue 9 left one ``csf run`` that hung for the tests' 600 s with nothing to show. Two things now
make such a hang short and readable:

- every wait on the reports' Chromium is bounded (``CSF_CHART_TIMEOUT_SECONDS``): kaleido bounded a
  render but not the browser's start, the wait for a free tab, the page reload this project adds
  every 50 charts (a reload that never ended kept the only tab out of the queue, and the next
  chart waited for it forever), or the close;
- the tests' runner stops an overrunning command's whole process group with SIGABRT under the
  fault handler, so the failure shows every process and every Python thread's stack.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from pipelines.reports import charts
from pipelines.reports.model import Graphique
from tests.conftest import csf, run_bounded


def _graphique(i: int) -> Graphique:
    return Graphique(
        {"data": [{"type": "bar", "x": [f"Année {i}"], "y": [i + 1]}], "layout": {}},
        alternative=f"Graphique {i}",
        hauteur=200,
    )


def _chromium(renderer: charts.Renderer) -> int:
    """The Chromium browser process: the child of choreographer's wrapper (kaleido's
    ``subprocess``), which speaks the DevTools protocol on its pipes."""
    wrapper = renderer._kaleido.subprocess
    assert wrapper.poll() is None
    children = [p for p in charts.descendants(wrapper.pid) if _parent(p) == wrapper.pid]
    assert len(children) == 1, children
    return children[0]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_browser_that_stops_answering_fails_the_chart_within_the_bound():
    started = time.monotonic()
    expected = pytest.raises(charts.ChartError, match="Chromium ne répond plus après 3 s")
    with expected, charts.Renderer(timeout_seconds=3) as renderer:
        assert renderer.svg(_graphique(0)).startswith("<svg")
        browser = _chromium(renderer)
        tree = [
            renderer._kaleido.subprocess.pid,
            *charts.descendants(renderer._kaleido.subprocess.pid),
        ]
        os.kill(browser, signal.SIGSTOP)  # a real stall: the browser no longer runs
        renderer.svg(_graphique(1))
    # One bounded wait, then the browser's whole tree is killed rather than closed.
    assert time.monotonic() - started < 60
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in tree if _alive(pid)]


def test_after_a_timeout_the_renderer_refuses_at_once():
    with charts.Renderer(timeout_seconds=2) as renderer:
        os.kill(_chromium(renderer), signal.SIGSTOP)
        with pytest.raises(charts.ChartError):
            renderer.svg(_graphique(0))
        started = time.monotonic()
        with pytest.raises(charts.ChartError, match="graphique non dessiné"):
            renderer.svg(_graphique(1))
        assert time.monotonic() - started < 1


def test_a_stuck_reload_gives_the_tab_back(monkeypatch):
    """The page reload every RECHARGER_TOUS_LES charts is bounded and always returns the tab:
    a reload that fails must not leave the next chart waiting for a tab forever."""
    monkeypatch.setattr(charts, "RECHARGER_TOUS_LES", 1)
    with charts.Renderer(timeout_seconds=20) as renderer:
        tab = renderer._kaleido.tabs_ready._queue[0]

        async def reload_that_fails():
            raise RuntimeError("page perdue")

        monkeypatch.setattr(tab, "reload", reload_that_fails)
        with pytest.raises(charts.ChartError):
            renderer.svg(_graphique(0))
        assert renderer._kaleido.tabs_ready.qsize() == 1


def test_a_bad_timeout_setting_is_named(tmp_path):
    for name in ("CSF_CHART_TIMEOUT_SECONDS", "CSF_CHART_TIMEOUT"):  # the former name too
        result = csf(tmp_path, "report", "--national", env={name: "deux minutes"})
        assert result.returncode == 2
        assert f"{name} doit être un nombre de secondes, reçu 'deux minutes'" in result.stderr


def test_an_overrunning_command_fails_with_every_process_stack():
    """The runner behind ``tests.conftest.csf``: a child that starts a grandchild and both wait
    forever; the failure names both processes and shows both Python stacks."""
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time\\ndef grandchild_waits():\\n"
        "    time.sleep(600)\\ngrandchild_waits()'])\n"
        "def child_waits():\n    time.sleep(600)\nchild_waits()\n"
    )
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception) as failure:
        run_bounded([sys.executable, "-c", script], dict(os.environ), timeout=3)
    message = str(failure.value)
    assert time.monotonic() - started < 40
    assert "not finished after 3 s" in message
    assert "Processes:" in message and message.count(sys.executable) >= 2
    assert "in child_waits" in message and "in grandchild_waits" in message


def test_a_browser_that_dies_at_start_leaves_no_holder_and_the_process_exits(tmp_path):
    """The hang CI showed (20 random worlds, one ``csf run`` held 600 s after its reports step
    failed): Chromium closed at start, its crash handler, re-parented outside the tree, kept the
    DevTools pipes, and choreographer's reader thread kept the interpreter from exiting. Here the
    "browser" leaves a re-parented process holding its pipes, then dies at once: the renderer
    must fail with a French message, kill that holder and let the process exit."""
    holder = tmp_path / "holder.pid"
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\n( sleep 300 & echo $! > {holder} ) \nexit 1\n")
    browser.chmod(0o755)
    script = (
        "from pipelines.reports import charts\n"
        "try:\n    with charts.Renderer(timeout_seconds=20):\n        pass\n"
        "except charts.ChartError as exc:\n    print('refusé :', exc)\n"
    )
    env = {**os.environ, "BROWSER_PATH": str(browser)}
    result = run_bounded([sys.executable, "-c", script], env, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refusé : impossible de démarrer Chromium" in result.stdout
    pid = int(holder.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def test_a_browser_that_closes_at_its_first_start_is_started_once_more(tmp_path):
    """Seen twice in random worlds run two at a time: Chromium closed at once when it started,
    and the report step failed. The renderer starts it once more before failing."""
    count = tmp_path / "starts"
    browser = tmp_path / "browser"
    real = shutil.which("chromium") or "/usr/bin/chromium"
    browser.write_text(
        f'#!/bin/sh\necho x >> {count}\n[ "$(wc -l < {count})" -gt 1 ] || exit 1\n'
        f'exec {real} "$@"\n'
    )
    browser.chmod(0o755)
    script = (
        "from pipelines.reports import charts\n"
        "from pipelines.reports.model import Graphique\n"
        "g = Graphique({'data': [{'type': 'bar', 'x': ['a'], 'y': [1]}], 'layout': {}}, "
        "alternative='a')\n"
        "with charts.Renderer(timeout_seconds=60) as r:\n"
        "    print('svg' if r.svg(g).startswith('<svg') else 'non')\n"
    )
    env = {**os.environ, "BROWSER_PATH": str(browser)}
    result = run_bounded([sys.executable, "-c", script], env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("svg")
    assert len(count.read_text().splitlines()) == 2
