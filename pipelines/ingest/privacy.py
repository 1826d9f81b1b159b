"""Pseudonymisation of youth identifiers and minimisation of personal data.

The INE is replaced by an HMAC-SHA-256 under a key that never enters the repository: a keyed hash
cannot be reversed by hashing every possible INE, which a plain hash can.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path

import polars as pl

from pipelines.settings import Settings

KEY_FILE_NAME = "pseudonymisation.key"


def load_or_create_key(settings: Settings) -> bytes:
    """The pseudonymisation key: ``CSF_PSEUDO_KEY`` if set, else a key file made on first use.

    The key file is created with mode 0600 inside a 0700 folder, atomically, so two processes
    starting together cannot end up with different keys.
    """
    if settings.pseudo_key:
        return settings.pseudo_key.encode("utf-8")
    keys_dir = settings.keys_dir
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_path = keys_dir / KEY_FILE_NAME
    if not key_path.exists():
        try:
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return _read_key(key_path)


def load_key(settings: Settings) -> bytes:
    """The pseudonymisation key the warehouse was built with; an error if there is none.

    Unlike ``load_or_create_key``, never makes one: a new key would match nothing loaded.
    """
    if settings.pseudo_key:
        return settings.pseudo_key.encode("utf-8")
    key_path = settings.keys_dir / KEY_FILE_NAME
    if not key_path.exists():
        raise ValueError(
            f"clé de pseudonymisation introuvable ({key_path}, ni CSF_PSEUDO_KEY) : celle avec "
            "laquelle l'entrepôt a été chargé est nécessaire"
        )
    return _read_key(key_path)


def _read_key(key_path: Path) -> bytes:
    key = key_path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"clé de pseudonymisation trop courte ou vide : {key_path}")
    return key.encode("utf-8")


def pseudonymise(values: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA-256 (hex) of each normalised identifier; nulls stay null.

    Each distinct value is hashed once (a youth has many follow-up rows)."""
    distinct = values.drop_nulls().unique()
    distinct = distinct.filter(distinct != "").to_list()
    digests = [hmac.digest(key, v.encode("utf-8"), "sha256").hex() for v in distinct]
    return values.replace_strict(distinct, digests, default=None, return_dtype=pl.String).alias(
        values.name
    )


# Identifiers recognisable by their form wherever they sit. The INE (data-contracts.md: 11
# characters, 10 digits and a letter or 9 digits and two letters) is also caught as operators type
# it: any case, digits grouped by spaces (no-break ones too), dots or hyphens, the letters apart
# (``4168 537 143 z``, ``4168.537.143.Z``, ``123-456-789-ab``). ``\b`` at both ends keeps a SIRET's
# digits whole and a word starting with a letter after ten digits unmasked.
_SEP = r"[\s.\-]?"
INE_MASK_PATTERN = (
    rf"\b(?:\d(?:{_SEP}\d){{9}}{_SEP}[A-Za-z]|\d(?:{_SEP}\d){{8}}{_SEP}[A-Za-z]{_SEP}[A-Za-z])\b"
)
IDENTIFIER_MASKS = (
    (INE_MASK_PATTERN, "[INE masqué]"),
    (r"(\+33\s?|\b0)[1-9]([\s.-]?\d{2}){4}\b", "[téléphone masqué]"),
    (r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "[courriel masqué]"),
)
# Separators an INE typed by hand may carry: removed before the INE column is checked and hashed.
INE_SEPARATORS = r"[\s.\-]"


def mask_identifiers(cell: pl.Expr) -> pl.Expr:
    """A text column with INE-, phone- and e-mail-shaped values replaced by a marker."""
    for pattern, marker in IDENTIFIER_MASKS:
        cell = cell.str.replace_all(pattern, marker)
    return cell


# Longest header label the ledger keeps for a dropped column, and how many labels per file.
HEADER_LABEL_MAX = 40
HEADER_LABELS_KEPT = 20


def header_label(normalised: str) -> str:
    """A dropped column's header as the ledger and ``csf status`` show it.

    Headers are typed by operators, so they are shown only normalised (lower-case ASCII words and
    ``_``: no ``@``, so no e-mail), with every run of three digits or more, ``_`` apart or not,
    replaced by ``#`` (no INE, phone, NIR or date of birth), and cut to ``HEADER_LABEL_MAX``
    characters. The cells of the column are never read.
    """
    label = re.sub(r"\d(?:_?\d){2,}", "#", normalised) or "colonne_sans_nom"
    return label if len(label) <= HEADER_LABEL_MAX else label[: HEADER_LABEL_MAX - 1] + "…"


# Column names (normalised) that look like contact or identity data. Extra columns matching them
# are dropped too, so an académie adding "Téléphone jeune" to its export cannot leak it.
PERSONAL_NAME_PATTERN = (
    r"(^|_)(nom|noms|prenom|prenoms|mail|email|e_mail|courriel|tel|telephone|portable|mobile|"
    r"adresse|naissance|ine|contact|referent)(_|$)"
)
