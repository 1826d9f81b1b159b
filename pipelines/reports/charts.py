"""Report charts as static SVG images: plotly.js in the system Chromium, through kaleido.

Starting Chromium costs a second, so a ``Renderer`` opens one browser for a whole batch of
reports and renders every chart in it, in one page reloaded only now and then. It drives kaleido's
async API on its own event loop rather than kaleido's global "sync server", whose thread
leaves callers waiting forever when the browser fails to start.

Every wait on the browser is bounded (``CSF_CHART_TIMEOUT`` seconds): kaleido bounds a render
but not the start, the wait for a free tab, a page reload or the close, and a Chromium that stops
answering at any of those would hold ``csf run`` or ``csf report`` forever (issue 20, point 8).
Past the bound the chart fails with a French message, the renderer refuses further charts, and
the browser is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import tempfile
from pathlib import Path
from types import TracebackType

from pipelines.reports.model import Graphique
from pipelines.settings import DEFAULTS, PLOTLY_BASIC_JS

log = logging.getLogger(__name__)

RECHARGER_TOUS_LES = 50  # charts drawn between two reloads of kaleido's page
# A chart takes well under a second, Chromium's start one or two: two minutes only stops a
# browser that no longer answers.
ESSAIS_DEMARRAGE = 2  # a browser that closes at start is started once more
LARGEUR = 680  # pixels at 96 dpi: the text width of an A4 portrait page
POLICE_IMPRESSION = {"family": "Marianne, Arial, sans-serif", "color": "#161616", "size": 11}


class ChartError(RuntimeError):
    """The browser could not be started or could not render a chart."""


def pour_impression(graphique: Graphique, largeur: int = LARGEUR) -> dict:
    """The figure laid out for paper: fixed size, print font, no interactive parts."""
    layout = graphique.figure["layout"] | {
        "width": largeur,
        "height": graphique.hauteur,
        "font": POLICE_IMPRESSION,
        "hovermode": False,
    }
    return {"data": graphique.figure["data"], "layout": layout}


def _kaleido_class(timeout_seconds: float):
    """kaleido's ``Kaleido``, reloading its page every ``RECHARGER_TOUS_LES`` charts rather
    than after each one.

    The reload re-evaluates plotly.js: three quarters of a chart's time, and 13 of the 18
    seconds that the 135 buyers' charts took at national scale. It only guards against what a
    render might leave behind, and plotly.js's ``toImage`` (which kaleido calls) purges its
    own temporary plot; a periodic reload still bounds any leak. Overrides a private method of
    kaleido 1.5 (pinned in uv.lock); tests/test_reports.py checks the charts it draws."""
    import kaleido

    class Kaleido(kaleido.Kaleido):
        _dessins = 0

        async def _return_kaleido_tab(self, tab) -> None:
            self._dessins += 1
            try:
                if self._dessins % RECHARGER_TOUS_LES == 0:
                    await asyncio.wait_for(tab.reload(), timeout_seconds)
            finally:
                # Always handed back: a tab kept out of the queue makes the next chart wait
                # for it forever.
                await self.tabs_ready.put(tab)

    return Kaleido


FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def _chromium_with_marianne(folder: Path):
    """choreographer's Chromium, started with a fontconfig file that adds the DSFR's Marianne
    to its environment (its own; this process's is left as it is).

    The chart's text is measured by Chromium (plotly's margins, label positions, the legend's
    clip) and drawn by WeasyPrint, which has Marianne: measured in another font, long labels
    come out clipped on paper (the national report's legend read « standardis »). Chromium does
    not load the DSFR's WOFF files through fontconfig (it silently falls back to Liberation
    Sans, narrower): they are written as TrueType in the renderer's folder first (fontTools,
    which WeasyPrint already needs for its own fonts). None when the fonts are not installed."""
    from choreographer.browsers.chromium import Chromium

    fonts = _marianne_truetype(folder / "polices")
    if fonts is None:
        return None
    conf = folder / "fonts.conf"
    conf.write_text(FONTCONFIG.format(fonts=fonts, cache=folder / "cache"), encoding="utf-8")

    class ChromiumWithMarianne(Chromium):
        def get_env(self):
            return {**super().get_env(), "FONTCONFIG_FILE": str(conf)}

    return ChromiumWithMarianne


def _marianne_truetype(folder: Path) -> Path | None:
    """The DSFR's Marianne WOFF files as TrueType in ``folder`` (a few milliseconds each)."""
    from fontTools.ttLib import TTFont

    from pipelines.reports.pdf import MARIANNE

    sources = sorted(MARIANNE.glob("Marianne-*.woff")) if MARIANNE.is_dir() else []
    if not sources:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        font = TTFont(str(source))
        font.flavor = None
        font.save(str(folder / f"{source.stem}.ttf"))
    return folder


# plotly clips its legend to the width it measured, for scrolling on screen; on paper nothing
# scrolls, and a legend drawn a pixel wider than measured must not lose its last letters.
_LEGEND_CLIP = re.compile(r' clip-path="url\(#legend[^)"]*\)"')


def sans_coupe_legende(svg: str) -> str:
    """The SVG with its legend unclipped."""
    return _LEGEND_CLIP.sub("", svg)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux ``/proc``), collected before any is killed: a child
    whose parent dies is re-parented and could no longer be found."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name (2nd field) may hold spaces: the parent id follows its ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    pending = list(children.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, []))
    return found


def _fd_target(pid: int, fd: int) -> str | None:
    with contextlib.suppress(OSError):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        return target if target.startswith("pipe:") else None
    return None


def holders(pipes: set[str]) -> set[int]:
    """Processes with one of ``pipes`` (``pipe:[inode]``) open."""
    found: set[int] = set()
    if not pipes:
        return found
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in pipes for fd in fd_dir.iterdir()):
                found.add(int(fd_dir.parent.name))
    return found - {os.getpid()}


class Renderer:
    """One Chromium (kaleido) for a batch of charts; use as a context manager."""

    def __init__(self, timeout_seconds: float = DEFAULTS.chart_timeout_seconds) -> None:
        """``timeout_seconds``: how long any wait on the browser may last
        (``CSF_CHART_TIMEOUT_SECONDS``)."""
        self._loop = asyncio.new_event_loop()
        self._kaleido = None
        self._dossier = tempfile.TemporaryDirectory(prefix="csf-graphiques-")
        self._delai = timeout_seconds
        self._hors_service: str | None = None  # why the browser can no longer be used
        self._pipes: set[str | None] = set()  # the DevTools pipes, ``pipe:[inode]``

    def _attendre(self, travail, quoi: str):
        """Run one coroutine on the renderer's loop, for at most ``self._delai`` seconds."""
        try:
            return self._loop.run_until_complete(asyncio.wait_for(travail, self._delai))
        except TimeoutError as exc:
            self._hors_service = f"{quoi} : Chromium ne répond plus après {self._delai:g} s"
            raise ChartError(self._hors_service) from exc

    def __enter__(self) -> Renderer:
        # Chromium sometimes closes at once when it starts on a loaded machine (two runs
        # starting their browsers together): one more try before the report step fails.
        for essai in range(1, ESSAIS_DEMARRAGE + 1):
            try:
                self._demarrer()
                return self
            except Exception as exc:  # kaleido and choreographer raise their own error types
                self._tuer()
                self._fermer()
                self._kaleido, self._pipes, self._hors_service = None, set(), None
                if essai < ESSAIS_DEMARRAGE:
                    log.warning(
                        "Chromium n'a pas démarré (essai %d sur %d) : %s ; nouvel essai",
                        essai,
                        ESSAIS_DEMARRAGE,
                        exc,
                    )
                    continue
                self._loop.close()
                self._dossier.cleanup()
                raise ChartError(
                    f"impossible de démarrer Chromium pour dessiner les graphiques ({exc}) ; "
                    "installez-le avec « make system-deps »"
                ) from exc
        raise AssertionError("unreachable")

    def _demarrer(self) -> None:
        """Start one browser (bounded): kaleido, its DevTools pipes noted, its page loaded."""
        # No MathJax (it would be fetched from a CDN, and no chart needs it). kaleido reloads
        # its page after every chart: the basic bundle halves a chart's time.
        bundle = str(PLOTLY_BASIC_JS) if PLOTLY_BASIC_JS.exists() else None
        browser = _chromium_with_marianne(Path(self._dossier.name))
        self._kaleido = _kaleido_class(self._delai)(
            n=1,
            mathjax=False,
            plotlyjs=bundle,
            **({"browser_cls": browser} if browser else {}),
        )
        # The DevTools pipes by inode, read now from this process's ends (the wrapper may die at
        # start): once the browser fails, choreographer closes them and their numbers may name
        # other files.
        channel = getattr(self._kaleido, "_channel", None)
        ends = [getattr(channel, n, None) for n in ("_read_from_browser", "_write_to_browser")]
        self._pipes = {_fd_target(os.getpid(), fd) for fd in ends if isinstance(fd, int)}
        self._pipes.discard(None)
        self._attendre(self._kaleido.open(), "démarrage")

    def svg(self, graphique: Graphique, largeur: int = LARGEUR) -> str:
        """The chart as an SVG document."""
        if self._kaleido is None:
            raise ChartError("Renderer utilisé hors de son bloc « with »")
        if self._hors_service:
            raise ChartError(f"graphique non dessiné : {self._hors_service}")
        figure = pour_impression(graphique, largeur)
        try:
            data = self._attendre(
                self._kaleido.calc_fig(
                    figure, opts={"format": "svg", "width": largeur, "height": graphique.hauteur}
                ),
                "graphique",
            )
        except ChartError as exc:
            raise ChartError(f"graphique non dessiné : {exc}") from exc
        except Exception as exc:
            raise ChartError(f"graphique non dessiné : {exc}") from exc
        return sans_coupe_legende(data.decode("utf-8"))

    def _tuer(self) -> None:
        """Kill the browser and whatever holds its pipes (after a timeout, or a failed start or
        close).

        kaleido's process is choreographer's wrapper, whose child is Chromium with its helpers;
        Chromium's crash handler leaves the tree (it is re-parented) but keeps the DevTools
        pipes open, even when the browser itself died at start. Every process below the wrapper
        or holding one of the pipes is killed: one left behind would keep choreographer's reader
        thread waiting on the pipe, and the Python process could never exit (the hang of issue
        20, point 8, seen in CI after a start that failed)."""
        process = getattr(self._kaleido, "subprocess", None)
        doomed = set(holders(self._pipes))
        if process is not None and process.poll() is None:
            doomed |= {*descendants(process.pid), process.pid}
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if process is not None:
            with contextlib.suppress(Exception):
                process.wait(10)

    def _fermer(self) -> None:
        """Stop choreographer's threads (bounded): after ``_tuer`` there is no browser left, and
        close() only shuts its executors and pipes down."""
        if self._kaleido is None:
            return
        with contextlib.suppress(Exception):
            self._loop.run_until_complete(asyncio.wait_for(self._kaleido.close(), 10))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._kaleido is not None:
                if self._hors_service:
                    # Killed first: close() then finds no browser and only stops
                    # choreographer's threads, which would otherwise keep the process alive.
                    self._tuer()
                self._attendre(self._kaleido.close(), "fermeture")
        except ChartError:
            pass  # killed below; the error that matters, if any, is the caller's
        finally:
            self._tuer()
            self._kaleido = None
            self._loop.close()
            self._dossier.cleanup()
