"""The sign-in routes of OpenID Connect (``dashboards.oidc``) and their cookies.

Cookies carry random tokens only (the server keeps what they stand for). Both are
``__Host-`` cookies: Secure, HttpOnly, Path=/, no Domain (no sub-domain can set or read
them), SameSite=Lax (the provider's return is a top-level navigation from another site, which
Strict would strip).
"""

from __future__ import annotations

import html

import flask
import requests

from dashboards import access_log
from dashboards.oidc import DECONNECTE, RETOUR, ConnexionOidc, Refus
from dashboards.sessions import PlusDePlace

SESSION_COOKIE = "__Host-csf-session"
CONNEXION_COOKIE = "__Host-csf-connexion"
CONNEXION = "/connexion"
DECONNEXION = "/deconnexion"
# Flask endpoints that answer before anyone is signed in.
ENDPOINTS = {"oidc_connexion", "oidc_retour", "oidc_deconnexion", "oidc_deconnecte"}


def session_token() -> str | None:
    return flask.request.cookies.get(SESSION_COOKIE)


def _cookie(response: flask.Response, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name, value, max_age=seconds, path="/", secure=True, httponly=True, samesite="Lax"
    )


def _page(status: int, titre: str, message: str, lien: tuple[str, str] | None) -> flask.Response:
    """A short French page (the sign-in's own answers, outside the Dash app)."""
    link = f'<p><a class="fr-link" href="{lien[0]}">{html.escape(lien[1])}</a></p>' if lien else ""
    body = (
        '<!DOCTYPE html><html lang="fr" data-fr-scheme="light"><head><meta charset="utf-8">'
        f"<title>{html.escape(titre)} — Clause sociale de formation</title>"
        '<link rel="stylesheet" href="/assets/vendor/dsfr/1-core/core.min.css"></head>'
        f'<body><main class="fr-container fr-my-6w" role="main"><h1>{html.escape(titre)}</h1>'
        f"<p>{html.escape(message)}</p>{link}</main></body></html>"
    )
    return flask.Response(body, status, mimetype="text/html")


def register(server: flask.Flask, connexion: ConnexionOidc) -> None:
    """The four routes: to the provider, back from it, sign out, signed out."""
    indisponible = _page(
        502,
        "Connexion impossible",
        "Le fournisseur d'identité ne répond pas : réessayez dans un moment.",
        (CONNEXION, "Réessayer"),
    )

    @server.get(CONNEXION, endpoint="oidc_connexion")
    def oidc_connexion():
        try:
            url, token = connexion.commencer(flask.request.args.get("suite", "/"))
        except (requests.RequestException, ValueError, KeyError):
            return indisponible
        except PlusDePlace:
            return _page(503, "Connexion impossible", "Trop de connexions en cours.", None)
        response = flask.redirect(url, 303)
        _cookie(response, CONNEXION_COOKIE, token, 600)
        return response

    @server.get(RETOUR, endpoint="oidc_retour")
    def oidc_retour():
        args = {k: v for k, v in flask.request.args.items()}
        try:
            session, suite = connexion.terminer(args, flask.request.cookies.get(CONNEXION_COOKIE))
        except Refus as refus:
            access_log.noter(access_log.REFUS, refus.status, f"connexion : {refus.raison}")
            response = _page(
                refus.status, "Connexion refusée", refus.message, (CONNEXION, "Se reconnecter")
            )
        except (requests.RequestException, ValueError, KeyError):
            return indisponible
        else:
            response = flask.redirect(suite, 303)
            _cookie(response, SESSION_COOKIE, session, connexion.config.session_secondes)
        response.delete_cookie(CONNEXION_COOKIE, path="/", secure=True, httponly=True)
        return response

    @server.get(DECONNEXION, endpoint="oidc_deconnexion")
    def oidc_deconnexion():
        response = flask.redirect(connexion.deconnecter(session_token()), 303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
        return response

    @server.get(DECONNECTE, endpoint="oidc_deconnecte")
    def oidc_deconnecte():
        connexion.fin_deconnexion(flask.request.args.get("state"))
        return _page(
            200, "Vous êtes déconnecté", "Votre session est terminée.", (CONNEXION, "Se connecter")
        )
