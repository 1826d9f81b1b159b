"""The leadership dashboard: Dash pages in French with the State design system (DSFR), filters
in the URL (a GET form), role-scoped content, CSV downloads, security headers. Served by gunicorn
(``dashboards.server``); debug stays off."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from pathlib import Path

import dash
import flask
from dash import Dash, html

from dashboards import downloads, queries, response_cache
from dashboards.auth import ANONYME, BasicAuthProvider, Identite, IdentityProvider
from dashboards.response_cache import ResponseCache
from pipelines.settings import PLOTLY_BASIC_JS, Settings, load_settings

LOG = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
# Where Dash's graphs fetch plotly.js when served locally, and the smaller bundle served there.
PLOTLY_PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"

INDEX = """<!DOCTYPE html>
<html lang="fr" data-fr-scheme="light">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""

# Dash's own inline scripts are allowed by their hashes, no 'unsafe-inline';
# Plotly needs 'unsafe-eval', and its charts inline styles.
CSP = (
    "default-src 'self'; script-src 'self' {hashes} 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(
    provider: IdentityProvider | None = None, cache: ResponseCache | None = None
) -> Dash:
    """The Dash app. ``provider`` identifies users (None: one local national user); ``cache``
    shares rendered pages between workers (None: no response cache)."""
    app = Dash(
        __name__,
        title="Clause sociale de formation",
        index_string=INDEX,
        assets_folder=str(HERE / "assets"),
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.layout = html.Div([dash.page_container])
    server = app.server

    @server.before_request
    def plotly_basique():
        # Every chart is a bar or scatter trace: the basic bundle draws them all, and a cold
        # page evaluates a quarter of the script. Without it (not installed), Dash's full one.
        if flask.request.path == PLOTLY_PATH and PLOTLY_BASIC_JS.exists():
            return flask.send_file(PLOTLY_BASIC_JS, mimetype="text/javascript", max_age=3600)
        return None

    @server.before_request
    def authentifier():
        if request_is_static():
            return None
        # Every query of this request reads the snapshot published when it arrived.
        version = queries.pin()
        headers = flask.request.headers
        if hmac.compare_digest(
            headers.get(response_cache.WARMUP_HEADER, ""), response_cache.WARMUP_TOKEN
        ):
            roles = frozenset(filter(None, headers.get("X-CSF-Roles", "").split(",")))
            identite = Identite("prechauffage", roles)
        elif provider is None:
            identite = ANONYME
        else:
            identite = provider.identify(headers.get("Authorization"))
        if identite is None:
            return flask.Response(
                "Authentification requise.",
                401,
                {"WWW-Authenticate": 'Basic realm="CSF", charset="UTF-8"'},
                mimetype="text/plain",
            )
        flask.g.identite = identite
        request = flask.request
        if (
            cache is not None
            and request.method == "POST"
            and request.path == response_cache.CALLBACK
        ):
            key = ResponseCache.key(request.get_data(), identite.roles)
            if version is not None and key is not None:
                stored = cache.get(version, key)
                if stored is not None:
                    return flask.Response(stored, mimetype="application/json")
                flask.g.cache_key = (version, key)
        return None

    @server.teardown_request
    def liberer(_error: BaseException | None) -> None:
        queries.unpin()

    @server.after_request
    def entetes(response: flask.Response) -> flask.Response:
        pending = flask.g.pop("cache_key", None)
        if pending and cache is not None and response.status_code == 200:
            cache.put(*pending, response.get_data())
        response.headers.update(SECURITY_HEADERS)
        if not request_is_static():
            served = queries.publication()  # the pinned snapshot
            if served:
                response.headers["X-CSF-Instantane"] = served["snapshot_id"]
        hashes = ""
        if response.mimetype == "text/html" and not response.direct_passthrough:
            hashes = " ".join(inline_script_hashes(response.get_data(as_text=True)))
        response.headers["Content-Security-Policy"] = CSP.format(hashes=hashes)
        return response

    downloads.register(server)

    return app


INLINE_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def inline_script_hashes(page: str) -> list[str]:
    """CSP hashes of the page's executable inline scripts (Dash's renderer start-up and its
    pages' clientside helper), so no 'unsafe-inline' is needed."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for attrs, body in INLINE_SCRIPT.findall(page)
        if "src=" not in attrs and "application/json" not in attrs
    ]


def request_is_static() -> bool:
    """Design-system assets and Dash's own scripts need no identity (they hold no data)."""
    path = flask.request.path
    return path.startswith(("/assets/", "/_dash-component-suites/", "/_favicon.ico"))


def provider_from_settings(settings: Settings) -> IdentityProvider | None:
    path = settings.users_file
    if path.exists():
        return BasicAuthProvider(path)
    LOG.warning("Aucun fichier d'utilisateurs (%s) : accès local sans authentification.", path)
    return None


def cache_from_settings(settings: Settings) -> ResponseCache:
    return ResponseCache(settings.home / "cache" / "dashboard")


# The dashboard server's edge: its settings are read here, once per process.
SETTINGS = load_settings()
queries.configure(SETTINGS)
PROVIDER = provider_from_settings(SETTINGS)
CACHE = cache_from_settings(SETTINGS)
app = create_app(PROVIDER, CACHE)
server = app.server


def start_warmup() -> None:
    """Pre-render the common views in this worker (called by gunicorn after the fork)."""

    def role_sets() -> list[frozenset[str]]:
        if isinstance(PROVIDER, BasicAuthProvider):
            return sorted({u["roles"] for u in PROVIDER._users().values()}, key=sorted)
        return [ANONYME.roles]

    def views() -> list[tuple[str, str]]:
        academies = [code for code, _ in queries.valeurs("academie")]
        # The latest year first: the views most asked for are warm soonest.
        return response_cache.common_views(queries.periodes()[::-1], academies)

    response_cache.start_warmup(
        server,
        CACHE,
        role_sets,
        lambda: queries.snapshot_version(queries.published_path()),
        views,
    )
