"""Sign-in with an OpenID Connect provider (ProConnect): authorization code with PKCE.

The flow, each step checked:

1. ``/connexion`` seals a sign-in under way (state, nonce, PKCE verifier and the page asked
   for) into a cookie of its own (``sealed``: the server keeps nothing for an anonymous
   request), and sends the browser to the provider.
2. ``/connexion/retour`` opens that cookie (deleted as it is used: a replayed return, or one
   sent to another browser, finds none or another state), checks the state against it, checks
   the provider's ``iss`` (RFC 9207), exchanges the code (with the verifier and the client
   secret), and verifies the ID token: signed with the one registered algorithm by a key of
   the provider's published set, issued by the issuer, for this client, unexpired, with the
   nonce. The user info (a signed JWT at ProConnect, verified the same way, or JSON) must name
   the same ``sub``. The claims give roles by the mapping file's rules (``oidc_roles``); no
   rule, no session. A session is kept on the server; the browser gets only its random token
   (a new one: a session it held before is ended).
3. ``/deconnexion`` (a POST: another site's page cannot sign a user out) deletes the session,
   then sends the browser to the provider's ``end_session_endpoint`` (with ``id_token_hint``,
   a state and the return address), which ends the provider's own session; ``/deconnecte``
   says it is done.

Sessions end ``CSF_SESSION_MINUTES`` after sign-in, whatever the cookie says; the provider's
tokens are used once, at sign-in (ProConnect's access token lasts 60 s).
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dashboards.auth import Identite
from dashboards.oidc_roles import CorrespondanceRoles, charger_correspondance
from dashboards.sealed import Sceau
from dashboards.sessions import DECONNEXION_EN_COURS, SESSION, SessionStore
from pipelines.settings import Settings

CONNEXION = "/connexion"
RETOUR = "/connexion/retour"
DECONNEXION = "/deconnexion"
DECONNECTE = "/deconnecte"
SIGN_IN_PATHS = {CONNEXION, RETOUR, DECONNEXION, DECONNECTE}
# How long a sign-in may stay under way at the provider (seconds).
CONNEXION_SECONDES = 600
# Clock difference allowed with the provider when checking a token's times (seconds).
DECALAGE = 60
HTTP_TIMEOUT = 10
METADATA_SECONDES = 3600
# What a provider that answers garbage (a JSON list for an object...) raises while it is read.
PROVIDER_GARBAGE = (requests.RequestException, ValueError, KeyError, TypeError, AttributeError)


class Refus(Exception):
    """A sign-in refused: the HTTP status, the French message shown, the log's reason."""

    def __init__(self, status: int, message: str, raison: str) -> None:
        super().__init__(raison)
        self.status = status
        self.message = message
        self.raison = raison


EXPIREE = Refus(
    400,
    "Cette connexion a expiré ou a déjà servi : reconnectez-vous.",
    "connexion inconnue, expirée ou rejouée",
)


@dataclass(frozen=True)
class OidcConfig:
    """What the dashboard needs to know of its provider."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    acr: tuple[str, ...]
    algorithme: str
    public_url: str
    session_secondes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        """None without ``CSF_OIDC_ISSUER``; an error naming what is missing otherwise."""
        if not settings.oidc_issuer:
            return None
        missing = [
            name
            for name, value in (
                ("CSF_OIDC_CLIENT_ID", settings.oidc_client_id),
                ("CSF_OIDC_CLIENT_SECRET", settings.oidc_client_secret),
                ("CSF_PUBLIC_URL", settings.public_url),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"CSF_OIDC_ISSUER est défini : {', '.join(missing)} aussi requis")
        if "openid" not in settings.oidc_scopes.split():
            raise ValueError("CSF_OIDC_SCOPES doit contenir « openid »")
        return cls(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            scopes=settings.oidc_scopes,
            acr=tuple(settings.oidc_acr.split()),
            algorithme=settings.oidc_signing_alg.upper(),
            public_url=settings.public_url,
            session_secondes=settings.session_seconds,
        )

    @property
    def redirect_uri(self) -> str:
        return self.public_url + RETOUR

    @property
    def post_logout_redirect_uri(self) -> str:
        return self.public_url + DECONNECTE


class Fournisseur:
    """The provider's published metadata and signing keys, fetched when first needed and kept
    (the keys fetched again once when a token names one not yet known: a key rotation)."""

    def __init__(self, issuer: str, http: requests.Session | None = None) -> None:
        self.issuer = issuer
        self.http = http or requests.Session()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: KeySet | None = None

    def _get(self, url: str) -> requests.Response:
        response = self.http.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None or self._metadata[0] < time.monotonic():
            document = self._get(self.issuer + "/.well-known/openid-configuration").json()
            if not isinstance(document, dict) or document.get("issuer") != self.issuer:
                raise ValueError("le document de découverte ne nomme pas l'émetteur configuré")
            self._metadata = (time.monotonic() + METADATA_SECONDES, document)
        return self._metadata[1]

    def keys(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(self._get(self.metadata()["jwks_uri"]).json())
        return self._keys


class ConnexionOidc:
    """The sign-in flow of one dashboard process (sessions shared on disk by the workers)."""

    def __init__(
        self,
        config: OidcConfig,
        store: SessionStore,
        roles: CorrespondanceRoles,
        sceau: Sceau,
        fournisseur: Fournisseur | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.roles = roles
        self.sceau = sceau
        self.fournisseur = fournisseur or Fournisseur(config.issuer)

    # 1. To the provider
    def commencer(self, suite: str) -> tuple[str, str]:
        """The provider's authorization URL, and the sealed sign-in for the browser to keep."""
        metadata = self.fournisseur.metadata()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        pkce = "S256" in metadata.get("code_challenge_methods_supported", [])
        verifier = secrets.token_urlsafe(48) if pkce else None
        extra: dict[str, str] = {"nonce": nonce}
        if self.config.acr:
            extra["claims"] = json.dumps(
                {"id_token": {"acr": {"essential": True, "values": list(self.config.acr)}}}
            )
        client = self._client(code_challenge_method="S256" if pkce else None)
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, code_verifier=verifier, **extra
        )
        sealed = self.sceau.sceller(
            {"state": state, "nonce": nonce, "verifier": verifier, "suite": page_locale(suite)}
        )
        return url, sealed

    # 2. Back from the provider
    def terminer(
        self, args: dict[str, str], sealed: str | None, previous: str | None = None
    ) -> tuple[str, str]:
        """The new session's token and the page to go to (``previous``, the session the browser
        held, is ended); ``Refus`` when anything fails."""
        attente = self.sceau.ouvrir(sealed, CONNEXION_SECONDES)
        if attente is None or not hmac.compare_digest(
            str(args.get("state", "")).encode(), str(attente.get("state", "")).encode()
        ):
            raise EXPIREE
        metadata = self.fournisseur.metadata()
        # RFC 9207 (mix-up defence): the issuer named in the return, required when announced.
        announced = metadata.get("authorization_response_iss_parameter_supported") is True
        if args.get("iss", self.config.issuer if not announced else None) != self.config.issuer:
            raise Refus(400, "Réponse d'un autre fournisseur d'identité.", "émetteur inattendu")
        if args.get("error"):
            raise Refus(
                403,
                "Le fournisseur d'identité n'a pas autorisé la connexion.",
                f"refus du fournisseur : {str(args['error'])[:80]}",
            )
        if not args.get("code"):
            raise EXPIREE
        try:
            jetons = self._client().fetch_token(
                metadata["token_endpoint"],
                code=args["code"],
                code_verifier=attente["verifier"],
                timeout=HTTP_TIMEOUT,
            )
        except AuthlibBaseError as error:
            raise Refus(400, EXPIREE.message, f"code refusé : {error.error}") from None
        except (requests.RequestException, ValueError):
            raise Refus(
                502,
                "Le fournisseur d'identité n'a pas répondu : réessayez dans un moment.",
                "jeton non obtenu",
            ) from None
        claims = self.verifier_id_token(jetons.get("id_token"), attente["nonce"])
        claims = {**claims, **self._userinfo(metadata, jetons, claims["sub"])}
        roles = self.roles.roles(claims)
        nom = claims.get("email") if isinstance(claims.get("email"), str) else claims["sub"]
        if not roles:
            raise Refus(
                403,
                "Votre compte n'a pas accès à ce tableau de bord : demandez-le à son "
                "administrateur (rôles attribués d'après votre adresse, vos groupes ou votre "
                "identifiant).",
                f"aucune règle de rôle pour {str(nom)[:120]}",
            )
        self.store.delete(SESSION, previous)
        session = self.store.create(
            SESSION,
            {
                "utilisateur": str(nom)[:200],
                "roles": sorted(roles),
                "id_token": jetons["id_token"],
                "debut": time.time(),
            },
            self.config.session_secondes,
        )
        return session, attente["suite"]

    def verifier_id_token(self, id_token: Any, nonce: str | None) -> dict[str, Any]:
        """The ID token's claims, once its signature, issuer, audience, times and nonce hold."""
        claims = self._jwt(id_token, "jeton d'identité")
        checks: dict[str, Any] = {
            "iss": {"essential": True, "value": self.config.issuer},
            "sub": {"essential": True},
            "aud": {"essential": True, "value": self.config.client_id},
            "exp": {"essential": True},
            "iat": {"essential": True},
        }
        if nonce is not None:
            checks["nonce"] = {"essential": True, "value": nonce}
        if self.config.acr:
            checks["acr"] = {"essential": True, "values": list(self.config.acr)}
        try:
            jwt.JWTClaimsRegistry(leeway=DECALAGE, **checks).validate(claims)
        except JoseError as error:
            raise Refus(401, REFUS_JETON, f"jeton d'identité refusé : {error.error}") from None
        # An ID token for several audiences must name this client as its authorised party, and
        # one that names an authorised party must name this client.
        several = isinstance(claims["aud"], list) and len(claims["aud"]) > 1
        if (several or "azp" in claims) and claims.get("azp") != self.config.client_id:
            raise Refus(401, REFUS_JETON, "jeton d'identité refusé : azp")
        return claims

    def _jwt(self, value: Any, quoi: str) -> dict[str, Any]:
        """A JWT's claims once its signature holds (one algorithm; the keys fetched again once
        for a key not yet known)."""
        if not isinstance(value, str):
            raise Refus(401, REFUS_JETON, f"{quoi} absent")
        for refresh in (False, True):
            try:
                return jwt.decode(
                    value, self.fournisseur.keys(refresh), algorithms=[self.config.algorithme]
                ).claims
            except (JoseError, ValueError, KeyError, TypeError, AttributeError) as error:
                reason = getattr(error, "error", type(error).__name__)
        raise Refus(401, REFUS_JETON, f"{quoi} refusé : {reason}")

    def _userinfo(self, metadata: dict, jetons: dict, sub: str) -> dict[str, Any]:
        endpoint = metadata.get("userinfo_endpoint")
        if not endpoint:
            return {}
        try:
            response = self.fournisseur.http.get(
                endpoint,
                headers={"Authorization": f"Bearer {jetons['access_token']}"},
                timeout=HTTP_TIMEOUT,
            )
            response.raise_for_status()
        except (requests.RequestException, KeyError, TypeError):
            raise Refus(
                502,
                "Le fournisseur d'identité n'a pas répondu : réessayez dans un moment.",
                "informations d'utilisateur non obtenues",
            ) from None
        if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
            claims = self._jwt(response.text, "informations d'utilisateur")
            if claims.get("iss", self.config.issuer) != self.config.issuer or (
                "aud" in claims and self.config.client_id not in _as_list(claims["aud"])
            ):
                raise Refus(401, REFUS_JETON, "informations d'utilisateur : émetteur ou audience")
        else:
            try:
                claims = response.json()
            except ValueError:
                raise Refus(401, REFUS_JETON, "informations d'utilisateur illisibles") from None
        if not isinstance(claims, dict) or claims.get("sub") != sub:
            raise Refus(401, REFUS_JETON, "informations d'utilisateur d'un autre sujet")
        return claims

    # Each request
    def identite(self, token: str | None) -> Identite | None:
        """Who the session cookie names, None when no live session does."""
        entry = self.store.get(SESSION, token)
        if entry is None:
            return None
        return Identite(entry["utilisateur"], frozenset(entry["roles"]))

    # 3. Signing out
    def deconnecter(self, token: str | None) -> str:
        """End the session; the address to send the browser to (the provider's logout, which
        comes back to ``/deconnecte``)."""
        entry = self.store.take(SESSION, token)
        try:
            endpoint = self.fournisseur.metadata().get("end_session_endpoint")
        except PROVIDER_GARBAGE:
            endpoint = None
        if entry is None or not endpoint:
            return DECONNECTE
        state = self.store.create(DECONNEXION_EN_COURS, {}, CONNEXION_SECONDES)
        query = urlencode(
            {
                "id_token_hint": entry["id_token"],
                "state": state,
                "post_logout_redirect_uri": self.config.post_logout_redirect_uri,
                "client_id": self.config.client_id,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def fin_deconnexion(self, state: str | None) -> None:
        """The provider's return after logout: its state is used up (it proves nothing more:
        the session was ended before leaving)."""
        self.store.take(DECONNEXION_EN_COURS, state)

    def _client(self, **options: Any) -> OAuth2Session:
        supported = self.fournisseur.metadata().get(
            "token_endpoint_auth_methods_supported", ["client_secret_basic"]
        )
        method = (
            "client_secret_post" if "client_secret_post" in supported else ("client_secret_basic")
        )
        return OAuth2Session(
            self.config.client_id,
            self.config.client_secret,
            token_endpoint_auth_method=method,
            scope=self.config.scopes,
            redirect_uri=self.config.redirect_uri,
            **options,
        )


REFUS_JETON = "La réponse du fournisseur d'identité n'a pas pu être vérifiée : reconnectez-vous."


def origine(url: str) -> str:
    """The origin (scheme://host[:port]) of an absolute URL, as browsers send it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def page_locale(suite: str | None) -> str:
    """The page to go back to after signing in: a path of this site only (``/x?y``), never
    another site (``//hote``, ``/\\hote``, a scheme) nor a sign-in route, else the home page."""
    if (
        not suite
        or suite.split("?")[0].rstrip("/") in SIGN_IN_PATHS
        or not suite.startswith("/")
        or suite.startswith("//")
        or "\\" in suite
        or any(ord(c) < 0x21 or ord(c) == 0x7F for c in suite)
        or len(suite) > 2000
    ):
        return "/"
    return suite


def from_settings(settings: Settings) -> ConnexionOidc | None:
    """The sign-in flow the settings describe (None: no OIDC), its rules read now (a missing or
    invalid mapping file stops the server with the reason, rather than refusing everyone)."""
    config = OidcConfig.from_settings(settings)
    if config is None:
        return None
    path = settings.oidc_roles_file
    if not path.exists():
        raise ValueError(f"CSF_OIDC_ISSUER est défini mais le fichier des rôles {path} manque")
    return ConnexionOidc(
        config,
        SessionStore(settings.home / "cache" / "sessions"),
        charger_correspondance(path),
        Sceau(settings.keys_dir / "connexion-oidc.key"),
    )
