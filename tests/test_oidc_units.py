"""OpenID Connect pieces without a browser: the role rules, the sessions kept on the server,
the page to go back to, the settings, and the ID token's checks on tokens signed here (the
flow against a real provider is tests/test_oidc.py)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from dashboards.oidc import ConnexionOidc, Fournisseur, OidcConfig, Refus, page_locale
from dashboards.oidc_roles import CorrespondanceRoles, charger_correspondance
from dashboards.sealed import Sceau
from dashboards.sessions import DECONNEXION_EN_COURS, SESSION, SessionStore
from pipelines.settings import load_settings
from tests.conftest import CSF

RULES = """
revendication_groupes = "groupes"

[[regle]]
domaine_email = "ac-creteil.fr"
roles = ["academie:24"]

[[regle]]
groupe = "csf-direction"
roles = ["national"]

[[regle]]
email = "Achats@Education.gouv.fr"
roles = ["achats"]

[[regle]]
revendications = { siret = "11004301500012" }
roles = ["achats", "national"]

[[regle]]
revendications = { idp_id = "fi-1", uid = "42" }
domaine_email = "education.gouv.fr"
roles = ["academie:25"]
"""


@pytest.fixture
def rules(tmp_path) -> CorrespondanceRoles:
    path = tmp_path / "roles-oidc.toml"
    path.write_text(RULES)
    return charger_correspondance(path)


@pytest.mark.parametrize(
    ("claims", "roles"),
    [
        ({"email": "mlds@ac-creteil.fr"}, {"academie:24"}),
        ({"email": "MLDS@AC-CRETEIL.FR"}, {"academie:24"}),
        # Look-alikes give nothing: another domain ending the same, a sub-domain, two @.
        ({"email": "mlds@faux-ac-creteil.fr"}, set()),
        ({"email": "mlds@x.ac-creteil.fr"}, set()),
        ({"email": "a@ac-creteil.fr@evil.fr"}, set()),
        ({"email": "ac-creteil.fr"}, set()),
        ({"groupes": ["autre", "csf-direction"]}, {"national"}),
        ({"groupes": "csf-direction"}, set()),  # a text, not a list of groups
        ({"groupes": ["csf-direction-bis"]}, set()),
        ({"groups": ["csf-direction"]}, set()),  # the file names « groupes » as the claim
        ({"email": "achats@education.gouv.fr"}, {"achats"}),
        ({"siret": "11004301500012"}, {"achats", "national"}),
        ({"siret": 11004301500012}, {"achats", "national"}),
        ({"siret": ["11004301500012"]}, set()),
        ({"siret": True}, set()),
        (
            {"email": "mlds@ac-creteil.fr", "groupes": ["csf-direction"]},
            {"academie:24", "national"},
        ),
        ({}, set()),
        # Look-alike letters (long s) fold into ASCII under casefold: not here.
        ({"email": "mlds@ac-creteil.fr".replace("s", "\u017f")}, set()),
        ({"email": "achats@education.gouv.fr".replace("s", "\u017f")}, set()),
        # Every condition of a rule must hold: uid at the right provider, and the domain.
        ({"idp_id": "fi-1", "uid": "42", "email": "a@education.gouv.fr"}, {"academie:25"}),
        ({"idp_id": "fi-2", "uid": "42", "email": "a@education.gouv.fr"}, set()),
        ({"uid": "42", "email": "a@education.gouv.fr"}, set()),
        ({"idp_id": "fi-1", "uid": "42", "email": "a@exemple.fr"}, set()),
    ],
)
def test_rules_give_the_union_of_matching_roles_and_nothing_by_default(rules, claims, roles):
    assert rules.roles(claims) == frozenset(roles)


@pytest.mark.parametrize(
    "text",
    [
        '[[regle]]\nroles = ["national"]',  # no condition
        '[[regle]]\nemail = "a@b.fr"\nroles = ["administrateur"]',  # unknown role
        '[[regle]]\nemail = "a@b.fr"\nroles = []',
        '[[regle]]\nemail = "a@b.fr"\nrole = ["national"]',  # mistyped key
        '[[regle]]\nrevendications = {}\nroles = ["national"]',  # no claim
        '[[regle]]\nrevendications = { uid = 42 }\nroles = ["national"]',  # not a text
        '[[regle]]\nrevendications = { uid = "" }\nroles = ["national"]',
        '[[regle]]\nrevendication = "uid"\nvaleur = "1"\nroles = ["national"]',
        '[[regle]]\nemail = "a@\u00e9cole.fr"\nroles = ["national"]',  # not ASCII
        '[[regles]]\nemail = "a@b.fr"\nroles = ["national"]',
    ],
)
def test_a_mistyped_rule_is_an_error_not_a_silent_grant(tmp_path, text):
    path = tmp_path / "roles-oidc.toml"
    path.write_text(text)
    with pytest.raises(ValueError):
        charger_correspondance(path)


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/jeunes?academie=24", "/jeunes?academie=24"),
        ("/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/a\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
        ("/deconnexion", "/"),  # signed in, then straight out: never
        ("/connexion/retour?code=x&state=y", "/"),
    ],
)
def test_the_page_after_sign_in_is_on_this_site(asked, kept):
    assert page_locale(asked) == kept


def test_sessions_end_on_time_and_a_sign_in_is_taken_once(tmp_path):
    clock = [1000.0]
    store = SessionStore(tmp_path / "sessions", now=lambda: clock[0])
    session = store.create(SESSION, {"utilisateur": "u", "roles": ["national"]}, 60)
    assert store.get(SESSION, session)["utilisateur"] == "u"
    assert store.get(SESSION, session + "x") is None
    assert store.get(DECONNEXION_EN_COURS, session) is None  # a session token is no other kind
    names = [p.name for p in (tmp_path / "sessions").iterdir()]
    assert names and all(session not in name for name in names)  # the file name is a digest
    clock[0] += 60
    assert store.get(SESSION, session) is None
    assert not list((tmp_path / "sessions").iterdir())  # the ended session was deleted
    pending = store.create(DECONNEXION_EN_COURS, {"state": "s"}, 600)
    assert store.take(DECONNEXION_EN_COURS, pending) == {"state": "s", "fin": 1660.0}
    assert store.take(DECONNEXION_EN_COURS, pending) is None
    assert store.take(DECONNEXION_EN_COURS, None) is None


def test_sign_outs_under_way_are_bounded_and_ended_sessions_pruned(tmp_path, monkeypatch):
    from dashboards import sessions

    monkeypatch.setattr(sessions, "MAX_EN_COURS", 3)
    clock = [0.0]
    store = SessionStore(tmp_path, now=lambda: clock[0])
    for _ in range(3):
        store.create(DECONNEXION_EN_COURS, {}, 600)
    with pytest.raises(sessions.PlusDePlace):
        store.create(DECONNEXION_EN_COURS, {}, 600)
    clock[0] = 601  # the ended ones are pruned to make room
    store.create(DECONNEXION_EN_COURS, {}, 600)
    assert len(list(tmp_path.glob("deconnexion-*.json"))) == 1
    # Sessions that ended and never came back are pruned as new sessions begin.
    store = SessionStore(tmp_path, now=lambda: clock[0])
    for _ in range(sessions.PRUNE_EVERY):
        store.create(SESSION, {}, 10)
    clock[0] += 11
    store.create(SESSION, {}, 10)
    assert len(list(tmp_path.glob("session-*.json"))) == 1


def test_a_sealed_sign_in_cannot_be_read_altered_or_kept_too_long(tmp_path):
    key = tmp_path / "keys" / "connexion-oidc.key"
    sceau = Sceau(key)
    sealed = sceau.sceller({"state": "s", "verifier": "secret-verifier"})
    assert "secret-verifier" not in sealed
    assert Sceau(key).ouvrir(sealed, 600) == {"state": "s", "verifier": "secret-verifier"}
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    altered = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    for token in (altered, "", None, "\u00e9", sealed + "x"):
        assert sceau.ouvrir(token, 600) is None
    assert Sceau(tmp_path / "autre.key").ouvrir(sealed, 600) is None  # another home's key
    # Fernet stamps whole seconds and expires strictly after the lifetime: 2 s past is sure.
    time.sleep(2.1)
    assert sceau.ouvrir(sealed, 1) is None


def test_oidc_settings_are_checked_whole():
    base = {"CSF_OIDC_ISSUER": "https://proconnect.gouv.fr/api/v2/"}
    assert OidcConfig.from_settings(load_settings({})) is None
    with pytest.raises(ValueError, match="CSF_OIDC_CLIENT_ID, CSF_OIDC_CLIENT_SECRET"):
        OidcConfig.from_settings(load_settings(base))
    full = {
        **base,
        "CSF_OIDC_CLIENT_ID": "id",
        "CSF_OIDC_CLIENT_SECRET": "s",
        "CSF_PUBLIC_URL": "https://csf.example.gouv.fr/",
        "CSF_OIDC_SIGNING_ALG": "es256",
    }
    config = OidcConfig.from_settings(load_settings(full))
    assert config.issuer == "https://proconnect.gouv.fr/api/v2"
    assert config.redirect_uri == "https://csf.example.gouv.fr/connexion/retour"
    assert config.algorithme == "ES256" and config.session_secondes == 480 * 60
    # Tokens and cookies never travel in clear over a network: http on the loopback only.
    for name, value in (
        ("CSF_OIDC_ISSUER", "http://proconnect.gouv.fr/api/v2"),
        ("CSF_PUBLIC_URL", "http://csf.example.gouv.fr"),
        ("CSF_PUBLIC_URL", "https://csf.example.gouv.fr/?x=1"),
        ("CSF_OIDC_SIGNING_ALG", "none"),
        ("CSF_OIDC_SIGNING_ALG", "HS256"),
    ):
        with pytest.raises(ValueError, match=name):
            load_settings({**full, name: value})
    assert load_settings({**full, "CSF_PUBLIC_URL": "http://127.0.0.1:8050"}).public_url
    with pytest.raises(ValueError, match="openid"):
        OidcConfig.from_settings(load_settings({**full, "CSF_OIDC_SCOPES": "email"}))


class _KeysHere(Fournisseur):
    """The provider's keys as a key set made here (the tokens below are signed with it)."""

    def __init__(self, keys: KeySet) -> None:
        super().__init__("https://fournisseur.example")
        self._keys = keys

    def keys(self, refresh: bool = False) -> KeySet:
        return self._keys


def _connexion(acr: tuple[str, ...] = ()) -> tuple[ConnexionOidc, RSAKey]:
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    config = OidcConfig(
        "https://fournisseur.example",
        "csf",
        "secret",
        "openid",
        acr,
        "RS256",
        "https://csf.example",
        3600,
    )
    store = SessionStore.__new__(SessionStore)
    connexion = ConnexionOidc(
        config, store, CorrespondanceRoles(()), Sceau.__new__(Sceau), _KeysHere(KeySet([key]))
    )
    return connexion, key


def _token(key: RSAKey, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://fournisseur.example",
        "sub": "s",
        "aud": "csf",
        "exp": now + 60,
        "iat": now,
        "nonce": "n",
        "acr": "eidas1",
        **changes,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://autre.example"},
        {"aud": "autre"},
        {"aud": ["csf", "autre"]},  # several audiences and no azp naming this client
        {"exp": int(time.time()) - 120},
        {"nonce": "autre"},
        {"nonce": None},
        {"sub": None},
        {"iat": None},
        {"acr": "eidas0"},
        {"azp": "autre"},  # one audience, but another authorised party
    ],
)
def test_id_token_checks(changes):
    connexion, key = _connexion(acr=("eidas1", "eidas2"))
    assert connexion.verifier_id_token(_token(key), "n")["sub"] == "s"
    with pytest.raises(Refus) as refused:
        connexion.verifier_id_token(_token(key, **changes), "n")
    assert refused.value.status == 401


def test_several_audiences_need_this_client_as_authorised_party():
    connexion, key = _connexion()
    token = _token(key, aud=["csf", "autre"], azp="csf")
    assert connexion.verifier_id_token(token, "n")["azp"] == "csf"


def test_csf_dashboard_names_what_oidc_still_needs(tmp_path):
    """Incomplete OIDC settings, or a missing roles file: `csf dashboard` stops at once with
    the reason (not a server whose workers fail, nor one that refuses everyone)."""
    env = {**os.environ, "CSF_HOME": str(tmp_path), "CSF_OIDC_ISSUER": "https://pc.example/api/v2"}
    answer = subprocess.run(
        [CSF, "dashboard", "--port", "9"], env=env, capture_output=True, text=True, timeout=120
    )
    assert answer.returncode != 0 and "CSF_OIDC_CLIENT_ID" in answer.stderr
    env |= {
        "CSF_OIDC_CLIENT_ID": "id",
        "CSF_OIDC_CLIENT_SECRET": "s",
        "CSF_PUBLIC_URL": "https://csf.example",
    }
    answer = subprocess.run(
        [CSF, "dashboard", "--port", "9"], env=env, capture_output=True, text=True, timeout=120
    )
    assert answer.returncode != 0 and "roles-oidc.toml" in answer.stderr
