"""Label variants (issue 20, point 4): one reviewed mapping file per vocabulary, hours written in
words, and unknown labels quarantined with the label in their rule."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest import parsing as p
from pipelines.ingest.csv_reader import (
    LABEL_IN_RULE_MAX,
    LABELS_IN_RULES,
    OTHER_LABELS,
    UNREADABLE_LABEL,
    detect_separator,
    parse_records,
    read_csv_export,
)
from pipelines.ingest.sources import (
    CSF_CLAUSES,
    CSV_SOURCES,
    MLDS_JEUNES,
    MLDS_PARCOURS,
    MLDS_SUIVIS,
    VOCABULARIES_DIR,
    VOCABULARY_CODES,
    CsvSource,
    vocabulary,
    vocabulary_variants,
)
from tests.conftest import SAMPLE, csf, status

KEY = b"k" * 32
TODAY = date.today()

# Each label column of the contract and the vocabulary it reads.
LABEL_COLUMNS = {
    ("csf_clauses", "type_acheteur"): "types_acheteur",
    ("mlds_jeunes", "sexe"): "sexes",
    ("mlds_jeunes", "source_reperage"): "sources_reperage",
    ("mlds_jeunes", "action_mlds"): "actions_mlds",
    ("mlds_jeunes", "situation_sortie"): "situations",
    ("mlds_parcours", "statut"): "statuts_parcours",
    ("mlds_suivis", "horizon"): "horizons",
    ("mlds_suivis", "situation"): "situations",
}


def key(libelle: str) -> str:
    """A variant as it is matched: normalised, `` *`` kept for a prefix variant."""
    prefix = libelle.endswith(p.LABEL_PREFIX)
    return p.normalise_label(libelle.removesuffix(p.LABEL_PREFIX)) + (" *" if prefix else "")


def mapped(labels: dict[str, str], cells: list[str]) -> list[str | None]:
    frame = pl.DataFrame({"v": cells}, schema={"v": pl.String})
    return frame.select(p.map_labels(pl.col("v"), labels).alias("v"))["v"].to_list()


# --- The mapping files ------------------------------------------------------------------------


def test_every_label_column_reads_one_vocabulary_and_every_vocabulary_has_its_file():
    found = {(s.name, c.name) for s in CSV_SOURCES.values() for c in s.columns if c.kind == "label"}
    assert found == set(LABEL_COLUMNS)
    for (source, column), name in LABEL_COLUMNS.items():
        assert CSV_SOURCES[source].column(column).labels == vocabulary(name), (source, column)
    files = {path.stem for path in VOCABULARIES_DIR.glob("*")}
    assert files == set(VOCABULARY_CODES) == set(LABEL_COLUMNS.values())


@pytest.mark.parametrize("name", sorted(VOCABULARY_CODES))
def test_a_mapping_file_is_reviewable(name: str):
    """Codes of the contract only, one line per matched variant, sorted by code then variant,
    every refusal with its reason, every code with a variant."""
    path = VOCABULARIES_DIR / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == "libelle;code;note" and lines[-1] == "", "header, final newline"
    assert all(line == line.strip() and line for line in lines[:-1]), "no blank or padded line"
    variants = vocabulary_variants(name)
    codes = VOCABULARY_CODES[name]
    for v in variants:
        assert v.libelle == v.libelle.strip() and key(v.libelle).strip(" *"), v
        assert v.code in codes or v.code == "", f"{v.libelle!r}: {v.code!r} is not a code"
        assert v.code or v.note.startswith("refusé : "), f"{v.libelle!r}: refused, say why"
    order = [(v.code == "", v.code, key(v.libelle)) for v in variants]
    assert order == sorted(order), "sorted: mapped by code then variant, refused last"
    keys = [key(v.libelle) for v in variants]
    assert len(keys) == len(set(keys)), "a variant (normalised) is on one line only"
    assert {v.code for v in variants if v.code} == codes, "every code has its French label"


@pytest.mark.parametrize("name", sorted(VOCABULARY_CODES))
def test_no_label_is_matched_by_two_codes(name: str):
    """Exact variants, prefix variants and the codes themselves never overlap across codes,
    and a refused variant is matched by nothing."""
    variants = vocabulary_variants(name)
    exact = {p.normalise_label(c): c for c in VOCABULARY_CODES[name]}
    prefixes: dict[str, str] = {}
    for v in (v for v in variants if v.code):
        if v.libelle.endswith(p.LABEL_PREFIX):
            prefixes[key(v.libelle).removesuffix(" *")] = v.code
        else:
            assert exact.setdefault(key(v.libelle), v.code) == v.code, v
    for label, code in exact.items():
        for prefix, other in prefixes.items():
            assert not (label.startswith(prefix + " ") and other != code), (label, prefix)
    for prefix, code in prefixes.items():
        for longer, other in prefixes.items():
            assert not (longer.startswith(prefix + " ") and other != code), (prefix, longer)
    refused = [v.libelle for v in variants if not v.code]
    assert mapped(vocabulary(name), refused) == [None] * len(refused)


@pytest.mark.parametrize("name", sorted(VOCABULARY_CODES))
def test_every_variant_maps_to_its_code_as_typed(name: str):
    """As written in the file, in capitals, and (prefix variants) followed by a name."""
    labels = vocabulary(name)
    cells, expected = [], []
    for v in vocabulary_variants(name):
        if not v.code:
            continue
        written = v.libelle.removesuffix(p.LABEL_PREFIX)
        if v.libelle.endswith(p.LABEL_PREFIX):
            written += " de Saint-Étienne-du-Rouvray"
        cells += [written, written.upper(), f"  {written}. "]
        expected += [v.code] * 3
    codes = sorted(VOCABULARY_CODES[name])
    assert mapped(labels, cells + codes) == expected + codes


# Variants an operator writes, by vocabulary: the reading, or None when it is refused.
TYPED = [
    ("types_acheteur", "Collectivité", "autre"),
    ("types_acheteur", "collectivité territoriale", "autre"),
    ("types_acheteur", "COMMUNE", "autre"),
    ("types_acheteur", "Commune de Rouen", "autre"),
    ("types_acheteur", "Région", "autre"),
    ("types_acheteur", "Département", "autre"),
    ("types_acheteur", "Conseil départemental de la Gironde", "autre"),
    ("types_acheteur", "EPLE", "etablissement"),
    ("types_acheteur", "lycée", "etablissement"),
    ("types_acheteur", "Lycée professionnel Jean Moulin", "etablissement"),
    ("types_acheteur", "Collège", "etablissement"),
    ("types_acheteur", "Rectorat de Lyon", "rectorat"),
    ("types_acheteur", "Rectorat de l'académie de Créteil", "rectorat"),
    ("types_acheteur", "Région académique Normandie", "rectorat"),
    ("types_acheteur", "MENJ", "administration_centrale"),
    ("types_acheteur", "Ministère de l'Éducation nationale", "administration_centrale"),
    ("types_acheteur", "administration_centrale", "administration_centrale"),
    ("types_acheteur", "Ministère", None),
    ("types_acheteur", "Ministère des Armées", None),
    ("types_acheteur", "DSDEN", None),
    ("types_acheteur", "Académie", None),
    ("types_acheteur", "Université", None),
    ("types_acheteur", "Établissement public", None),
    ("types_acheteur", "Régional", None),
    ("statuts_parcours", "Terminé", "termine"),
    ("statuts_parcours", "achevé", "termine"),
    ("statuts_parcours", "Abandon", "interrompu"),
    ("statuts_parcours", "interrompu", "interrompu"),
    ("statuts_parcours", "En cours", "en_cours"),
    ("statuts_parcours", "Signée", "convention_signee"),
    ("statuts_parcours", "Convention signée", "convention_signee"),
    ("statuts_parcours", "non commencé", "non_commence"),
    ("statuts_parcours", "Suspendu", None),
    ("statuts_parcours", "Convention", None),
    ("statuts_parcours", "Annulé", None),
    ("situations", "Retour en formation initiale", "retour_formation_initiale"),
    ("situations", "Scolarité", "retour_formation_initiale"),
    ("situations", "Rescolarisée", "retour_formation_initiale"),
    ("situations", "contrat pro", "contrat_professionnalisation"),
    ("situations", "E2C", "formation_professionnelle"),
    ("situations", "CDI", "emploi"),
    ("situations", "CEJ", "autre_accompagnement"),
    ("situations", "Injoignable", "perdu_de_vue"),
    ("situations", "Reprise d'études", None),
    ("situations", "Alternance", None),
    ("situations", "Déménagé", None),
    ("situations", "En attente", None),
    ("horizons", "M+3", "3_mois"),
    ("horizons", "3M", "3_mois"),
    ("horizons", "à 3 mois", "3_mois"),
    ("horizons", "trois mois", "3_mois"),
    ("horizons", "Sortie", "sortie"),
    ("horizons", "Fin de parcours", "sortie"),
    ("horizons", "À six mois", "6_mois"),
    ("horizons", "1 an", "12_mois"),
    ("horizons", "18 mois", None),
    ("sexes", "F", "F"),
    ("sexes", "Fille", "F"),
    ("sexes", "2", "F"),
    ("sexes", "garçon", "M"),
    ("sexes", "1", "M"),
    ("sexes", "H", "M"),
    ("sexes", "Inconnu", None),
    ("sexes", "3", None),
    ("sources_reperage", "Plate-forme de suivi et d'appui aux décrocheurs", "psad"),
    ("sources_reperage", "Spontanée", "spontane"),
    ("sources_reperage", "liste SIEI", "siei"),
    ("sources_reperage", "Mission locale", None),
    ("actions_mlds", "CSF", "parcours_csf"),
    ("actions_mlds", "Remobilisation", "module_remobilisation"),
    ("actions_mlds", "MOREA", "preparation_diplome"),
    ("actions_mlds", "Stage", None),
]


@pytest.mark.parametrize(("name", "cell", "expected"), TYPED)
def test_typed_variants(name: str, cell: str, expected: str | None):
    assert mapped(vocabulary(name), [cell]) == [expected]


# --- Hours in words ---------------------------------------------------------------------------

# (column, cell, value or rule prefix)
HOURS_IN_WORDS = [
    ("heures_parcours", "cent cinquante", 150),
    ("heures_parcours", "Cent-cinquante", 150),
    ("heures_parcours", "CENT CINQUANTE", 150),
    ("heures_parcours", "trois cents", 300),
    ("heures_parcours", "quatre cent cinquante", 450),
    ("heures_parcours", "quatre cents cinquante", 450),  # a slip with one reading
    ("heures_parcours", "neuf cents", 900),
    ("heures_parcours", "cent cinquante heures", 150),
    ("heures_parcours", "cent cinquante h", 150),
    ("heures_parcours", "150 heures", 150),
    ("heures_prevues", "mille deux cents", 1200),
    ("heures_prevues", "quatre-vingt-dix", 90),
    ("heures_prevues", "soixante et onze", 71),
    ("heures_prevues", "nonante", 90),
    ("heures_realisees", "vingt et une", 21),
    ("heures_realisees", "zéro", 0),
    ("heures_parcours", "cent cinquante et quelque", "nombre_invalide"),
    ("heures_parcours", "beaucoup", "nombre_invalide"),
    ("heures_parcours", "cent cent", "nombre_invalide"),
    ("heures_parcours", "deux trois", "nombre_invalide"),
    ("heures_parcours", "vingt un", "nombre_invalide"),
    ("heures_parcours", "cent cinquante euros", "nombre_invalide"),
    ("heures_parcours", "environ cent cinquante", "nombre_invalide"),
    ("heures_parcours", "heures", "nombre_invalide"),
    ("heures_parcours", "150 cinquante", "nombre_invalide"),
    ("age_entree", "dix-sept", 17),
    ("age_entree", "dix-sept heures", "nombre_invalide"),  # a unit of hours columns only
]


@pytest.mark.parametrize(("column", "cell", "expected"), HOURS_IN_WORDS)
def test_hours_in_words(column: str, cell: str, expected: int | str):
    frame = pl.DataFrame({column: [cell]}, schema={column: pl.String})
    value, rule = frame.select(
        p.parse_integer(pl.col(column)).alias("value"),
        p.number_rule(pl.col(column), column, integer=True).alias("rule"),
    ).row(0)
    if isinstance(expected, str):
        assert (value, rule) == (None, f"{expected}:{column}")
    else:
        assert (value, rule) == (expected, None)


def test_amounts_are_never_read_from_words():
    frame = pl.DataFrame({"montant_previsionnel_ht": ["cent mille"]})
    assert frame.select(p.parse_decimal(pl.col("montant_previsionnel_ht"))).item() is None
    assert (
        frame.select(
            p.number_rule(pl.col("montant_previsionnel_ht"), "montant_previsionnel_ht")
        ).item()
        == "nombre_invalide:montant_previsionnel_ht"
    )


def test_every_spelling_reads_back_to_its_number_and_to_no_other():
    seen: dict[str, int] = {}
    for n in [*range(0, 2_000), 9_999, 80_000, 171_171, p.MAX_NUMBER_WORDS]:
        for spelling in p.french_number_spellings(n):
            assert p.french_number(spelling) == n, spelling
            assert seen.setdefault(spelling, n) == n, spelling
    assert p.french_number("un million") is None


def test_words_are_read_once_per_distinct_cell_and_never_for_digits():
    cells = ["150", "300 h", "cent cinquante", "trois cents", "x"] * 20_000
    frame = pl.DataFrame({"heures_parcours": cells})
    p.french_number.cache_clear()
    out = frame.select(p.parse_integer(pl.col("heures_parcours")).alias("v"))["v"]
    assert out.head(5).to_list() == [150, 300, 150, 300, None]
    assert out.null_count() == 20_000
    # Python saw the three distinct cells with letters and no digit, nothing else.
    assert p.french_number.cache_info().misses == 3


# --- Unknown labels in the rule ---------------------------------------------------------------

SUIVIS_HEADER = "ine;id_parcours;date_observation;horizon;situation\r\n"


def suivis(rows: list[tuple[str, str]]) -> bytes:
    """An MLDS follow-up export with one row per (horizon, situation), distinct youths."""
    lines = [
        f"{100000000 + i:09d}AB;P{i:06d};05/01/2025;{horizon};{situation}\r\n"
        for i, (horizon, situation) in enumerate(rows)
    ]
    return (SUIVIS_HEADER + "".join(lines)).encode("utf-8")


def test_an_unknown_label_is_quarantined_with_the_label_in_its_rule():
    long_label = "Situation décrite longuement par l'opératrice du service"
    data = suivis(
        [
            ("M+3", "Rescolarisé"),
            ("18 mois", "Emploi"),
            ("Sortie", "Déménagé"),
            ("Sortie", "Déménagé !"),
            ("3 mois", "rappeler le 06 12 34 56 78"),
            ("3 mois", "dossier 2024-001234"),
            ("3 mois", long_label),
            ("3 mois", "???"),
        ]
    )
    load = read_csv_export(data, MLDS_SUIVIS, KEY, TODAY)
    assert load.clean.select("horizon", "situation").rows() == [
        ("3_mois", "retour_formation_initiale")
    ]
    rules = load.quarantine["rule"].to_list()
    truncated = p.normalise_label(long_label)[: LABEL_IN_RULE_MAX - 1] + "…"
    assert rules == [
        "libelle_inconnu:horizon:18 mois",
        "libelle_inconnu:situation:demenage",
        "libelle_inconnu:situation:demenage",
        "libelle_inconnu:situation:rappeler le telephone masque",
        "libelle_inconnu:situation:dossier #",
        f"libelle_inconnu:situation:{truncated}",
        f"libelle_inconnu:situation:{UNREADABLE_LABEL}",
    ]
    assert len(truncated) == LABEL_IN_RULE_MAX
    # The record keeps the cell (identifier-masked) as the reader saw it.
    assert json.loads(load.quarantine["record"][3])["situation"] == "rappeler le [téléphone masqué]"
    assert "1234" not in "".join(rules)


def test_the_most_frequent_unknown_labels_are_named_the_others_grouped():
    rows = [("Sortie", f"Inconnue {chr(97 + i)}") for i in range(LABELS_IN_RULES + 5)]
    rows += [("Sortie", "Inconnue z")] * 3  # the most frequent: named whatever its letter
    load = read_csv_export(suivis(rows), MLDS_SUIVIS, KEY, TODAY)
    counts = load.quarantine.group_by("rule").len()
    by_rule = dict(zip(counts["rule"], counts["len"], strict=True))
    assert len(by_rule) == LABELS_IN_RULES + 1
    assert by_rule["libelle_inconnu:situation:inconnue z"] == 3
    assert by_rule[f"libelle_inconnu:situation:{OTHER_LABELS}"] == 6
    assert sum(by_rule.values()) == len(rows)


def test_a_missing_required_label_is_still_a_missing_value():
    load = read_csv_export(suivis([("Sortie", "")]), MLDS_SUIVIS, KEY, TODAY)
    assert load.quarantine["rule"].to_list() == ["valeur_manquante:situation"]


# --- End to end -------------------------------------------------------------------------------


def rewrite(path: Path, source: CsvSource, change) -> tuple[bytes, int]:
    """The export at ``path`` with only the rows its reader keeps, ``change(row, col)`` applied
    to each (``col(name)`` the cell index of a canonical column), in the file's own encoding,
    separator and line ends: the bytes and the number of rows."""
    original = path.read_bytes()
    load = read_csv_export(original, source, KEY, TODAY)
    kept = set(load.clean["_line_number"].to_list())
    text = original.decode(load.encoding)
    header, records, lines = parse_records(text, detect_separator(text))
    names = [p.normalise_column_name(h) for h in header]
    mapping = source.header_map()

    def col(name: str) -> int:
        return next(i for i, n in enumerate(names) if mapping.get(n, n) == name)

    out = io.StringIO()
    newline = "\r\n" if "\r\n" in text[:2000] else "\n"
    writer = csv.writer(out, delimiter=load.separator, lineterminator=newline)
    writer.writerow(header)
    rows = [r for r, line in zip(records, lines, strict=True) if line in kept]
    for i, record in enumerate(rows):
        change(i, record, col)
        writer.writerow(record)
    return out.getvalue().encode(load.encoding), len(rows)


# Register rows rewritten with variants: (type typed, hours typed) → (type, hours) read.
REGISTER_VARIANTS = [
    (("Collectivité", None), "autre", None),
    (("collectivité territoriale", "cent cinquante"), "autre", 150),
    (("Rectorat de Lyon", "trois cents"), "rectorat", 300),
    (("Lycée Jean Moulin", "quatre cent cinquante"), "etablissement", 450),
    ((None, "neuf cents"), None, 900),
]
MLDS_VARIANTS = {
    "sexe": {"f": "Fille", "m": "1"},
    "statut": {"termine": "Achevé", "en cours": "Démarré", "interrompu": "Abandon"},
    "horizon": {"3 mois": "M+3", "6 mois": "à six mois", "12 mois": "1 an"},
    "situation": {"retour en formation initiale": "Rescolarisé", "emploi": "CDI"},
}


def with_variants(i: int, record: list[str], col) -> None:
    for column, variants in MLDS_VARIANTS.items():
        try:
            j = col(column)
        except StopIteration:
            continue
        record[j] = variants.get(p.normalise_label(record[j]), record[j])
    try:
        hours = col("heures_prevues")
    except StopIteration:
        return
    if i % 2 and record[hours] == "150":
        record[hours] = "cent cinquante"


@pytest.mark.slow
def test_csf_run_loads_label_variants_and_hours_in_words_clean(tmp_path: Path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    register_rows: dict[str, tuple[str | None, int | None]] = {}

    def register_change(i: int, record: list[str], col) -> None:
        if i < len(REGISTER_VARIANTS):
            (typed, hours), kind, value = REGISTER_VARIANTS[i]
            if typed is not None:
                record[col("type_acheteur")] = typed
            if hours is not None:
                record[col("heures_parcours")] = hours
            register_rows[record[col("id_clause")]] = (kind, value)
        elif i == len(REGISTER_VARIANTS):
            record[col("type_acheteur")] = "DSDEN"  # refused as ambiguous: quarantined
            register_rows[record[col("id_clause")]] = ("quarantined", None)

    data, rows = rewrite(SAMPLE / "registre_clauses_csf.csv", CSF_CLAUSES, register_change)
    (inbox / "registre_variantes.csv").write_bytes(data)
    expected: dict[str, tuple[int, int]] = {"registre_variantes.csv": (rows, rows - 1)}
    for source, kind in (
        (MLDS_JEUNES, "jeunes"),
        (MLDS_PARCOURS, "parcours"),
        (MLDS_SUIVIS, "suivis"),
    ):
        name = f"mlds_31_{kind}_variantes.csv"
        data, rows = rewrite(SAMPLE / f"mlds_31_{kind}.csv", source, with_variants)
        assert data != (SAMPLE / f"mlds_31_{kind}.csv").read_bytes()
        (inbox / name).write_bytes(data)
        expected[name] = (rows, rows)

    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    files = {Path(f["file"]).name: f for f in status(home)["files"]}
    assert {n: (f["rows_read"], f["rows_clean"]) for n, f in files.items()} == expected
    assert files["registre_variantes.csv"]["quarantine_by_rule"] == {
        "libelle_inconnu:type_acheteur:dsden": 1
    }

    with duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True) as con:
        raw = {
            clause: (kind, hours)
            for clause, kind, hours in con.execute(
                "select id_clause, type_acheteur, heures_parcours from raw.csf_clauses"
            ).fetchall()
        }
        statuts = {
            s for (s,) in con.execute("select distinct statut from raw.mlds_parcours").fetchall()
        }
        words = con.execute(
            "select count(*) from raw.mlds_parcours where heures_prevues = 150"
        ).fetchone()[0]
    for clause, (kind, hours) in register_rows.items():
        if kind == "quarantined":
            assert clause not in raw
            continue
        assert kind is None or raw[clause][0] == kind, clause
        assert hours is None or raw[clause][1] == hours, clause
    assert statuts <= VOCABULARY_CODES["statuts_parcours"] and "termine" in statuts
    assert words > 0

    with duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True) as con:
        published = dict(
            con.execute("select clause_id, type_acheteur from marts.fct_clauses").fetchall()
        )
    first = next(iter(register_rows))
    assert published[first] == "autre"  # the "Collectivité" clause is published
