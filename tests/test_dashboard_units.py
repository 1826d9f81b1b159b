"""Dashboard pieces without a browser or a server: display rules, filters, figures, users."""

from __future__ import annotations

import base64
import statistics
import time

import plotly.graph_objects as go
import pytest

from dashboards.auth import BasicAuthProvider, Identite, ajouter_utilisateur, charger_utilisateurs
from dashboards.filters import query_string
from dashboards.throttle import Bloque, LoginThrottle
from pipelines.content import figures
from pipelines.content import formatting as fmt
from pipelines.content.block import View, portee
from pipelines.content.blocks import common
from pipelines.settings import load_settings


def _row(**values):
    base = {
        "unite": "nombre",
        "diffusable": True,
        "valeur": None,
        "numerateur": None,
        "denominateur": None,
        "ic_bas": None,
        "ic_haut": None,
    }
    return base | values


def test_hidden_values_never_show_a_figure():
    assert fmt.indicator_value(_row(diffusable=False, numerateur=3, valeur=3)) == fmt.SECRET
    # Hidden to protect another cell: the same mark, nothing tells the two apart.
    assert fmt.indicator_value(_row(diffusable=False, numerateur=8, valeur=8)) == fmt.SECRET
    rate = _row(unite="taux", diffusable=False, numerateur=10, denominateur=19, valeur=10 / 19)
    assert fmt.indicator_value(rate) == fmt.SECRET and fmt.interval(rate) == ""
    assert fmt.count(rate) == fmt.SECRET and fmt.count(rate, "denominateur") == fmt.SECRET
    gap = _row(unite="ecart", diffusable=False, valeur=0.1, ic_bas=0.0, ic_haut=0.2)
    assert fmt.ecart(gap) == fmt.SECRET and fmt.ecart_interval(gap) == ""


def test_a_rate_on_no_one_is_no_value_not_a_secret():
    """0/0 comes shown (``diffusable`` true) with a null value: the ordinary "no value" mark."""
    empty = _row(unite="taux", diffusable=True, numerateur=0, denominateur=0, valeur=None)
    assert fmt.indicator_value(empty) == fmt.ABSENT == "–"
    assert fmt.interval(empty) == ""
    assert fmt.ecart(_row(unite="ecart", diffusable=True, valeur=None)) == fmt.ABSENT


def test_the_mark_never_depends_on_the_hidden_figures():
    """The only input is ``diffusable``: whatever a hidden row's numerator, denominator, value
    and unit, every output gives the same mark (nothing says which rule hid it)."""
    from pipelines.content import cells

    marks = set()
    for unite in ("nombre", "taux", "ratio", "ecart", "jours"):
        for numerateur in (None, 0, 1, 3, 4, 5, 8, 19, 20, 158):
            for denominateur in (None, 0, 1, 4, 19, 20, 21, 400):
                row = _row(
                    unite=unite,
                    diffusable=False,
                    numerateur=numerateur,
                    denominateur=denominateur,
                    valeur=numerateur,
                    ic_bas=0.1,
                    ic_haut=0.9,
                )
                marks |= {
                    fmt.indicator_value(row),
                    fmt.count(row),
                    fmt.count(row, "denominateur"),
                    fmt.ecart(row),
                }
                for cell in (
                    cells.valeur(row),
                    cells.valeur(row, "ic_bas"),
                    cells.effectif(row, "numerateur"),
                    cells.effectif(row, "denominateur"),
                ):
                    assert cell == cells.SECRET
                assert cells.trace(row) is None
    assert marks == {fmt.SECRET}
    assert cells.SECRET.marque == fmt.SECRET and cells.SECRET.motif == "secret statistique"
    assert fmt.LEGENDE_SECRET.startswith("secret : secret statistique (")


def test_content_code_reads_no_disclosure_threshold():
    """No dashboard or report code compares a figure with a threshold to say why a cell is
    hidden, nor writes one of the old marks: the thresholds appear only in the legend."""
    import re

    from tests.conftest import ROOT

    files = [
        *sorted((ROOT / "dashboards").glob("**/*.py")),
        *sorted((ROOT / "pipelines" / "content").glob("*.py")),
        *sorted((ROOT / "pipelines" / "reports").glob("*.py")),
        *sorted((ROOT / "pipelines" / "reports" / "templates").glob("*")),
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[\"'«] ?(< ?5|n\.d\.) ?[\"'»]", text), path
        for line in text.splitlines():
            if "SEUIL_" in line:
                assert path.name in ("formatting.py", "cells.py"), (path, line)
                assert not re.search(r"[<>]=? *(fmt\.|cells\.)?SEUIL_|SEUIL_\w* *[<>]", line), (
                    path,
                    line,
                )


def test_french_formats():
    assert fmt.number(1234.5) == "1\u202f234,5"
    assert fmt.indicator_value(_row(unite="taux", valeur=0.4567, numerateur=1)) == "45,7\u00a0%"
    assert fmt.indicator_value(_row(unite="jours", valeur=40.0)) == "40\u00a0jours"
    assert fmt.indicator_value(_row(unite="jours", valeur=None)) == "non atteint"
    gap = _row(unite="ecart", valeur=-0.125, ic_bas=-0.3, ic_haut=0.05)
    assert fmt.ecart(gap) == "-12,5\u00a0pts"
    assert fmt.ecart_interval(gap) == "-30,0 à +5,0\u00a0pts"
    assert fmt.french_date("2026-11-25") == "25/11/2026"
    assert fmt.label("retour_formation_initiale") == "Retour en formation initiale"


def test_filters_pick_one_dimension_and_say_which_they_ignore():
    achats, jeunes = ("annee", *common.DIMENSIONS_ACHATS), ("annee", *common.DIMENSIONS_JEUNES)
    vue = View(annee="2025", academie="24", type_acheteur="rectorat")
    assert vue.cellule(achats) == ("academie", "24")
    assert portee(vue, achats) == (("annee", "academie"), ("type_acheteur",))
    assert View(type_acheteur="rectorat").cellule(jeunes) == ("national", "FR")
    assert View(secteur="BTP").cellule(jeunes) == ("secteur", "BTP")
    assert query_string(vue) == "?annee=2025&academie=24&type_acheteur=rectorat"
    assert query_string(View(annee="ensemble")) == "?annee=ensemble"
    buyer = View(academie="24", acheteur="20243483355782")
    assert buyer.cellule(achats) == ("acheteur", "20243483355782")
    assert buyer.cellule(jeunes) == ("academie", "24")
    assert portee(buyer, jeunes) == (("academie",), ("acheteur",))


def test_bar_chart_leaves_hidden_values_as_labelled_gaps():
    fig = figures.barres(["2024", "2025"], [0.5, None], ["50,0 %", fmt.SECRET], "Taux", True)
    bar = fig["data"][0]
    assert bar["y"] == [0.5, None] and bar["text"] == ["50,0 %", fmt.SECRET]
    assert fig["layout"]["separators"] == ", " and "tickformat" not in fig["layout"]["yaxis"]
    assert fig["layout"]["yaxis"]["ticktext"][-1] == fmt.percent(0.5, 0)  # « 50 % », as labels
    go.Figure(fig)  # a valid Plotly figure


def test_grouped_bars_do_not_rely_on_colour_alone():
    fig = figures.groupes(
        ["À 6 mois"], [("CSF", [0.8], ["80 %"]), ("Comparaison", [0.6], ["60 %"])], "Part"
    )
    patterns = {trace["marker"]["pattern"]["shape"] for trace in fig["data"]}
    assert len(patterns) == 2 and all(trace["text"] for trace in fig["data"])
    go.Figure(fig)


def test_tile_map_text_keeps_its_contrast():
    fig = figures.tuiles(
        {"24": (0, 0), "25": (1, 0), "23": (2, 0)},
        {"24": "Créteil", "25": "Versailles", "23": "Nice"},
        {"24": 0.2, "25": 0.9},
        {"24": "20,0 %", "25": "90,0 %"},
    )
    textes = fig["data"][-1]
    assert textes["textfont"]["color"] == ["#161616", "#ffffff", "#161616"]
    assert textes["text"][-1] == "Nice<br><b>–</b>"
    go.Figure(fig)


def test_roles():
    from dashboards.auth import ANONYME

    creteil = Identite("creteil", frozenset({"academie:24"}))
    achats = Identite("achats", frozenset({"achats"}))
    national = Identite("dir", frozenset({"national"}))
    both = Identite("mda", frozenset({"national", "achats", "academie:24"}))
    assert creteil.peut_voir_detail_jeunes("24") and not creteil.peut_voir_detail_jeunes("25")
    assert not creteil.peut_voir_detail_jeunes(None)
    assert creteil.peut_voir("jeunes") and not achats.peut_voir("jeunes")
    assert achats.peut_voir("achats") and national.peut_voir("jeunes")
    # Row-level youth data: the académie's own MLDS only.
    for who in (national, achats, ANONYME):
        assert not any(who.peut_voir_detail_jeunes(code) for code in ("24", "25", None))
    assert both.peut_voir_detail_jeunes("24") and not both.peut_voir_detail_jeunes("25")


def test_users_file_hashes_passwords_and_expands_groups(tmp_path):
    path = tmp_path / "utilisateurs.toml"
    ajouter_utilisateur(path, "creteil", "un-long-mot-de-passe", ["academie:24"])
    text = path.read_text()
    assert "un-long-mot-de-passe" not in text and "scrypt:" in text
    path.write_text(
        text + '\n[groupes]\n"achats-nationaux" = ["achats", "national"]\n'
        '[utilisateurs."mda"]\nmot_de_passe = "x"\ngroupes = ["achats-nationaux"]\n'
    )
    users = charger_utilisateurs(path)
    assert users["mda"]["roles"] == {"achats", "national"}
    with pytest.raises(ValueError, match="rôle inconnu"):
        ajouter_utilisateur(path, "x", "un-long-mot-de-passe", ["administrateur"])


def test_basic_auth_provider(tmp_path):
    path = tmp_path / "utilisateurs.toml"
    ajouter_utilisateur(path, "creteil", "un-long-mot-de-passe", ["academie:24"])
    provider = BasicAuthProvider(path, LoginThrottle(tmp_path / "echecs.json"))

    identite = provider.identify(_basic("creteil", "un-long-mot-de-passe"))
    assert identite is not None and identite.academies == {"24"}
    assert provider.identify(_basic("creteil", "mauvais")) is None
    assert provider.identify(_basic("inconnu", "un-long-mot-de-passe")) is None
    assert provider.identify(None) is None and provider.identify("Basic !!!") is None


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def test_failed_sign_ins_lock_the_name_and_the_address_across_workers(tmp_path):
    """Five wrong passwords for a name from one address lock that name there, even for the
    right password, in every worker (two providers sharing the file); the lock doubles, then
    lifts; the same name signs in from another address (no lock-out by a stranger who knows
    it); an address that tries twenty names is locked whatever the name; fifty failures for a
    name from fifty addresses lock the name everywhere; the file stays small."""
    path = tmp_path / "utilisateurs.toml"
    ajouter_utilisateur(path, "creteil", "un-long-mot-de-passe", ["academie:24"])
    ajouter_utilisateur(path, "lille", "un-autre-mot-de-passe", ["academie:09"])
    clock = _Clock()
    store = tmp_path / "cache" / "connexions.json"

    def worker() -> BasicAuthProvider:  # a fresh one: no credentials remembered
        return BasicAuthProvider(path, LoginThrottle(store, now=clock))

    one, two = worker(), worker()
    right = _basic("creteil", "un-long-mot-de-passe")
    for provider in (one, two, one, two, one):
        assert provider.identify(_basic("creteil", "faux"), "10.0.0.1") is None
    with pytest.raises(Bloque) as locked:
        two.identify(right, "10.0.0.1")
    assert 0 < locked.value.secondes <= 61
    assert worker().identify(right, "10.0.0.2") is not None  # the user, elsewhere
    assert two.identify(_basic("lille", "un-autre-mot-de-passe"), "10.0.0.1") is not None
    clock.t += 61
    assert worker().identify(_basic("creteil", "faux"), "10.0.0.1") is None
    clock.t += 61  # the sixth failure doubled the lock: 120 s
    with pytest.raises(Bloque):
        worker().identify(right, "10.0.0.1")
    clock.t += 60
    assert worker().identify(right, "10.0.0.1") is not None
    assert oct(store.stat().st_mode & 0o777) == "0o600"

    for n in range(20):  # one address, twenty names
        assert one.identify(_basic(f"nom{n}", "x"), "10.0.0.9") is None
    with pytest.raises(Bloque):
        worker().identify(right, "10.0.0.9")
    for n in range(50):  # one name, fifty addresses
        assert one.identify(_basic("lille", "x"), f"10.2.0.{n}") is None
    with pytest.raises(Bloque):
        worker().identify(_basic("lille", "un-autre-mot-de-passe"), "10.3.0.1")
    # A name sent of any size keeps the shared file small.
    for n in range(3):
        assert one.identify(_basic("x" * 5000 + str(n), "y"), f"10.0.1.{n}") is None
    assert store.stat().st_size < 20_000


def test_an_unknown_user_takes_as_long_to_refuse_as_a_wrong_password(tmp_path):
    """No listing of user names by timing: the refusal of an unknown name costs a password
    check like a known name's (before: 1 ms against 190 ms)."""
    path = tmp_path / "utilisateurs.toml"
    ajouter_utilisateur(path, "creteil", "un-long-mot-de-passe", ["academie:24"])
    provider = BasicAuthProvider(path, LoginThrottle(tmp_path / "echecs.json"))

    def seconds(user: str, n: int) -> float:
        started = time.perf_counter()
        assert provider.identify(_basic(user, "faux"), f"10.1.{n}.1") is None
        return time.perf_counter() - started

    known = statistics.median(seconds("creteil", n) for n in range(4))
    unknown = statistics.median(seconds(f"inconnu{n}", n) for n in range(4))
    assert unknown > known / 3, (unknown, known)


def _snapshot(path, clauses: int) -> None:
    """A minimal published snapshot (a real DuckDB file), written then renamed like a publish."""
    import os

    import duckdb

    tmp = path.with_suffix(".new")
    with duckdb.connect(str(tmp)) as con:
        con.execute("create schema marts")
        con.execute("create schema meta")
        con.execute(
            "create table marts.indicateurs as select 'nb_clauses_csf' as indicateur, "
            "'ensemble' as periode, 'national' as niveau, 'FR' as code_niveau, "
            f"'France' as libelle_niveau, {clauses}::double as valeur"
        )
        con.execute("create table meta.publication as select 'v' as snapshot_id")
    os.replace(tmp, path)


def test_queries_follow_a_new_publish_without_restart(tmp_path, monkeypatch):
    from dashboards import queries

    monkeypatch.setattr(queries, "_settings", [load_settings({}, home=tmp_path)])
    path = tmp_path / "warehouse" / "published.duckdb"
    path.parent.mkdir()
    assert queries.rows("select 1") == []  # before the first publish
    _snapshot(path, 10)
    first = queries.cellule(("nb_clauses_csf",), "ensemble", "national", "FR")
    assert first["nb_clauses_csf"]["valeur"] == 10
    _snapshot(path, 12)
    # The old file's connection is left for the new one at the next query.
    second = queries.cellule(("nb_clauses_csf",), "ensemble", "national", "FR")
    assert second["nb_clauses_csf"]["valeur"] == 12
    assert queries.valeurs("national") == [("FR", "France")]


def test_the_basic_plotly_bundle_matches_plotly_py_and_is_served():
    from plotly.offline import get_plotlyjs_version

    from dashboards.app import PLOTLY_PATH, app
    from pipelines.settings import PLOTLY_BASIC_JS as PLOTLY_BASIC

    header = PLOTLY_BASIC.read_text(encoding="utf-8")[:200]
    assert "plotly.js (basic - minified)" in header
    # Figures are written for plotly.py's plotly.js: the bundle must be the same release.
    assert f"v{get_plotlyjs_version()}\n" in header
    response = app.server.test_client().get(PLOTLY_PATH)
    assert response.status_code == 200
    assert response.get_data()[:200].decode() == header


def test_csv_cells_a_spreadsheet_would_run_are_quoted_and_numbers_stay_numbers():
    """OWASP « CSV injection »: a text cell beginning with =, +, -, @, a tab or a return is
    written behind a quote in both CSVs, and so is a displayed signed figure (« +17,4 pts »);
    a typed number stays a number (« 17,4 », « -2,1 »); a header is no exception."""
    import csv
    import io

    from dashboards.downloads import csv_bytes, lignes_affichees, lignes_csv
    from pipelines.content.block import Block
    from pipelines.content.csv_formulas import neutralised
    from pipelines.content.table import Colonne, Tableau, Type, Valeur

    hostile = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\tx", "\rx"]
    hostile += ["Mairie;=1+cmd", "Mairie, '@SUM(1)"]
    bloc = Block(
        id="essai",
        titre="Essai",
        resume="Essai.",
        tableau=Tableau(
            [Colonne("=Texte"), Colonne("Écart", Type.POINTS)],
            [
                [text, Valeur(v, Type.POINTS)]
                for text, v in zip(hostile, (17.4, -2.1, 0, 1, 2, -3, 4, 5), strict=True)
            ],
        ),
    )

    def written(rows: list[list[str]]) -> list[list[str]]:
        text = csv_bytes(rows).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))

    typed, shown = written(lignes_csv(bloc)), written(lignes_affichees(bloc))
    assert typed[0][0] == shown[0][0] == "'=Texte"
    assert [row[0] for row in typed[1:]] == ["'" + t for t in hostile]
    assert [row[0] for row in shown[1:]] == ["'" + t for t in hostile]
    assert typed[1][1] == "17,4" and typed[2][1] == "-2,1"
    assert neutralised("Paris, 5 rue") == "Paris, 5 rue" and neutralised("-3,5") == "-3,5"
    assert shown[1][1].startswith("'+17,4") and shown[2][1].startswith("'-2,1")


def test_the_response_cache_keys_a_page_on_what_pages_read_and_stays_bounded(tmp_path):
    """``?junk=N`` or a path no page answers is the same entry as without it; a filter, its
    repetition (the page says so) or another page is another entry; a full cache serves without
    keeping; only the page callback is cached."""
    import json

    import dashboards.app  # noqa: F401  (registers the pages)
    from dashboards.response_cache import ResponseCache, page_request

    def key(path: str, search: str, roles=frozenset({"national"})) -> str | None:
        return ResponseCache.key(json.dumps(page_request(path, search)).encode(), roles)

    base = key("/clauses", "?annee=2024")
    assert base is not None
    assert key("/clauses/", "?junk=1&annee=2024&zz=") == base
    assert len({key("/clauses", f"?annee=2024&junk={n}") for n in range(50)}) == 1
    assert key("/introuvable-1", "") == key("/introuvable-2", "?x=1")
    different = [
        key("/clauses", "?annee=2024&annee=2023"),
        key("/clauses", "?annee=2024&academie=24"),
        key("/clauses", "?annee=2024&academie="),
        key("/territoires", "?annee=2024"),
        key("/clauses", "?annee=2024", frozenset({"achats"})),
        key("/introuvable", ""),
    ]
    assert len({base, *different}) == 1 + len(different)
    assert ResponseCache.key(b'{"output": "autre.children", "inputs": []}', frozenset()) is None
    assert ResponseCache.key(b"[1]", frozenset()) is None

    cache = ResponseCache(tmp_path, max_bytes=2500)
    version = (1, 2)
    for n in range(5):
        cache.put(version, f"k{n}", b"x" * 1000)
    assert [cache.get(version, f"k{n}") is not None for n in range(5)] == [True, True] + [False] * 3


def test_only_a_page_request_as_dash_reads_it_is_a_page_and_crafted_bodies_never_raise(tmp_path):
    """Dash reads a page callback's inputs by position: a body with its inputs swapped, a
    state, or inputs of the wrong type is no page (not cached, logged as the callback route);
    the access log writes an entry for any body, a lone surrogate included."""
    import json

    import flask

    from dashboards.access_log import AccessLog, entry
    from dashboards.response_cache import page_asked, page_request

    good = page_request("/jeunes", "?academie=24")
    assert page_asked(good) == ("/jeunes", "?academie=24")
    swapped = {**good, "inputs": good["inputs"][::-1]}
    with_state = {**good, "state": [{"id": "x", "property": "y", "value": 1}]}
    for body in (swapped, with_state, {**good, "inputs": [1, 2]}, {**good, "inputs": None}, [1]):
        assert page_asked(body) is None

    app = flask.Flask(__name__)
    journal = AccessLog(tmp_path, max_bytes=10_000)
    bodies = [
        b'{"inputs": [1]}',
        b'{"inputs": null}',
        b'{"inputs": [{"property": [], "value": 1}]}',
        b"pas du json",
        json.dumps(page_request("/jeunes", "?academie=\ud800&academie=24")).encode(
            "utf-8", "surrogatepass"
        ),
    ]
    for body in bodies:
        with app.test_request_context(
            "/_dash-update-component", method="POST", data=body, content_type="application/json"
        ):
            journal.append(entry("refus", 401))
    lines = [json.loads(x) for x in journal.path.read_text().splitlines()]
    assert [e["route"] for e in lines] == ["/_dash-update-component"] * 4 + ["/jeunes"]
    assert lines[-1]["filtres"] == {"academie": "\ud800"}
