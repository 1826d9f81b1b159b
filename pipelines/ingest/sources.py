"""The CSV sources of data-contracts.md, declared as data.

A reader, the raw-table DDL, source detection and the quarantine rules all derive from these
declarations, so a contract change is made in one place.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Kind = Literal["text", "date", "decimal", "integer", "boolean", "label", "academie", "ine", "code"]

DUCKDB_TYPES: dict[Kind, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "decimal": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "label": "VARCHAR",
    "academie": "VARCHAR",
    "ine": "VARCHAR",
    "code": "VARCHAR",
}

# Free text typed by operators is coded at reading to a closed set of categories: the text itself
# never enters the warehouse. Each mapping file lists reviewed labels (matched lower-case, without
# accents or punctuation, like every label) and their code; a code is accepted as itself; any
# other non-empty text becomes ``CODE_AUTRE``.
CODES_DIR = Path(__file__).with_name("codes")
CODE_AUTRE = "autre"


def reviewed_codes(name: str) -> dict[str, str]:
    """Reviewed label → code, from ``codes/<name>.csv`` (``libelle;code``)."""
    with (CODES_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row["libelle"]: row["code"] for row in csv.DictReader(handle, delimiter=";")}


def code_set(labels: dict[str, str]) -> frozenset[str]:
    """Every value a coded column can hold: the reviewed codes and ``CODE_AUTRE``."""
    return frozenset(labels.values()) | {CODE_AUTRE}


# Closed vocabularies (kind ``label``): the codes of data-contracts.md each column may hold. The
# French words operators type for them are in one reviewed mapping file per vocabulary,
# ``vocabulaires/<name>.csv`` (``libelle;code;note``): a variant (matched like every label:
# lower-case, without accents or punctuation) and its code. A variant ending in `` *`` matches
# every label that starts with its words (``Rectorat *``: ``Rectorat de Lyon``). A variant with
# an empty code was refused as ambiguous: it stays in the file with the reason in ``note`` and is
# never mapped (quarantined as ``libelle_inconnu:<column>:<label>``, like any unknown label).
VOCABULARIES_DIR = Path(__file__).with_name("vocabulaires")
VOCABULARY_CODES: dict[str, frozenset[str]] = {
    "types_acheteur": frozenset({"rectorat", "administration_centrale", "etablissement", "autre"}),
    "statuts_parcours": frozenset(
        {
            "propose",
            "positionne",
            "convention_signee",
            "en_cours",
            "termine",
            "interrompu",
            "non_commence",
        }
    ),
    "situations": frozenset(
        {
            "retour_formation_initiale",
            "apprentissage",
            "contrat_professionnalisation",
            "formation_professionnelle",
            "emploi",
            "service_civique",
            "nouvelle_action_mlds",
            "autre_accompagnement",
            "sans_solution",
            "perdu_de_vue",
            "autre",
        }
    ),
    "horizons": frozenset({"sortie", "3_mois", "6_mois", "12_mois"}),
    "sexes": frozenset({"F", "M"}),
    "sources_reperage": frozenset({"siei", "gpds", "cio", "psad", "spontane", "autre"}),
    "actions_mlds": frozenset(
        {"parcours_csf", "module_remobilisation", "preparation_diplome", "autre"}
    ),
}


@dataclass(frozen=True)
class Variant:
    """One line of a vocabulary file: a label as operators type it, its code (empty: refused)."""

    libelle: str
    code: str
    note: str = ""


def vocabulary_variants(name: str) -> list[Variant]:
    """Every line of ``vocabulaires/<name>.csv``, refused variants included, in file order."""
    with (VOCABULARIES_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return [
            Variant(row["libelle"], row["code"], row["note"] or "")
            for row in csv.DictReader(handle, delimiter=";")
        ]


def vocabulary(name: str) -> dict[str, str]:
    """Reviewed variant → code of one vocabulary, refused variants left out.

    A code outside ``VOCABULARY_CODES[name]`` (the contract's) stops the import: a typo in a
    mapping file must not put a code in the warehouse that no model knows."""
    codes = VOCABULARY_CODES[name]
    mapping: dict[str, str] = {}
    for variant in vocabulary_variants(name):
        if not variant.code:
            continue
        if variant.code not in codes:
            raise ValueError(
                f"vocabulaires/{name}.csv : code {variant.code!r} hors du contrat "
                f"pour {variant.libelle!r} (codes : {', '.join(sorted(codes))})"
            )
        mapping[variant.libelle] = variant.code
    return mapping


@dataclass(frozen=True)
class Column:
    """One canonical column: its type, whether a value is required, accepted header variants."""

    name: str
    kind: Kind = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    # label: words → codes (a vocabulary file), an unknown word quarantines the row. code: free
    # text → reviewed categories, unknown text → CODE_AUTRE (never quarantined, never kept as
    # typed).
    labels: dict[str, str] | None = None
    # Dates of events that have happened: a date after the load day is impossible.
    past_event: bool = False


@dataclass(frozen=True)
class CsvSource:
    """A CSV export: canonical columns, the header it must carry, and what is personal."""

    name: str
    description: str
    columns: tuple[Column, ...]
    required_headers: tuple[str, ...]
    unique_key: tuple[str, ...]
    personal: tuple[str, ...] = ()
    # Extra columns (normalised header names) kept in the raw table's ``extra_columns``; any other
    # column outside the contract is dropped unread and counted (docs/ingestion.md).
    extra_allowed: tuple[str, ...] = ()
    # Columns that alone say "this file is that source" when detecting by header.
    signature: frozenset[str] = field(default_factory=frozenset)

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def header_map(self) -> dict[str, str]:
        """Normalised header variant → canonical name."""
        mapping = {c.name: c.name for c in self.columns}
        for c in self.columns:
            mapping.update({alias: c.name for alias in c.aliases})
        mapping.update({p: p for p in self.personal})
        return mapping


SITUATIONS = vocabulary("situations")
STATUTS_PARCOURS = vocabulary("statuts_parcours")
HORIZONS = vocabulary("horizons")
SEXES = vocabulary("sexes")
SOURCES_REPERAGE = vocabulary("sources_reperage")
ACTIONS_MLDS = vocabulary("actions_mlds")
MOTIFS_INTERRUPTION = reviewed_codes("motifs_interruption")
DERNIERES_CLASSES = reviewed_codes("dernieres_classes")
TYPES_ACHETEUR = vocabulary("types_acheteur")

CSF_CLAUSES = CsvSource(
    name="csf_clauses",
    description="Registre des clauses sociales de formation (une ligne par marché ou lot)",
    columns=(
        Column("id_clause", required=True, aliases=("identifiant_clause", "num_clause")),
        Column("id_marche", required=True, aliases=("identifiant_marche", "num_marche")),
        Column("siret_acheteur", aliases=("siret_de_l_acheteur",)),
        Column("nom_organisme_acheteur", aliases=("organisme_acheteur", "acheteur")),
        Column("type_acheteur", "label", labels=TYPES_ACHETEUR),
        Column("objet_marche", aliases=("objet_du_marche", "objet")),
        Column("lot"),
        Column(
            "date_notification_marche",
            "date",
            required=True,
            aliases=("date_notification", "date_de_notification_du_marche"),
        ),
        Column("date_fin_clause_sociale", "date"),
        Column("date_fin_clause_sociale_reconduction_comprise", "date"),
        Column("montant_previsionnel_ht", "decimal", aliases=("montant_ht", "montant")),
        Column("heures_parcours", "integer", aliases=("nb_heures", "heures", "nombre_d_heures")),
        Column("siret_titulaire"),
        Column("nom_entreprise", aliases=("entreprise", "titulaire")),
        Column("secteur_activite_entreprise", aliases=("secteur_activite", "secteur")),
        Column("academie_parcours", "academie", aliases=("academie",)),
        Column("departement_parcours", aliases=("departement",)),
        Column("fiche_entreprise_recue", "boolean"),
        Column("date_transmission_mlds", "date", past_event=True),
        Column("date_declaration_offre", "date", past_event=True),
    ),
    required_headers=(
        "id_clause",
        "id_marche",
        "siret_acheteur",
        "date_notification_marche",
        "heures_parcours",
        "academie_parcours",
    ),
    unique_key=("id_clause",),
    # The contract's CPV code, which some registers carry: a public nomenclature code, useful to
    # reconcile a clause with DECP when the contract id does not match.
    extra_allowed=("code_cpv",),
    personal=(
        "nom_prenom_contact_acheteur",
        "mail_contact_acheteur",
        "telephone_contact_acheteur",
        "nom_prenom_referent_entreprise",
        "mail_referent_entreprise",
        "telephone_referent_entreprise",
    ),
    signature=frozenset({"id_clause", "id_marche", "heures_parcours"}),
)

MLDS_JEUNES = CsvSource(
    name="mlds_jeunes",
    description="Jeunes suivis par la MLDS (un par jeune et prise en charge)",
    columns=(
        Column("ine", "ine", required=True, aliases=("identifiant_national_eleve",)),
        Column("annee_naissance", "integer"),
        Column("age_entree", "integer"),
        Column("sexe", "label", labels=SEXES),
        Column("code_academie", "academie", required=True, aliases=("academie",)),
        Column("departement", aliases=("code_departement",)),
        Column("uai_etablissement_origine", aliases=("uai", "uai_origine")),
        Column("derniere_classe", "code", aliases=("classe",), labels=DERNIERES_CLASSES),
        Column("diplome_le_plus_eleve", aliases=("diplome",)),
        Column("date_reperage", "date", past_event=True),
        Column("source_reperage", "label", labels=SOURCES_REPERAGE),
        Column(
            "date_entree_mlds", "date", required=True, past_event=True, aliases=("date_entree",)
        ),
        Column("action_mlds", "label", labels=ACTIONS_MLDS, aliases=("action",)),
        Column("date_sortie_mlds", "date", past_event=True, aliases=("date_sortie",)),
        Column("situation_sortie", "label", labels=SITUATIONS),
    ),
    required_headers=("ine", "date_naissance", "sexe", "code_academie", "date_entree_mlds"),
    unique_key=("ine", "date_entree_mlds"),
    personal=("nom", "prenom", "date_naissance"),
    signature=frozenset({"ine", "date_naissance", "date_entree_mlds"}),
)

MLDS_PARCOURS = CsvSource(
    name="mlds_parcours",
    description="Parcours de clause sociale de formation (un par parcours)",
    columns=(
        Column("id_parcours", required=True, aliases=("identifiant_parcours",)),
        Column("ine", "ine", required=True),
        Column("id_clause", aliases=("identifiant_clause",)),
        Column("siret_entreprise"),
        Column("date_positionnement", "date", past_event=True),
        Column("date_convention", "date", past_event=True),
        Column("date_debut", "date", past_event=True, aliases=("date_debut_parcours",)),
        Column("date_fin_prevue", "date"),
        Column("date_fin_reelle", "date", past_event=True),
        Column("heures_prevues", "integer"),
        Column("heures_realisees", "integer"),
        Column("statut", "label", required=True, labels=STATUTS_PARCOURS),
        Column("motif_interruption", "code", labels=MOTIFS_INTERRUPTION),
    ),
    required_headers=("id_parcours", "ine", "id_clause", "date_debut", "statut"),
    unique_key=("id_parcours",),
    signature=frozenset({"id_parcours", "id_clause", "statut"}),
)

MLDS_SUIVIS = CsvSource(
    name="mlds_suivis",
    description="Observations de suivi des jeunes (sortie, 3, 6 et 12 mois)",
    columns=(
        Column("ine", "ine", required=True),
        Column("id_parcours", aliases=("identifiant_parcours",)),
        Column("date_observation", "date", required=True, past_event=True),
        Column("horizon", "label", required=True, labels=HORIZONS),
        Column("situation", "label", required=True, labels=SITUATIONS),
    ),
    required_headers=("ine", "date_observation", "horizon", "situation"),
    # A follow-up without a parcours is told apart by its date (a youth may have several
    # parcours, each with its own exit): the warehouse places it in a parcours' window
    # (int_suivis__rattachement).
    unique_key=("ine", "id_parcours", "horizon", "date_observation"),
    signature=frozenset({"ine", "horizon", "date_observation"}),
)

CSV_SOURCES: dict[str, CsvSource] = {
    s.name: s for s in (CSF_CLAUSES, MLDS_JEUNES, MLDS_PARCOURS, MLDS_SUIVIS)
}
DECP = "decp"
ALL_SOURCES = (DECP, *CSV_SOURCES)

# Column written by the sample generator on every row: marks synthetic data end to end.
SYNTHETIC_MARKER = "donnees_synthetiques"

# The DECP raw tables: each column's type and the expression that reads it from a record of
# decp_reader's read_json (whose own fields are all text or JSON). Values are kept as read next to
# their typed version, so that a quirk becomes a null typed value, never a rejected record; the
# load only casts (deriving uid, holders and social considerations is dbt's job). The warehouse's
# DDL and the reader's inserts are both written from these.
DECP_MARCHES_COLUMNS: dict[str, tuple[str, str]] = {
    "schema_version": ("VARCHAR", "$schema_version"),
    "uid_publie": ("VARCHAR", "nullif(trim(uid), '')"),
    "id": ("VARCHAR", "nullif(trim(id), '')"),
    "acheteur": ("JSON", "acheteur"),
    "acheteur_id": ("VARCHAR", "nullif(trim(acheteur->>'$.id'), '')"),
    "nature": ("VARCHAR", "nature"),
    "objet": ("VARCHAR", "objet"),
    "code_cpv": ("VARCHAR", "codeCPV"),
    "procedure": ("VARCHAR", "procedure"),
    "lieu_execution": ("JSON", "lieuExecution"),
    "duree_mois_brut": ("VARCHAR", "dureeMois"),
    "duree_mois": ("INTEGER", "try_cast(dureeMois as integer)"),
    "date_notification_brut": ("VARCHAR", "dateNotification"),
    "date_notification": ("DATE", "try_cast(left(dateNotification, 10) as date)"),
    "date_publication_brut": ("VARCHAR", "datePublicationDonnees"),
    "date_publication_donnees": ("DATE", "try_cast(left(datePublicationDonnees, 10) as date)"),
    "montant_brut": ("VARCHAR", "montant"),
    "montant": ("DOUBLE", "try_cast(montant as double)"),
    "forme_prix": ("VARCHAR", "formePrix"),
    "titulaires": ("JSON", "titulaires"),
    "considerations_sociales": ("JSON", "considerationsSociales"),
    "modifications": ("JSON", "modifications"),
}
DECP_CONCESSIONS_COLUMNS: dict[str, tuple[str, str]] = {
    "schema_version": ("VARCHAR", "$schema_version"),
    "uid_publie": ("VARCHAR", "nullif(trim(uid), '')"),
    "id": ("VARCHAR", "nullif(trim(id), '')"),
    "autorite_concedante_id": ("VARCHAR", "nullif(trim(autoriteConcedante->>'$.id'), '')"),
    "nature": ("VARCHAR", "nature"),
    "objet": ("VARCHAR", "objet"),
    "date_signature": ("DATE", "try_cast(left(dateSignature, 10) as date)"),
    "valeur_globale_brut": ("VARCHAR", "valeurGlobale"),
    "valeur_globale": ("DOUBLE", "try_cast(valeurGlobale as double)"),
    "concessionnaires": ("JSON", "concessionnaires"),
    "considerations_sociales": ("JSON", "considerationsSociales"),
    "modifications": ("JSON", "modifications"),
}
