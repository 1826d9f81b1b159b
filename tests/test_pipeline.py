"""The whole job on the demo sample, through the real ``csf`` command (Dagster, GX, dbt)."""

import csv
import math
import re

import duckdb
import pytest
import yaml

from tests.conftest import ROOT, SAMPLE, csf, status

pytestmark = pytest.mark.slow


def test_run_reports_where_things_are(demo_home):
    out = (demo_home / "first_run.out").read_text()
    assert "published.duckdb" in out and "http://127.0.0.1:8050" in out
    assert "DONNÉES DE DÉMONSTRATION" in out


def test_every_row_is_clean_or_quarantined_for_every_file(demo_home):
    files = status(demo_home)["files"]
    assert len(files) == 24 and {f["status"] for f in files} == {"loaded"}
    for f in files:
        assert f["rows_read"] == f["rows_clean"] + f["rows_quarantined"], f["file"]
        assert f["rows_quarantined"] == sum(f["quarantine_by_rule"].values())
        assert f["rows_quarantined"] > 0  # the sample has dirty rows in every file


def test_a_second_run_loads_nothing_and_changes_no_count(demo_home):
    before = status(demo_home)
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        marts_before = con.execute("select * from marts.indicateurs order by all").fetchall()
    result = csf(demo_home, "run", "--inbox", str(SAMPLE))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "aucun nouveau fichier" in result.stdout
    after = status(demo_home)
    assert after["files"] == before["files"]
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        assert (
            con.execute("select * from marts.indicateurs order by all").fetchall() == marts_before
        )


def test_published_marts_hold_the_skeleton_indicators(demo_home):
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select indicateur, niveau, count(*) from marts.indicateurs group by all"
        ).fetchall()
        meta = con.execute(
            "select donnees_synthetiques, date_observation from meta.publication"
        ).fetchone()
    present = {(i, n) for i, n, c in rows if c > 0}
    for indicator in (
        "nb_clauses_csf",
        "taux_activation_6m",
        "nb_jeunes_csf",
        "taux_retour_formation_initiale_6m",
        "taux_apprentissage_6m",
        "taux_sortie_positive_6m",
    ):
        assert (indicator, "national") in present and (indicator, "academie") in present
    assert meta[0] is True and str(meta[1]) == "2026-09-30"


def test_wilson_intervals_match_an_independent_computation(demo_home):
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select numerateur, denominateur, ic_bas, ic_haut from marts.indicateurs "
            "where unite = 'taux' and denominateur > 0 and indicateur not like '%_comparaison'"
        ).fetchall()
    z = 1.959964
    for k, n, low, high in rows:
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert low == pytest.approx(max(0, centre - half), abs=1e-9)
        assert high == pytest.approx(min(1, centre + half), abs=1e-9)


def test_disclosure_flags_follow_the_thresholds(demo_home):
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        wrong = con.execute(
            "select count(*) from marts.indicateurs where domaine = 'jeunes' and diffusable and "
            "((unite = 'nombre' and numerateur between 1 and 4) or "
            " (unite = 'taux' and denominateur between 1 and 19))"
        ).fetchone()[0]
        # A rate on no one has nothing to hide: shown, without value.
        empty = con.execute(
            "select count(*) filter (where not diffusable), count(*) from marts.indicateurs "
            "where domaine = 'jeunes' and unite = 'taux' and denominateur = 0"
        ).fetchone()
        hidden = con.execute(
            "select count(*) from marts.indicateurs where not diffusable"
        ).fetchone()[0]
    assert wrong == 0 and hidden > 0
    assert empty[0] == 0 and empty[1] > 0


def test_no_hidden_cell_can_be_recovered_by_subtraction(demo_home):
    """Independent check of secondary suppression: in every youth table with a published total,
    never exactly one hidden cell (each dimension against national, years against "ensemble")."""
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select indicateur, periode, niveau, code_niveau, diffusable from marts.indicateurs "
            "where domaine = 'jeunes'"
        ).fetchall()
    cells = {(i, p, n, c): d for i, p, n, c, d in rows}
    tables: dict[tuple, list[bool]] = {}
    for (i, p, n, c), shown in cells.items():
        if n != "national":
            tables.setdefault(("dimension", i, p, n), []).append(shown)
        if p != "ensemble":
            tables.setdefault(("annees", i, n, c), []).append(shown)
    hidden_somewhere = 0
    for key, shown in tables.items():
        if key[0] == "dimension":
            total = cells[(key[1], key[2], "national", "FR")]
        else:
            total = cells[(key[1], "ensemble", key[2], key[3])]
        hidden = shown.count(False)
        hidden_somewhere += hidden
        assert not (total and hidden == 1), key
    assert hidden_somewhere > 0


def test_every_indicator_is_there_nationally_and_by_each_of_its_dimensions(demo_home):
    definitions = {
        row["indicateur"]: set(row["dimensions"].split())
        for row in csv.DictReader(
            (ROOT / "dbt_project" / "seeds" / "ref_indicateurs.csv").open(encoding="utf-8")
        )
    }
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select distinct indicateur, niveau from marts.indicateurs where valeur is not null"
        ).fetchall()
        computed = con.execute(
            "select count(*) from marts.indicateurs where unite in ('taux', 'ecart') "
            "and valeur is not null and (ic_bas is null or ic_haut is null)"
        ).fetchone()[0]
    present: dict[str, set[str]] = {}
    for indicator, level in rows:
        present.setdefault(indicator, set()).add(level)
    # The demo sample's activation stays under 50 %: the median delay is honestly "not reached"
    # nationally, so only its first quartile has to have a value everywhere.
    missing = {
        indicator: (dimensions | {"national"}) - present.get(indicator, set())
        for indicator, dimensions in definitions.items()
        if indicator not in ("delai_activation_jours", "delai_activation_jours_q3")
    }
    assert {k: v for k, v in missing.items() if v} == {}
    assert computed == 0


def test_funnel_is_monotone_and_accounts_for_every_clause(demo_home):
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        national = con.execute(
            "select rang_etape, nb_clauses_atteinte, nb_clauses_bloquees "
            "from marts.fct_entonnoir_clauses "
            "where niveau = 'national' and periode = 'ensemble' order by rang_etape"
        ).fetchall()
        clauses = con.execute("select count(*) from marts.fct_clauses").fetchone()[0]
        leaks = con.execute(
            "select count(*) from marts.fct_entonnoir_clauses where diffusable and "
            "domaine = 'jeunes' and nb_clauses_atteinte between 1 and 4"
        ).fetchone()[0]
        dormant = con.execute("select count(*) from marts.fct_clauses_dormantes").fetchone()[0]
        dormant_indicator = con.execute(
            "select numerateur from marts.indicateurs where indicateur = 'nb_clauses_dormantes' "
            "and niveau = 'national' and periode = 'ensemble'"
        ).fetchone()[0]
    reached = [row[1] for row in national]
    assert [row[0] for row in national] == list(range(1, 10))
    assert reached == sorted(reached, reverse=True) and reached[0] == clauses
    assert sum(row[2] for row in national) == clauses
    assert leaks == 0
    assert dormant == dormant_indicator > 0


def _kaplan_meier_quantiles(times: list[tuple[int, bool]]) -> dict[float, int | None]:
    """First time the product-limit survival falls to 1 - q or below, per quantile q."""
    survival, found = 1.0, {}
    for day in sorted({t for t, _ in times}):
        at_risk = sum(1 for t, _ in times if t >= day)
        events = sum(1 for t, event in times if t == day and event)
        if events:
            survival *= 1 - events / at_risk
            for q in (0.25, 0.5, 0.75):
                if q not in found and survival <= 1 - q + 1e-12:
                    found[q] = day
    return {q: found.get(q) for q in (0.25, 0.5, 0.75)}


def test_activation_delay_matches_an_independent_kaplan_meier(demo_home):
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        clauses = con.execute(
            "select code_academie, greatest(0, date_diff('day', date_notification, "
            "coalesce(date_premier_parcours, date_observation))), est_activee "
            "from marts.fct_clauses where date_notification <= date_observation"
        ).fetchall()
        published = con.execute(
            "select indicateur, niveau, code_niveau, valeur from marts.indicateurs "
            "where indicateur like 'delai_activation_jours%' and periode = 'ensemble' "
            "and niveau in ('national', 'academie')"
        ).fetchall()
    cells: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for academie, days, activated in clauses:
        cells.setdefault(("national", "FR"), []).append((days, activated))
        if academie is not None:
            cells.setdefault(("academie", academie), []).append((days, activated))
    names = {
        0.25: "delai_activation_jours_q1",
        0.5: "delai_activation_jours",
        0.75: "delai_activation_jours_q3",
    }
    expected = {
        (names[q], level, code): value
        for (level, code), times in cells.items()
        for q, value in _kaplan_meier_quantiles(times).items()
    }
    got = {(i, n, c): (None if v is None else int(v)) for i, n, c, v in published}
    assert got == expected
    assert any(v is not None for v in got.values())


def test_comparison_group_matches_an_independent_standardisation(demo_home):
    """National, all years, positive exit at 6 months: recomputed from the youth-level tables."""
    query = (
        "select code_academie, annee_entree_mlds, coalesce(sexe, 'NR'), "
        "coalesce(tranche_age, 'NR'), coalesce(derniere_classe, 'NR'), situation "
        "from intermediate.{} where horizon = '6_mois' and is_horizon_atteint "
        "and situation is not null and situation != 'perdu_de_vue'"
    )
    positive = {
        "retour_formation_initiale",
        "apprentissage",
        "contrat_professionnalisation",
        "formation_professionnelle",
        "emploi",
        "service_civique",
    }
    with duckdb.connect(str(demo_home / "warehouse" / "build.duckdb"), read_only=True) as con:
        groups = {
            name: con.execute(query.format(table)).fetchall()
            for name, table in (
                ("csf", "int_jeunes_csf__horizons"),
                ("comparaison", "int_jeunes_comparaison__horizons"),
            )
        }
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        rows = dict(
            con.execute(
                "select indicateur, valeur from marts.indicateurs where niveau = 'national' "
                "and periode = 'ensemble' and indicateur in "
                "('taux_sortie_positive_6m_comparaison', 'ecart_taux_sortie_positive_6m')"
            ).fetchall()
        )
    strata: dict[tuple, dict[str, list[int]]] = {}
    for name, youths in groups.items():
        for *stratum, situation in youths:
            counts = strata.setdefault(tuple(stratum), {"csf": [0, 0], "comparaison": [0, 0]})
            counts[name][0] += 1
            counts[name][1] += situation in positive
    kept = [c for c in strata.values() if c["csf"][0] and c["comparaison"][0]]
    n_csf = sum(c["csf"][0] for c in kept)
    standardised = (
        sum(c["csf"][0] * c["comparaison"][1] / c["comparaison"][0] for c in kept) / n_csf
    )
    csf_rate = sum(c["csf"][1] for c in kept) / n_csf
    assert rows["taux_sortie_positive_6m_comparaison"] == pytest.approx(standardised, abs=1e-12)
    assert rows["ecart_taux_sortie_positive_6m"] == pytest.approx(
        csf_rate - standardised, abs=1e-12
    )


def test_every_published_mart_column_is_described(demo_home):
    described: dict[str, set[str]] = {}
    for path in (ROOT / "dbt_project" / "models" / "marts").glob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            described[model["name"]] = {
                column["name"] for column in model["columns"] if column.get("description")
            }
    with duckdb.connect(str(demo_home / "warehouse" / "published.duckdb"), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts'"
        ).fetchall()
    undescribed = [(t, c) for t, c in columns if c not in described.get(t, set())]
    assert undescribed == []


def test_no_raw_identifier_or_contact_reaches_any_duckdb_file(demo_home):
    secrets = set()
    for path in SAMPLE.glob("mlds_*_jeunes.csv"):
        text = path.read_bytes().decode("utf-8", errors="replace")
        secrets |= set(re.findall(r"\b\d{9,10}[A-Z]{1,2}\b", text))  # INEs
        secrets |= set(re.findall(r"\b06\d{8}\b", text))  # phones
    register = (SAMPLE / "registre_clauses_csf.csv").read_bytes().decode("cp1252")
    secrets |= set(re.findall(r"[\w.]+@[\w.-]+", register))  # e-mails
    assert len(secrets) > 1000
    for db in (demo_home / "warehouse").glob("*.duckdb"):
        blob = db.read_bytes()
        leaked = [s for s in secrets if s.encode() in blob]
        assert not leaked, f"{db.name}: {leaked[:5]}"
        with duckdb.connect(str(db), read_only=True) as con:
            columns = {
                c for (c,) in con.execute("select column_name from duckdb_columns()").fetchall()
            }
        assert not columns & {"ine", "nom", "prenom", "date_naissance", "mail_contact_acheteur"}


def _build(demo_home):
    return duckdb.connect(str(demo_home / "warehouse" / "build.duckdb"), read_only=True)


def test_historical_academie_codes_map_to_normandie(demo_home):
    with _build(demo_home) as con:
        raw = dict(
            con.execute(
                "select code_academie, count(*) from raw.mlds_jeunes "
                "where code_academie in ('05', '21', '70') group by all"
            ).fetchall()
        )
        staged = {
            code
            for (code,) in con.execute(
                "select distinct code_academie from staging.stg_mlds__jeunes"
            ).fetchall()
        }
    assert raw.get("05") and raw.get("21")  # Normandie's export uses the old codes
    assert "70" in staged and not staged & {"05", "21"}


def test_uai_check_letter_and_hour_calibration_are_flagged(demo_home):
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    with _build(demo_home) as con:
        youths = con.execute(
            "select uai_etablissement_origine, is_uai_valide from staging.stg_mlds__jeunes"
        ).fetchall()
        clauses = con.execute(
            "select montant_previsionnel_ht, heures_parcours, is_calibrage_conforme "
            "from staging.stg_csf__clauses"
        ).fetchall()
    for uai, flag in youths:
        expected = (
            uai is not None
            and len(uai) == 8
            and uai[:7].isdigit()
            and letters[int(uai[:7]) % 23] == uai[7]
        )
        assert bool(flag) == expected, uai
    for amount, hours, flag in clauses:
        if amount is None or hours is None:
            continue
        calibrated = 150 if amount < 100_000 else 300 if amount < 200_000 else 450
        calibrated = 900 if amount >= 400_000 else calibrated
        assert flag == (hours == calibrated), (amount, hours)
    assert any(not flag for *_, flag in clauses if flag is not None)  # the sample has mismatches


def test_key_file_is_private(demo_home):
    key = demo_home / "keys" / "pseudonymisation.key"
    assert key.stat().st_mode & 0o777 == 0o600
