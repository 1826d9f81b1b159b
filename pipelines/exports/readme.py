"""The release's front page, ``README.md``, and its ``CITATION.cff``.

A researcher opens the README first: what the release is and covers, every file it holds, what
disclosure control hid and why, the licence, how to cite, whom to write to, what changed since
the previous release, and how to read the CSV files without losing the codes' leading zeros.
Like the other documents it derives from the snapshot, the release name, the contacts file and
the previous release only, never from the clock, so that a rerun writes the same bytes.
"""

from __future__ import annotations

import json
import re
from datetime import date

import duckdb

from pipelines.content.contacts import Contact
from pipelines.content.formatting import LEGENDE_SECRET, french_date, number
from pipelines.exports.changes import Changes
from pipelines.exports.documentation import (
    OPEN_LICENCE,
    RESTRICTED_MICRODATA,
    SOURCES,
    Context,
    WrittenTable,
)
from pipelines.exports.microdata import K_ANONYMITY

TITLE = "Clause sociale de formation sous statut scolaire — données pour la recherche"

# The documents of a release besides its data files, as the README describes them. The writer
# checks that a release holds exactly these and the data files, so none goes undescribed.
DOCUMENTS = {
    "README.md": "Ce fichier : présentation, couverture, fichiers, secret statistique, licence, "
    "citation, contact, changements depuis la diffusion précédente, lecture des fichiers.",
    "CITATION.cff": "Comment citer cette diffusion, au format Citation File Format 1.2.0 (lu par "
    "les logiciels de gestion bibliographique).",
    "notes-de-version.md": "Notes de version : sources et dates de réception, période couverte, "
    "lignes masquées par le secret statistique, effet du k-anonymat, ce qui n'est pas diffusé.",
    "dictionnaire.md": "Dictionnaire des données : chaque table et chaque colonne (titre, type, "
    "description, contraintes).",
    "datapackage.json": "Le même dictionnaire, lisible par une machine (Frictionless Data "
    "Package) : schéma, licence, taille et empreinte SHA-256 de chaque fichier de données.",
    "SHA256SUMS": "Empreinte SHA-256 de chacun des autres fichiers.",
}

# A text column is a code column when a default CSV reader would take it for a number: some
# value is digits only ("04", a SIRET, a year). These names are codes even in a release where
# they happen to be empty.
_CODE_NAMES = re.compile(r"^(code_|siret_)|_cpv$")


def code_columns(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]
) -> tuple[str, ...]:
    """The text columns of ``relation`` holding codes that a default reader would make numbers
    ("04" → 4): the reading snippets force them to text."""
    texts = [name for name, sql_type in columns if sql_type == "VARCHAR"]
    if not texts:
        return ()
    digits = con.execute(
        "select "
        + ", ".join(f"coalesce(bool_or(regexp_full_match({c}, '[0-9]+')), false)" for c in texts)
        + f" from {relation}"
    ).fetchone()
    return tuple(
        c for c, found in zip(texts, digits, strict=True) if found or _CODE_NAMES.search(c)
    )


def _files(tables: list[WrittenTable]) -> list[tuple[str, str, str]]:
    """Every file of the release: path, what it holds, rows ("" for a document)."""
    rows = [(path, text, "") for path, text in DOCUMENTS.items()]
    for written in tables:
        for file in written.files:
            what = written.table.title + (
                " (CSV)" if file.format == "csv" else " (Parquet : les mêmes lignes, typées)"
            )
            rows.append((file.path, what, number(written.rows)))
    return rows


def _years(context: Context, indicator_rows: int) -> str:
    years = context.years
    if not indicator_rows:
        return "aucune : la table `indicateurs` est vide (aucune clause ni aucun jeune suivi)."
    if not years:
        return (
            "aucune : les données reçues ne comptent ni clause notifiée ni parcours daté ; seules "
            "les valeurs « ensemble » (toutes années confondues) existent."
        )
    numbers = [int(y) for y in years if y.isdigit()]
    if len(numbers) == len(years) and numbers == list(range(numbers[0], numbers[-1] + 1)):
        said = years[0] if len(years) == 1 else f"de {years[0]} à {years[-1]}"
    else:
        said = ", ".join(years)
    said += " (et « ensemble », toutes années confondues)."
    observed: date = context.publication["date_observation"]
    if years[-1] == str(observed.year) and (observed.month, observed.day) != (12, 31):
        said += (
            f" L'année {observed.year} est incomplète : elle s'arrête à la date d'observation, "
            f"le {french_date(observed)} ; ses valeurs sont provisoires."
        )
    return said


def _academies(context: Context) -> str:
    known = [(code, name) for code, name, real in context.academies if real]
    unknown = [(code, name) for code, name, real in context.academies if not real]
    if known:
        said = f"{number(len(known))} académie{'s' if len(known) > 1 else ''} : " + ", ".join(
            f"{name} ({code})" for code, name in known
        )
    else:
        said = "aucune"
    if unknown:
        said += ", et " + ", ".join(f"« {name} » ({code})" for code, name in unknown)
        said += " pour les données dont l'académie n'est pas connue"
    if not context.academies:
        said += " (aucun indicateur de ces données n'est ventilé par académie)"
    return said + "."


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _rows(value: int | None) -> str:
    return "illisible" if value is None else number(value)


def _changes(changes: Changes, automatic: bool) -> list[str]:
    previous = changes.previous
    if previous is None:
        which = "aucune diffusion" if automatic else "aucune diffusion nommée"
        return [
            f"**Première publication** : {which} n'a été écrite avant celle-ci à partir d'un "
            "instantané plus ancien ; il n'y a rien à comparer.",
        ]
    lines = [
        f"Diffusion précédente : `{previous.name}` (instantané publié le "
        f"{french_date(previous.created.date())}). La comparaison porte sur les fichiers des deux "
        "diffusions, rien d'autre.",
        "",
    ]

    def listed(names: list[str]) -> str:
        return ", ".join(f"`{n}`" for n in names) if names else "aucune"

    added_columns = [f"{t.name}.{c}" for t in changes.tables for c in t.columns_added]
    removed_columns = [f"{t.name}.{c}" for t in changes.tables for c in t.columns_removed]
    lines += [
        f"- Tables ajoutées : {listed(changes.tables_added)}.",
        f"- Tables retirées : {listed(changes.tables_removed)}.",
        f"- Colonnes ajoutées : {listed(added_columns)}.",
        f"- Colonnes retirées : {listed(removed_columns)}.",
    ]
    retyped = [
        f"`{t.name}.{c}` ({before} → {after})"
        for t in changes.tables
        for c, before, after in t.types_changed
    ]
    if retyped:
        lines.append(f"- Colonnes dont le type a changé : {', '.join(retyped)}.")
    lines += ["", "| Table | Lignes avant | Lignes après | Écart |", "|---|---:|---:|---:|"]
    for t in changes.tables:
        before = _rows(t.rows_before) if t.before else "absente"
        after = _rows(t.rows_after) if t.after else "absente"
        gap = ""
        if t.rows_before is not None and t.rows_after is not None:
            difference = t.rows_after - t.rows_before
            gap = ("+" if difference > 0 else "") + number(difference)
        lines.append(f"| `{t.name}` | {before} | {after} | {gap} |")
    lines.append("")
    if changes.indicators is None:
        lines.append(
            "Les valeurs des indicateurs ne peuvent pas être comparées : l'une des deux "
            "diffusions n'a pas de table `indicateurs` lisible."
        )
    elif not changes.indicators:
        lines.append("Aucune valeur publiée d'un indicateur n'a changé.")
    else:
        count = len(changes.indicators)
        lines += [
            f"{number(count)} indicateur{'s ont' if count > 1 else ' a'} au moins une valeur "
            "publiée différente (comparaison cellule par cellule de `csv/indicateurs.csv` : même "
            "indicateur, période, niveau et code). « secret » : valeur masquée par le secret "
            "statistique (vide dans les fichiers) ; « – » : pas de valeur (taux sur aucun "
            "jeune) ; « non atteint » : délai dont la médiane ou le quartile n'est pas encore "
            "atteint.",
            "",
            "| Indicateur | Valeurs modifiées | Cellules ajoutées | Cellules retirées | "
            "Devenues secrètes | Devenues diffusables | France, ensemble : avant → après |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for i in changes.indicators:
            before, after = (v or "aucune ligne" for v in (i.national_avant, i.national_apres))
            national = f"{before} → {after}"
            lines.append(
                f"| {_cell(i.libelle)} (`{i.indicateur}`) | {number(i.modifiees)} | "
                f"{number(i.ajoutees)} | {number(i.retirees)} | {number(i.masquees)} | "
                f"{number(i.diffusees)} | {national} |"
            )
    return lines


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _python_codes(tables: list[WrittenTable]) -> list[str]:
    return [
        "# Colonnes de codes, à lire comme du texte : « 04 » ne doit pas devenir 4.",
        "CODES = {",
        *[f'    "{w.table.name}": [{_quoted(w.codes)}],' for w in tables],
        "}",
    ]


def _example(tables: list[WrittenTable]) -> str:
    """The table the snippets read as an example: the first one with codes."""
    return next((w.table.name for w in tables if w.codes), tables[0].table.name)


def python_polars(tables: list[WrittenTable]) -> str:
    """Python (polars): read any table of the release with its codes as text."""
    example = _example(tables)
    return "\n".join(
        [
            "import polars as pl",
            "",
            'DOSSIER = "."  # le dossier de cette diffusion',
            *_python_codes(tables),
            "",
            "",
            "def lire(table: str) -> pl.DataFrame:",
            '    """Une table de la diffusion : codes en texte, dates en dates."""',
            "    return pl.read_csv(",
            '        f"{DOSSIER}/csv/{table}.csv",',
            "        schema_overrides={colonne: pl.String for colonne in CODES[table]},",
            "        infer_schema_length=None,",
            "        try_parse_dates=True,",
            "    )",
            "",
            "",
            f'{example} = lire("{example}")',
            f"print({example}.head())",
        ]
    )


def python_pandas(tables: list[WrittenTable]) -> str:
    """Python (pandas): the same, with only an empty cell read as missing."""
    example = _example(tables)
    return "\n".join(
        [
            "import pandas as pd",
            "",
            'DOSSIER = "."  # le dossier de cette diffusion',
            *_python_codes(tables),
            "",
            "",
            "def lire_pandas(table: str) -> pd.DataFrame:",
            '    """Une table de la diffusion : codes en texte ; seule une cellule vide manque."""',
            "    return pd.read_csv(",
            '        f"{DOSSIER}/csv/{table}.csv",',
            '        dtype={colonne: "string" for colonne in CODES[table]},',
            "        keep_default_na=False,",
            '        na_values=[""],',
            "    )",
            "",
            "",
            f'{example} = lire_pandas("{example}")',
            f"print({example}.head())",
        ]
    )


def r_readr(tables: list[WrittenTable]) -> str:
    """R (readr): the same with ``col_character()`` for the codes."""
    example = _example(tables)
    codes = [
        f"  {w.table.name} = " + (f"c({_quoted(w.codes)})" if w.codes else "character(0)")
        for w in tables
    ]
    codes = [line + "," for line in codes[:-1]] + codes[-1:]
    return "\n".join(
        [
            "library(readr)",
            "",
            'dossier <- "."  # le dossier de cette diffusion',
            "# Colonnes de codes, à lire comme du texte : « 04 » ne doit pas devenir 4.",
            "codes <- list(",
            *codes,
            ")",
            "",
            "lire <- function(table) {",
            "  texte <- rep(list(col_character()), length(codes[[table]]))",
            "  names(texte) <- codes[[table]]",
            "  read_csv(",
            '    file.path(dossier, "csv", paste0(table, ".csv")),',
            "    col_types = do.call(cols, c(texte, list(.default = col_guess()))),",
            '    na = "",',
            "    guess_max = Inf",
            "  )",
            "}",
            "",
            f'{example} <- lire("{example}")',
            f"print({example})",
        ]
    )


def _reading(tables: list[WrittenTable]) -> list[str]:
    lines = [
        "Plusieurs colonnes contiennent des codes écrits en chiffres : code d'académie, SIRET, "
        "division CPV, codes et libellés des niveaux, années. Lues avec les réglages par défaut "
        "(polars, pandas, readr ou un tableur), elles deviennent des nombres et perdent leurs "
        "zéros initiaux : le code d'académie « 04 » devient 4, un SIRET s'affiche en notation "
        "scientifique. Les fichiers Parquet gardent les types : c'est le plus sûr. Pour les "
        "fichiers CSV, lisez comme du texte les colonnes suivantes (relevées dans cette "
        "diffusion : toute colonne de texte dont une valeur n'est faite que de chiffres).",
        "",
        "| Table | Colonnes à lire comme du texte |",
        "|---|---|",
    ]
    for written in tables:
        names = ", ".join(f"`{c}`" for c in written.codes) or "aucune"
        lines.append(f"| `{written.table.name}` | {names} |")
    lines += [
        "",
        "Les CSV sont en UTF-8, séparés par des virgules, avec un point décimal, des dates "
        "AAAA-MM-JJ, `true` / `false` pour les booléens ; seule une cellule vide est une valeur "
        "manquante. Lancés depuis le dossier de la diffusion (sinon, changez `DOSSIER`), les "
        'extraits ci-dessous lisent n\'importe quelle table : `lire("indicateurs")`.',
        "",
        "Python, avec polars :",
        "",
        "<!-- lecture-polars -->",
        "```python",
        python_polars(tables),
        "```",
        "",
        "Python, avec pandas :",
        "",
        "<!-- lecture-pandas -->",
        "```python",
        python_pandas(tables),
        "```",
        "",
        "R, avec readr :",
        "",
        "<!-- lecture-r -->",
        "```r",
        r_readr(tables),
        "```",
        "",
        "Dans un tableur, n'ouvrez pas le fichier CSV d'un double clic : les codes y perdraient "
        "leurs zéros. Importez-le en déclarant les colonnes ci-dessus en texte :",
        "",
        "- LibreOffice Calc : Fichier › Ouvrir, jeu de caractères « Unicode (UTF-8) », séparateur "
        "« Virgule », langue « Anglais (États-Unis) » (pour le point décimal) ; sélectionnez "
        "chacune de ces colonnes et choisissez le type « Texte ».",
        "- Excel : Données › À partir d'un fichier texte/CSV, origine « 65001 : Unicode "
        "(UTF-8) », délimiteur « Virgule », puis « Transformer les données » : pour chacune de "
        "ces colonnes, Type de données › Texte (et, pour les nombres décimaux, Utiliser les "
        "paramètres régionaux › Anglais (États-Unis)).",
    ]
    return lines


def readme(
    context: Context,
    tables: list[WrittenTable],
    changes: Changes,
    contact: Contact,
    *,
    automatic: bool,
) -> str:
    """The release's ``README.md``, in French."""
    publication = context.publication
    observed = french_date(publication["date_observation"])
    published = french_date(publication["published_at"].date())
    lines = [f"# {TITLE} : diffusion {context.name}", ""]
    if publication["donnees_synthetiques"]:
        lines += [
            "> **Données de démonstration** : ces fichiers sont synthétiques et ne décrivent "
            "aucun jeune ni aucun marché réel.",
            "",
        ]
    sections = [
        ("ce-que-c-est", "Ce que c'est"),
        ("couverture", "Couverture"),
        ("fichiers", "Fichiers"),
        ("secret", "Ce qui est masqué, et pourquoi"),
        ("licence", "Licence"),
        ("citer", "Citer cette diffusion"),
        ("contact", "Contact"),
        ("changements", "Changements depuis la diffusion précédente"),
        ("lire", "Lire les fichiers sans perdre les codes"),
        ("verifier", "Vérifier l'intégrité"),
    ]
    lines += [
        f"Producteur : {contact.nom}.",
        "",
        "Sommaire : " + " · ".join(f"[{title}](#{anchor})" for anchor, title in sections) + ".",
    ]

    def section(anchor: str) -> list[str]:
        return ["", f'<a id="{anchor}"></a>', f"## {dict(sections)[anchor]}", ""]

    lines += section("ce-que-c-est")
    lines += [
        "La clause sociale de formation sous statut scolaire (CSF) est une clause d'un marché "
        "public : l'entreprise titulaire accueille, pour une période de formation, un jeune sorti "
        "de l'école sans diplôme, qui garde son statut scolaire et que suit la mission de lutte "
        "contre le décrochage scolaire (MLDS) de son académie (parcours solidaire de formation). "
        "Cette diffusion décrit l'activation de ces clauses, de la notification du marché au "
        "début d'un parcours, et le devenir des jeunes accueillis, comparés à des jeunes suivis "
        "par la MLDS sans parcours.",
        "",
        f"- Diffusion (version) : `{context.name}`.",
        f"- Instantané de l'entrepôt : `{publication['snapshot_id']}`, publié le {published}.",
        f"- Date d'observation : {observed}. Les événements postérieurs ne comptent pas ; une "
        "situation à 3, 6 ou 12 mois dont l'horizon n'est pas atteint à cette date est vide.",
        "",
        "Sources :",
        "",
        "| Source | Fichiers retenus | Lignes retenues | Dernier fichier reçu le |",
        "|---|---:|---:|---|",
    ]
    for s in context.sources:
        lines.append(
            f"| {SOURCES.get(s['source'], s['source'])} | {number(s['fichiers'])} | "
            f"{number(s['lignes'])} | {french_date(s['recu_le'])} |"
        )
    if not context.sources:
        lines.append("| aucune | | | |")
    lines += section("couverture")
    indicator_rows = sum(w.rows for w in tables if w.table.name == "indicateurs")
    lines.append(f"- Années des indicateurs : {_years(context, indicator_rows)}")
    lines.append(f"- Académies présentes dans les indicateurs : {_academies(context)}")
    dated = [(what, first, last) for what, (first, last) in context.periods.items() if first]
    for what, first, last in dated:
        lines.append(f"- {what} : de {first} à {last}.")
    if not dated:
        lines.append("- Aucun marché, parcours ni entrée à la MLDS daté dans ces données.")
    lines.append("- Lignes de chaque fichier : voir [Fichiers](#fichiers).")

    lines += section("fichiers")
    lines += [
        "Chaque table est fournie deux fois, aux mêmes lignes : en CSV et en Parquet. Le "
        "dictionnaire des données décrit chaque colonne.",
        "",
        "| Fichier | Contenu | Lignes |",
        "|---|---|---:|",
    ]
    lines += [f"| `{path}` | {_cell(what)} | {rows} |" for path, what, rows in _files(tables)]

    lines += section("secret")
    open_tables = [w for w in tables if not w.table.microdata]
    microdata = [w for w in tables if w.table.microdata]
    hidden = [w for w in tables if w.hidden]
    lines += [
        "Les tables agrégées sur les jeunes appliquent le secret statistique. Le tableau de bord "
        "et les rapports montrent une valeur masquée par la marque « secret », avec cette "
        "légende :",
        "",
        f"> {LEGENDE_SECRET}",
        "",
        "Dans ces fichiers, une valeur masquée est vide et sa ligne porte `diffusable` à `false` ; "
        "aucune colonne ne dit quelle règle l'a masquée (le dire permettrait de la retrouver). "
        "Une cellule vide sur une ligne où `diffusable` vaut `true` n'est pas masquée : elle n'a "
        "pas de valeur (un taux sur aucun jeune, un horizon non atteint). Les données de la "
        "commande publique (marchés, acheteurs, titulaires, montants) sont des données ouvertes "
        "et ne sont pas masquées.",
        "",
    ]
    if hidden:
        lines += ["| Table | Lignes | Lignes masquées |", "|---|---:|---:|"]
        lines += [f"| `{w.table.name}` | {number(w.rows)} | {number(w.hidden)} |" for w in hidden]
    else:
        lines.append("Aucune ligne n'est masquée dans cette diffusion.")
    lines += [
        "",
        f"Les microdonnées ({', '.join(f'`{w.table.name}`' for w in microdata)}) sont "
        f"k-anonymes (k = {K_ANONYMITY}) : chaque combinaison de sexe, tranche d'âge, académie et "
        "année d'entrée à la MLDS y concerne au moins "
        f"{K_ANONYMITY} jeunes ; l'académie d'un enregistrement trop rare est remplacée par sa "
        "région académique, puis les enregistrements encore isolés sont retirés. Les "
        "identifiants sont recodés pour cette seule diffusion ; les dates sont au mois, l'âge "
        "par tranche ; ni la clause, ni l'acheteur, ni l'entreprise d'accueil d'un parcours ne "
        "sont diffusés. Aucune donnée directement identifiante (INE, nom, contact, date de "
        "naissance) n'est diffusée. Le détail, table par table, est dans `notes-de-version.md`.",
    ]

    lines += section("licence")
    lines += [
        f"Les tables {', '.join(f'`{w.table.name}`' for w in open_tables)} sont diffusées sous "
        f"la **{OPEN_LICENCE['title']}** d'Etalab ({OPEN_LICENCE['path']}), la licence que "
        "l'État applique par défaut à ses données publiques ouvertes (l'une des licences fixées "
        "par le décret n° 2017-638 du 27 avril 2017). Elle permet de les réutiliser librement, y "
        "compris à des fins commerciales, en mentionnant leur source (le producteur et la "
        "diffusion, voir [Citer cette diffusion](#citer)) et la date de leur dernière mise à "
        "jour. Elle est aussi déclarée pour chacun de ces fichiers dans `datapackage.json` "
        f"(`licenses` : `{OPEN_LICENCE['name']}`).",
        "",
        "Les microdonnées "
        f"({', '.join(f'`{w.table.name}`' for w in microdata)}) ne sont pas sous licence "
        f"ouverte. {RESTRICTED_MICRODATA}",
    ]

    lines += section("citer")
    lines += [
        f"> {contact.nom}. *{TITLE}*, diffusion {context.name} (instantané "
        f"{publication['snapshot_id']}, date d'observation {observed}). "
        f"{publication['published_at'].year}.",
        "",
        "Les mêmes informations, pour les logiciels de gestion bibliographique, sont dans "
        "`CITATION.cff`. Citez la diffusion par son nom de version : une autre diffusion peut "
        "donner d'autres valeurs.",
    ]

    lines += section("contact")
    phone = f", {contact.telephone}" if contact.telephone else ""
    lines += [
        f"{contact.nom} : {contact.courriel}{phone} (boîte de l'équipe). Écrivez-y pour une "
        "question sur ces données, une erreur constatée ou une demande d'accès aux "
        "microdonnées ; citez le nom de la diffusion.",
    ]

    lines += section("changements")
    lines += _changes(changes, automatic)

    lines += section("lire")
    lines += _reading(tables)

    lines += section("verifier")
    lines += [
        "Depuis le dossier de la diffusion : la première commande vérifie l'empreinte de chaque "
        "fichier, la seconde (outil `frictionless`) chaque fichier de données contre son schéma.",
        "",
        "```sh",
        "sha256sum -c SHA256SUMS",
        "frictionless validate datapackage.json",
        "```",
    ]
    return "\n".join(lines) + "\n"


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def citation(context: Context, contact: Contact) -> str:
    """``CITATION.cff`` (Citation File Format 1.2.0) of the release.

    No ``license`` key: the format takes one licence for the whole work, and this release's
    microdata are not under the open licence of the other tables (the abstract says which)."""
    publication = context.publication
    entity = [f"  - name: {_yaml(contact.nom)}", f"    email: {_yaml(contact.courriel)}"]
    if contact.telephone:
        entity.append(f"    tel: {_yaml(contact.telephone)}")
    synthetic = (
        " DONNÉES DE DÉMONSTRATION (synthétiques) : elles ne décrivent aucun jeune ni aucun "
        "marché réel."
        if publication["donnees_synthetiques"]
        else ""
    )
    abstract = (
        "Activation des clauses sociales de formation des marchés publics et devenir des jeunes "
        "accueillis en parcours solidaire de formation, comparés aux jeunes suivis par la MLDS "
        f"sans parcours. Instantané {publication['snapshot_id']}, date d'observation "
        f"{french_date(publication['date_observation'])}. Tables agrégées et données de la "
        f"commande publique sous {OPEN_LICENCE['title']} ({OPEN_LICENCE['name']}) ; "
        "microdonnées non ouvertes, transmises sous convention. Voir README.md." + synthetic
    )
    lines = [
        "cff-version: 1.2.0",
        "message: "
        + _yaml(
            "Pour citer ces données, utilisez les informations de ce fichier (voir aussi la "
            "section « Citer cette diffusion » de README.md)."
        ),
        "type: dataset",
        f"title: {_yaml(TITLE)}",
        f"version: {_yaml(context.name)}",
        f"date-released: {_yaml(publication['published_at'].date().isoformat())}",
        f"abstract: {_yaml(abstract)}",
        "authors:",
        *entity,
        "contact:",
        *entity,
        "keywords:",
        *[
            f"  - {_yaml(k)}"
            for k in (
                "clause sociale de formation",
                "parcours solidaire de formation",
                "décrochage scolaire",
                "MLDS",
                "commande publique",
            )
        ],
    ]
    return "\n".join(lines) + "\n"
