"""Random worlds, end to end (issue 20, point 7).

Hypothesis draws small worlds from the sample generator's parameters — one to five académies'
MLDS exports, 0 to 40 clauses, with or without DECP, with or without comparison youths, one year
or several, nothing activated or every offer taken, everything censored, one buyer, with or
without the edge cases of the indicator rules (youths with several parcours, MLDS re-entries in
another académie, follow-ups citing no parcours, an observation date set before some events:
``Scale.repeat_youths`` and the knobs after it, ``CSF_OBSERVATION_DATE``) — plus the
generator's own dirty rows (a few of every kind in every file) and hostile files beside them
(empty, binary, unknown header, truncated JSON, header only, impossible records). The real
``csf run`` runs on each world in a fresh ``CSF_HOME``; none of these worlds has a structural
defect, so each must:

- publish (exit 0), the reports rendered and indexed;
- conserve every row: every inbox file is in the ledger, loaded or refused; a loaded file's rows
  read (counted here independently, from the file) are its clean rows plus its quarantined rows,
  and the raw table and the quarantine hold exactly those;
- leave marts that satisfy the invariants: rates in [0, 1], numerator ≤ denominator, the value is
  numerator / denominator, the interval contains the value, delays ≥ 0; before secrecy, every
  national count (numerators and denominators) equals the sum over académies, unknown académie
  included, where the indicator is broken down by académie; every published cell carries a
  secrecy decision, and no hidden cell carries a figure in the research release;
- serve every dashboard page (and its page callback, with filters) and every download with 200;
- agree, indicator by indicator, with a second computation written from the methodology alone
  (tests/indicateurs_reference.py).

Profiles: the default run draws ``CI_MONDES`` worlds (derandomised: the same worlds on every
run); ``make test-worlds`` (``-m worlds``) draws ``CSF_WORLDS_E2E`` (default 200) from
``CSF_WORLDS_SEED``. Shrinking is off (a world costs half a minute); a failing world is appended
to tests/fixtures/mondes_robustesse.json, and ``test_recorded_world`` replays every world there.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dashboards.blocks import BLOCS
from dashboards.frame import PAGES
from dashboards.response_cache import page_request
from dashboards.server import served_in_background
from pipelines.ingest.csv_reader import canonical_names, decode, detect_separator
from pipelines.ingest.sources import MLDS_JEUNES
from pipelines.sample import generate
from pipelines.sample.world import ACADEMIES, AS_OF, Scale
from tests.conftest import csf
from tests.indicateurs_reference import desaccords

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mondes_robustesse.json"
# Six in the default run (about 3 minutes); the long draws are the worlds profile's, run before
# a change is closed (make test-worlds).
CI_MONDES = int(os.environ.get("CSF_WORLDS_CI", "6"))
TOLERANCE = 1e-9
RAW_TABLES = {
    "csf_clauses": ["csf_clauses"],
    "mlds_jeunes": ["mlds_jeunes"],
    "mlds_parcours": ["mlds_parcours"],
    "mlds_suivis": ["mlds_suivis"],
    "decp": ["decp_marches", "decp_concessions"],
}

# Files no export tool should write, dropped beside the exports: each must be refused by name
# (or, for the last two, loaded / quarantined) without stopping the others.
JUNK = {
    "vide": ("vide.csv", b""),
    "binaire": ("export.csv", b"PK\x03\x04\x00\x00binaire"),
    "entete_inconnue": ("autre_export.csv", b"colonne_a;colonne_b\n1;2\n"),
    "json_tronque": ("decp_tronque.json", b'{"marches": [{"id": "2024-1", "acheteur": '),
}
# Built from a generated jeunes export: its header alone, and rows a person knows impossible.
JUNK_FROM_HEADER = ("entete_seule", "impossibles")
JUNK_KINDS = (*JUNK, *JUNK_FROM_HEADER)
# The generator's knobs for the edge cases of the indicator rules (Scale's comments).
EDGE_CASE_KNOBS = ("repeat_youths", "moving_youths", "follow_ups_without_parcours", "recent_ends")


@dataclass(frozen=True)
class Monde:
    """One world: the generator's seed and scale, what is kept of its inbox, junk added."""

    nom: str
    graine: int
    echelle: dict  # Scale's fields (clause_years as a list in JSON)
    academies: tuple[str, ...]  # MLDS exports kept
    decp: bool
    junk: tuple[str, ...] = ()
    date_observation: str | None = None  # CSF_OBSERVATION_DATE (None: derived from the data)

    def scale(self) -> Scale:
        fields = dict(self.echelle)
        if fields.get("clause_years") is not None:
            fields["clause_years"] = tuple(fields["clause_years"])
        return Scale(**fields)

    def as_json(self) -> dict:
        d = asdict(self)
        d["academies"], d["junk"] = list(self.academies), list(self.junk)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Monde:
        return cls(
            d["nom"], d["graine"], dict(d["echelle"]), tuple(d["academies"]), d["decp"],
            tuple(d.get("junk", ())), d.get("date_observation"),
        )  # fmt: skip


@st.composite
def mondes(draw) -> Monde:
    """A small world of every shape the issue names."""
    graine = draw(st.integers(0, 10**6))
    academies = draw(st.lists(st.sampled_from(sorted(ACADEMIES)), min_size=1, max_size=5))
    shape = draw(st.sampled_from(["plusieurs_annees", "une_annee", "tout_censure"]))
    if shape == "tout_censure":  # clauses and youths of the last months only: no horizon reached
        first_year, clause_years = 2026, [2026, 2026]
    elif shape == "une_annee":
        year = draw(st.integers(2022, 2025))
        first_year, clause_years = year, [year, year]
    else:
        first_year, clause_years = draw(st.integers(2021, 2024)), None
    echelle = {
        "clauses": draw(st.integers(0, 40)),
        "other_contracts": draw(st.integers(0, 20)),
        "comparison_per_csf_youth": draw(st.sampled_from([0.0, 0.5, 2.0])),
        "first_year": first_year,
        "buyers": draw(st.sampled_from([None, None, 1, 2])),
        "clause_years": clause_years,
        "activation": draw(st.sampled_from([None, None, 0.0, 1.0])),
    }
    decp = draw(st.booleans())
    junk = tuple(draw(st.lists(st.sampled_from(JUNK_KINDS), unique=True, max_size=3)))
    for knob in EDGE_CASE_KNOBS:  # the indicator rules' edge cases (Scale's docstring)
        echelle[knob] = draw(st.sampled_from([0.0, 0.0, 0.2, 0.5]))
    # Youths waiting in vain, offers left unfilled (Scale's docstring).
    echelle["waiting_youths"] = draw(st.sampled_from([0.0, 0.0, 0.5, 1.5]))
    echelle["unfilled_offers"] = draw(st.sampled_from([0.0, 0.0, 0.5, 1.0]))
    # Mostly derived from the data; else a hard cut-off before some events.
    observation = None
    if draw(st.integers(0, 3)) == 0:
        observation = draw(st.dates(date(first_year, 1, 1), AS_OF)).isoformat()
    return Monde(
        nom=f"monde-{graine}",
        graine=graine,
        echelle=echelle,
        academies=tuple(sorted(set(academies))),
        decp=decp,
        junk=junk,
        date_observation=observation,
    )


# --------------------------------------------------------------------------------------------
# Building a world


def build_inbox(monde: Monde, inbox: Path) -> None:
    generate(inbox, monde.scale(), monde.graine)
    for path in inbox.glob("mlds_*_*.csv"):
        if path.name.split("_")[1] not in monde.academies:
            path.unlink()
    if not monde.decp:
        for path in inbox.glob("decp_*.json"):
            path.unlink()
    for kind in monde.junk:
        if kind in JUNK:
            name, content = JUNK[kind]
            (inbox / name).write_bytes(content)
    jeunes = sorted(inbox.glob("mlds_*_jeunes.csv"))
    if jeunes and set(monde.junk) & set(JUNK_FROM_HEADER):
        text, encoding = decode(jeunes[0].read_bytes())
        header = text.splitlines()[0]
        sep = detect_separator(text)
        if "entete_seule" in monde.junk:
            (inbox / "mlds_99_jeunes_vide.csv").write_bytes((header + "\n").encode(encoding))
        if "impossibles" in monde.junk:
            (inbox / "mlds_99_jeunes_impossibles.csv").write_bytes(
                (header + "\n" + _impossible_rows(header, sep)).encode(encoding)
            )


def _impossible_rows(header: str, sep: str) -> str:
    """Youths born after their MLDS entry, or who left before they entered: quarantined."""
    columns = canonical_names(next(csv.reader([header], delimiter=sep)), MLDS_JEUNES)
    common = {"sexe": "F", "code_academie": "24", "date_entree_mlds": "01/10/2023"}
    rows = [
        {**common, "ine": "123456789AB", "date_naissance": "12/03/2031"},
        {**common, "ine": "123456789AC", "date_naissance": "12/03/2007"}
        | {"date_sortie_mlds": "01/09/2023"},
    ]
    return "".join(sep.join(row.get(c, "") for c in columns) + "\n" for row in rows)


# --------------------------------------------------------------------------------------------
# Invariants


def records_in(path: Path) -> int | None:
    """Data records of an export, counted here from the file (None: not a readable export)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        try:
            document = json.loads(data)
        except ValueError:
            return None
        marches = document.get("marches") if isinstance(document, dict) else None
        if isinstance(marches, dict):  # v1.5: {"marche": [...], "contrat-concession": [...]}
            return sum(len(v) for v in marches.values() if isinstance(v, list))
        return len(marches) if isinstance(marches, list) else None
    try:
        text, _ = decode(data)
    except (UnicodeError, ValueError):
        return None
    csv.field_size_limit(sys.maxsize)
    rows = csv.reader(text.splitlines(keepends=True), delimiter=detect_separator(text))
    return sum(1 for row in list(rows)[1:] if any(cell.strip() for cell in row))


def row_conservation(home: Path, inbox: Path) -> list[str]:
    problems = []
    build = duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True)
    try:
        ledger = build.execute(
            "select file_name, file_sha256, source, status, rows_read, rows_clean, "
            "rows_quarantined from ingest.file_ledger"
        ).fetchall()
        # Every file is in the ledger, under its name or, for the same bytes as another file
        # (two exports with headers only), under that file's hash: loaded once.
        names, hashes = {row[0] for row in ledger}, {row[1] for row in ledger}
        for path in sorted(inbox.iterdir()):
            known = path.name in names or hashlib.sha256(path.read_bytes()).hexdigest() in hashes
            if path.suffix != ".md" and not known:
                problems.append(f"{path.name}: absent du registre des fichiers")
        for name, sha, source, status, read, clean, quarantined in ledger:
            if status != "loaded":
                continue
            if read != clean + quarantined:
                problems.append(
                    f"{name}: {read} lues ≠ {clean} propres + {quarantined} quarantaine"
                )
            counted = records_in(inbox / name)
            if counted is not None and counted != read:
                problems.append(f"{name}: {counted} enregistrements dans le fichier, {read} lus")
            in_raw = sum(
                build.execute(
                    f"select count(*) from raw.{table} where _file_sha256 = ?", [sha]
                ).fetchone()[0]
                for table in RAW_TABLES[source]
            )
            in_quarantine = build.execute(
                "select count(*) from ingest.quarantine where file_sha256 = ?", [sha]
            ).fetchone()[0]
            if (in_raw, in_quarantine) != (clean, quarantined):
                problems.append(
                    f"{name}: {in_raw} en table brute / {in_quarantine} en quarantaine, "
                    f"registre {clean} / {quarantined}"
                )
    finally:
        build.close()
    return problems


def mart_invariants(home: Path) -> list[str]:
    problems = []
    build = duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True)
    published = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        for label, con, table in (
            ("avant secret", build, "intermediate.int_indicateurs__mesures"),
            ("publié", published, "marts.indicateurs"),
        ):
            checks = {
                "taux hors de [0, 1]": "unite = 'taux' and (valeur < 0 or valeur > 1)",
                "numérateur > dénominateur": "unite = 'taux' and numerateur > denominateur",
                "valeur ≠ numérateur / dénominateur": (
                    "unite = 'taux' and denominateur > 0 "
                    f"and abs(valeur - numerateur / denominateur) > {TOLERANCE}"
                ),
                "intervalle sans la valeur": (
                    f"ic_bas > valeur + {TOLERANCE} or ic_haut < valeur - {TOLERANCE} "
                    "or ic_bas > ic_haut"
                ),
                "délai ou ratio négatif": "unite in ('jours', 'ratio') and valeur < 0",
                "compte négatif": "numerateur < 0 or denominateur < 0",
            }
            for name, condition in checks.items():
                rows = con.execute(
                    f"select indicateur, periode, niveau, code_niveau, numerateur, denominateur, "
                    f"valeur, ic_bas, ic_haut from {table} where {condition} limit 3"
                ).fetchall()
                problems += [f"{label} — {name}: {row}" for row in rows]
        # National = sum over académies (unknown included), before secrecy.
        rows = build.execute(
            """
            with cellules as (
                select * from intermediate.int_indicateurs__mesures
                where unite in ('taux', 'nombre')
            ),
            par_academie as (
                select indicateur, periode, sum(numerateur) as num, sum(denominateur) as den
                from cellules where niveau = 'academie' group by all
            ),
            national as (
                select indicateur, periode, numerateur as num, denominateur as den
                from cellules where niveau = 'national'
            )
            select n.indicateur, n.periode, n.num, a.num, n.den, a.den
            from national n
            join (select distinct indicateur from cellules where niveau = 'academie') d
                using (indicateur)
            left join par_academie a using (indicateur, periode)
            where coalesce(n.num, 0) <> coalesce(a.num, 0)
                or coalesce(n.den, 0) <> coalesce(a.den, 0)
            limit 5
            """
        ).fetchall()
        problems += [f"national ≠ somme des académies: {row}" for row in rows]
        # The published marts hold the true figures next to the decision (the outputs mask
        # them: the release is checked below): every cell must carry a decision.
        for table in ("indicateurs", "fct_entonnoir_clauses"):
            undecided = published.execute(
                f"select * from marts.{table} where diffusable is null limit 3"
            ).fetchall()
            problems += [f"{table}: cellule sans décision de secret: {r}" for r in undecided]
        delays = published.execute(
            "select * from marts.fct_entonnoir_clauses where delai_median_jours < 0 limit 3"
        ).fetchall()
        problems += [f"fct_entonnoir_clauses: délai négatif: {r}" for r in delays]
    finally:
        build.close()
        published.close()
    return problems


def release_secrecy(home: Path) -> list[str]:
    """Rows of the automatic research release not marked diffusable true that carry a figure."""
    releases = sorted((home / "exports").glob("auto-*"))
    if not releases:
        return ["aucune diffusion automatique écrite"]
    problems = []
    for table in ("indicateurs", "entonnoir_clauses"):
        path = releases[-1] / "csv" / f"{table}.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                figures = [v for k, v in row.items() if k not in TEXT_COLUMNS]
                if row["diffusable"] != "true" and any(v != "" for v in figures):
                    problems.append(f"{path.name}:{line}: cellule secrète avec un chiffre")
    return problems[:5]


# Columns of the release that describe a cell rather than give a figure.
TEXT_COLUMNS = {
    "indicateur", "libelle_indicateur", "domaine", "unite", "periode", "niveau", "code_niveau",
    "libelle_niveau", "diffusable", "date_observation", "rang_etape", "etape", "libelle_etape",
}  # fmt: skip


def reports_rendered(home: Path) -> list[str]:
    index_path = home / "reports" / "index.json"
    if not index_path.exists():
        return ["rapports : index.json absent"]
    index = json.loads(index_path.read_text(encoding="utf-8"))
    missing = [f for f in index["fichiers"] if not (home / "reports" / f).stat().st_size]
    national = [f for f in index["fichiers"] if f.startswith("national/")]
    return [f"rapport vide : {f}" for f in missing] + (
        [] if len(national) == 2 else [f"rapport national : {national}"]
    )


# Downloads of one buyer's or one académie's rows: refused (403) when the scope is not chosen.
NEEDS_SCOPE = {"clauses-acheteur", "parcours-academie"}


def dashboard_answers(home: Path) -> list[str]:
    published = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        academie = published.execute(
            "select min(code_academie) from marts.fct_parcours"
        ).fetchone()[0]
        buyer = published.execute("select min(siret_acheteur) from marts.fct_clauses").fetchone()[0]
        year = published.execute(
            "select max(periode) from marts.indicateurs where periode <> 'ensemble'"
        ).fetchone()[0]
    finally:
        published.close()
    searches = [""]
    searches += [f"?academie={academie}"] if academie else []
    searches += [f"?acheteur={buyer}"] if buyer else []
    searches += [f"?annee={year}"] if year else []
    problems = []
    with served_in_background({**os.environ, "CSF_HOME": str(home)}, workers=1) as url:
        for path, _label in PAGES:
            page = requests.get(url + path, timeout=30)
            if page.status_code != 200:
                problems.append(f"GET {path}: {page.status_code}")
            for search in searches:
                body = page_request(path, search)
                answer = requests.post(f"{url}/_dash-update-component", json=body, timeout=60)
                if answer.status_code != 200:
                    problems.append(f"page {path}{search}: {answer.status_code}")
        for bloc in BLOCS:
            for search in searches:
                answer = requests.get(f"{url}/telecharger/{bloc}.csv{search}", timeout=60)
                # A block for one buyer or one académie's youths, asked without one, is refused
                # with a French message; anything else must answer.
                refused = answer.status_code == 403 and bloc in NEEDS_SCOPE
                if answer.status_code != 200 and not refused:
                    problems.append(f"téléchargement {bloc}{search}: {answer.status_code}")
    return problems


# --------------------------------------------------------------------------------------------
# Running a world


def check_world(monde: Monde, root: Path) -> None:
    inbox, home = root / "inbox", root / "home"
    build_inbox(monde, inbox)
    env = {"CSF_OBSERVATION_DATE": monde.date_observation or ""}
    result = csf(home, "run", "--inbox", str(inbox), env=env)
    problems = [] if result.returncode == 0 else [f"csf run: code {result.returncode}"]
    if result.returncode == 0:
        problems += row_conservation(home, inbox)
        problems += mart_invariants(home)
        problems += release_secrecy(home)
        problems += reports_rendered(home)
        problems += dashboard_answers(home)
        problems += desaccords(home / "warehouse" / "build.duckdb")
    if problems:
        reason = "\n".join(problems)
        if result.returncode:
            reason += "\n" + result.stdout[-2000:] + result.stderr[-3000:]
        record_failure(monde, reason)
        pytest.fail(f"{monde.nom} ({json.dumps(monde.as_json())}):\n{reason}")


def record_failure(monde: Monde, reason: str) -> None:
    """Keep a failing world in the regression fixture (once per name)."""
    entries = json.loads(FIXTURE.read_text(encoding="utf-8")) if FIXTURE.exists() else []
    if any(e["nom"] == monde.nom for e in entries):
        return
    entries.append({**monde.as_json(), "raison": reason[:2000]})
    FIXTURE.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _recorded() -> list[Monde]:
    if not FIXTURE.exists():
        return []
    return [Monde.from_json(d) for d in json.loads(FIXTURE.read_text(encoding="utf-8"))]


_SETTINGS = {
    "deadline": None,
    "phases": [Phase.explicit, Phase.generate],  # no shrinking: a world takes half a minute
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,
}


@pytest.mark.slow
@settings(max_examples=CI_MONDES, derandomize=True, **_SETTINGS)
@given(monde=mondes())
def test_random_world(monde: Monde, tmp_path_factory) -> None:
    check_world(monde, tmp_path_factory.mktemp(monde.nom))


@pytest.mark.worlds
def test_many_random_worlds(tmp_path_factory) -> None:
    count = int(os.environ.get("CSF_WORLDS_E2E", "200"))
    seed = int(os.environ.get("CSF_WORLDS_SEED", "2026"))

    @settings(max_examples=count, **_SETTINGS)
    @given(monde=mondes())
    def run(monde: Monde) -> None:
        check_world(monde, tmp_path_factory.mktemp(monde.nom))

    from hypothesis import seed as hypothesis_seed

    hypothesis_seed(seed)(run)()


@pytest.mark.slow
@pytest.mark.parametrize("monde", _recorded(), ids=lambda m: m.nom)
def test_recorded_world(monde: Monde, tmp_path) -> None:
    check_world(monde, tmp_path)
