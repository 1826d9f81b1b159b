"""The documents of a release: Frictionless ``datapackage.json``, data dictionary, release notes.

Everything here derives from the snapshot and the release name, never from the clock, so that a
rerun writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.content.csv_formulas import RULE_FR
from pipelines.content.formatting import french_date, number
from pipelines.exports.dbt_docs import ModelDoc
from pipelines.exports.microdata import K_ANONYMITY, QUASI_IDENTIFIERS, Anonymisation
from pipelines.exports.tables import ReleasedTable
from pipelines.exports.titles import TITLES

# DuckDB types of the marts → Table Schema types. A new type must be mapped here on purpose.
TYPES = {
    "VARCHAR": "string",
    "BIGINT": "integer",
    "INTEGER": "integer",
    "HUGEINT": "integer",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
}

SOURCES = {
    "decp": "Données essentielles de la commande publique (DECP)",
    "csf_clauses": "Registre des clauses sociales de formation",
    "mlds_jeunes": "MLDS : jeunes suivis",
    "mlds_parcours": "MLDS : parcours CSF",
    "mlds_suivis": "MLDS : situations de suivi",
}

OPEN_LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

RESTRICTED_MICRODATA = (
    "Données pseudonymes, non ouvertes : elles se transmettent à des équipes de recherche dans le "
    "cadre d'une convention qui en interdit toute tentative de ré-identification et la "
    "rediffusion."
)


@dataclass(frozen=True)
class ReleaseFile:
    """One written data file."""

    path: str  # relative to the release folder
    format: str  # csv or parquet
    size: int
    sha256: str


@dataclass(frozen=True)
class WrittenTable:
    """A released table once written: its columns, rows and files."""

    table: ReleasedTable
    columns: list[tuple[str, str]]  # name, DuckDB type
    rows: int
    files: list[ReleaseFile]
    hidden: int = 0  # rows hidden by disclosure control
    # Text columns holding codes a default CSV reader would turn into numbers ("04" → 4): the
    # README's reading snippets force them to text.
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """What the documents say about the snapshot the release comes from."""

    name: str
    publication: dict
    sources: list[dict]
    periods: dict[str, tuple]
    anonymisation: list[Anonymisation]
    years: tuple[str, ...] = ()  # the indicators' periods other than "ensemble", in order
    # The indicators' académies: code, name, and whether it is one (else: académie unknown).
    academies: tuple[tuple[str, str, bool], ...] = ()


def _field(table: ReleasedTable, doc: ModelDoc, name: str, sql_type: str) -> dict:
    if sql_type not in TYPES:
        raise ValueError(f"type {sql_type} de {table.name}.{name} sans équivalent Table Schema")
    description = table.columns.get(name) or doc.columns.get(name)
    if not description:
        raise ValueError(f"colonne {table.model}.{name} sans description dans la doc dbt")
    entry = {
        "name": name,
        "title": TITLES[name],
        "description": description,
        "type": TYPES[sql_type],
    }
    constraints: dict = {}
    if (name in doc.not_null or name in table.key) and name not in table.maskable:
        constraints["required"] = True
    found = table.values.get(name) or doc.values.get(name)
    if found:
        constraints["enum"] = list(found)
    if constraints:
        entry["constraints"] = constraints
    return entry


def schema(written: WrittenTable, doc: ModelDoc) -> dict:
    """The Table Schema of one released table."""
    return {
        "fields": [_field(written.table, doc, n, t) for n, t in written.columns],
        "primaryKey": list(written.table.key),
        "missingValues": [""],
    }


def _description(table: ReleasedTable, doc: ModelDoc) -> str:
    if table.microdata:
        return f"{table.treatment} {RESTRICTED_MICRODATA}"
    return f"{doc.description} {table.treatment}"


def datapackage(context: Context, tables: list[WrittenTable], docs: dict[str, ModelDoc]) -> dict:
    """The Frictionless Data Package descriptor (one resource per file)."""
    publication = context.publication
    resources = []
    for written in tables:
        doc = docs[written.table.model]
        for file in written.files:
            csv = file.format == "csv"
            resource = {
                "name": written.table.name + ("" if csv else "_parquet"),
                "title": written.table.title + ("" if csv else " (Parquet)"),
                "description": _description(written.table, doc)
                + ("" if csv else f" Mêmes lignes et colonnes que csv/{written.table.name}.csv."),
                # Frictionless reads Parquet through pandas, which turns an integer column with
                # empty cells into floats (NaN) and then rejects it: Parquet files are checked
                # as files (size, SHA-256) and their schema documents them; the tests compare
                # them with the CSV files and the schema.
                "profile": "tabular-data-resource" if csv else "data-resource",
                **({} if csv else {"type": "file"}),
                "path": file.path,
                "format": file.format,
                "mediatype": "text/csv" if csv else "application/vnd.apache.parquet",
                "bytes": file.size,
                "hash": f"sha256:{file.sha256}",
                "schema": schema(written, doc),
            }
            if csv:
                resource["encoding"] = "utf-8"
                resource["dialect"] = {"delimiter": ",", "quoteChar": '"', "header": True}
            if not written.table.microdata:
                resource["licenses"] = [OPEN_LICENCE]
            resources.append(resource)
    synthetic = (
        " DONNÉES DE DÉMONSTRATION (synthétiques) : ne décrivent aucun jeune ni aucun marché réel."
        if publication["donnees_synthetiques"]
        else ""
    )
    return {
        # Not "tabular-data-package": the Parquet twins are described as files (see above).
        "profile": "data-package",
        "name": "csf-impact-" + re.sub(r"[^a-z0-9._-]", "-", context.name.lower()),
        "title": "Clause sociale de formation sous statut scolaire — données pour la recherche",
        "description": (
            "Activation des clauses sociales de formation des marchés publics et devenir des "
            "jeunes accueillis en parcours solidaire de formation, comparés aux jeunes suivis "
            f"par la MLDS sans parcours. Diffusion {context.name}, instantané "
            f"{publication['snapshot_id']}, date d'observation "
            f"{french_date(publication['date_observation'])}. Chaque table existe en CSV et en "
            "Parquet ; voir README.md, dictionnaire.md et notes-de-version.md." + synthetic
        ),
        "version": context.name,
        "created": publication["published_at"].isoformat(timespec="seconds"),
        "keywords": [
            "clause sociale de formation",
            "parcours solidaire de formation",
            "décrochage scolaire",
            "MLDS",
            "commande publique",
        ],
        "sources": [{"title": SOURCES.get(s["source"], s["source"])} for s in context.sources],
        "resources": resources,
    }


def _codes(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def dictionary(context: Context, tables: list[WrittenTable], docs: dict[str, ModelDoc]) -> str:
    """The data dictionary, in Markdown."""
    lines = [
        f"# Dictionnaire des données — diffusion {context.name}",
        "",
        "Chaque table est fournie en deux fichiers aux mêmes lignes : CSV (UTF-8, séparateur "
        "virgule, dates AAAA-MM-JJ, point décimal, valeur vide pour une donnée absente ou "
        "masquée) et Parquet. Le même contenu, lisible par une machine, est dans "
        "`datapackage.json` (Frictionless Data).",
        "",
        "| Table | Lignes | Fichiers |",
        "|---|---:|---|",
    ]
    for written in tables:
        files = ", ".join(f"`{f.path}`" for f in written.files)
        lines.append(
            f"| [{written.table.title}](#{written.table.name}) | {number(written.rows)} | {files} |"
        )
    for written in tables:
        doc = docs[written.table.model]
        fields = schema(written, doc)["fields"]
        lines += [
            "",
            f'<a id="{written.table.name}"></a>',
            f"## {written.table.title} (`{written.table.name}`)",
            "",
            _description(written.table, doc),
            "",
            f"{number(written.rows)} lignes. Clé : {_codes(written.table.key)}. Table d'origine "
            f"dans l'entrepôt (non fournie telle quelle) : `marts.{written.table.model}`.",
            "",
            "| Colonne | Titre | Type | Description | Contraintes |",
            "|---|---|---|---|---|",
        ]
        for f in fields:
            constraints = f.get("constraints", {})
            said = []
            if constraints.get("required"):
                said.append("obligatoire")
            if "enum" in constraints:
                said.append("valeurs : " + ", ".join(f"`{v}`" for v in constraints["enum"]))
            lines.append(
                f"| `{f['name']}` | {_cell(f['title'])} | {f['type']} | "
                f"{_cell(f['description'])} | {_cell('; '.join(said))} |"
            )
    return "\n".join(lines) + "\n"


def notes(context: Context, tables: list[WrittenTable]) -> str:
    """The release notes, in Markdown: sources, row counts, what disclosure control did."""
    publication = context.publication
    lines = [f"# Notes de version — diffusion {context.name}", ""]
    if publication["donnees_synthetiques"]:
        lines += [
            "> **Données de démonstration** : ces fichiers sont synthétiques et ne décrivent "
            "aucun jeune ni aucun marché réel.",
            "",
        ]
    lines += [
        f"- Instantané publié : `{publication['snapshot_id']}`, publié le "
        f"{french_date(publication['published_at'].date())}.",
        f"- Date d'observation : {french_date(publication['date_observation'])} (les "
        "événements postérieurs ne comptent pas ; les horizons non atteints sont vides).",
        "- Présentation, couverture, licence, citation, contact, changements depuis la diffusion "
        "précédente et lecture des fichiers sans perdre les codes : `README.md`.",
        "- Une même diffusion refaite à partir du même instantané donne des fichiers identiques "
        "octet pour octet.",
        "",
        "## Sources",
        "",
        "| Source | Fichiers retenus | Lignes retenues | Dernier fichier reçu le |",
        "|---|---:|---:|---|",
    ]
    for s in context.sources:
        lines.append(
            f"| {SOURCES.get(s['source'], s['source'])} | {number(s['fichiers'])} | "
            f"{number(s['lignes'])} | {french_date(s['recu_le'])} |"
        )
    lines += ["", "Période couverte :", ""]
    for what, (first, last) in context.periods.items():
        if first is not None:
            lines.append(f"- {what} : de {first} à {last}.")
    lines += ["", "## Fichiers", "", "| Table | Lignes |", "|---|---:|"]
    for written in tables:
        lines.append(f"| `{written.table.name}` — {written.table.title} | {number(written.rows)} |")
    lines += [
        "",
        "## Fichiers CSV et formules de tableur",
        "",
        RULE_FR + " Les fichiers Parquet gardent le texte tel quel.",
        "",
        "## Secret statistique des tables agrégées",
        "",
        "Un comptage de 1 à 4 jeunes n'est pas diffusé, ni un taux calculé sur moins de 20 jeunes "
        "(ni son intervalle), ni un écart dont l'un des groupes compte moins de 20 jeunes, ni une "
        "étape « jeunes » de l'entonnoir qui compte de 1 à 4 clauses (ou dont la base compte "
        "moins de 20 clauses). Le secret secondaire protège toutes les tables ensemble : "
        "catégories et total national, académies, régions académiques et national, années et "
        "« ensemble », numérateurs et dénominateurs des taux, taux qui partagent un "
        "dénominateur, comparaison et écart, étapes successives de l'entonnoir. Aucune valeur "
        "masquée ne peut être retrouvée exactement à partir de l'ensemble des fichiers diffusés, "
        "et une valeur masquée de 1 à 4 jeunes (ou une base de moins de 20) ne peut être "
        "majorée à moins de sa valeur plus 1. Une valeur masquée est vide "
        "et sa "
        "ligne a `diffusable` faux ; rien ne dit quelle règle l'a masquée. Un taux diffusé "
        "porte son numérateur et son dénominateur (l'un se déduit de l'autre et du taux). Les "
        "données de la commande publique (marchés, acheteurs, titulaires, montants) sont des "
        "données ouvertes et ne sont pas masquées.",
        "",
        "| Table | Lignes masquées |",
        "|---|---:|",
    ]
    for written in tables:
        if written.hidden:
            lines.append(f"| `{written.table.name}` | {number(written.hidden)} |")
    lines += [
        "",
        "## Microdonnées : k-anonymat",
        "",
        f"Chaque combinaison de {', '.join(QUASI_IDENTIFIERS)} (valeur vide comprise) "
        f"concerne au moins {K_ANONYMITY} jeunes distincts dans chaque fichier. Pour y parvenir, "
        "l'académie des enregistrements trop rares est remplacée par leur région académique "
        "(`academie_generalisee` vrai), puis les enregistrements encore isolés au niveau de "
        "la région sont retirés. Les identifiants sont recodés pour cette diffusion : ils "
        "ne se rapprochent ni de l'entrepôt ni d'une autre diffusion. Le jour des dates n'est "
        "jamais diffusé (mois seulement), l'âge seulement par tranche.",
        "",
        "| Fichier | Enregistrements | Jeunes | Académie généralisée | Retirés | Diffusés |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for a in context.anonymisation:
        lines.append(
            f"| `{a.table}` | {number(a.records)} | {number(a.jeunes)} | "
            f"{number(a.generalised)} | {number(a.suppressed)} | {number(a.released)} |"
        )
    lines += [
        "",
        "Les taux calculés sur les microdonnées diffusées peuvent donc différer des indicateurs "
        "publiés, qui portent sur tous les jeunes.",
        "",
        "## Ce qui n'est pas diffusé",
        "",
        "- Aucune donnée directement identifiante : ni INE, ni nom, ni contact, ni date de "
        "naissance (l'entrepôt lui-même ne les reçoit pas).",
        "- Dans les microdonnées : ni la clause, ni l'acheteur, ni l'entreprise d'accueil d'un "
        "parcours.",
        "- Dans la table des clauses : ni heures réalisées, ni nombre ni date de début des "
        "parcours ; l'étape la plus avancée s'arrête à « parcours commencé ».",
        "- Les tables de qualité des données (fichiers reçus, quarantaine), qui décrivent "
        "l'exploitation de la chaîne.",
        "",
        "## Vérifier l'intégrité",
        "",
        "```sh",
        "sha256sum -c SHA256SUMS",
        "frictionless validate datapackage.json",
        "```",
    ]
    return "\n".join(lines) + "\n"


def sha256sums(folder: Path, paths: list[str]) -> str:
    """``SHA256SUMS`` in the format ``sha256sum -c`` reads."""
    lines = [f"{sha256(folder / path)}  {path}" for path in sorted(paths)]
    return "\n".join(lines) + "\n"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def json_text(descriptor: dict) -> str:
    """Stable JSON text (key order as built, UTF-8 kept readable)."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
