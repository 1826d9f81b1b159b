"""Every output reads the same disclosure decision (issue 19).

The warehouse decides once (``diffusable`` in ``marts.indicateurs`` and
``marts.fct_entonnoir_clauses``). On the demo snapshot, this test reads, for the same cells:

1. the research release written by the real ``csf export`` (``indicateurs.csv``,
   ``entonnoir_clauses.csv``: values, empty when hidden, and the ``diffusable`` flag);
2. the dashboard's CSV downloads for the national role (the local anonymous user) that show
   youth indicators or the funnel: *Chiffres clés* (youth rows and their trend), *Sorties
   positives*, *Parcours et situation à 6 mois* (national, every académie, région académique and
   sector, every period), the *Territoires* map and ranking of the youth indicators, the funnel
   (national and every académie, every period);
3. the national report's workbook written by ``csf run`` (openpyxl): *Chiffres clés*,
   *Entonnoir*, *Devenir des jeunes*, and the funnel stage named on the *Académies* sheet.

Each displayed cell is mapped to its warehouse key, (indicateur, periode, niveau, code_niveau) and
a field, or (niveau, code_niveau, periode, rang_etape) and a field for the funnel, and checked
against the release: a hidden cell reads « secret » (the dashboard leaves a hidden row's interval
blank: no figure either), a shown cell shows the release's value (rounded as the output displays
it: 0.1 point for percentages and gaps, whole numbers for counts; the workbook's typed cells hold
the exact value), a shown cell without value (a rate on no one) reads « – » or is empty. Every
mismatch is listed before the test fails. The parsing here shares no code with the writers:
French numbers (``1 234,5``, ``13,6 %``, ``+2,1 pts``) are read back with regular expressions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest
import requests

from dashboards.server import served_in_background
from pipelines.content import formatting as fmt
from pipelines.content.csv_formulas import neutralised
from tests.conftest import csf

pytestmark = pytest.mark.slow

SECRET = "secret"  # the one mark (README, « What each role sees »)
ABSENT = "–"  # no value: a rate on no one, a cell the warehouse does not have
RELEASE = "coherence-secret"

# How the dashboard and the report name rows (the labels are part of what is checked: a row
# whose label maps to another indicator would be compared with the wrong cell and fail).
HORIZONS = {"À la sortie": "sortie", "À 3 mois": "3m", "À 6 mois": "6m", "À 12 mois": "12m"}
SITUATIONS = {
    "Retour en formation initiale": "taux_retour_formation_initiale",
    "Apprentissage": "taux_apprentissage",
    "Contrat de professionnalisation": "taux_contrat_professionnalisation",
    "Sortie positive": "taux_sortie_positive",
    "Perdus de vue": "taux_perdus_de_vue",
}
RESULTATS_6M = {
    "nb_jeunes_csf",
    "nb_parcours",
    "taux_achevement",
    *(f"{code}_6m" for code in SITUATIONS.values()),
}
# Youth rows of the dashboard's headline figures.
CHIFFRES_CLES_JEUNES = {"nb_jeunes_csf", "taux_sortie_positive_6m", "taux_perdus_de_vue_6m"}
CARTE_JEUNES = ("taux_sortie_positive_6m", "nb_jeunes_csf")
# Dashboard filters that select the youth cell's dimension (query parameter -> niveau).
FILTRES_JEUNES = {"academie": "academie", "region": "region_academique", "secteur": "secteur"}
FUNNEL_FIELDS = (
    "nb_clauses_atteinte",
    "nb_clauses_bloquees",
    "taux_conversion",
    "delai_median_jours",
)
INDICATOR_FIGURES = ("numerateur", "denominateur", "valeur", "ic_bas", "ic_haut")


# ------------------------------------------------------------------ displayed values


@dataclass(frozen=True)
class Shown:
    """A displayed cell: ``secret``, ``empty`` (no figure) or ``value`` (a number, its unit)."""

    state: str
    value: float | None = None
    unit: str = ""  # dashboard text: "pct", "pts", "jours" or "" (a plain number)
    raw: object = None


FRENCH_NUMBER = re.compile(r"^([+-]?)(\d+)(?:,(\d+))?$")


def parse_french(text: str) -> Shown:
    """``1 234,5`` / ``13,6 %`` / ``+2,1 pts`` / ``12 jours`` / ``secret`` / ``–`` / ``""``."""
    raw = text
    text = text.strip()
    if text == SECRET:
        return Shown("secret", raw=raw)
    if text in ("", ABSENT, "non atteint"):
        return Shown("empty", raw=raw)
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    unit = ""
    for suffix, name in (("%", "pct"), ("pts", "pts"), ("jours", "jours")):
        if compact.endswith(suffix):
            compact, unit = compact.removesuffix(suffix), name
            break
    match = FRENCH_NUMBER.match(compact)
    if not match:
        return Shown("unreadable", raw=raw)
    sign, whole, decimals = match.groups()
    value = float(f"{sign}{whole}.{decimals or 0}")
    return Shown("value", value, unit, raw)


def parse_interval(text: str) -> tuple[Shown, Shown]:
    """``68,0 % – 86,8 %`` or ``+9,3 à +27,0 pts``: both bounds (empty when blank)."""
    text = text.strip()
    if text in ("", ABSENT, SECRET):
        return parse_french(text), parse_french(text)
    if " – " in text:
        low, high = text.split(" – ")
        return parse_french(low), parse_french(high)
    low, high = text.split(" à ")
    high_shown = parse_french(high)
    low_shown = parse_french(low)
    return Shown(low_shown.state, low_shown.value, high_shown.unit, text), high_shown


def from_workbook(value: object) -> Shown:
    """A workbook cell: the mark (text), empty, or a typed number."""
    if value == SECRET:
        return Shown("secret", raw=value)
    if value is None or value == "":
        return Shown("empty", raw=value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Shown("unreadable", raw=value)
    return Shown("value", float(value), "", value)


# ------------------------------------------------------------------ what a cell must show


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance + 1e-9


def matches(shown: Shown, expected: float, mode: str, unite: str) -> bool:
    """Whether a displayed value is the release's value as the output displays it.

    Modes: ``dashboard`` (French text, rounded for display: rates and gaps to 0.1 point, counts
    whole, days whole, other numbers to Babel's three decimals); ``workbook`` (typed cells: the
    exact value, a gap in points rounded to 0.1)."""
    if mode == "dashboard":
        if unite in ("taux", "ratio"):
            return shown.unit == "pct" and _close(shown.value, expected * 100, 0.05)
        if unite == "ecart":
            return shown.unit == "pts" and _close(shown.value, expected * 100, 0.05)
        if unite == "nombre":
            return shown.unit == "" and shown.value == int(expected)
        if unite == "jours":
            return shown.unit == "jours" and _close(shown.value, expected, 0.5)
        if unite == "jours_median":  # the funnel's median days: whole, by the one rounding rule
            return shown.unit in ("", "jours") and shown.value == float(fmt.arrondi(expected))
        return shown.unit == "" and _close(shown.value, expected, 0.0005)
    if unite == "ecart":
        return _close(shown.value, expected * 100, 0.05)
    if unite == "nombre":
        return shown.value == int(expected)
    return _close(shown.value, expected, 1e-9 * max(1.0, abs(expected)))


@dataclass
class Observation:
    output: str  # "dashboard", "rapport"
    where: str  # the file and row it was read from
    table: str  # "indicateurs" or "entonnoir_clauses"
    key: tuple
    field: str
    shown: Shown
    comparison: str  # "<dashboard|workbook>:<unit>": how the output displays the value
    blank_if_hidden: bool = False  # the dashboard's interval columns: blank for a hidden row


class Consistency:
    """The release's cells, and every displayed cell checked against them."""

    def __init__(self, release: Path) -> None:
        self.indicateurs = {
            (r["indicateur"], r["periode"], r["niveau"], r["code_niveau"]): r
            for r in _release_rows(release, "indicateurs")
        }
        self.entonnoir = {
            (r["niveau"], r["code_niveau"], r["periode"], int(r["rang_etape"])): r
            for r in _release_rows(release, "entonnoir_clauses")
        }
        with (release / "csv" / "academies.csv").open(encoding="utf-8") as f:
            self.academies = {r["libelle_academie"]: r["code_academie"] for r in csv.DictReader(f)}
        assert len(self.academies) > 1
        self.observations: list[Observation] = []
        self.failures: list[str] = []

    def row(self, table: str, key: tuple) -> dict | None:
        return (self.indicateurs if table == "indicateurs" else self.entonnoir).get(key)

    def add(self, observation: Observation) -> None:
        self.observations.append(observation)
        problem = self.verdict(observation)
        if problem:
            o = observation
            self.failures.append(
                f"{o.output} [{o.where}] {o.table} {o.key} {o.field}: shows {o.shown.raw!r}, "
                f"{problem}"
            )

    def indicator(self, output, where, key, field, shown, mode, blank_if_hidden=False) -> None:
        row = self.indicateurs.get(key)
        unite = row["unite"] if row else ""
        if field in ("numerateur", "denominateur"):
            unite = "nombre"
        self.add(
            Observation(
                output, where, "indicateurs", key, field, shown, f"{mode}:{unite}", blank_if_hidden
            )
        )

    def funnel(self, output, where, key, field, shown, mode) -> None:
        unite = {"taux_conversion": "taux", "delai_median_jours": "jours_median"}.get(
            field, "nombre"
        )
        self.add(
            Observation(output, where, "entonnoir_clauses", key, field, shown, f"{mode}:{unite}")
        )

    def verdict(self, o: Observation) -> str | None:
        if o.shown.state == "unreadable":
            return "which is neither a figure, « – » nor the secret mark"
        row = self.row(o.table, o.key)
        if row is None:
            if o.shown.state == "empty":
                return None
            return "but the warehouse has no such cell (the release has no row)"
        if not row["diffusable"]:
            if o.shown.state == "secret" or (o.shown.state == "empty" and o.blank_if_hidden):
                return None
            return "but the warehouse hides the cell (release: diffusable false, empty)"
        expected = row[o.field]
        if o.shown.state == "secret":
            return f"but the warehouse shows it (release: diffusable true, {o.field} = {expected})"
        if expected is None:
            if o.shown.state == "empty":
                return None
            return "but the cell has no value (release: diffusable true, empty)"
        if o.shown.state == "empty":
            return f"but the warehouse shows it (release: diffusable true, {o.field} = {expected})"
        mode, unite = o.comparison.split(":", 1)
        if not matches(o.shown, expected, mode, unite):
            return f"but the release says {o.field} = {expected} ({unite})"
        return None

    def count(self, output: str, table: str, domaine: str | None = None, state=None) -> int:
        """Distinct cells (keys) of one output compared, optionally of a domain, hidden or
        shown in the warehouse."""
        keys = set()
        for o in self.observations:
            if o.output != output or o.table != table:
                continue
            row = self.row(table, o.key)
            if row is None or (domaine and row["domaine"] != domaine):
                continue
            if state is not None and row["diffusable"] != state:
                continue
            keys.add(o.key)
        return len(keys)


def _release_rows(release: Path, table: str) -> list[dict]:
    """A released CSV read with the csv module: empty is None, numbers as floats."""
    text = (release / "csv" / f"{table}.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        row = dict(row)
        assert row["diffusable"] in ("true", "false"), row
        row["diffusable"] = row["diffusable"] == "true"
        for field in (*INDICATOR_FIGURES, *FUNNEL_FIELDS):
            if field in row:
                row[field] = float(row[field]) if row[field] != "" else None
        out.append(row)
    return out


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def release(demo_home: Path) -> Path:
    result = csf(demo_home, "export", "--release", RELEASE, "--replace")
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip())


@pytest.fixture(scope="module")
def dashboard(demo_home: Path):
    # Without a users file: the local anonymous user, a national user.
    env = {**os.environ, "CSF_HOME": str(demo_home)}
    env.pop("CSF_USERS_FILE", None)
    with served_in_background(env) as url:
        yield url


# ------------------------------------------------------------------ the dashboard


class Dashboard:
    def __init__(self, url: str, snapshot: str) -> None:
        self.url, self.snapshot = url, snapshot
        self.session = requests.Session()

    def csv(self, bloc: str, params: dict[str, str]) -> tuple[str, list[list[str]]]:
        # The cells as the page displays them (the default CSV holds typed numbers).
        params = params | {"format": "affiche"}
        response = self.session.get(f"{self.url}/telecharger/{bloc}.csv", params=params, timeout=30)
        where = f"/telecharger/{bloc}.csv?" + "&".join(f"{k}={v}" for k, v in params.items())
        assert response.status_code == 200, (where, response.status_code, response.text[:300])
        assert response.headers["X-CSF-Instantane"] == self.snapshot, where
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        return where, [[_sans_garde(cell) for cell in row] for row in rows]


def _sans_garde(cell: str) -> str:
    """The displayed text behind the CSV's spreadsheet guard: a cell a spreadsheet would run as
    a formula (« +17,4 pts », « [-5,0 ; -1,2] ») is written behind a quote, which is not part
    of what is shown: the quote the one rule adds, read back by the same rule."""
    if cell.startswith("'") and neutralised(cell[1:]) == cell:
        return cell[1:]
    return cell


def _params(periode: str, **filters: str) -> dict[str, str]:
    return {"annee": periode} | filters


def collect_dashboard(c: Consistency, dash: Dashboard, periodes: list[str]) -> None:
    youth_levels = [("national", "FR", {})]
    for param, niveau in FILTRES_JEUNES.items():
        codes = {
            key[3]
            for key, row in c.indicateurs.items()
            if row["domaine"] == "jeunes" and key[2] == niveau and key[3] != "NR"
        }
        youth_levels += [(niveau, code, {param: code}) for code in sorted(codes)]
    labels, domaines = defaultdict(set), {}
    for key, row in c.indicateurs.items():
        labels[row["libelle_indicateur"]].add(key[0])
        domaines[key[0]] = row["domaine"]

    for niveau, code, filters in youth_levels:
        for periode in periodes:
            params = _params(periode, **filters)
            cell = (periode, niveau, code)

            # Parcours et situation à 6 mois: value, interval, youths counted.
            where, rows = dash.csv("resultats-6m", params)
            assert rows[0] == [
                "Indicateur",
                "Valeur",
                "Intervalle de confiance à 95 %",
                "Base : parcours pris en compte",
            ], rows[0]
            seen = set()
            for label, value, interval, base in rows[1:]:
                code_ind = _code(labels, label, where)
                seen.add(code_ind)
                key = (code_ind, *cell)
                w = f"{where} « {label} »"
                c.indicator("dashboard", w, key, "valeur", parse_french(value), "dashboard")
                _interval(c, w, key, interval)
                c.indicator("dashboard", w, key, "denominateur", parse_french(base), "dashboard")
            _all_rows_listed(c, where, RESULTATS_6M, seen, cell)

            # Sorties positives against the comparison group: the comparison has no sector, so
            # a sector view shows the national cell (and says so on the block).
            where, rows = dash.csv("sorties-positives", params)
            compared = ("national", "FR") if niveau == "secteur" else (niveau, code)
            assert len(rows) == 1 + len(HORIZONS), rows
            for label, csf_v, csf_ic, comp_v, comp_ic, gap, gap_ic in rows[1:]:
                h = HORIZONS[label]
                w = f"{where} « {label} »"
                for code_ind, value, interval in (
                    (f"taux_sortie_positive_{h}_csf_compares", csf_v, csf_ic),
                    (f"taux_sortie_positive_{h}_comparaison", comp_v, comp_ic),
                    (f"ecart_taux_sortie_positive_{h}", gap, gap_ic),
                ):
                    key = (code_ind, periode, *compared)
                    c.indicator("dashboard", w, key, "valeur", parse_french(value), "dashboard")
                    _interval(c, w, key, interval)

            # Headline figures: the youth rows, their value, interval and trend.
            where, rows = dash.csv("chiffres-cles", params)
            seen = set()
            for label, value, interval, before, _scope in rows[1:]:
                code_ind = _code(labels, label, where)
                if domaines[code_ind] != "jeunes":
                    continue
                seen.add(code_ind)
                key = (code_ind, *cell)
                w = f"{where} « {label} »"
                c.indicator("dashboard", w, key, "valeur", parse_french(value), "dashboard")
                _interval(c, w, key, interval)
                if periode != "ensemble" and before != ABSENT:
                    c.indicator(
                        "dashboard",
                        f"{w} (année précédente)",
                        (code_ind, str(int(periode) - 1), niveau, code),
                        "valeur",
                        parse_french(before),
                        "dashboard",
                    )
            _all_rows_listed(c, where, CHIFFRES_CLES_JEUNES, seen, cell)

    # Territoires: map and ranking of the youth indicators, every académie.
    academies = c.academies
    for indicateur in CARTE_JEUNES:
        for periode in periodes:
            params = _params(periode, indicateur=indicateur)
            where, rows = dash.csv("carte", params)
            assert len(rows) - 1 == len(academies)
            for label, _region, value, interval in rows[1:]:
                key = (indicateur, periode, "academie", academies[label])
                w = f"{where} « {label} »"
                c.indicator("dashboard", w, key, "valeur", parse_french(value), "dashboard")
                _interval(c, w, key, interval)
            where, rows = dash.csv("classement", params)
            expected = {
                k
                for k, r in c.indicateurs.items()
                if k[0] == indicateur and k[1] == periode and k[2] == "academie" and k[3] != "NR"
            }
            ranked = set()
            for rank, label, value, interval in rows[1:]:
                key = (indicateur, periode, "academie", academies[label])
                ranked.add(key)
                w = f"{where} « {label} »"
                shown = parse_french(value)
                c.indicator("dashboard", w, key, "valeur", shown, "dashboard")
                _interval(c, w, key, interval)
                if shown.state != "value" and rank != ABSENT:
                    c.failures.append(f"dashboard [{w}] ranks a cell it does not show: {rank!r}")
            if ranked != expected:
                c.failures.append(
                    f"dashboard [{where}] lists {sorted(ranked ^ expected)} unlike the release"
                )

    # The funnel, nationally and in every académie.
    funnel_levels = sorted({(k[0], k[1]) for k in c.entonnoir if k[0] in ("national", "academie")})
    for niveau, code in funnel_levels:
        for periode in periodes:
            filters = {} if niveau == "national" else {"academie": code}
            where, rows = dash.csv("entonnoir", _params(periode, **filters))
            stages = {
                c.entonnoir[k]["libelle_etape"]: k[3]
                for k in c.entonnoir
                if k[:3] == (niveau, code, periode)
            }
            assert [r[0] for r in rows[1:]] == sorted(stages, key=stages.get), (where, rows)
            for label, *values in rows[1:]:
                key = (niveau, code, periode, stages[label])
                for field, text in zip(FUNNEL_FIELDS, values, strict=True):
                    c.funnel(
                        "dashboard",
                        f"{where} « {label} »",
                        key,
                        field,
                        parse_french(text),
                        "dashboard",
                    )


def _interval(c: Consistency, where: str, key: tuple, text: str) -> None:
    """The dashboard shows an interval for shown rates and gaps; any other cell's is blank."""
    row = c.indicateurs.get(key)
    if row is None or row["unite"] not in ("taux", "ecart"):
        if text.strip():
            c.failures.append(
                f"dashboard [{where}] {key}: an interval {text!r} for a cell that has none"
            )
        return
    low, high = parse_interval(text)
    c.indicator("dashboard", f"{where} (IC)", key, "ic_bas", low, "dashboard", True)
    c.indicator("dashboard", f"{where} (IC)", key, "ic_haut", high, "dashboard", True)


def _code(labels: dict[str, set[str]], label: str, where: str) -> str:
    """The one indicator a displayed label names (the release's ``libelle_indicateur``)."""
    codes = labels.get(label, set())
    assert len(codes) == 1, f"[{where}] the label {label!r} names {sorted(codes)} in the release"
    return next(iter(codes))


def _all_rows_listed(c: Consistency, where, codes: set[str], seen: set[str], cell) -> None:
    """A block that lists one line per existing cell drops none (dropping would hide it)."""
    missing = {code for code in codes if (code, *cell) in c.indicateurs} - seen
    if missing:
        c.failures.append(
            f"dashboard [{where}] leaves out {sorted(missing)}, which the release has"
        )


# ------------------------------------------------------------------ the national report


def _sheet(book, name: str, first: str) -> list[tuple]:
    """(header, rows) of a report sheet's table: from the header row (first cell ``first``) to
    the first empty row."""
    rows = list(book[name].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == first)
    table = []
    for row in rows[start:]:
        if all(v is None for v in row):
            break
        table.append(row)
    return table


def collect_report(c: Consistency, book, periode: str) -> None:
    labels = defaultdict(set)
    for key, row in c.indicateurs.items():
        labels[row["libelle_indicateur"]].add(key[0])
    before = str(int(periode) - 1)

    def flag(sheet: str, row: tuple, header: tuple) -> None:
        """A row with a hidden cell says « secret statistique » in its flag column (present
        only when the table hides something), and only such a row."""
        end = header.index("Secret statistique") if "Secret statistique" in header else None
        marked = any(v == SECRET for v in row[:end])
        motif = row[end] if end is not None else None
        if marked != (motif == "secret statistique"):
            c.failures.append(f"rapport [{sheet}] {row[0]!r}: its flag column says {motif!r}")

    # Chiffres clés: period, its interval, the year before, all years.
    header, *rows = _sheet(book, "Chiffres clés", "Indicateur")
    assert header[:6] == (
        "Indicateur",
        periode,
        "IC 95 % (bas)",
        "IC 95 % (haut)",
        before,
        "Toutes années",
    ), header
    for row in rows:
        code = _code(labels, row[0], "Chiffres clés")
        where = f"Chiffres clés « {row[0]} »"
        for value, per, field in (
            (row[1], periode, "valeur"),
            (row[2], periode, "ic_bas"),
            (row[3], periode, "ic_haut"),
            (row[4], before, "valeur"),
            (row[5], "ensemble", "valeur"),
        ):
            c.indicator(
                "rapport",
                where,
                (code, per, "national", "FR"),
                field,
                from_workbook(value),
                "workbook",
            )
        flag("Chiffres clés", row, header)

    # Devenir des jeunes: every situation and horizon, all cohorts, against the comparison group.
    header, *rows = _sheet(book, "Devenir des jeunes", "Situation")
    assert len(rows) == len(SITUATIONS) * len(HORIZONS)
    # The écart right after the two rates it is the difference of, named so.
    assert header[6:9] == (
        "Parcours CSF comparés",
        "Groupe de comparaison (standardisé)",
        "Écart observé (points)",
    ), header
    for row in rows:
        base = f"{SITUATIONS[row[0]]}_{HORIZONS[row[1]]}"
        where = f"Devenir des jeunes « {row[0]} / {row[1]} »"
        cells = (
            (base, "denominateur", row[2]),
            (base, "valeur", row[3]),
            (base, "ic_bas", row[4]),
            (base, "ic_haut", row[5]),
            (f"{base}_csf_compares", "valeur", row[6]),
            (f"{base}_comparaison", "valeur", row[7]),
            (f"ecart_{base}", "valeur", row[8]),
            (f"ecart_{base}", "ic_bas", row[9]),
            (f"ecart_{base}", "ic_haut", row[10]),
        )
        for code, field, value in cells:
            c.indicator(
                "rapport",
                where,
                (code, "ensemble", "national", "FR"),
                field,
                from_workbook(value),
                "workbook",
            )
        flag("Devenir des jeunes", row, header)

    # Entonnoir: the national funnel of the period.
    header, *rows = _sheet(book, "Entonnoir", "Étape")
    stages = {
        c.entonnoir[k]["libelle_etape"]: k[3]
        for k in c.entonnoir
        if k[:3] == ("national", "FR", periode)
    }
    assert [r[0] for r in rows] == sorted(stages, key=stages.get), rows
    for row in rows:
        key = ("national", "FR", periode, stages[row[0]])
        for field, value in zip(FUNNEL_FIELDS, row[1:5], strict=True):
            c.funnel(
                "rapport", f"Entonnoir « {row[0]} »", key, field, from_workbook(value), "workbook"
            )
        flag("Entonnoir", row, header)

    # Académies: the stage where most clauses stop is read from shown funnel rows only.
    header, *rows = _sheet(book, "Académies", "Académie")
    column = header.index("Étape où s'arrêtent le plus de clauses")
    for row in rows:
        if row[column] is None:
            continue
        code = c.academies[row[0]]
        (key,) = [
            k
            for k, r in c.entonnoir.items()
            if k[:3] == ("academie", code, periode) and r["libelle_etape"] == row[column]
        ]
        c.observations.append(
            Observation(
                "rapport",
                f"Académies « {row[0]} »",
                "entonnoir_clauses",
                key,
                "libelle_etape",
                Shown("value", raw=row[column]),
                "",
            )
        )
        if not c.entonnoir[key]["diffusable"]:
            c.failures.append(
                f"rapport [Académies « {row[0]} »] names the stage {row[column]!r}, "
                f"a funnel row the warehouse hides {key}"
            )


# ------------------------------------------------------------------ the test


def test_dashboard_report_and_release_read_the_same_disclosure_decision(
    demo_home, release, dashboard
):
    published = demo_home / "warehouse" / "published.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        snapshot = con.execute("select snapshot_id from meta.publication").fetchone()[0]
        warehouse = {
            "indicateurs": dict(
                ((i, p, n, code), d)
                for i, p, n, code, d in con.execute(
                    "select indicateur, periode, niveau, code_niveau, diffusable "
                    "from marts.indicateurs"
                ).fetchall()
            ),
            "entonnoir_clauses": dict(
                ((n, code, p, rang), d)
                for n, code, p, rang, d in con.execute(
                    "select niveau, code_niveau, periode, rang_etape, diffusable "
                    "from marts.fct_entonnoir_clauses"
                ).fetchall()
            ),
        }

    # Every output comes from the same snapshot.
    notes = (release / "notes-de-version.md").read_text(encoding="utf-8")
    assert f"Instantané publié : `{snapshot}`" in notes
    index = json.loads((demo_home / "reports" / "index.json").read_text(encoding="utf-8"))
    periode = index["periode"]
    workbook = demo_home / "reports" / "national" / f"rapport-national-{periode}.xlsx"
    book = openpyxl.load_workbook(workbook, read_only=False)
    about = {r[0]: r[1] for r in book["À propos"].iter_rows(values_only=True) if r[0]}
    assert about["Instantané publié"] == snapshot, "the national report is of another snapshot"

    # (1) The release: its flags are the warehouse's, a hidden row has no figure.
    c = Consistency(release)
    for table, flags in warehouse.items():
        rows = c.indicateurs if table == "indicateurs" else c.entonnoir
        assert {k: r["diffusable"] for k, r in rows.items()} == flags, table
        figures = INDICATOR_FIGURES if table == "indicateurs" else FUNNEL_FIELDS
        for key, row in rows.items():
            if not row["diffusable"]:
                assert all(row[f] is None for f in figures), (table, key, row)
    periodes = sorted({k[1] for k in c.indicateurs})
    assert "ensemble" in periodes and len(periodes) > 2

    # (2) The dashboard's downloads, (3) the national report's workbook.
    collect_dashboard(c, Dashboard(dashboard, snapshot), periodes)
    collect_report(c, book, periode)

    counts = {
        (output, table, domaine, state): c.count(output, table, domaine, state)
        for output in ("dashboard", "rapport")
        for table, domaine in (("indicateurs", "jeunes"), ("entonnoir_clauses", None))
        for state in (None, True, False)
    }
    print("cells compared:", json.dumps({" ".join(map(str, k)): v for k, v in counts.items()}))
    print("observations:", len(c.observations))

    assert not c.failures, (
        f"{len(c.failures)} displayed cells disagree with the warehouse's decision:\n"
        + "\n".join(c.failures[:60])
    )
    # Not vacuous: many youth cells in each output, hidden and shown ones; the funnel's stages
    # (hidden ones in the dashboard's many views; the report's one funnel may have none).
    assert counts[("dashboard", "indicateurs", "jeunes", None)] > 50
    assert counts[("rapport", "indicateurs", "jeunes", None)] > 20
    for output in ("dashboard", "rapport"):
        assert counts[(output, "indicateurs", "jeunes", False)] > 0, (output, "no hidden cell")
        assert counts[(output, "indicateurs", "jeunes", True)] > 0, (output, "no shown cell")
    assert counts[("dashboard", "entonnoir_clauses", None, False)] > 0
    assert counts[("dashboard", "entonnoir_clauses", None, True)] > 100
    assert counts[("rapport", "entonnoir_clauses", None, None)] >= 9
