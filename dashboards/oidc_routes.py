"""The sign-in routes of OpenID Connect (``dashboards.oidc``) and their cookies.

The session cookie carries a random token only (the server keeps what it stands for); the
sign-in cookie carries the sign-in under way, sealed (``dashboards.sealed``). Both are
``__Host-`` cookies: Secure, HttpOnly, Path=/, no Domain (no sub-domain can set or read
them), SameSite=Lax (the provider's return is a top-level navigation from another site, which
Strict would strip).
"""

from __future__ import annotations

import html

import flask

from dashboards import access_log
from dashboards.oidc import (
    CONNEXION,
    CONNEXION_SECONDES,
    DECONNECTE,
    DECONNEXION,
    PROVIDER_GARBAGE,
    RETOUR,
    ConnexionOidc,
    Refus,
    origine,
)
from dashboards.sessions import PlusDePlace

SESSION_COOKIE = "__Host-csf-session"
CONNEXION_COOKIE = "__Host-csf-connexion"
# Flask endpoints that answer before anyone is signed in.
ENDPOINTS = {"oidc_connexion", "oidc_retour", "oidc_deconnexion", "oidc_deconnecte"}


def session_token() -> str | None:
    return flask.request.cookies.get(SESSION_COOKIE)


def _cookie(response: flask.Response, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name, value, max_age=seconds, path="/", secure=True, httponly=True, samesite="Lax"
    )


def _page(
    status: int, titre: str, message: str, lien: tuple[str, str] | None, action: str = ""
) -> flask.Response:
    """A short French page (the sign-in's own answers, outside the Dash app): a link, or a
    button that posts to ``action``."""
    link = f'<p><a class="fr-link" href="{lien[0]}">{html.escape(lien[1])}</a></p>' if lien else ""
    if action:
        link = (
            f'<form method="post" action="{action}"><button class="fr-btn" type="submit">'
            f"{html.escape(titre)}</button></form>"
        )
    body = (
        '<!DOCTYPE html><html lang="fr" data-fr-scheme="light"><head><meta charset="utf-8">'
        f"<title>{html.escape(titre)} — Clause sociale de formation</title>"
        '<link rel="stylesheet" href="/assets/vendor/dsfr/1-core/core.min.css"></head>'
        f'<body><main class="fr-container fr-my-6w" role="main"><h1>{html.escape(titre)}</h1>'
        f"<p>{html.escape(message)}</p>{link}</main></body></html>"
    )
    return flask.Response(body, status, mimetype="text/html")


def _indisponible() -> flask.Response:
    return _page(
        502,
        "Connexion impossible",
        "Le fournisseur d'identité ne répond pas : réessayez dans un moment.",
        (CONNEXION, "Réessayer"),
    )


def _same_site_post(public_url: str) -> bool:
    """A form of this site posted it (a browser sends ``Origin`` with every POST; another
    site's page may post, but not as this origin)."""
    origin = flask.request.headers.get("Origin")
    site = flask.request.headers.get("Sec-Fetch-Site", "same-origin")
    return (origin is None or origin == origine(public_url)) and site == "same-origin"


def register(server: flask.Flask, connexion: ConnexionOidc) -> None:
    """The routes: to the provider, back from it, sign out (asked, then done), signed out."""

    @server.get(CONNEXION, endpoint="oidc_connexion")
    def oidc_connexion():
        try:
            url, sealed = connexion.commencer(flask.request.args.get("suite", "/"))
        except (*PROVIDER_GARBAGE, OSError):
            return _indisponible()
        response = flask.redirect(url, 303)
        _cookie(response, CONNEXION_COOKIE, sealed, CONNEXION_SECONDES)
        return response

    @server.get(RETOUR, endpoint="oidc_retour")
    def oidc_retour():
        args = {k: v for k, v in flask.request.args.items()}
        sealed = flask.request.cookies.get(CONNEXION_COOKIE)
        try:
            session, suite = connexion.terminer(args, sealed, session_token())
        except Refus as refus:
            if sealed:  # a return with no sign-in under way is no attempt (nor worth a line)
                access_log.noter(access_log.REFUS, refus.status, f"connexion : {refus.raison}")
            else:
                flask.g.sans_trace = True
            response = _page(
                refus.status, "Connexion refusée", refus.message, (CONNEXION, "Se reconnecter")
            )
        except (*PROVIDER_GARBAGE, OSError, PlusDePlace):
            response = _indisponible()
        else:
            response = flask.redirect(suite, 303)
            _cookie(response, SESSION_COOKIE, session, connexion.config.session_secondes)
        response.delete_cookie(CONNEXION_COOKIE, path="/", secure=True, httponly=True)
        return response

    @server.route(DECONNEXION, methods=["GET", "POST"], endpoint="oidc_deconnexion")
    def oidc_deconnexion():
        # A GET (a link, another site's page) only asks; a POST from this site's form signs
        # out (the Lax session cookie is not sent with another site's POST either).
        if flask.request.method == "GET" or not _same_site_post(connexion.config.public_url):
            return _page(200, "Se déconnecter", "Terminer votre session ?", None, DECONNEXION)
        try:
            target = connexion.deconnecter(session_token())
        except (*PROVIDER_GARBAGE, OSError, PlusDePlace):
            target = DECONNECTE
        response = flask.redirect(target, 303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
        return response

    @server.get(DECONNECTE, endpoint="oidc_deconnecte")
    def oidc_deconnecte():
        connexion.fin_deconnexion(flask.request.args.get("state"))
        return _page(
            200, "Vous êtes déconnecté", "Votre session est terminée.", (CONNEXION, "Se connecter")
        )
