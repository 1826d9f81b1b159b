"""The dashboard's hardening, attacked over HTTP on the real ``csf dashboard`` (gunicorn, users
file, demo snapshot): routes that look static, malformed headers, password guessing, caching
headers, the CSP, crafted views against the response cache, an oversized body."""

from __future__ import annotations

import http.client
import json
import re
import stat
import time
from urllib.parse import urlsplit

import pytest
import requests

from dashboards.response_cache import page_request
from dashboards.server import served_in_background
from tests.conftest import users_environ

pytestmark = pytest.mark.slow

PASSWORD = "mot-de-passe-de-test-2"
# « prechauffage » is also the name of the workers' warm-up renders, which are not logged.
USERS = {
    "direction": "national",
    "creteil": "academie:24",
    "cible": "achats",
    "prechauffage": "academie:24",
}
SHELL = '<div id="react-entry-point"'


@pytest.fixture(scope="module")
def secured(demo_home, tmp_path_factory):
    users = tmp_path_factory.mktemp("config") / "utilisateurs.toml"
    with served_in_background(users_environ(demo_home, users, USERS, PASSWORD)) as url:
        yield url


def _raw_get(url: str, path: str, headers: dict[str, bytes] | None = None) -> tuple[int, bytes]:
    """A GET whose path and header bytes are sent as given (no client normalisation)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_no_app_shell_nor_data_route_without_signing_in(secured):
    """Paths that only look like static files, Dash's own data routes and every page answer
    401 to an anonymous client; true static files still load without credentials."""
    for path in (
        "/_favicon.icox",
        "/_favicon.ico/x",
        "/assets//etc/passwd",
        "/assets/../clauses",
        "/_dash-component-suitesx/a.js",
        "/_dash-layout",
        "/_dash-dependencies",
        "/clauses",
        "/introuvable",
        "/telecharger/activation.csv",
    ):
        status, body = _raw_get(secured, path)
        assert status in (401, 404, 308), (path, status)
        assert SHELL.encode() not in body and b"Dash" not in body, path
    assert _raw_get(secured, "/_favicon.ico")[0] == 200
    assert _raw_get(secured, "/assets/vendor/dsfr/1-core/core.min.css")[0] == 200


def test_a_malformed_header_is_a_400_never_a_500(secured):
    for name in ("X-CSF-Prechauffage", "Authorization", "X-CSF-Roles"):
        for value in ("é".encode("latin-1"), "Basic é".encode()):
            status, body = _raw_get(secured, "/clauses", {name: value})
            assert status == 400, (name, value, status)
            assert body.decode() == "Requête invalide."
        # A control character: gunicorn refuses the request itself.
        assert _raw_get(secured, "/clauses", {name: b"a\x01b"})[0] == 400


def test_guessing_a_password_locks_the_name_then_answers_without_a_check(secured):
    """Five wrong passwords, then the right one is refused for a while (429 with Retry-After),
    in both workers; the other users keep signing in."""
    for _ in range(5):
        wrong = requests.get(f"{secured}/clauses", auth=("cible", "faux"), timeout=10)
        assert wrong.status_code == 401
    for _ in range(4):  # both workers answer alike: the counts are shared
        right = requests.get(f"{secured}/clauses", auth=("cible", PASSWORD), timeout=10)
        assert right.status_code == 429
        assert 0 < int(right.headers["Retry-After"]) <= 61
        assert "Trop de tentatives" in right.text
    other = requests.get(f"{secured}/clauses", auth=("direction", PASSWORD), timeout=10)
    assert other.status_code == 200


def test_role_scoped_answers_are_private_and_static_files_public(secured):
    auth = ("creteil", PASSWORD)
    page = requests.get(f"{secured}/jeunes?academie=24", auth=auth, timeout=10)
    download = requests.get(
        f"{secured}/telecharger/parcours-academie.csv?academie=24", auth=auth, timeout=10
    )
    callback = requests.post(
        f"{secured}/_dash-update-component",
        json=page_request("/jeunes", "?academie=24"),
        auth=auth,
        timeout=30,
    )
    refused = requests.get(f"{secured}/jeunes", timeout=10)
    for response in (page, download, callback, refused):
        assert response.headers["Cache-Control"] == "private, no-store", response.url
        vary = {v.strip() for v in response.headers["Vary"].split(",")}
        assert {"Authorization", "Cookie"} <= vary, response.url
    css = requests.get(f"{secured}/assets/vendor/dsfr/1-core/core.min.css", timeout=10)
    assert "private" not in css.headers.get("Cache-Control", "")


def test_the_csp_allows_only_the_apps_own_inline_scripts(secured):
    """The hashes are the app's, not the response's: the same for every page and view, and as
    many as the page's executable inline scripts."""
    auth = ("direction", PASSWORD)
    policies = set()
    for path in ("/", "/clauses?annee=2024", "/jeunes?acheteur=<script>alert(1)</script>"):
        page = requests.get(secured + path, auth=auth, timeout=10)
        script_src = re.search(r"script-src ([^;]*)", page.headers["Content-Security-Policy"])
        hashes = re.findall(r"'sha256-[^']+'", script_src.group(1))
        inline = [
            body
            for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
            if "src=" not in attrs and "application/json" not in attrs
        ]
        assert len(hashes) == len(set(inline)) >= 1, path
        policies.add(frozenset(hashes))
    assert len(policies) == 1


def test_crafted_views_do_not_grow_the_response_cache(secured, demo_home):
    """Forty views with a parameter no page reads are one cached entry."""
    auth = ("direction", PASSWORD)
    cache = demo_home / "cache" / "dashboard"

    def entries() -> int:
        return sum(1 for p in cache.rglob("*") if p.is_file())

    def render(search: str) -> bytes:
        response = requests.post(
            f"{secured}/_dash-update-component",
            json=page_request("/qualite", search),
            auth=auth,
            timeout=30,
        )
        assert response.status_code == 200
        return response.content

    # The workers' warm-up writes the common views: counted once it has finished.
    deadline, previous = time.monotonic() + 300, -1
    while time.monotonic() < deadline:
        if any(cache.glob("*/.complet")) and entries() == previous:
            break
        previous = entries()
        time.sleep(3)
    first = render("?annee=ensemble&secteur=inconnu")
    before = entries()
    for n in range(40):
        assert render(f"?annee=ensemble&secteur=inconnu&junk={n}") == first
    assert entries() == before


def test_an_oversized_body_is_refused_before_it_is_read(secured):
    auth = ("direction", PASSWORD)
    body = b'{"output": "' + b"x" * (300 * 1024) + b'"}'
    response = requests.post(
        f"{secured}/_dash-update-component",
        data=body,
        headers={"Content-Type": "application/json"},
        auth=auth,
        timeout=30,
    )
    assert response.status_code == 413


def _log_lines(demo_home, since: int) -> list[dict]:
    path = demo_home / "logs" / "acces.jsonl"
    with path.open("rb") as handle:
        handle.seek(since)
        return [json.loads(line) for line in handle.read().splitlines()]


def test_row_level_youth_data_and_refusals_are_in_the_access_log(secured, demo_home):
    """Each view of the académie's parcours detail (rendered or served from the response
    cache) and each download of it is logged with the user, roles, route and filters; so is each
    refusal, once; the log is private and holds no youth data."""
    log = demo_home / "logs" / "acces.jsonl"
    since = log.stat().st_size if log.exists() else 0
    creteil = ("creteil", PASSWORD)
    for _ in range(2):  # the second is served from the response cache
        response = requests.post(
            f"{secured}/_dash-update-component",
            json=page_request("/jeunes", "?academie=24&annee=ensemble&junk=1"),
            auth=creteil,
            timeout=30,
        )
        assert response.status_code == 200 and "table-parcours-academie" in response.text
    detail = f"{secured}/telecharger/parcours-academie.csv"
    assert requests.get(detail + "?academie=24", auth=creteil, timeout=10).status_code == 200
    homonym = requests.get(detail + "?academie=24", auth=("prechauffage", PASSWORD), timeout=10)
    assert homonym.status_code == 200
    assert requests.get(detail + "?academie=25", auth=creteil, timeout=10).status_code == 403
    assert requests.get(f"{secured}/qualite", timeout=10).status_code == 401  # no attempt
    wrong = requests.get(f"{secured}/jeunes", auth=("inconnu", "x"), timeout=10)
    assert wrong.status_code == 401
    lines = _log_lines(demo_home, since)

    views = [e for e in lines if e["evenement"] == "detail_jeunes" and e["route"] == "/jeunes"]
    assert len(views) == 2
    assert views[0]["utilisateur"] == "creteil" and views[0]["roles"] == ["academie:24"]
    assert views[0]["filtres"] == {"academie": "24", "annee": "ensemble"}
    downloads = [e for e in lines if e["route"] == "/telecharger/parcours-academie.csv"]
    assert [(e["evenement"], e["utilisateur"], e["statut"], e["filtres"]) for e in downloads] == [
        ("detail_jeunes", "creteil", 200, {"academie": "24"}),
        ("detail_jeunes", "prechauffage", 200, {"academie": "24"}),
        ("refus", "creteil", 403, {"academie": "25"}),
    ]
    refused = [(e["route"], e["utilisateur"]) for e in lines if e["statut"] == 401]
    assert refused == [("/jeunes", None)]
    expected = {
        "horodatage", "evenement", "utilisateur", "roles", "adresse", "methode", "route",
        "filtres", "statut", "detail",
    }  # fmt: skip
    assert all(set(e) <= expected for e in lines)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_the_access_log_rotates_and_keeps_every_line_until_its_last_backup(tmp_path):
    from dashboards.access_log import AccessLog

    journal = AccessLog(tmp_path / "logs", max_bytes=1000, backups=3)
    for n in range(60):
        journal.append({"n": n, "remplissage": "x" * 40})
    files = sorted((tmp_path / "logs").glob("acces*.jsonl"))
    assert [f.name for f in files] == [
        "acces.1.jsonl", "acces.2.jsonl", "acces.3.jsonl", "acces.jsonl"
    ]  # fmt: skip
    assert all(f.stat().st_size <= 1000 for f in files)
    oldest_first = [*reversed(files[:-1]), files[-1]]
    kept = [json.loads(x)["n"] for f in oldest_first for x in f.read_text().splitlines()]
    assert kept == list(range(60 - len(kept), 60)) and len(kept) > 45
