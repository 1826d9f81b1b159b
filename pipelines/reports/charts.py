"""Report charts as static SVG images: plotly.js in the system Chromium, through kaleido.

Starting Chromium costs a second, so a ``Renderer`` opens one browser for a whole batch of
reports and renders every chart in it, in one page reloaded only now and then. It drives kaleido's
async API on its own event loop rather than kaleido's global "sync server", whose thread
leaves callers waiting forever when the browser fails to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from pipelines.reports.model import Graphique
from pipelines.settings import PLOTLY_BASIC_JS

RECHARGER_TOUS_LES = 50  # charts drawn between two reloads of kaleido's page
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


def _kaleido_class():
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
            if self._dessins % RECHARGER_TOUS_LES == 0:
                await tab.reload()
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


@contextlib.contextmanager
def _marianne_for_chromium(folder: Path) -> Iterator[None]:
    """Chromium started in this block finds the DSFR's Marianne through fontconfig.

    The chart's text is measured by Chromium (plotly's margins, label positions) and drawn by
    WeasyPrint, which has Marianne: without it Chromium measures with Liberation Sans, narrower,
    and long axis labels come out clipped on paper."""
    from pipelines.reports.pdf import MARIANNE

    if not MARIANNE.is_dir():
        yield
        return
    conf = folder / "fonts.conf"
    conf.write_text(FONTCONFIG.format(fonts=MARIANNE, cache=folder / "cache"), encoding="utf-8")
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = previous


class Renderer:
    """One Chromium (kaleido) for a batch of charts; use as a context manager."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._kaleido = None
        self._dossier = tempfile.TemporaryDirectory(prefix="csf-graphiques-")

    def __enter__(self) -> Renderer:
        try:
            # No MathJax (it would be fetched from a CDN, and no chart needs it). kaleido
            # reloads its page after every chart: the basic bundle halves a chart's time.
            bundle = str(PLOTLY_BASIC_JS) if PLOTLY_BASIC_JS.exists() else None
            self._kaleido = _kaleido_class()(n=1, mathjax=False, plotlyjs=bundle)
            with _marianne_for_chromium(Path(self._dossier.name)):
                self._loop.run_until_complete(self._kaleido.open())
        except Exception as exc:  # kaleido and choreographer raise their own error types
            self._loop.close()
            self._dossier.cleanup()
            raise ChartError(
                f"impossible de démarrer Chromium pour dessiner les graphiques ({exc}) ; "
                "installez-le avec « make system-deps »"
            ) from exc
        return self

    def svg(self, graphique: Graphique, largeur: int = LARGEUR) -> str:
        """The chart as an SVG document."""
        if self._kaleido is None:
            raise ChartError("Renderer utilisé hors de son bloc « with »")
        figure = pour_impression(graphique, largeur)
        try:
            data = self._loop.run_until_complete(
                self._kaleido.calc_fig(
                    figure, opts={"format": "svg", "width": largeur, "height": graphique.hauteur}
                )
            )
        except Exception as exc:
            raise ChartError(f"graphique non dessiné : {exc}") from exc
        return data.decode("utf-8")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._kaleido is not None:
                self._loop.run_until_complete(self._kaleido.close())
        finally:
            self._kaleido = None
            self._loop.close()
            self._dossier.cleanup()
