"""Orphans treated the same on both sides (issue 20, point 5, and point 2's cross-file rule): a
parcours whose clause is absent from the register, quarantined in it or not given counts on the
youth side and on a line of its own on the procurement side; a parcours of an unknown youth
counts on both; a follow-up dated before its parcours starts, or that cannot be placed, is left
out of the indicators. Each is flagged in the marts, listed per file and rule on the quality
page and by ``csf status``, and the two sides reconcile (real ``csf run`` on a crafted inbox, and
on the demo sample)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.content.labels import (
    FAMILLES_REGLES,
    LIGNES_RAPPROCHEMENT,
    TRAITEMENTS,
    famille_regle,
)
from pipelines.ingest import plausibility
from pipelines.ingest.sources import CSV_SOURCES
from pipelines.sample.writers import MLDS_PARCOURS_COLUMNS
from tests.conftest import csf, status

pytestmark = pytest.mark.slow

SYNTHETIC = "oui"

# The register (Windows-1252, semicolons, as buyers' offices save it). CSF-T-0099's notification
# date cannot be read: the clause is quarantined, and parcours name it.
REGISTER_HEADER = [
    "Identifiant clause",
    "Identifiant marché",
    "SIRET acheteur",
    "Nom organisme acheteur",
    "Type acheteur",
    "Objet du marché",
    "Lot",
    "Date de notification du marché",
    "Date fin clause sociale",
    "Date fin clause sociale reconduction comprise",
    "Montant prévisionnel HT",
    "Heures parcours",
    "SIRET titulaire",
    "Nom entreprise",
    "Secteur activité entreprise",
    "Académie parcours",
    "Département parcours",
    "Fiche entreprise reçue",
    "Date transmission MLDS",
    "Date déclaration offre",
    "Données synthétiques",
]


def _clause(clause_id: str, notification: str) -> list[str]:
    return [
        clause_id,
        f"M-{clause_id}",
        "25988000352358",
        "Ministère de l'Éducation nationale - administration centrale",
        "Administration centrale",
        "Restauration collective - internats",
        "",
        notification,
        "15/01/2026",
        "15/01/2027",
        "150 000,00",
        "300",
        "72361418617915",
        "Martin Bâtiment",
        "Restauration collective",
        "17",
        "44",
        "Oui",
        "01/02/2024",
        "",
        SYNTHETIC,
    ]


REGISTER = [
    _clause("CSF-T-0001", "15/01/2024"),
    _clause("CSF-T-0002", "15/01/2024"),
    _clause("CSF-T-0099", "31/02/2024"),  # quarantined: date_invalide
]

INE = {name: f"00000000{i:02d}A" for i, name in enumerate(("J1", "J2", "J3", "J4", "J5", "J6"), 1)}
INE |= {"J7": "0000000007A", "J9": "0000000009A", "JQ": "0000000010A", "JR": "0000000011A"}

YOUTHS_HEADER = [
    "ine",
    "date_naissance",
    "sexe",
    "code_academie",
    "departement",
    "derniere_classe",
    "date_reperage",
    "source_reperage",
    "date_entree_mlds",
    "action_mlds",
    "date_sortie_mlds",
    "situation_sortie",
    "donnees_synthetiques",
]


def _youth(name: str, academie: str = "17") -> list[str]:
    return [
        INE[name],
        "12/03/2007",
        "F" if name in ("J1", "J3", "J5") else "M",
        academie,
        "44",
        "Terminale",
        "01/09/2023",
        "psad",
        "01/10/2023",
        "parcours_csf",
        "30/06/2024",
        "sans_solution",
        SYNTHETIC,
    ]


# J1-J4 have a parcours; J5 none (the comparison group); J6's parcours is quarantined and J7's
# follow-up names a parcours no file holds: both had a CSF parcours that did not load. J9 is in
# no youth file; JQ and JR are quarantined (unknown académie).
YOUTHS = [
    *(_youth(n) for n in ("J1", "J2", "J3", "J4", "J5", "J6", "J7")),
    _youth("JQ", "99"),
    _youth("JR", "99"),
]

# The generator's parcours columns, and its synthetic-data marker.
PARCOURS_HEADER = [*MLDS_PARCOURS_COLUMNS, "donnees_synthetiques"]


def _parcours(parcours_id: str, youth: str, clause: str, debut: str = "01/03/2024") -> list[str]:
    return [
        parcours_id,
        INE[youth],
        clause,
        "72361418617915",
        "10/02/2024",
        "20/02/2024",
        debut,
        "30/06/2024",
        "30/06/2024",
        "300",
        "300",
        "termine",
        "",
        SYNTHETIC,
    ]


PARCOURS = {
    "T-P1": ("J1", "CSF-T-0001", "clause_connue", "jeune_connu"),
    "T-P2": ("J2", "CSF-T-ABSENTE", "clause_absente", "jeune_connu"),
    "T-P3": ("J3", "CSF-T-0099", "clause_en_quarantaine", "jeune_connu"),
    "T-P4": ("J4", "", "sans_identifiant_clause", "jeune_connu"),
    "T-P5": ("J9", "CSF-T-0001", "clause_connue", "jeune_absent"),
    "T-P6": ("JQ", "CSF-T-0001", "clause_connue", "jeune_en_quarantaine"),
}
PARCOURS_ROWS = [
    *(_parcours(p, youth, clause) for p, (youth, clause, *_) in PARCOURS.items()),
    _parcours("T-P7", "J6", "CSF-T-0001", debut="32/01/2024"),  # quarantined: date_invalide
]

FOLLOW_UPS_HEADER = ["ine", "id_parcours", "date_observation", "horizon", "situation"]
FOLLOW_UPS_HEADER.append("donnees_synthetiques")
# (youth, parcours, date, horizon, situation, expected exclusion rule)
FOLLOW_UPS = [
    ("J1", "T-P1", "15/07/2024", "sortie", "emploi", None),
    ("J1", "T-P1", "15/02/2024", "3_mois", "emploi", "suivi_avant_debut_parcours"),
    ("J7", "T-PX", "15/07/2024", "sortie", "emploi", "suivi_parcours_absent"),
    ("J6", "T-P7", "15/07/2024", "sortie", "emploi", "suivi_parcours_en_quarantaine"),
    ("J1", "T-P2", "15/07/2024", "6_mois", "emploi", "suivi_parcours_autre_jeune"),
    ("J5", "", "30/12/2024", "6_mois", "emploi", None),
    ("J8", "", "15/07/2024", "sortie", "emploi", "suivi_jeune_absent"),
    ("JR", "", "15/07/2024", "sortie", "emploi", "suivi_jeune_en_quarantaine"),
    ("J2", "T-P2", "30/06/2025", "12_mois", "emploi", None),
]
INE["J8"] = "0000000008A"

FILES = {
    "registre": "registre_clauses_csf.csv",
    "jeunes": "mlds_17_jeunes.csv",
    "parcours": "mlds_17_parcours.csv",
    "suivis": "mlds_17_suivis.csv",
}

# What the cross-file rules find, per file (all parcours have started).
EXPECTED_RULES = {
    (FILES["parcours"], "parcours_clause_absente", "hors_clauses"): 1,
    (FILES["parcours"], "parcours_clause_en_quarantaine", "hors_clauses"): 1,
    (FILES["parcours"], "parcours_sans_identifiant_clause", "hors_clauses"): 1,
    (FILES["parcours"], "parcours_jeune_absent", "signale"): 1,
    (FILES["parcours"], "parcours_jeune_en_quarantaine", "signale"): 1,
    **{(FILES["suivis"], rule, "exclu"): 1 for *_, rule in FOLLOW_UPS if rule},
    (FILES["jeunes"], "jeune_parcours_non_charge", "exclu"): 2,  # J6 and J7
}
EXPECTED_QUARANTINE = {
    (FILES["registre"], "date_invalide:date_notification_marche"): 1,
    (FILES["jeunes"], "academie_inconnue:code_academie"): 2,
    (FILES["parcours"], "date_invalide:date_debut"): 1,
}
EXPECTED_RECONCILIATION = {
    "parcours_commences": 6,
    "indicateur_nb_parcours": 6,
    "parcours_clause_connue": 3,
    "parcours_clause_absente": 1,
    "parcours_clause_en_quarantaine": 1,
    "parcours_sans_identifiant_clause": 1,
    "ecart": 0,
    "parcours_jeune_absent": 1,
    "parcours_jeune_en_quarantaine": 1,
}


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"):
    lines = [";".join(header), *(";".join(row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.fixture(scope="module")
def orphans_home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("orphelins")
    inbox, home = root / "inbox", root / "home"
    inbox.mkdir()
    _write(inbox / FILES["registre"], REGISTER_HEADER, REGISTER, "cp1252")
    _write(inbox / FILES["jeunes"], YOUTHS_HEADER, YOUTHS)
    _write(inbox / FILES["parcours"], PARCOURS_HEADER, PARCOURS_ROWS)
    _write(
        inbox / FILES["suivis"],
        FOLLOW_UPS_HEADER,
        [[INE[y], p, d, h, s, SYNTHETIC] for y, p, d, h, s, _ in FOLLOW_UPS],
    )
    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (home / "run.out").write_text(result.stdout)
    return home


def _build(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True)


def _published(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)


def _reconciliation(con) -> dict[str, int]:
    return dict(con.execute("select ligne, parcours from marts.qualite_rapprochement").fetchall())


def test_every_parcours_is_flagged_by_its_clause_and_youth(orphans_home):
    with _published(orphans_home) as con:
        flags = {
            p: (clause, youth)
            for p, clause, youth in con.execute(
                "select parcours_id, rattachement_clause, rattachement_jeune "
                "from marts.fct_parcours"
            ).fetchall()
        }
        started = con.execute(
            "select clause_id, nb_parcours_commences from marts.fct_clauses order by clause_id"
        ).fetchall()
    assert flags == {p: (clause, youth) for p, (_, _, clause, youth) in PARCOURS.items()}
    # The procurement side counts only the parcours of known clauses (T-P1, T-P5, T-P6).
    assert started == [("CSF-T-0001", 3), ("CSF-T-0002", 0)]


def test_the_two_sides_reconcile(orphans_home):
    with _published(orphans_home) as con:
        assert _reconciliation(con) == EXPECTED_RECONCILIATION
        youth_side = con.execute(
            "select numerateur from marts.indicateurs where indicateur = ? "
            "and niveau = 'national' and periode = 'ensemble'",
            ["nb_jeunes_csf"],
        ).fetchone()[0]
    # Orphan parcours are real youths: J1, J2, J3, J4, J9 and JQ.
    assert youth_side == 6
    _assert_sides_add_up(orphans_home)


def test_follow_ups_that_cannot_be_placed_are_left_out(orphans_home):
    with _published(orphans_home) as con:
        situations = con.execute(
            "select situation_sortie, situation_3m from marts.fct_parcours "
            "where parcours_id = 'T-P1'"
        ).fetchone()
        comparison = con.execute("select count(*) from marts.fct_jeunes_comparaison").fetchone()
    # T-P1's follow-up dated before it starts is not its 3-month situation (horizon elapsed).
    assert situations == ("emploi", None)
    # Only J5: J6 and J7 had a CSF parcours that did not load.
    assert comparison == (1,)
    with _build(orphans_home) as con:
        excluded = con.execute(
            "select parcours_id, horizon, regle_exclusion "
            "from intermediate.int_suivis__rattachement where not is_retenu"
        ).fetchall()
    assert sorted(excluded, key=str) == sorted(
        ((p or None, h, rule) for _, p, _, h, _, rule in FOLLOW_UPS if rule), key=str
    )


def test_the_quality_marts_list_them_per_file_and_rule(orphans_home):
    with _published(orphans_home) as con:
        crosscheck = {
            (f, rule, treatment): n
            for f, rule, treatment, n in con.execute(
                "select fichier, regle, traitement, lignes from marts.qualite_regles "
                "where etape = 'rapprochement'"
            ).fetchall()
        }
        quarantine = {
            (f, rule): n
            for f, rule, n in con.execute(
                "select fichier, regle, lignes from marts.qualite_regles where etape = 'ingestion'"
            ).fetchall()
        }
        files = {
            f: (excluded, flagged)
            for f, excluded, flagged in con.execute(
                "select fichier, lignes_exclues, lignes_signalees from marts.qualite_fichiers"
            ).fetchall()
        }
        unknown = con.execute(
            "select clause_id, rattachement_clause, regle_registre, fichiers_parcours "
            "from marts.qualite_clauses_inconnues order by clause_id"
        ).fetchall()
    assert crosscheck == EXPECTED_RULES
    assert quarantine == EXPECTED_QUARANTINE
    assert files == {
        FILES["registre"]: (0, 0),
        FILES["jeunes"]: (2, 0),
        FILES["parcours"]: (0, 5),
        FILES["suivis"]: (6, 0),
    }
    assert unknown == [
        (
            "CSF-T-0099",
            "clause_en_quarantaine",
            "date_invalide:date_notification_marche",
            FILES["parcours"],
        ),
        ("CSF-T-ABSENTE", "clause_absente", None, FILES["parcours"]),
    ]


def test_csf_status_shows_them_per_file_and_rule(orphans_home):
    found = status(orphans_home)
    by_file = {Path(f["file"]).name: f for f in found["files"]}
    for (name, rule, treatment), count in EXPECTED_RULES.items():
        assert by_file[name]["crosscheck_by_rule"][rule] == {
            "lignes": count,
            "traitement": treatment,
        }
    for (name, rule), count in EXPECTED_QUARANTINE.items():
        assert by_file[name]["quarantine_by_rule"][rule] == count
    assert by_file[FILES["suivis"]]["rows_excluded"] == 6
    assert by_file[FILES["parcours"]]["rows_flagged"] == 5
    assert {r["line"]: r["parcours"] for r in found["reconciliation"]} == EXPECTED_RECONCILIATION

    # The run's summary says it in one line.
    assert (
        "Rapprochement entre fichiers : 8 ligne(s) chargée(s) exclue(s) des indicateurs, "
        "5 signalée(s), dont 3 parcours sans clause connue (détail : csf status)"
    ) in (orphans_home / "run.out").read_text()

    text = csf(orphans_home, "status")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "rapprochement entre fichiers : 6 exclue(s) des indicateurs, 0 signalée(s)" in out
    assert (
        "1 × suivi_avant_debut_parcours — Suivi daté avant le début du parcours : "
        f"{TRAITEMENTS['exclu']}" in out
    )
    assert "1 × date_invalide:date_notification_marche — Date illisible ou impossible" in out
    assert (
        "6 côté jeunes = 3 rattachés à une clause du registre + 3 sans clause connue (1 clause "
        "absente du registre, 1 clause en quarantaine, 1 sans identifiant de clause) ; écart : 0"
    ) in out


def test_every_rule_family_has_its_french_label(orphans_home, demo_home):
    """The readers' rules (plausibility included) and the warehouse's cross-file rules: each
    family has one French label, for the quality page and csf status alike."""
    rules = {n for source in CSV_SOURCES for n in plausibility.rule_names(source)}
    for home in (orphans_home, demo_home):
        with _published(home) as con:
            rules |= {
                r for (r,) in con.execute("select regle from marts.qualite_regles").fetchall()
            }
    missing = sorted({famille_regle(r) for r in rules} - set(FAMILLES_REGLES))
    assert missing == []
    assert set(EXPECTED_RECONCILIATION) == set(LIGNES_RAPPROCHEMENT)


def _assert_sides_add_up(home: Path) -> dict[str, int]:
    """Youth side = procurement side + parcours without a known clause, by kind, counted from
    the marts themselves and from the staging tables (not from the reconciliation mart)."""
    with _build(home) as con:
        lines = _reconciliation(con)
        youth = con.execute("select count(*) from marts.fct_parcours").fetchone()[0]
        procurement = con.execute(
            "select coalesce(sum(nb_parcours_commences), 0) from marts.fct_clauses"
        ).fetchone()[0]
        indicator = con.execute(
            "select coalesce(sum(numerateur), 0) from marts.indicateurs where indicateur = "
            "'nb_parcours' and niveau = 'national' and periode = 'ensemble'"
        ).fetchone()[0]
        # From staging and the ingestion quarantine, independently of the flag model.
        orphans = dict(
            con.execute(
                """
                with observation as (
                    select observation_date from intermediate.int_observation_date
                ),
                quarantined as (
                    select distinct trim(q.record ->> 'id_clause') as clause_id
                    from ingest.quarantine as q
                    inner join staging.stg_ingest__fichiers as f
                        on q.file_sha256 = f.file_sha256 and f.is_courant
                    where q.source = 'csf_clauses'
                )
                select
                    case
                        when p.clause_id is null then 'parcours_sans_identifiant_clause'
                        when p.clause_id in (select clause_id from quarantined)
                            then 'parcours_clause_en_quarantaine'
                        else 'parcours_clause_absente'
                    end,
                    count(*)
                from staging.stg_mlds__parcours as p
                cross join observation
                where
                    p.debut_date <= observation.observation_date
                    and not exists (
                        select 1 from staging.stg_csf__clauses as c
                        where c.clause_id = p.clause_id
                    )
                group by 1
                """
            ).fetchall()
        )
        listed = dict(
            con.execute(
                "select regle, sum(lignes) from marts.qualite_regles "
                "where regle like 'parcours_clause%' or regle = 'parcours_sans_identifiant_clause' "
                "group by regle"
            ).fetchall()
        )
    kinds = ("parcours_clause_absente", "parcours_clause_en_quarantaine")
    kinds += ("parcours_sans_identifiant_clause",)
    assert youth == indicator == lines["parcours_commences"] == lines["indicateur_nb_parcours"]
    assert procurement == lines["parcours_clause_connue"]
    for kind in kinds:
        assert lines[kind] == orphans.get(kind, 0), kind
        # Listed per file: every such parcours, started or not yet.
        assert listed.get(kind, 0) >= lines[kind], kind
    assert youth == procurement + sum(lines[k] for k in kinds)
    assert lines["ecart"] == 0
    return lines


def test_the_demo_sample_reconciles(demo_home):
    """On the demo, parcours whose clause was quarantined in the register count on the youth
    side and on the « sans clause connue » line, never silently nowhere."""
    lines = _assert_sides_add_up(demo_home)
    assert lines["parcours_clause_en_quarantaine"] > 0
    found = status(demo_home)
    assert found["reconciliation"] and json.dumps(found, ensure_ascii=False)
    orphans = sum(
        f["crosscheck_by_rule"].get("parcours_clause_en_quarantaine", {}).get("lignes", 0)
        for f in found["files"]
    )
    assert orphans >= lines["parcours_clause_en_quarantaine"]
