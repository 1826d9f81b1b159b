"""The view's filters, kept in the URL's query string so that a link reproduces the view.

A value that does not exist in the snapshot is never passed to a query: it is dropped and the
page says so in French (``Lecture.erreurs``). The year defaults to the last complete one (the
choice is shown in the form), ``annee=ensemble`` asks for every year."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from stdnum.fr import siret as stdnum_siret

from dashboards import queries
from pipelines.content.block import LIBELLES_FILTRES, View
from pipelines.content.blocks.common import derniere_annee_complete

SIRET = re.compile(r"^\d{14}$")
TOUTES = "ensemble"
# The form's dimension filters: query parameter → (dimension of the marts, label).
DIMENSIONS = {
    "academie": ("academie", "Académie"),
    "region": ("region_academique", "Région académique"),
    "type_acheteur": ("type_acheteur", "Type d'acheteur"),
    "secteur": ("secteur", "Secteur"),
}


# Every query parameter a page reads: ``lire`` reads the filters, and a page reads any other
# through ``premier``, which refuses a name not listed here. The response cache keys a page on
# these alone (``response_cache.canonical_search``): a page that read another parameter would
# be served the content of the same view without it.
PARAMETRES_LUS = frozenset({*DIMENSIONS, "annee", "acheteur", "indicateur", "mois", "departement"})


def premier(query: Mapping[str, object], name: str) -> object:
    """The first value of the page's query parameter ``name`` (Dash gives a list when it is
    repeated), None when it is absent."""
    if name not in PARAMETRES_LUS:
        raise KeyError(f"paramètre {name} absent de filters.PARAMETRES_LUS")
    value = query.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value


@dataclass(frozen=True)
class Lecture:
    """A query string read: the view it asks for and what could not be used in it."""

    vue: View
    erreurs: list[str] = field(default_factory=list)
    annee_par_defaut: bool = False  # the year was not asked for: the last complete one


def annee_par_defaut() -> str:
    """The last complete year of the snapshot (every year when it has none)."""
    publication = queries.publication() or {}
    return derniere_annee_complete(queries.periodes(), publication.get("date_observation")) or (
        TOUTES
    )


def _unique(params: Mapping[str, object], erreurs: list[str]) -> dict[str, object]:
    """One value per parameter: a repeated one keeps its first value, and the page says so
    (Dash gives the page a list, Flask's download route too, read alike)."""
    single: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, list | tuple):
            if len(value) > 1 and name in (*DIMENSIONS, "annee", "acheteur"):
                erreurs.append(
                    f"Filtre « {LIBELLES_FILTRES.get(name, name)} » donné plusieurs fois : seule "
                    "la première valeur est prise en compte."
                )
            value = value[0] if value else None
        single[name] = value
    return single


def lire(params: Mapping[str, object]) -> Lecture:
    """The view of a query string's parameters; unknown values dropped with a French reason."""
    erreurs: list[str] = []
    params = _unique(params, erreurs)
    annee = params.get("annee")
    defaut = not isinstance(annee, str) or annee == ""
    if defaut:
        annee = annee_par_defaut()
    elif annee != TOUTES and annee not in queries.periodes():
        erreurs.append(f"Année « {_court(annee)} » absente des données : toutes années affichées.")
        annee = TOUTES
    values: dict[str, str | None] = {}
    for name, (niveau, label) in DIMENSIONS.items():
        value = params.get(name)
        if not isinstance(value, str) or value == "":
            values[name] = None
        elif value in {code for code, _ in queries.valeurs(niveau)}:
            values[name] = value
        else:
            # Worded so that it agrees with every filter (une académie, un secteur…).
            erreurs.append(
                f"Valeur « {_court(value)} » absente des données pour le filtre "
                f"{label.lower()} : filtre ignoré."
            )
            values[name] = None
    acheteur, erreur = _acheteur(params.get("acheteur"))
    if erreur:
        erreurs.append(erreur)
    return Lecture(View(annee=annee, acheteur=acheteur, **values), erreurs, defaut)


def query_string(vue: View, **extra: str) -> str:
    """``?annee=2025&academie=24`` (empty when nothing is set)."""
    values = vue.comme_dict() | extra
    if vue.annee == TOUTES:
        values["annee"] = TOUTES
    return "?" + urlencode(values) if values else ""


def _court(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _acheteur(value: object) -> tuple[str | None, str | None]:
    """A buyer SIRET of the clause register (spaces allowed), or None and why not."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    siret = re.sub(r"[\s.\u202f\u00a0]", "", value)
    found = (
        queries.rows(
            "select nb_clauses_csf from marts.dim_acheteurs where siret_acheteur = ?", siret
        )
        if SIRET.match(siret)
        else []
    )
    if found and found[0]["nb_clauses_csf"]:
        return siret, None
    if found:
        return None, (
            f"L'acheteur de SIRET {siret} n'a aucune clause sociale de formation : filtre "
            "acheteur ignoré."
        )
    # The register may hold a SIRET whose check digit is wrong: the check only says why not.
    if not SIRET.match(siret) or not stdnum_siret.is_valid(siret):
        return None, (
            f"« {_court(value)} » n'est pas un SIRET valide (14 chiffres dont une clé de "
            "contrôle) : filtre acheteur ignoré."
        )
    return None, f"Aucun acheteur de SIRET {siret} dans les données : filtre acheteur ignoré."
