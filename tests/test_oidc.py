"""OpenID Connect sign-in against a real, certified provider (node-oidc-provider, set up like
ProConnect by tests/oidc/fournisseur.mjs) and the real ``csf dashboard``, driven in Chromium:
sign-in and role mapping, refusal, logout, an expired session, forged ID tokens and replayed or
foreign returns from the provider. HTTP Basic stays beside it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from dashboards.server import free_port, served_in_background
from pipelines.settings import PROJECT_ROOT
from tests.conftest import users_environ

pytestmark = pytest.mark.slow

PROVIDER_SCRIPT = PROJECT_ROOT / "tests" / "oidc" / "fournisseur.mjs"
CLIENT_ID = "csf-tableau-de-bord"
CLIENT_SECRET = "secret-du-client-d-essai-0123456789"
SESSION_SECONDS = 30
PASSWORD = "mot-de-passe-de-test-3"
# Each forged token (tests/oidc/fournisseur.mjs) and the check that must catch it.
FORGED = {
    "signature-alteree": "bad_signature",
    "autre-audience": "invalid_claim",
    "jeton-expire": "expired_token",
    "autre-nonce": "invalid_claim",
    "autre-cle": "bad_signature",
    "sans-signature": "unsupported_algorithm",
}
CRETEIL = {"email": "mlds@ac-creteil.fr", "uid": "c-24", "siret": "19941000000011"}
ACCOUNTS = {
    "direction": {
        "email": "direction@education.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Martin",
        "uid": "d-1",
        "groups": ["csf-direction", "autre"],
    },
    "creteil": CRETEIL,
    "acheteur": {"email": "achats@education.gouv.fr", "uid": "ach-7", "idp_id": "fi-achats"},
    # The same uid at another identity provider: another person.
    "homonyme": {"email": "x@exemple.fr", "uid": "ach-7", "idp_id": "fi-autre"},
    # Claims no rule gives a role for: a look-alike domain, a look-alike group.
    "inconnu": {"email": "mlds@faux-ac-creteil.fr", "groups": ["csf-direction-bis"]},
    # Accounts whose ID token the provider forges (tests/oidc/fournisseur.mjs, FORGES): with
    # Créteil's claims, each would be signed in if the token were believed.
    **dict.fromkeys(FORGED, CRETEIL),
}
ROLES = """
[[regle]]
domaine_email = "ac-creteil.fr"
roles = ["academie:24"]

[[regle]]
groupe = "csf-direction"
roles = ["national"]

[[regle]]
revendications = { idp_id = "fi-achats", uid = "ach-7" }
roles = ["achats"]
"""
SESSION_COOKIE = "__Host-csf-session"


@pytest.fixture(scope="module")
def oidc(demo_home, tmp_path_factory):
    """The provider and the dashboard, each on its own port; yields (dashboard URL, home)."""
    if (
        shutil.which("node") is None
        or not (PROJECT_ROOT / "node_modules" / "oidc-provider").exists()
    ):
        pytest.fail("Node.js and the npm packages are installed by `make install`")
    folder = tmp_path_factory.mktemp("oidc")
    (folder / "comptes.json").write_text(json.dumps(ACCOUNTS))
    (folder / "roles-oidc.toml").write_text(ROLES)
    provider_port, dashboard_port = free_port(), free_port()
    dashboard = f"http://127.0.0.1:{dashboard_port}"
    provider = subprocess.Popen(
        [
            "node",
            str(PROVIDER_SCRIPT),
            str(provider_port),
            dashboard,
            CLIENT_SECRET,
            str(folder / "comptes.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = provider.stdout.readline()
        assert line.startswith("pret "), line
        issuer = line.split()[1]
        env = users_environ(
            demo_home, folder / "utilisateurs.toml", {"script": "national"}, PASSWORD
        )
        env.update(
            CSF_OIDC_ISSUER=issuer,
            CSF_OIDC_CLIENT_ID=CLIENT_ID,
            CSF_OIDC_CLIENT_SECRET=CLIENT_SECRET,
            CSF_OIDC_SCOPES="openid email given_name usual_name uid siret groups",
            CSF_OIDC_ROLES_FILE=str(folder / "roles-oidc.toml"),
            CSF_PUBLIC_URL=dashboard,
            CSF_SESSION_SECONDS=str(SESSION_SECONDS),
        )
        with served_in_background(env, port=dashboard_port) as url:
            yield url, demo_home
    finally:
        provider.terminate()
        provider.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def _sign_in(context, url: str, account: str, path: str = "/clauses"):
    """Ask for ``path``, sign in at the provider as ``account``; the page where it ends, and
    the provider's return (``/connexion/retour?code=…&state=…``) the browser was sent to."""
    page = context.new_page()
    returns: list[str] = []
    page.on("request", lambda r: returns.append(r.url) if "/connexion/retour" in r.url else None)
    page.goto(url + path)
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "peu-importe")
    with page.expect_navigation(url=lambda u: u.startswith(url)):
        page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, returns[0]


def _access_log(home: Path) -> list[dict]:
    path = home / "logs" / "acces.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == SESSION_COOKIE), None)


def test_sign_in_maps_claims_to_roles_and_returns_to_the_page(oidc, browser):
    url, home = oidc
    context = browser.new_context()
    page, _ = _sign_in(context, url, "creteil", "/jeunes?academie=24")
    assert page.url == url + "/jeunes?academie=24"
    page.wait_for_selector("#table-parcours-academie", timeout=30_000)
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    cookie = _cookie(context)
    assert cookie and cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    assert not any(c["name"] == "__Host-csf-connexion" for c in context.cookies())
    views = [e for e in _access_log(home) if e["evenement"] == "detail_jeunes"]
    assert views and views[-1]["utilisateur"] == "mlds@ac-creteil.fr"
    assert views[-1]["roles"] == ["academie:24"]
    context.close()

    # A group gives the national role: aggregates, never the académie's row-level detail.
    context = browser.new_context()
    page, _ = _sign_in(context, url, "direction", "/jeunes?academie=24")
    page.wait_for_selector("main h1", timeout=30_000)
    assert page.locator("#table-parcours-academie").count() == 0
    context.close()

    # A uid gives the buyers' role: nothing that describes youths.
    context = browser.new_context()
    page, _ = _sign_in(context, url, "acheteur", "/jeunes")
    page.get_by_text("Votre profil ne donne pas accès aux indicateurs sur les jeunes.").wait_for(
        timeout=30_000
    )
    context.close()


def _refused_sign_in(browser, url: str, account: str) -> tuple[int, str, dict | None]:
    """Sign in as ``account`` in a new browser: the provider's return's status, the page it
    showed, and the session cookie it left (None)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/clauses")
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "x")
    with page.expect_response(lambda r: "/connexion/retour" in r.url) as answer:
        page.click("button[type=submit]")
    shown, cookie = page.content(), _cookie(context)
    context.close()
    return answer.value.status, shown, cookie


@pytest.mark.parametrize("account", ["inconnu", "homonyme"])
def test_claims_no_rule_matches_get_no_session(oidc, browser, account):
    url, home = oidc
    status, shown, cookie = _refused_sign_in(browser, url, account)
    assert status == 403 and cookie is None
    assert "n'a pas accès à ce tableau de bord" in shown
    refused = [e for e in _access_log(home) if e.get("detail", "").startswith("connexion : aucune")]
    assert refused[-1]["detail"].endswith(ACCOUNTS[account]["email"])
    assert refused[-1]["statut"] == 403


@pytest.mark.parametrize("account", sorted(FORGED))
def test_a_forged_id_token_is_refused(oidc, browser, account):
    url, home = oidc
    status, shown, cookie = _refused_sign_in(browser, url, account)
    assert status == 401 and cookie is None
    assert "n'a pas pu être vérifiée" in shown
    reason = f"connexion : jeton d'identité refusé : {FORGED[account]}"
    assert _access_log(home)[-1]["detail"] == reason


def test_a_replayed_or_foreign_return_is_refused(oidc, browser):
    url, _ = oidc
    context = browser.new_context()
    _, retour = _sign_in(context, url, "creteil")
    assert parse_qs(urlsplit(retour).query)["state"]
    # The same browser, again: the sign-in was used up.
    page = context.new_page()
    assert page.goto(retour).status == 400
    assert "a expiré ou a déjà servi" in page.content()
    context.close()
    # Another browser with no sign-in under way.
    other = browser.new_context()
    page = other.new_page()
    assert page.goto(retour).status == 400
    assert _cookie(other) is None
    # A victim's browser with its own sign-in under way, sent the attacker's return (login
    # CSRF): its state does not match, and it is not signed in as the attacker.
    page.goto(url + "/clauses")
    page.wait_for_selector("input[name=login]")
    assert page.goto(retour).status == 400
    assert _cookie(other) is None
    other.close()


def test_logout_ends_the_session_here_and_at_the_provider(oidc, browser):
    url, _ = oidc
    context = browser.new_context()
    page, _ = _sign_in(context, url, "creteil")
    copied = _cookie(context)["value"]
    signed_in = {"Cookie": f"{SESSION_COOKIE}={copied}"}
    # Another site cannot sign the user out: a link only asks, a post from elsewhere too.
    asked = requests.get(url + "/deconnexion", headers=signed_in, allow_redirects=False)
    assert asked.status_code == 200 and 'method="post"' in asked.text
    for origin in ({"Origin": "https://ailleurs.example"}, {"Sec-Fetch-Site": "cross-site"}):
        forged = requests.post(
            url + "/deconnexion", headers=signed_in | origin, allow_redirects=False
        )
        assert forged.status_code == 200
    assert requests.get(url + "/clauses", headers=signed_in, allow_redirects=False).ok
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(url + "/deconnecte?*")
    assert "Vous êtes déconnecté" in page.content()
    # The copied cookie opens nothing: the session was deleted on the server.
    answer = requests.get(url + "/clauses", headers=signed_in, allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/connexion?")
    # The provider's session ended too: it asks for credentials again.
    page.goto(url + "/clauses")
    page.wait_for_selector("input[name=login]")
    context.close()


def test_a_session_ends_when_its_time_is_up(oidc, browser):
    url, _ = oidc
    context = browser.new_context()
    _sign_in(context, url, "creteil")
    started = time.monotonic()
    value = _cookie(context)["value"]
    cookie = {"Cookie": f"{SESSION_COOKIE}={value}"}
    assert requests.get(url + "/clauses", headers=cookie, allow_redirects=False).status_code == 200
    time.sleep(max(0.0, SESSION_SECONDS + 1 - (time.monotonic() - started)))
    answer = requests.get(url + "/clauses", headers=cookie, allow_redirects=False)
    assert answer.status_code == 303
    callback = requests.post(url + "/_dash-update-component", headers=cookie, json={})
    assert callback.status_code == 401
    context.close()


def test_basic_authentication_stays_beside_sign_in(oidc):
    url, _ = oidc
    assert requests.get(url + "/clauses", auth=("script", PASSWORD)).status_code == 200
    assert requests.get(url + "/clauses", auth=("script", "faux")).status_code == 401
    answer = requests.get(url + "/clauses?annee=2024", allow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/connexion?suite=%2Fclauses%3Fannee%3D2024"
