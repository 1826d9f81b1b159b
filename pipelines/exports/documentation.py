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

from pipelines.content.formatting import french_date, number
from pipelines.exports.dbt_docs import DocModele
from pipelines.exports.microdata import K_ANONYMAT, QUASI_IDENTIFIANTS, Anonymisation
from pipelines.exports.tables import TableDiffusee
from pipelines.exports.titles import TITRES

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

LICENCE_OUVERTE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

MICRODONNEES_RESTREINTES = (
    "Données pseudonymes, non ouvertes : elles se transmettent à des équipes de recherche dans le "
    "cadre d'une convention qui en interdit toute tentative de ré-identification et la "
    "rediffusion."
)


@dataclass(frozen=True)
class Fichier:
    """One written data file."""

    chemin: str  # relative to the release folder
    format: str  # csv or parquet
    octets: int
    sha256: str


@dataclass(frozen=True)
class TableEcrite:
    """A released table once written: its columns, rows and files."""

    table: TableDiffusee
    colonnes: list[tuple[str, str]]  # name, DuckDB type
    lignes: int
    fichiers: list[Fichier]
    masquees: int = 0  # rows hidden by disclosure control


@dataclass(frozen=True)
class Contexte:
    """What the documents say about the snapshot the release comes from."""

    nom: str
    publication: dict
    sources: list[dict]
    periodes: dict[str, tuple]
    anonymisation: list[Anonymisation]


def _champ(table: TableDiffusee, doc: DocModele, nom: str, type_sql: str) -> dict:
    if type_sql not in TYPES:
        raise ValueError(f"type {type_sql} de {table.nom}.{nom} sans équivalent Table Schema")
    description = table.colonnes.get(nom) or doc.colonnes.get(nom)
    if not description:
        raise ValueError(f"colonne {table.modele}.{nom} sans description dans la doc dbt")
    champ = {
        "name": nom,
        "title": TITRES[nom],
        "description": description,
        "type": TYPES[type_sql],
    }
    contraintes: dict = {}
    if (nom in doc.non_nulles or nom in table.cle) and nom not in table.masquables:
        contraintes["required"] = True
    found = table.valeurs.get(nom) or doc.valeurs.get(nom)
    if found:
        contraintes["enum"] = list(found)
    if contraintes:
        champ["constraints"] = contraintes
    return champ


def schema(ecrite: TableEcrite, doc: DocModele) -> dict:
    """The Table Schema of one released table."""
    return {
        "fields": [_champ(ecrite.table, doc, n, t) for n, t in ecrite.colonnes],
        "primaryKey": list(ecrite.table.cle),
        "missingValues": [""],
    }


def _description(table: TableDiffusee, doc: DocModele) -> str:
    if table.microdonnees:
        return f"{table.traitement} {MICRODONNEES_RESTREINTES}"
    return f"{doc.description} {table.traitement}"


def datapackage(contexte: Contexte, tables: list[TableEcrite], docs: dict[str, DocModele]) -> dict:
    """The Frictionless Data Package descriptor (one resource per file)."""
    publication = contexte.publication
    resources = []
    for ecrite in tables:
        doc = docs[ecrite.table.modele]
        for fichier in ecrite.fichiers:
            csv = fichier.format == "csv"
            resource = {
                "name": ecrite.table.nom + ("" if csv else "_parquet"),
                "title": ecrite.table.titre + ("" if csv else " (Parquet)"),
                "description": _description(ecrite.table, doc)
                + ("" if csv else f" Mêmes lignes et colonnes que {ecrite.table.nom}.csv."),
                # Frictionless reads Parquet through pandas, which turns an integer column with
                # empty cells into floats (NaN) and then rejects it: Parquet files are checked
                # as files (size, SHA-256) and their schema documents them; the tests compare
                # them with the CSV files and the schema.
                "profile": "tabular-data-resource" if csv else "data-resource",
                **({} if csv else {"type": "file"}),
                "path": fichier.chemin,
                "format": fichier.format,
                "mediatype": "text/csv" if csv else "application/vnd.apache.parquet",
                "bytes": fichier.octets,
                "hash": f"sha256:{fichier.sha256}",
                "schema": schema(ecrite, doc),
            }
            if csv:
                resource["encoding"] = "utf-8"
                resource["dialect"] = {"delimiter": ",", "quoteChar": '"', "header": True}
            if not ecrite.table.microdonnees:
                resource["licenses"] = [LICENCE_OUVERTE]
            resources.append(resource)
    synthetic = (
        " DONNÉES DE DÉMONSTRATION (synthétiques) : ne décrivent aucun jeune ni aucun marché réel."
        if publication["is_synthetic"]
        else ""
    )
    return {
        # Not "tabular-data-package": the Parquet twins are described as files (see above).
        "profile": "data-package",
        "name": "csf-impact-" + re.sub(r"[^a-z0-9._-]", "-", contexte.nom.lower()),
        "title": "Clause sociale de formation sous statut scolaire — données pour la recherche",
        "description": (
            "Activation des clauses sociales de formation des marchés publics et devenir des "
            "jeunes accueillis en parcours solidaire de formation, comparés aux jeunes suivis "
            f"par la MLDS sans parcours. Diffusion {contexte.nom}, instantané "
            f"{publication['snapshot_id']}, date d'observation "
            f"{french_date(publication['observation_date'])}. Chaque table existe en CSV et en "
            "Parquet ; voir dictionnaire.md et notes-de-version.md." + synthetic
        ),
        "version": contexte.nom,
        "created": publication["published_at"].isoformat(timespec="seconds"),
        "keywords": [
            "clause sociale de formation",
            "parcours solidaire de formation",
            "décrochage scolaire",
            "MLDS",
            "commande publique",
        ],
        "sources": [{"title": SOURCES.get(s["source"], s["source"])} for s in contexte.sources],
        "resources": resources,
    }


def _codes(noms: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in noms)


def _cellule(texte: str) -> str:
    return texte.replace("|", "\\|")


def dictionnaire(contexte: Contexte, tables: list[TableEcrite], docs: dict[str, DocModele]) -> str:
    """The data dictionary, in Markdown."""
    lines = [
        f"# Dictionnaire des données — diffusion {contexte.nom}",
        "",
        "Chaque table est fournie en deux fichiers aux mêmes lignes : CSV (UTF-8, séparateur "
        "virgule, dates AAAA-MM-JJ, point décimal, valeur vide pour une donnée absente ou "
        "masquée) et Parquet. Le même contenu, lisible par une machine, est dans "
        "`datapackage.json` (Frictionless Data).",
        "",
        "| Table | Lignes | Fichiers |",
        "|---|---:|---|",
    ]
    for ecrite in tables:
        files = ", ".join(f"`{f.chemin}`" for f in ecrite.fichiers)
        lines.append(
            f"| [{ecrite.table.titre}](#{ecrite.table.nom}) | {number(ecrite.lignes)} | {files} |"
        )
    for ecrite in tables:
        doc = docs[ecrite.table.modele]
        fields = schema(ecrite, doc)["fields"]
        lines += [
            "",
            f'<a id="{ecrite.table.nom}"></a>',
            f"## {ecrite.table.titre} (`{ecrite.table.nom}`)",
            "",
            _description(ecrite.table, doc),
            "",
            f"{number(ecrite.lignes)} lignes. Clé : {_codes(ecrite.table.cle)}. Modèle de "
            f"l'entrepôt : `{ecrite.table.modele}`.",
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
                f"| `{f['name']}` | {_cellule(f['title'])} | {f['type']} | "
                f"{_cellule(f['description'])} | {_cellule('; '.join(said))} |"
            )
    return "\n".join(lines) + "\n"


def notes(contexte: Contexte, tables: list[TableEcrite]) -> str:
    """The release notes, in Markdown: sources, row counts, what disclosure control did."""
    publication = contexte.publication
    lines = [f"# Notes de version — diffusion {contexte.nom}", ""]
    if publication["is_synthetic"]:
        lines += [
            "> **Données de démonstration** : ces fichiers sont synthétiques et ne décrivent "
            "aucun jeune ni aucun marché réel.",
            "",
        ]
    lines += [
        f"- Instantané publié : `{publication['snapshot_id']}`, publié le "
        f"{french_date(publication['published_at'].date())}.",
        f"- Date d'observation : {french_date(publication['observation_date'])} (les "
        "événements postérieurs ne comptent pas ; les horizons non atteints sont vides).",
        "- Une même diffusion refaite à partir du même instantané donne des fichiers identiques "
        "octet pour octet.",
        "",
        "## Sources",
        "",
        "| Source | Fichiers retenus | Lignes retenues | Dernier fichier reçu le |",
        "|---|---:|---:|---|",
    ]
    for s in contexte.sources:
        lines.append(
            f"| {SOURCES.get(s['source'], s['source'])} | {number(s['fichiers'])} | "
            f"{number(s['lignes'])} | {french_date(s['recu_le'])} |"
        )
    lines += ["", "Période couverte :", ""]
    for what, (first, last) in contexte.periodes.items():
        if first is not None:
            lines.append(f"- {what} : de {first} à {last}.")
    lines += ["", "## Fichiers", "", "| Table | Lignes |", "|---|---:|"]
    for ecrite in tables:
        lines.append(f"| `{ecrite.table.nom}` — {ecrite.table.titre} | {number(ecrite.lignes)} |")
    lines += [
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
        "majorée à moins de sa valeur plus 1 (voir la méthodologie). Une valeur masquée est vide "
        "et sa "
        "ligne a `diffusable` faux ; rien ne dit quelle règle l'a masquée. Un taux diffusé "
        "porte son numérateur et son dénominateur (l'un se déduit de l'autre et du taux). Les "
        "données de la commande publique (marchés, acheteurs, titulaires, montants) sont des "
        "données ouvertes et ne sont pas masquées.",
        "",
        "| Table | Lignes masquées |",
        "|---|---:|",
    ]
    for ecrite in tables:
        if ecrite.masquees:
            lines.append(f"| `{ecrite.table.nom}` | {number(ecrite.masquees)} |")
    lines += [
        "",
        "## Microdonnées : k-anonymat",
        "",
        f"Chaque combinaison de {', '.join(QUASI_IDENTIFIANTS)} (valeur vide comprise) "
        f"concerne au moins {K_ANONYMAT} jeunes distincts dans chaque fichier. Pour y parvenir, "
        "l'académie des enregistrements trop rares est remplacée par leur région académique "
        "(`academie_generalisee` vrai), puis les enregistrements encore isolés au niveau de "
        "la région sont retirés. Les identifiants sont recodés pour cette diffusion : ils "
        "ne se rapprochent ni de l'entrepôt ni d'une autre diffusion. Le jour des dates n'est "
        "jamais diffusé (mois seulement), l'âge seulement par tranche.",
        "",
        "| Fichier | Enregistrements | Jeunes | Académie généralisée | Retirés | Diffusés |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for a in contexte.anonymisation:
        lines.append(
            f"| `{a.table}` | {number(a.enregistrements)} | {number(a.jeunes)} | "
            f"{number(a.generalises)} | {number(a.supprimes)} | {number(a.diffuses)} |"
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


def sha256sums(dossier: Path, chemins: list[str]) -> str:
    """``SHA256SUMS`` in the format ``sha256sum -c`` reads."""
    lines = [f"{sha256(dossier / chemin)}  {chemin}" for chemin in sorted(chemins)]
    return "\n".join(lines) + "\n"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def json_texte(descriptor: dict) -> str:
    """Stable JSON text (key order as built, UTF-8 kept readable)."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
