"""Reference lists the readers validate against, read from the dbt seeds (one source of truth)."""

from __future__ import annotations

import csv
from functools import cache

from pipelines.ingest.parsing import normalise_label
from pipelines.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"


@cache
def academie_lookup() -> dict[str, str]:
    """Normalised code or name (current or historical) → the two-digit code as exported.

    Historical codes stay as they are here (05 Caen, 21 Rouen); dbt staging maps them to 70.
    """
    lookup: dict[str, str] = {}
    with open(SEEDS / "ref_academies.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lookup[row["code_academie"]] = row["code_academie"]
            lookup[normalise_label(row["libelle_academie"])] = row["code_academie"]
    with open(SEEDS / "ref_academies_historiques.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lookup[row["code_historique"]] = row["code_historique"]
            lookup[normalise_label(row["libelle_historique"])] = row["code_historique"]
    # Excel drops leading zeros: "5" is académie 05.
    lookup.update({code.lstrip("0"): code for code in list(lookup.values()) if code[0] == "0"})
    return lookup
