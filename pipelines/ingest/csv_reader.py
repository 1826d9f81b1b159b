"""Reader for the office CSV exports (clause register, MLDS files).

Parsing uses the csv module, which handles quoted separators and newlines, tells the physical line
each record starts on and tolerates ragged rows so they can be quarantined rather than crash the
load. Everything after parsing (privacy, typing, validation) is polars expressions.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.ingest import parsing as p
from pipelines.ingest import plausibility
from pipelines.ingest.errors import FileRejected
from pipelines.ingest.privacy import (
    HEADER_LABELS_KEPT,
    INE_SEPARATORS,
    header_label,
    mask_identifiers,
    pseudonymise,
)
from pipelines.ingest.reference import academie_lookup
from pipelines.ingest.sources import CODE_AUTRE, SYNTHETIC_MARKER, Column, CsvSource
from pipelines.settings import DEFAULTS, Settings

SEPARATORS = (";", ",", "\t")
INE_PATTERN = r"^(\d{10}[A-Z]|\d{9}[A-Z]{2})$"

# No event of the device or of the MLDS follow-up predates 2000: an earlier date is a typing
# error, or a two-digit year read in the wrong century (``15/1/99`` meant for 2099).
EARLIEST_EVENT = date(2000, 1, 1)


# Limits on one file, so a hostile or broken export is refused by name instead of exhausting the
# run's time or memory (each checked in one pass over the file); settings (pipelines.settings):
MAX_LINE_BYTES_ENV = "CSF_MAX_LINE_BYTES"  # longest line (header included) of a CSV export
MAX_HEADER_COLUMNS_ENV = "CSF_MAX_HEADER_COLUMNS"  # widest CSV header
MAX_FILE_MB_ENV = "CSF_MAX_FILE_MB"  # largest file of any kind, in megabytes (10^6 bytes)
MAX_HEADER_NAME_CHARS = 1_000  # longer, a column name is rows swallowed by a stray quote


@dataclass(frozen=True)
class Limits:
    """Per-file limits: ``CSF_MAX_LINE_BYTES``, ``CSF_MAX_HEADER_COLUMNS`` and
    ``CSF_MAX_FILE_MB`` (defaults: pipelines.settings)."""

    line_bytes: int = DEFAULTS.max_line_bytes
    header_columns: int = DEFAULTS.max_header_columns
    file_mb: float = DEFAULTS.max_file_mb

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 1_000_000)

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The limits a run's settings give."""
        return cls(settings.max_line_bytes, settings.max_header_columns, settings.max_file_mb)

    def check_size(self, size: int) -> None:
        if size > self.file_bytes:
            from pipelines.content.formatting import number  # Babel, on a refusal only

            raise FileRejected(
                f"fichier trop volumineux : {number(size / 1e6, 1)} Mo, au-delà de la limite "
                f"de {self.file_mb:g} Mo ({MAX_FILE_MB_ENV})"
            )

    def check_lines(self, data: bytes) -> None:
        """Refuse a line longer than the limit: one ``find`` per line, linear in the file."""
        limit = self.line_bytes
        if len(data) <= limit:
            return
        start, line, end_of_data = 0, 1, len(data)
        while start < end_of_data:
            end = data.find(b"\n", start, start + limit + 1)
            if end < 0:
                if end_of_data - start > limit:
                    raise FileRejected(
                        f"ligne {line} trop longue : plus de {limit} octets, au-delà de la limite "
                        f"{MAX_LINE_BYTES_ENV} (guillemet non fermé ou fichier sans fin de ligne ?)"
                    )
                return
            start, line = end + 1, line + 1

    def check_header(self, header: list[str]) -> None:
        if len(header) > self.header_columns:
            raise FileRejected(
                f"en-tête trop large : {len(header)} colonnes, au-delà de la limite de "
                f"{self.header_columns} ({MAX_HEADER_COLUMNS_ENV})"
            )


def csv_reader(text: str, separator: str, limits: Limits):
    """A csv reader whose field limit is the line limit (Python's own, 128 KB, raised an error
    outside any per-file guard)."""
    csv.field_size_limit(max(limits.line_bytes, 1))
    return csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')


@dataclass
class CsvLoad:
    """What one CSV file gave: typed clean rows, quarantined rows, and how it was read."""

    clean: pl.DataFrame
    quarantine: pl.DataFrame  # columns: line_number, rule, record (JSON text)
    encoding: str
    separator: str
    is_synthetic: bool
    # Columns outside the contract and the source's allow-list, dropped unread: how many, and
    # their headers as ``privacy.header_label`` shows them (at most HEADER_LABELS_KEPT).
    dropped_columns: int = 0
    dropped_labels: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.clean.height + self.quarantine.height


def decode(data: bytes, final: bool = True) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252.

    ``final=False`` for a file's first bytes only: a UTF-8 character cut at their end is left
    out, not read as an error (nor as Windows-1252 text)."""
    if b"\x00" in data[:65536]:
        raise FileRejected("fichier binaire (octets nuls) : ce n'est pas un export CSV")
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    if data.startswith(b"\xef\xbb\xbf"):
        return utf8.decode(data[3:], final), "utf-8-sig"
    try:
        return utf8.decode(data, final), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"encodage non reconnu (ni UTF-8 ni Windows-1252) à l'octet {exc.start}"
        ) from exc


def detect_separator(text: str) -> str:
    """The separator among ``;``, ``,`` and tab that splits the header line into most fields."""
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise FileRejected("séparateur introuvable : l'en-tête n'a qu'une colonne")
    return best


def parse_records(
    text: str, separator: str, limits: Limits | None = None
) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and the physical line each record starts on (header = line 1)."""
    limits = limits or Limits()
    reader = csv_reader(text, separator, limits)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected("fichier vide : aucun en-tête") from None
    except csv.Error as exc:
        raise FileRejected(f"en-tête CSV illisible : {_csv_error(exc, limits)}") from exc
    limits.check_header(header)
    longest = max((len(name) for name in header), default=0)
    if longest > MAX_HEADER_NAME_CHARS:
        # A stray quote in the header swallows the rows after it into one column name.
        raise FileRejected(
            f"en-tête anormal : un nom de colonne de {longest} caractères "
            "(guillemet non fermé dans l'en-tête ?)"
        )
    records: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            if record:  # blank lines are layout, not rows
                records.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected(
            f"CSV illisible vers la ligne {start} : {_csv_error(exc, limits)}"
        ) from exc
    return header, records, lines


def _csv_error(exc: csv.Error, limits: Limits) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"champ de plus de {limits.line_bytes} caractères, au-delà de la limite "
            f"{MAX_LINE_BYTES_ENV} (guillemet non fermé ?)"
        )
    return f"erreur du module csv ({exc})"


def read_csv_export(
    data: bytes, source: CsvSource, key: bytes, load_day: date, limits: Limits | None = None
) -> CsvLoad:
    """Read one export of ``source``: every record ends clean or quarantined, never both.

    Any defect of the file itself (over a limit, undecodable, unparsable) is FileRejected."""
    limits = limits or Limits()
    limits.check_size(len(data))
    limits.check_lines(data)
    text, encoding = decode(data)
    separator = detect_separator(text)
    header, records, lines = parse_records(text, separator, limits)

    names = canonical_header(header, source)
    width = len(names)
    # Columns outside the contract and the allow-list are dropped here, before any cell of them
    # is read into a frame: neither validation, nor the raw table, nor the quarantine sees them.
    kept = keep_columns(names, source)
    dropped = [n for j, n in enumerate(names) if j not in kept]
    ragged = [i for i, r in enumerate(records) if len(r) != width]
    ragged_set = set(ragged)
    good = [r for i, r in enumerate(records) if i not in ragged_set]
    frame = pl.DataFrame(
        {names[j]: [r[j] for r in good] for j in kept}
        | {"_line_number": [lines[i] for i in range(len(records)) if i not in ragged_set]},
        schema={**{names[j]: pl.String for j in kept}, "_line_number": pl.Int64},
    )
    is_synthetic = SYNTHETIC_MARKER in names
    frame = apply_privacy(frame, source, key)
    clean, quarantined = validate(frame, source, load_day)

    ragged_rows = pl.DataFrame(
        {
            "line_number": [lines[i] for i in ragged],
            "rule": ["nombre_de_champs"] * len(ragged),
            # Shifted fields could put a name anywhere: keep no content, only the counts.
            "record": [
                f'{{"champs_lus": {len(records[i])}, "champs_attendus": {width}}}' for i in ragged
            ],
        },
        schema={"line_number": pl.Int64, "rule": pl.String, "record": pl.String},
    )
    quarantine = pl.concat([quarantined, ragged_rows]).sort("line_number")
    labels = [header_label(n) for n in dropped[:HEADER_LABELS_KEPT]]
    return CsvLoad(clean, quarantine, encoding, separator, is_synthetic, len(dropped), labels)


def keep_columns(names: list[str], source: CsvSource) -> list[int]:
    """Positions of the columns read: the contract's (personal ones included, which
    ``apply_privacy`` reduces or drops), the synthetic-data marker and the allow-list."""
    allowed = {c.name for c in source.columns} | set(source.personal) | set(source.extra_allowed)
    allowed.add(SYNTHETIC_MARKER)
    return [j for j, name in enumerate(names) if name in allowed]


def canonical_names(header: list[str], source: CsvSource) -> list[str]:
    """Map header variants (case, accents, spaces, articles) to the source's canonical names."""
    mapping = source.header_map()
    loose = {_without_articles(k): v for k, v in mapping.items()}
    names: list[str] = []
    used: set[str] = set()
    repeats: dict[str, int] = {}  # per name, how many times it was already taken
    for raw in header:
        normalised = p.normalise_column_name(raw) or "colonne_sans_nom"
        name = mapping.get(normalised) or loose.get(_without_articles(normalised), normalised)
        # A repeated header must not overwrite a column: ``x``, ``x_bis``, ``x_bis2``... The
        # counter per name keeps this linear (1,000 trailing separators are common in exports).
        if name in used:
            base, count = name, repeats.get(name, 0)
            while name in used:
                count += 1
                name = f"{base}_bis" if count == 1 else f"{base}_bis{count}"
            repeats[base] = count
        used.add(name)
        names.append(name)
    return names


def canonical_header(header: list[str], source: CsvSource) -> list[str]:
    """Canonical names; refuse the file if required columns are missing, naming them."""
    names = canonical_names(header, source)
    missing = [c for c in source.required_headers if c not in names]
    if missing:
        raise FileRejected(
            f"colonnes obligatoires absentes pour {source.name} : {', '.join(missing)}"
        )
    return names


_ARTICLES = {"de", "du", "des", "d", "l", "la", "le", "les"}


def _without_articles(name: str) -> str:
    """``date_de_naissance`` → ``date_naissance``: academies word headers freely."""
    return "_".join(w for w in name.split("_") if w not in _ARTICLES)


def apply_privacy(frame: pl.DataFrame, source: CsvSource, key: bytes) -> pl.DataFrame:
    """Pseudonymise INE, reduce birth date to year and age at entry, drop personal columns,
    code free text, mask identifier-shaped values in every other column.

    Runs before validation, so quarantined records are as minimised as clean ones.
    """
    exprs: list[pl.Expr] = []
    if "ine" in frame.columns:
        # Typed by hand: any case, with spaces, dots or hyphens between its characters.
        ine = p.blank_to_null(pl.col("ine")).str.to_uppercase().str.replace_all(INE_SEPARATORS, "")
        frame = frame.with_columns(
            _ine_valide=ine.str.contains(INE_PATTERN).fill_null(False), _ine_norm=ine
        )
        frame = frame.with_columns(pseudonymise(frame["_ine_norm"], key).alias("jeune_id"))
    if "date_naissance" in frame.columns:
        birth = p.parse_date(pl.col("date_naissance"))
        entry = p.parse_date(pl.col("date_entree_mlds")) if "date_entree_mlds" in frame else None
        exprs += [
            birth.dt.year().cast(pl.String).alias("annee_naissance"),
            p.is_unparsed(pl.col("date_naissance"), birth).alias("_naissance_invalide"),
        ]
        if entry is not None:
            # Whole years completed at entry: subtract one if the birthday had not come yet.
            # dt.month() is Int8: widen before multiplying, or 9 * 100 overflows.
            def month_day(d: pl.Expr) -> pl.Expr:
                return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

            before_birthday = month_day(entry) < month_day(birth)
            age = entry.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)
            exprs.append(age.cast(pl.String).alias("age_entree"))
    if exprs:
        frame = frame.with_columns(exprs)
    personal = [c for c in frame.columns if c in source.personal or c in ("ine", "_ine_norm")]
    frame = frame.drop(personal)
    # Free text typed by operators: only its reviewed category is kept (sources.reviewed_codes).
    frame = frame.with_columns(
        code_free_text(pl.col(c.name), c.labels or {}).alias(c.name)
        for c in source.columns
        if c.kind == "code" and c.name in frame.columns
    )
    # Shifted or mistyped exports put identifiers in any column: mask what is recognisable.
    text_columns = [c for c, t in frame.schema.items() if t == pl.String and not c.startswith("_")]
    return frame.with_columns(mask_identifiers(pl.col(c)) for c in text_columns)


def code_free_text(cell: pl.Expr, labels: dict[str, str]) -> pl.Expr:
    """The reviewed code of each non-empty cell, ``CODE_AUTRE`` for any other text."""
    code = p.map_labels(cell, labels)
    return pl.when(p.blank_to_null(cell).is_null()).then(None).otherwise(code.fill_null(CODE_AUTRE))


def validate(frame: pl.DataFrame, source: CsvSource, load_day: date) -> tuple[pl.DataFrame, ...]:
    """Type every canonical column and split rows into clean and quarantined.

    A row's rule is the first broken one, in column order; a later duplicate of the unique key is
    quarantined as ``doublon`` so the first occurrence stays.
    """
    typed: list[pl.Expr] = []
    rules: list[pl.Expr] = []
    values: dict[str, pl.Expr] = {}  # typed value of each column the file carries
    academies = academie_lookup()
    for col in source.columns:
        if col.kind == "ine":
            typed.append(pl.col("jeune_id"))
            rules.append(pl.when(pl.col("jeune_id").is_null()).then(pl.lit("valeur_manquante:ine")))
            rules.append(pl.when(~pl.col("_ine_valide")).then(pl.lit("ine_invalide")))
            continue
        if col.name not in frame.columns:
            typed.append(pl.lit(None, dtype=_polars_type(col)).alias(col.name))
            continue
        # Each distinct cell is typed and checked once, then joined back to its rows: a column
        # holds few distinct values (ages, dates, labels), and the readings are regex chains.
        frame = frame.join(
            column_reading(frame, col, academies, load_day),
            on=col.name,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        value = pl.col(f"{_VALUE}{col.name}")
        typed.append(value.alias(col.name))
        values[col.name] = value
        rules.append(pl.col(f"{_RULE}{col.name}"))
    # Values that parse but cannot be true (dates out of order, impossible ages): plausibility.py.
    rules.extend(plausibility.rules(source, values, load_day))
    if "_naissance_invalide" in frame.columns:
        rules.append(
            pl.when(pl.col("_naissance_invalide")).then(pl.lit("date_invalide:date_naissance"))
        )

    canonical = [c.name for c in source.columns if c.kind != "ine"]
    extras = [
        c
        for c in frame.columns
        if c not in canonical and not c.startswith("_") and c not in ("jeune_id", SYNTHETIC_MARKER)
    ]
    checked = frame.with_columns(
        pl.coalesce(rules).alias("_rule") if rules else pl.lit(None, pl.String).alias("_rule")
    )
    # An optional key column absent from the file is null on every row: leave it out.
    key_cols = [
        c
        for c in ("jeune_id" if k == "ine" else k for k in source.unique_key)
        if c in checked.columns
    ]
    checked = checked.with_columns(
        pl.when(
            pl.col("_rule").is_null()
            & (pl.int_range(pl.len()).over([pl.col("_rule").is_null(), *key_cols]) > 0)
        )
        .then(pl.lit("doublon:" + "+".join(source.unique_key)))
        .otherwise(pl.col("_rule"))
        .alias("_rule")
    )

    record_cols = [c for c in ["jeune_id", *canonical, *extras] if c in frame.columns]
    quarantine = checked.filter(pl.col("_rule").is_not_null()).select(
        pl.col("_line_number").alias("line_number"),
        pl.col("_rule").alias("rule"),
        pl.struct(record_cols).struct.json_encode().alias("record"),
    )
    extra_json = pl.struct(extras).struct.json_encode() if extras else pl.lit(None, dtype=pl.String)
    clean = checked.filter(pl.col("_rule").is_null()).select(
        *typed, extra_json.alias("extra_columns"), pl.col("_line_number")
    )
    return clean, quarantine


_VALUE = "_valeur:"  # prefix of a column's typed value, joined from its distinct cells
_RULE = "_regle:"  # prefix of a column's own first broken rule
_DECIMAL = "_decimal"  # an integer column's decimal reading, on its distinct cells


def column_reading(
    frame: pl.DataFrame, col: Column, academies: dict[str, str], load_day: date
) -> pl.DataFrame:
    """Per distinct cell of ``col``: the cell, its typed value and the first rule of the column
    it breaks (missing, unparsed or ambiguous, unknown label, future or too old a date), in that
    order; null when it breaks none."""
    raw = pl.col(col.name)
    # The reading is computed once, in stages, and the rules read its column: an expression
    # that repeats a regex chain costs polars milliseconds to plan, per column and file, which
    # a monthly export of small files pays more than its rows.
    cells = frame.group_by(col.name).len("_n")
    if col.kind == "integer":
        cells = cells.with_columns(p.parse_decimal(raw).alias(_DECIMAL))
        reading = p.integer_of(pl.col(_DECIMAL), raw, col.name)
    else:
        reading = _typed(raw, col, academies)
    cells = cells.with_columns(reading.alias(f"{_VALUE}{col.name}"))
    value = pl.col(f"{_VALUE}{col.name}")
    checks: list[pl.Expr] = []
    if col.required:
        checks.append(
            pl.when(p.blank_to_null(raw).is_null()).then(pl.lit(f"valeur_manquante:{col.name}"))
        )
    if col.kind in ("decimal", "integer"):
        # Two readings (1,234) and none are quarantined under their own names.
        checks.append(p.number_rule(raw, col.name, value=value))
    elif col.kind == "label":
        # The label itself is in the rule: the operator sees what to fix, or what to review.
        unknown = p.is_unparsed(raw, value)
        checks.append(pl.when(unknown).then(unknown_label_rule(cells, col, raw, unknown)))
    elif col.kind not in ("text", "code"):
        checks.append(pl.when(p.is_unparsed(raw, value)).then(pl.lit(_rule_name(col))))
    if col.past_event:
        checks.append(pl.when(value > load_day).then(pl.lit(f"date_future:{col.name}")))
        checks.append(
            pl.when(value < EARLIEST_EVENT).then(pl.lit(f"date_trop_ancienne:{col.name}"))
        )
    rule = pl.coalesce(checks) if checks else pl.lit(None, pl.String)
    return cells.select(raw, value, rule.cast(pl.String).alias(f"{_RULE}{col.name}"))


# An unknown label is quarantined as ``libelle_inconnu:<column>:<label>``: the rule names the
# label, so ``csf status`` and the quality page tell which word to correct in the export or to
# review into ``vocabulaires/`` (sources.py). The label is shown as typed text is anywhere outside
# the record (like a dropped header, ``privacy.header_label``): normalised (lower-case ASCII words,
# no ``@``), identifier-masked already (``apply_privacy``), every run of three digits or more
# replaced by ``#`` (no INE, phone, NIR or date), cut to ``LABEL_IN_RULE_MAX`` characters. Per
# column and file, the ``LABELS_IN_RULES`` most frequent labels are named; the others share
# ``libelle_inconnu:<column>:(autres libellés)``, so free text typed into a label column cannot
# turn into thousands of rules.
LABEL_IN_RULE_MAX = 40
LABELS_IN_RULES = 10
OTHER_LABELS = "(autres libellés)"
UNREADABLE_LABEL = "(illisible)"  # no letter or digit left once normalised


def label_in_rule(raw: pl.Expr) -> pl.Expr:
    """A label cell as its quarantine rule shows it."""
    label = p.normalise_label_expr(raw).str.replace_all(r"\d(?: ?\d){2,}", "#")
    label = pl.when(label == "").then(pl.lit(UNREADABLE_LABEL)).otherwise(label)
    return (
        pl.when(label.str.len_chars() > LABEL_IN_RULE_MAX)
        .then(label.str.slice(0, LABEL_IN_RULE_MAX - 1) + "…")
        .otherwise(label)
    )


def unknown_label_rule(cells: pl.DataFrame, col: Column, raw: pl.Expr, unknown: pl.Expr) -> pl.Expr:
    """``libelle_inconnu:<column>:<label>`` for the cells where ``unknown`` holds; the labels
    beyond the ``LABELS_IN_RULES`` most frequent of the file are named ``OTHER_LABELS``.

    ``cells`` holds the column's distinct cells and, in ``_n``, how many rows carry each."""
    label = label_in_rule(raw)
    counts = (
        cells.filter(unknown).group_by(label.alias("label")).agg(pl.col("_n").sum().alias("len"))
    )
    named = counts.sort(["len", "label"], descending=[True, False]).head(LABELS_IN_RULES)
    shown = (
        pl.when(label.is_in(named["label"].to_list())).then(label).otherwise(pl.lit(OTHER_LABELS))
    )
    return pl.lit(f"{_rule_name(col)}:") + shown


def _typed(raw: pl.Expr, col, academies: dict[str, str]) -> pl.Expr:
    if col.kind == "date":
        return p.parse_date(raw)
    if col.kind == "decimal":
        return p.parse_decimal(raw)
    if col.kind == "integer":
        return p.parse_integer(raw)
    if col.kind == "boolean":
        return p.parse_boolean(raw)
    if col.kind == "label":
        return p.map_labels(raw, col.labels or {})
    if col.kind == "code":  # coded by apply_privacy already
        return p.blank_to_null(raw)
    if col.kind == "academie":
        return p.normalise_label_expr(raw).replace_strict(
            academies, default=None, return_dtype=pl.String
        )
    return p.blank_to_null(raw)


def _rule_name(col) -> str:
    prefix = {
        "date": "date_invalide",
        "decimal": "nombre_invalide",
        "integer": "nombre_invalide",
        "boolean": "booleen_invalide",
        "label": "libelle_inconnu",
        "academie": "academie_inconnue",
    }[col.kind]
    return f"{prefix}:{col.name}"


def _polars_type(col) -> pl.DataType:
    return {
        "date": pl.Date,
        "decimal": pl.Float64,
        "integer": pl.Int64,
        "boolean": pl.Boolean,
    }.get(col.kind, pl.String)
