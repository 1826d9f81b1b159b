"""The leadership dashboard: Dash pages in French with the State design system (DSFR), filters
in the URL (a GET form), role-scoped content, CSV downloads, security headers, compressed
responses and long-lived caching of versioned static files. Served by gunicorn
(``dashboards.server``); debug stays off."""

from __future__ import annotations

import hmac
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlencode

import dash
import flask
from dash import Dash, html
from dash.fingerprint import check_fingerprint
from flask_compress import Compress
from werkzeug.exceptions import HTTPException

from dashboards import access_log, downloads, oidc, oidc_routes, queries, response_cache
from dashboards.auth import ANONYME, BasicAuthProvider, Identite, IdentityProvider
from dashboards.oidc import ConnexionOidc
from dashboards.response_cache import ResponseCache
from dashboards.throttle import Bloque, LoginThrottle
from pipelines.content import formatting as fmt
from pipelines.settings import PLOTLY_BASIC_JS, Settings, load_settings

LOG = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
# Where Dash's graphs fetch plotly.js when served locally, and the smaller bundle served there.
PLOTLY_PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"

# Where Dash's graphs fetch their chart code once the page's content has arrived.
GRAPH_CHUNK = "/_dash-component-suites/dash/dcc/async-graph.js"
# Dash's scripts go straight into the body: in a <footer> they made a second "contentinfo"
# landmark beside the page's own footer. {%css%} also carries the chart scripts (Tableau).
INDEX = """<!DOCTYPE html>
<html lang="fr" data-fr-scheme="light">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}{%config%}{%scripts%}{%renderer%}</body>
</html>"""
# A page known to draw charts loads plotly.js as a deferred script: it runs while the browser
# waits for the page's layout and content, and Dash's graphs find it ready (``window.Plotly``)
# instead of fetching and running it after the content arrives. Other pages only prefetch it
# at low priority (not run: a page without charts pays the transfer only, and the next page
# with charts finds it in the cache).
CHART_SCRIPTS = (
    f'<link rel="preload" href="{GRAPH_CHUNK}" as="script">'
    f'<script src="{PLOTLY_PATH}" defer></script>'
)
CHART_PREFETCH = (
    f'<link rel="prefetch" href="{GRAPH_CHUNK}"><link rel="prefetch" href="{PLOTLY_PATH}">'
)
# The design system's fonts are found only once the content is drawn (the CSS rule that uses
# them applies then): fetched ahead, the text is not drawn twice at the end of a first visit.
FONT_PRELOADS = "".join(
    f'<link rel="preload" href="/assets/vendor/dsfr/fonts/Marianne-{weight}.woff2" as="font" '
    'type="font/woff2" crossorigin>'
    for weight in ("Regular", "Medium", "Bold")
)
# Paths whose rendered content held a chart, learnt from the page callbacks this process
# answered: for views the response cache does not hold (see Tableau.draws_charts).
CHART_PAGES: dict[str, bool] = {}
PAGE_OUTPUT = response_cache.PAGE_OUTPUT
GRAPH = b'"type":"Graph"'  # a chart in a rendered page's JSON

# Dash's own inline scripts (its renderer's start-up, the pages' clientside helpers) are allowed
# by the hashes of the scripts the app knows, never of what a response holds: an inline script
# injected into a page would not run. No 'unsafe-inline'; Plotly needs 'unsafe-eval', and its
# charts inline styles.
CSP = (
    "default-src 'self'; script-src 'self' {hashes} 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'{provider}; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Every response that is not a static file depends on who asks: neither a shared cache nor the
# browser's disk keeps it, and a cache that ignored the credentials could not serve it to another.
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Vary": "Authorization, Cookie"}
# A request body larger than this is refused (413) before it is read: a page callback posts
# less than 1 kB.
MAX_BODY_BYTES = 256 * 1024
# The request headers the app reads itself: their values must be printable ASCII (a 400, never
# a 500 further on).
READ_HEADERS = ("Authorization", response_cache.WARMUP_HEADER, "X-CSF-Roles")
PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
# The routes that serve files holding no data (Flask's endpoint names, not path prefixes: a
# path that only looks like one, « /_favicon.icox » or « /assets//etc/passwd », is not one).
STATIC_ENDPOINTS = {
    "_dash_assets.static",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
    "/_favicon.ico",
}
# A static file whose URL names its version (Dash's fingerprinted component suites, assets
# linked with their ``?m=`` modification time) never changes under that URL.
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Error answers outside the pages (an unknown download, a missing file, a server error).
ERREURS = {
    400: "Requête invalide.",
    403: "Accès refusé.",
    404: "Page introuvable.",
    405: "Méthode non autorisée.",
    500: "Erreur interne du serveur : réessayez plus tard.",
}


class Tableau(Dash):
    """Dash, with its words in French (the text shown while the page loads; no "Updating..."
    title while a callback runs: ``update_title=None`` below), and plotly.js loaded ahead on the
    pages that draw charts."""

    pages_cache: ResponseCache | None = None

    def interpolate_index(self, **kwargs: str) -> str:
        kwargs["app_entry"] = kwargs["app_entry"].replace("Loading...", "Chargement…")
        kwargs["css"] += "\n" + FONT_PRELOADS
        kwargs["css"] += "\n" + (CHART_SCRIPTS if self.draws_charts() else CHART_PREFETCH)
        return super().interpolate_index(**kwargs)

    def draws_charts(self) -> bool:
        """Whether the view asked for holds a chart: from its rendered content in the response
        cache (the workers pre-render the common views), else from what this process rendered
        for the same page."""
        request = flask.request
        path = request.path.strip("/")
        version = page_version(queries.current_version(queries.published_path()))
        identite = getattr(flask.g, "identite", None)
        if self.pages_cache is not None and version is not None and identite is not None:
            search = "?" + request.query_string.decode() if request.query_string else ""
            body = json.dumps(response_cache.page_request("/" + path, search)).encode()
            key = ResponseCache.key(body, identite.roles)
            stored = self.pages_cache.get(version, key) if key else None
            if stored is not None:
                return GRAPH in stored
        return CHART_PAGES.get(response_cache.canonical_path(path).strip("/"), False)


def create_app(
    provider: IdentityProvider | None = None,
    cache: ResponseCache | None = None,
    connexion: ConnexionOidc | None = None,
) -> Dash:
    """The Dash app. ``provider`` identifies users by HTTP Basic, ``connexion`` by an OpenID
    Connect provider's sign-in and a session cookie (neither: one local national user);
    ``cache`` shares rendered pages between workers (None: no response cache)."""
    app = Tableau(
        __name__,
        title="Clause sociale de formation",
        index_string=INDEX,
        assets_folder=str(HERE / "assets"),
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        suppress_callback_exceptions=True,
        serve_locally=True,
        update_title=None,
    )
    app.pages_cache = cache
    # Signing out posts a form whose answer sends the browser on to the provider's logout:
    # form-action must allow the provider's origin (a redirect after a post is checked too).
    form_target = " " + oidc.origine(connexion.config.issuer) if connexion else ""
    app.layout = html.Div([dash.page_container])
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Brotli, then gzip (zstd is left out: not every browser decodes it); static files' compressed
    # bodies are kept per worker (they change only with their URL). Registered before the
    # headers hook below, so that it runs after it: the CSP hashes and the response cache read
    # the uncompressed body.
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_MIMETYPES=sorted(COMPRESSED_TYPES),
        COMPRESS_CACHE_BACKEND=StaticCompressedCache,
        COMPRESS_CACHE_KEY=static_cache_key,
    )
    Compress(server)

    @server.before_request
    def plotly_basique():
        # Every chart is a bar or scatter trace: the basic bundle draws them all, and a cold
        # page evaluates a quarter of the script. Without it (not installed), Dash's full one.
        if flask.request.path == PLOTLY_PATH and PLOTLY_BASIC_JS.exists():
            return flask.send_file(PLOTLY_BASIC_JS, mimetype="text/javascript", max_age=3600)
        return None

    @server.errorhandler(HTTPException)
    def erreur_en_francais(error: HTTPException) -> flask.Response | HTTPException:
        """Werkzeug's English error pages, in French (its headers kept: Allow...)."""
        if error.code is None or error.code < 400:
            return error
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return flask.Response(
            ERREURS.get(error.code, f"Erreur {error.code}."),
            error.code,
            headers,
            mimetype="text/plain",
        )

    @server.before_request
    def requete_valide():
        """A body over the limit, or a header the app reads that is not printable ASCII, is
        refused before anything else reads it."""
        request = flask.request
        if (request.content_length or 0) > MAX_BODY_BYTES:
            flask.abort(413)
        for name in READ_HEADERS:
            if not PRINTABLE_ASCII.fullmatch(request.headers.get(name, "")):
                flask.abort(400)

    @server.before_request
    def authentifier():
        if request_is_static() or flask.request.endpoint in oidc_routes.ENDPOINTS:
            return None
        # Every query of this request reads the snapshot published when it arrived.
        version = queries.pin()
        request = flask.request
        headers = request.headers
        if hmac.compare_digest(
            headers.get(response_cache.WARMUP_HEADER, ""), response_cache.WARMUP_TOKEN
        ):
            roles = frozenset(filter(None, headers.get("X-CSF-Roles", "").split(",")))
            identite = Identite(access_log.WARMUP_USER, roles)
            flask.g.prechauffage = True  # proven by the token, not by a name a user could have
        elif provider is None and connexion is None:
            identite = ANONYME
        elif connexion is not None and "Authorization" not in headers:
            identite = connexion.identite(oidc_routes.session_token())
            if identite is None and request.method == "GET" and request.endpoint in PAGE_ENDPOINTS:
                # A page asked for without a session: sign in, then back to it.
                suite = request.full_path if request.query_string else request.path
                return flask.redirect(
                    oidc_routes.CONNEXION + "?" + urlencode({"suite": suite}), 303
                )
        elif provider is None:
            identite = None
        else:
            try:
                identite = provider.identify(headers.get("Authorization"), request.remote_addr)
            except Bloque as locked:
                return flask.Response(
                    "Trop de tentatives de connexion : réessayez dans "
                    f"{fmt.number(locked.secondes)} secondes.",
                    429,
                    {"Retry-After": str(locked.secondes)},
                    mimetype="text/plain",
                )
        if identite is None:
            return flask.Response(
                "Authentification requise.",
                401,
                # No password box over a page whose session has just ended: it signs in again.
                {"WWW-Authenticate": 'Basic realm="CSF", charset="UTF-8"'}
                if provider and oidc_routes.SESSION_COOKIE not in request.cookies
                else {},
                mimetype="text/plain",
            )
        flask.g.identite = identite
        if (
            cache is not None
            and request.method == "POST"
            and request.path == response_cache.CALLBACK
        ):
            key = ResponseCache.key(request.get_data(), identite.roles)
            rendered = page_version(version)
            if rendered is not None and key is not None:
                stored = cache.get(rendered, key)
                if stored is not None:
                    for event in cache.events(rendered, key):
                        access_log.noter(*event)
                    return flask.Response(stored, mimetype="application/json")
                flask.g.cache_key = (rendered, key)
        return None

    @server.teardown_request
    def liberer(_error: BaseException | None) -> None:
        queries.unpin()

    @server.after_request
    def entetes(response: flask.Response) -> flask.Response:
        pending = flask.g.pop("cache_key", None)
        if pending and cache is not None and response.status_code == 200:
            cache.put(*pending, response.get_data(), flask.g.get("evenements"))
        access_log.refus_de_la_requete(response)
        if response.status_code == 200 and flask.request.path == response_cache.CALLBACK:
            learn_chart_pages(flask.request.get_json(silent=True), response)
        if flask.request.endpoint in PAGE_ENDPOINTS and not is_page(flask.request.path):
            # Dash answers every path with its page shell (the French "page introuvable" comes
            # from pages/not_found_404.py): the status says the page does not exist.
            response.status_code = 404
        if request_is_static() and response.status_code == 200:
            if is_versioned_static():
                response.headers["Cache-Control"] = CACHE_FOREVER
            if response.direct_passthrough:
                # A file sent as a stream would be compressed again for every request: read
                # whole, its compressed body is kept (StaticCompressedCache).
                response.direct_passthrough = False
                response.make_sequence()
        response.headers.update(SECURITY_HEADERS)
        if not request_is_static():
            response.headers.update(PRIVATE_HEADERS)
            served = queries.publication()  # the pinned snapshot
            if served:
                response.headers["X-CSF-Instantane"] = served["snapshot_id"]
        response.headers["Content-Security-Policy"] = CSP.format(
            hashes=" ".join(app.csp_hashes()), provider=form_target
        )
        return response

    downloads.register(server)
    if connexion is not None:
        oidc_routes.register(server, connexion)

    return app


# Dash's routes that answer with the page shell: "/" and every other path.
PAGE_ENDPOINTS = {"/", "/<path:path>"}
COMPRESSED_TYPES = {
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "image/x-icon",
}


def learn_chart_pages(body: object, response: flask.Response) -> None:
    """Note whether the page a page callback rendered holds a chart (see CHART_SCRIPTS)."""
    asked = response_cache.page_asked(body)
    if asked is not None and not response.direct_passthrough:
        # Keyed on the page, not the path sent: crafted paths cannot grow it.
        CHART_PAGES[response_cache.canonical_path(asked[0]).strip("/")] = (
            GRAPH in response.get_data()
        )


def page_version(snapshot: tuple[int, int] | None) -> tuple[int, ...] | None:
    """The version a cached page is stored under (see ``response_cache.page_version``)."""
    return response_cache.page_version(snapshot, queries.settings())


def is_page(path: str) -> bool:
    """A path one of the registered pages answers (the "not found" page is not one)."""
    wanted = path.strip("/")
    return any(
        page["path"].strip("/") == wanted
        for module, page in dash.page_registry.items()
        if module.split(".")[-1] != "not_found_404"
    )


def is_versioned_static() -> bool:
    """A static file whose URL changes when its content does."""
    request = flask.request
    if request.path.startswith("/_dash-component-suites/"):
        return check_fingerprint(request.path)[1]
    if request.path == "/_favicon.ico":
        return "v" in request.args
    return request.path.startswith("/assets/") and "m" in request.args


def static_cache_key(request: flask.Request) -> str:
    """Compressed bodies are kept for static files only (empty key: not kept)."""
    return request.full_path if request_is_static() else ""


class StaticCompressedCache:
    """flask-compress's cache, holding only static files' compressed bodies (a few MB)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return None if key.endswith(";") else self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self.data[key] = value


def request_is_static() -> bool:
    """Design-system assets and Dash's own scripts need no identity (they hold no data)."""
    return flask.request.endpoint in STATIC_ENDPOINTS


def provider_from_settings(settings: Settings, warn: bool = True) -> IdentityProvider | None:
    """HTTP Basic against the users file, if there is one (beside OIDC sign-in, for local use
    and scripts)."""
    path = settings.users_file
    if path.exists():
        return BasicAuthProvider(path, LoginThrottle(settings.home / "cache" / "connexions.json"))
    if warn:
        LOG.warning("Aucun fichier d'utilisateurs (%s) : accès local sans authentification.", path)
    return None


def cache_from_settings(settings: Settings) -> ResponseCache:
    return ResponseCache(
        settings.home / "cache" / "dashboard", settings.dashboard_cache_mb * 1024 * 1024
    )


# The dashboard server's edge: its settings are read here, once per process.
SETTINGS = load_settings()
queries.configure(SETTINGS)
CONNEXION = oidc.from_settings(SETTINGS)
PROVIDER = provider_from_settings(SETTINGS, warn=CONNEXION is None)
CACHE = cache_from_settings(SETTINGS)
app = create_app(PROVIDER, CACHE, CONNEXION)
server = app.server


def start_warmup() -> None:
    """Pre-render the common views in this worker (called by gunicorn after the fork)."""

    def role_sets() -> list[frozenset[str]]:
        sets: set[frozenset[str]] = set()
        if isinstance(PROVIDER, BasicAuthProvider):
            sets |= {u["roles"] for u in PROVIDER._users().values()}
        if CONNEXION is not None:
            sets |= set(CONNEXION.roles.role_sets())
        return sorted(sets, key=sorted) if sets else [ANONYME.roles]

    def views() -> list[tuple[str, str]]:
        academies = [code for code, _ in queries.valeurs("academie")]
        # The latest year first: the views most asked for are warm soonest.
        return response_cache.common_views(queries.periodes()[::-1], academies)

    response_cache.start_warmup(
        server,
        CACHE,
        role_sets,
        lambda: page_version(queries.snapshot_version(queries.published_path())),
        views,
    )
