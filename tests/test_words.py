"""Words (issue 23, point 7): every code a reader can see has a reviewed French label, accented
and agreed; every indicator label names its base wherever two indicators share a word."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from pipelines.content import formatting as fmt
from pipelines.content import labels
from pipelines.content.labels import (
    AUTRES_LIBELLES,
    COLONNES,
    FAMILLES_REGLES,
    LIBELLE_ILLISIBLE,
    VOCABULAIRES,
    phrase_regle,
)
from pipelines.ingest import csv_reader, decp_reader, plausibility
from pipelines.ingest.sources import CODE_AUTRE, CSV_SOURCES, VOCABULARY_CODES
from tests.conftest import ROOT

SEEDS = ROOT / "dbt_project" / "seeds"
CODES_DIR = ROOT / "pipelines" / "ingest" / "codes"

# --------------------------------------------------------------------------- French spelling

# Words French writes with an accent (or a preposition) that a label made from a code loses:
# « Termine », « Contrat professionnalisation », « a 6 mois ». Checked on every label.
SANS_ACCENT = re.compile(
    r"\b(?:termine|terminee|terminees|termines|abandonne|abandonnee|positionne|commence|"
    r"signee|etablissement|etape|qualite|donnees|annee|reussi|reussie|demenagement|entree|"
    r"deuxieme|premiere|derniere|college|prevu|prevue|prevues|realise|realisees|precedente|"
    r"ecart|echue|echues|notifiee|notifiees|periode|debut|duree|age|diplome|eleve|reperage|"
    r"spontane|spontanee|marche|marches|academie|academique|region|categorie|controle|"
    r"controles|refuse|generale)\b"
    r"|\ba (?:la|\d)|\bcontrat professionnalisation|\bretour formation|_",
    re.IGNORECASE,
)


def _french(text: str) -> list[str]:
    """The misspellings of ``text`` (empty when it is written as French needs)."""
    return [m.group(0) for m in SANS_ACCENT.finditer(text)]


def _all_labels() -> dict[str, str]:
    """Every label of the reviewed tables, by where it comes from."""
    found = {f"{name}:{code}": text for name, t in VOCABULAIRES.items() for code, text in t.items()}
    found |= {f"famille:{code}": text for code, text in FAMILLES_REGLES.items()}
    found |= {f"colonne:{code}": text for code, (text, _) in COLONNES.items()}
    found |= {f"horizon:{code}": text for code, text in labels.HORIZONS}
    found |= {f"resultat:{code}": text for code, text in labels.RESULTATS}
    return found


def test_the_spelling_check_finds_what_users_found():
    for wrong in ("Termine", "Contrat professionnalisation", "Gx qualite", "Loaded_x", "a 6 mois"):
        assert _french(wrong), wrong
    for right in ("Terminé", "Contrat de professionnalisation", "À 6 mois", "Chargé"):
        assert not _french(right), right


def test_every_label_is_written_in_french():
    wrong = {where: _french(text) for where, text in _all_labels().items() if _french(text)}
    assert wrong == {}
    # A label starts with a capital letter, except the fates of rows and the columns, read
    # inside a sentence, and the « dont … » sub-rows of the reconciliation.
    lower = {
        where: text
        for where, text in _all_labels().items()
        if not where.startswith(("traitement:", "colonne:"))
        and not text.startswith("dont ")
        and not text[:1].isupper()
    }
    assert lower == {}


def test_a_code_two_vocabularies_share_has_one_label_or_needs_its_vocabulary():
    seen: dict[str, dict[str, str]] = {}
    for name, table in VOCABULAIRES.items():
        for code, text in table.items():
            seen.setdefault(code, {})[name] = text
    conflicts = {code for code, by in seen.items() if len(set(by.values())) > 1}
    # The known ones (a unit and a reconciliation line; a severity and a check's status): a new
    # one must be a decision, since a code then needs its vocabulary to be labelled.
    assert conflicts == labels.CODES_AMBIGUS == {"ecart", "error"}
    assert fmt.label("ecart") == "Autre (code ecart)"
    assert fmt.label("ecart", "ligne_rapprochement") == "Écart (doit être nul)"
    assert fmt.label("autre") == "Autre"  # shared, one label


def test_a_label_agrees_with_the_noun_it_qualifies():
    # A parcours (m.), a file (m.), a convention (f.), rows (f. pl.).
    assert fmt.label("termine") == "Terminé"
    assert fmt.label("non_commence") == "Non commencé"
    assert fmt.label("convention_signee") == "Convention signée"
    assert fmt.label("loaded") == "Chargé"
    assert fmt.label("rejected") == "Refusé"
    assert labels.TRAITEMENTS["quarantaine"].startswith("non chargées")
    # A sentence agrees with its column's gender.
    assert phrase_regle("valeur_manquante:date_debut") == "Date de début du parcours manquante"
    assert phrase_regle("valeur_manquante:ine") == "INE du jeune manquant"
    assert phrase_regle("nombre_ambigu:montant_previsionnel_ht").startswith(
        "Montant prévisionnel hors taxes ambigu "
    )


# Head nouns of the column labels, by gender: the gender COLONNES gives must be the noun's.
FEMININS = {"date", "année", "académie", "dernière", "source", "action", "situation", "réception"}
MASCULINS = {
    "identifiant", "siret", "nom", "type", "objet", "lot", "montant", "nombre", "ine", "âge",
    "sexe", "département", "établissement", "diplôme", "statut", "motif", "horizon", "secteur",
}  # fmt: skip


def test_every_column_label_has_the_gender_of_its_noun():
    wrong = {
        code: (text, genre)
        for code, (text, genre) in COLONNES.items()
        if text.split()[0].lower() not in (FEMININS if genre == "f" else MASCULINS)
    }
    assert wrong == {}


def test_an_unlisted_code_shows_a_french_fallback_never_a_guess():
    assert fmt.label("xyz_inconnu") == "Autre (code xyz_inconnu)"
    assert fmt.label(None) == fmt.ABSENT
    assert fmt.label("termine", "statut_parcours") == "Terminé"
    assert fmt.label("termine", "situation") == "Autre (code termine)"
    assert phrase_regle("regle_nouvelle:colonne") == "Autre (code regle_nouvelle:colonne)"
    assert labels.de("Aix-Marseille") == "d'Aix-Marseille"
    assert labels.de("Orléans-Tours") == "d'Orléans-Tours"
    assert labels.de("La Réunion") == "de La Réunion"


# --------------------------------------------------------------------------- rule sentences


def test_rules_read_as_sentences_naming_the_column_and_the_problem():
    assert phrase_regle("libelle_inconnu:horizon") == "Horizon du suivi : libellé inconnu"
    assert phrase_regle("libelle_inconnu:horizon:18 mois") == (
        "Horizon du suivi : libellé inconnu « 18 mois »"
    )
    assert phrase_regle(f"libelle_inconnu:statut:{AUTRES_LIBELLES}") == (
        "Statut du parcours : autres libellés inconnus"
    )
    assert phrase_regle(f"libelle_inconnu:sexe:{LIBELLE_ILLISIBLE}") == "Sexe : libellé illisible"
    assert phrase_regle("ordre_dates:date_debut>date_fin_reelle") == (
        "Date de début du parcours postérieure à la date de fin réelle du parcours"
    )
    assert phrase_regle("doublon:ine+date_entree_mlds") == (
        "Ligne en double (même INE du jeune et même date d'entrée à la MLDS qu'une autre ligne)"
    )
    assert phrase_regle("ine_invalide") == "INE invalide"
    assert phrase_regle("parcours_clause_absente") == FAMILLES_REGLES["parcours_clause_absente"]
    # The readers name these with the exact constants the sentences recognise.
    assert csv_reader.OTHER_LABELS == AUTRES_LIBELLES
    assert csv_reader.UNREADABLE_LABEL == LIBELLE_ILLISIBLE


def _reader_rules() -> set[str]:
    """Every rule the readers can write (the label of an unknown label aside: any text)."""
    rules = {"ine_invalide", "nombre_de_champs", "date_invalide:date_naissance"}
    for source in CSV_SOURCES.values():
        rules.add("doublon:" + "+".join(source.unique_key))
        rules.update(plausibility.rule_names(source))
        for col in source.columns:
            if col.kind == "ine":
                rules.add("valeur_manquante:ine")
                continue
            if col.required:
                rules.add(f"valeur_manquante:{col.name}")
            if col.kind == "decimal":
                rules.add(f"nombre_ambigu:{col.name}")
            if col.kind not in ("text", "code"):
                rules.add(csv_reader._rule_name(col))
            if col.kind == "label":
                rules.add(f"libelle_inconnu:{col.name}:{AUTRES_LIBELLES}")
            if col.past_event:
                rules |= {f"date_future:{col.name}", f"date_trop_ancienne:{col.name}"}
    for sql in decp_reader._RULES.values():
        rules.update(re.findall(r"'([a-z_]+:[^']+)'", sql))
    return rules | set(FAMILLES_REGLES)


def _listed_rule(regle: str) -> bool:
    """The sentence of ``regle`` uses no fallback: its family and its columns are listed."""
    famille, _, reste = regle.partition(":")
    colonne = reste.partition(":")[0]
    columns = re.split(r"[>+]", colonne) if colonne else []
    return famille in FAMILLES_REGLES and all(c in COLONNES for c in columns)


def test_every_rule_the_readers_can_write_has_its_sentence():
    rules = _reader_rules()
    assert len(rules) > 80  # the enumeration found the readers' rules
    missing = sorted(r for r in rules if not _listed_rule(r))
    assert missing == []
    for regle in rules:
        phrase = phrase_regle(regle)
        assert not phrase.startswith("Autre (code") and "colonne «" not in phrase, regle
        assert not _french(phrase.split(" « ")[0]), (regle, phrase)
        assert ":" not in phrase.replace(" : ", ""), (regle, phrase)  # no code left in it
    # Dates compared are dates: « … postérieure à la date … ».
    for regle in (r for r in rules if r.startswith("ordre_dates:")):
        assert phrase_regle(regle).split(" postérieure à la ")[1].startswith("date"), regle


# --------------------------------------------------------------------------- codes and tables


def _codes_file(name: str) -> set[str]:
    with (CODES_DIR / f"{name}.csv").open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle, delimiter=";")} | {CODE_AUTRE}


# The ingestion contract's vocabularies (and codes files) and the labels that show their codes.
CONTRAT = {
    "types_acheteur": "type_acheteur",
    "statuts_parcours": "statut_parcours",
    "situations": "situation",
    "sexes": "sexe",
    "sources_reperage": "source_reperage",
    "actions_mlds": "action_mlds",
}


def test_every_code_of_the_ingestion_contract_has_its_label():
    assert set(CONTRAT) | {"horizons"} == set(VOCABULARY_CODES)
    for contract, vocabulaire in CONTRAT.items():
        assert set(VOCABULAIRES[vocabulaire]) == VOCABULARY_CODES[contract], contract
    assert VOCABULARY_CODES["horizons"] <= set(VOCABULAIRES["horizon"])
    for name in ("dernieres_classes", "motifs_interruption"):
        vocabulaire = {"dernieres_classes": "derniere_classe"}.get(name, "motif_interruption")
        assert set(VOCABULAIRES[vocabulaire]) == _codes_file(name), name


def test_every_table_and_tested_column_of_the_warehouse_has_its_label():
    """The quality page's model checks name a table and a column: never a dbt name."""
    import json

    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"].values()
    models = {n["name"] for n in nodes if n["resource_type"] == "model"}
    columns = {n.get("column_name") for n in nodes if n["resource_type"] == "test"} - {None}
    assert len(models) > 40 and len(columns) > 20
    assert sorted(models - set(VOCABULAIRES["modele"])) == []
    assert sorted(columns - set(VOCABULAIRES["colonne_modele"])) == []


def test_the_funnel_stages_are_labelled_as_the_seed_says():
    with (SEEDS / "ref_etapes_clause.csv").open(encoding="utf-8") as handle:
        seed = {row["etape"]: row["libelle"] for row in csv.DictReader(handle)}
    assert VOCABULAIRES["etape_clause"] == seed


# Each code column of the published warehouse and the vocabulary that labels it; ``regle``
# columns are read as rule sentences. Every other text column is listed in TEXTE with why.
COLONNES_CODES = {
    ("marts", "dim_acheteurs", "type_acheteur"): "type_acheteur",
    ("marts", "dim_indicateurs", "domaine"): "domaine",
    ("marts", "dim_indicateurs", "unite"): "unite",
    ("marts", "dim_indicateurs", "unite_compte"): "unite_compte",
    ("marts", "fct_clauses", "type_acheteur"): "type_acheteur",
    ("marts", "fct_clauses_dormantes", "type_acheteur"): "type_acheteur",
    ("marts", "fct_entonnoir_clauses", "niveau"): "niveau",
    ("marts", "fct_entonnoir_clauses", "etape"): "etape_clause",
    ("marts", "fct_entonnoir_clauses", "domaine"): "domaine",
    ("marts", "fct_jeunes_comparaison", "sexe"): "sexe",
    ("marts", "fct_jeunes_comparaison", "derniere_classe"): "derniere_classe",
    ("marts", "fct_jeunes_comparaison", "action_mlds"): "action_mlds",
    ("marts", "fct_parcours", "rattachement_clause"): "rattachement_clause",
    ("marts", "fct_parcours", "rattachement_jeune"): "rattachement_jeune",
    ("marts", "fct_parcours", "sexe"): "sexe",
    ("marts", "fct_parcours", "derniere_classe"): "derniere_classe",
    ("marts", "fct_parcours", "statut"): "statut_parcours",
    ("marts", "fct_parcours", "motif_interruption"): "motif_interruption",
    ("marts", "indicateurs", "domaine"): "domaine",
    ("marts", "indicateurs", "unite"): "unite",
    ("marts", "indicateurs", "niveau"): "niveau",
    ("marts", "qualite_clauses_inconnues", "rattachement_clause"): "rattachement_clause",
    ("marts", "qualite_clauses_inconnues", "regle_registre"): "regle",
    ("marts", "qualite_controles", "table_brute"): "source",
    ("marts", "qualite_controles", "controle"): "suite_controle",
    ("marts", "qualite_fichiers", "source"): "source",
    ("marts", "qualite_fichiers", "statut"): "statut_fichier",
    ("marts", "qualite_rapprochement", "ligne"): "ligne_rapprochement",
    ("marts", "qualite_regles", "source"): "source",
    ("marts", "qualite_regles", "etape"): "etape_qualite",
    ("marts", "qualite_regles", "traitement"): "traitement",
    ("marts", "qualite_regles", "regle"): "regle",
    ("marts", "fct_offres_attente", "domaine"): "domaine",
    ("marts", "fct_offres_attente", "niveau"): "niveau",
    ("marts", "fct_offres_attente", "unite"): "unite",
    ("marts", "fct_offres_attente", "nature"): "nature",
    ("marts", "fct_attente_delais", "niveau"): "niveau",
    ("marts", "fct_attente_delais", "evenement"): "evenement_attente",
    ("marts", "fct_attente_courbes", "niveau"): "niveau",
    ("marts", "fct_attente_courbes", "evenement"): "evenement_attente",
    ("marts", "fct_offres_ouvertes", "motif_echeance"): "motif_echeance",
    ("meta", "controles_modele", "type_controle"): "type_controle",
    ("meta", "controles_modele", "gravite"): "gravite",
    ("meta", "controles_modele", "statut"): "statut_controle",
    **{
        ("marts", table, f"situation_{h}"): "situation"
        for table in ("fct_parcours", "fct_jeunes_comparaison")
        for h in ("sortie", "3m", "6m", "12m")
    },
}
# Text that is not a code: names, identifiers, labels the warehouse writes, file metadata.
TEXTE = {
    "code_academie", "libelle_academie", "libelle_region_academique", "contact_mlds",
    "siret_acheteur", "nom_acheteur", "indicateur", "libelle_indicateur",
    "definition_indicateur", "dimensions", "clause_id", "marche_id", "marche_uid",
    "objet_marche", "lot", "siret_titulaire", "nom_titulaire", "secteur", "division_cpv",
    "departement_parcours", "etape_atteinte", "etape_publique", "code_niveau", "libelle_niveau",
    "periode", "libelle_etape", "jeune_id", "tranche_age", "parcours_id", "siret_entreprise",
    "fichier_registre", "fichiers_parcours", "fichier", "empreinte_sha256", "perimetre",
    "remplace_par", "message", "encodage", "separateur", "version_schema", "controle",
    "modele", "colonne", "snapshot_id", "run_id", "code_parent", "code_departement",
    "libelle_departement", "nom_entreprise", "region_academique",
}  # fmt: skip


def _published(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)


@pytest.mark.slow
def test_every_code_of_the_demo_warehouse_has_its_label(demo_home):
    con = _published(demo_home)
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' order by all"
    ).fetchall()
    unlisted = [
        c for c in columns if c not in COLONNES_CODES and c[2] not in TEXTE
    ]  # a new code column must say how it is shown
    assert unlisted == []
    missing, checked = [], 0
    for (schema, table, column), vocabulaire in COLONNES_CODES.items():
        codes = [
            code
            for (code,) in con.execute(
                f'select distinct "{column}" from {schema}.{table} where "{column}" is not null'
            ).fetchall()
        ]
        for code in codes:
            checked += 1
            if vocabulaire == "regle":
                listed = _listed_rule(code) and not _french(phrase_regle(code).split(" « ")[0])
            else:
                listed = labels.est_liste(code, vocabulaire)
            if not listed:
                missing.append((table, column, code))
    assert checked > 150
    assert missing == []


# --------------------------------------------------------------------------- indicator labels


def _seed() -> list[dict[str, str]]:
    with (SEEDS / "ref_indicateurs.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# Words two indicators may share (the measure, the horizon, the group): where they do, each
# label must show what it is computed on.
MOTS = {
    "taux", "activation", "délai", "sortie", "positive", "perdus", "achèvement", "réalisation",
    "heures", "calibrage", "apprentissage", "professionnalisation", "formation", "retour",
    "écart", "marchés", "clauses", "comparaison", "comparés", "part", "jeunes", "parcours",
}  # fmt: skip
HORIZON = re.compile(r"\bà (?:la sortie|\d+ mois)")
UNITES_A_BASE = ("taux", "ratio", "jours", "ecart")


def _mots(libelle: str) -> set[str]:
    return set(re.findall(r"\w+", libelle.lower())) & MOTS


def _cle(libelle: str) -> tuple[str | None, str | None]:
    """What a label says of its base: the horizon of its name and its parenthesis."""
    nom, base = labels.nom_et_base(libelle)
    horizon = HORIZON.search(nom)
    return (horizon.group(0) if horizon else None), base


def test_indicator_labels_are_unique_french_and_name_their_base():
    rows = _seed()
    libelles = [r["libelle"] for r in rows]
    assert len(set(libelles)) == len(libelles)
    wrong = {r["indicateur"]: _french(r["libelle"] + " " + r["definition"]) for r in rows}
    assert {k: v for k, v in wrong.items() if v} == {}
    sans_base = [
        r["indicateur"]
        for r in rows
        if r["unite"] in UNITES_A_BASE and labels.nom_et_base(r["libelle"])[1] is None
    ]
    assert sans_base == []


def test_the_labels_users_read_as_contradictions_now_say_their_bases():
    by_code = {r["indicateur"]: r["libelle"] for r in _seed()}
    # 0,0 % beside 33,3 %: clauses whose term has ended, clauses notified 6 months ago.
    assert _cle(by_code["taux_activation"]) != _cle(by_code["taux_activation_6m"])
    assert "échues" in by_code["taux_activation"]
    assert "notifiées depuis au moins 6 mois" in by_code["taux_activation_6m"]
    # 82,6 % and 21,9 % on different bases: the known situations, all the parcours.
    positive = labels.nom_et_base(by_code["taux_sortie_positive_6m"])[1]
    perdus = labels.nom_et_base(by_code["taux_perdus_de_vue_6m"])[1]
    assert "hors perdus de vue" in positive and perdus.startswith("tous les parcours")


@pytest.mark.slow
def test_indicators_sharing_a_word_differ_by_their_base_as_computed(demo_home):
    """Two indicators whose labels share a word: where their bases differ in the warehouse
    (a denominator differs in a cell both have), their labels name different bases; where the
    bases are the same everywhere (same unit), their parentheses name them alike."""
    con = duckdb.connect(str(demo_home / "warehouse" / "build.duckdb"), read_only=True)
    rows = con.execute(
        "select indicateur, libelle_indicateur, unite, periode, niveau, code_niveau, "
        "numerateur, denominateur from marts.indicateurs "
        f"where unite in {UNITES_A_BASE} and denominateur is not null"
    ).fetchall()
    bases: dict[str, dict[tuple, tuple]] = {}
    libelle, unite = {}, {}
    for code, label, unit, periode, niveau, code_niveau, num, den in rows:
        # An écart's base is both groups (numerator: CSF side, denominator: comparison side).
        bases.setdefault(code, {})[(periode, niveau, code_niveau)] = (
            (num, den) if unit == "ecart" else (den,)
        )
        libelle[code], unite[code] = label, unit
    assert len(bases) > 80
    codes = sorted(bases)
    differ = same = 0
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if not _mots(libelle[a]) & _mots(libelle[b]):
                continue
            common = bases[a].keys() & bases[b].keys()
            if not common:
                continue
            if any(bases[a][cell][-1] != bases[b][cell][-1] for cell in common) or (
                unite[a] == unite[b] == "ecart"
                and any(bases[a][cell] != bases[b][cell] for cell in common)
            ):
                differ += 1
                assert _cle(libelle[a]) != _cle(libelle[b]), (libelle[a], libelle[b])
            elif unite[a] == unite[b]:
                same += 1
                assert _cle(libelle[a])[1] == _cle(libelle[b])[1], (libelle[a], libelle[b])
    assert differ > 500 and same > 50, (differ, same)
