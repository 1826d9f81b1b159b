"""Plausibility rules: values that parse but cannot be true (issue 20, point 2).

Each rule looks at one row of one export. It refuses only what cannot be true whatever the
practice of an académie or a buyer (a parcours that ends before it starts, a youth born after
entering the MLDS), never the merely unusual (realised hours above the planned ones, an offer
declared before the contract is notified): those are quality findings for the marts, not reasons
to lose a row. Bounds and reasons: the *Plausibility* section of docs/ingestion.md.

The rules are declared as data in :data:`RULES`, in the order they are tried; ``validate``
(csv_reader.py) tries them after the type rules of every column, so a value that does not parse
is named by its type rule and is null here (a null value never breaks a plausibility rule).

An event after the file's load day is not here: every column of an event that has happened is
declared ``past_event`` in sources.py and ``validate`` quarantines it as ``date_future:<column>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.ingest.sources import (
    CSF_CLAUSES,
    CSV_SOURCES,
    MLDS_JEUNES,
    MLDS_PARCOURS,
    CsvSource,
)

# Age at MLDS entry, in whole years completed. The MLDS follows youths from the end of compulsory
# schooling (16), some from 15 in prevention with the GPDS; below 14 no pupil may even be hosted
# in a company (Code du travail, L4153-1). The right to return to training, which the MLDS serves,
# runs to 25 (Code de l'éducation, L122-2 and D122-3-1); older, no device of the MLDS applies.
AGE_ENTREE_MIN = 14
AGE_ENTREE_MAX = 25

# Hours of one parcours. The device's longest parcours is 900 h (six months); a full year of
# 35-hour weeks (52 × 35 = 1,820 h), twice that, is more than any parcours can hold.
HEURES_PARCOURS_MAX = 1_820


@dataclass(frozen=True)
class DateOrder:
    """Dates of one row that must not go backwards: ``chain[0] ≤ chain[1] ≤ …``.

    Only the dates present are compared (an empty date is skipped, its neighbours compared with
    each other), so every pair is checked: adjacent ones first, then wider spans, which can only
    break when a date between them is empty. A span over a required column is left out (that
    date is never empty in a clean row, and the two pairs through it decide). A broken pair is
    ``ordre_dates:<earlier>><later>``.
    """

    source: str
    chain: tuple[str, ...]

    def pairs(self) -> list[tuple[str, str]]:
        required = {c.name for c in CSV_SOURCES[self.source].columns if c.required}
        chain, n = self.chain, len(self.chain)
        return [
            (chain[i], chain[i + gap])
            for gap in range(1, n)
            for i in range(n - gap)
            if not required.intersection(chain[i + 1 : i + gap])
        ]

    def names(self) -> list[str]:
        return [f"ordre_dates:{earlier}>{later}" for earlier, later in self.pairs()]

    def expressions(self, values: dict[str, pl.Expr]) -> list[pl.Expr]:
        return [
            pl.when(values[earlier] > values[later]).then(pl.lit(name))
            for (earlier, later), name in zip(self.pairs(), self.names(), strict=True)
            if earlier in values and later in values
        ]


@dataclass(frozen=True)
class Range:
    """A whole number of ``column`` between ``low`` and ``high`` included (None: no bound)."""

    source: str
    column: str
    low: int | None
    high: int | None
    rule: str

    def names(self) -> list[str]:
        return [f"{self.rule}:{self.column}"]

    def expressions(self, values: dict[str, pl.Expr]) -> list[pl.Expr]:
        if self.column not in values:
            return []
        value = values[self.column]
        outside = pl.lit(False)
        if self.low is not None:
            outside = outside | (value < self.low)
        if self.high is not None:
            outside = outside | (value > self.high)
        return [pl.when(outside).then(pl.lit(self.names()[0]))]


@dataclass(frozen=True)
class YearNotAfter:
    """A year (``year_column``) not after the year of a date of the same row (``date_column``)."""

    source: str
    year_column: str
    date_column: str
    rule: str

    def names(self) -> list[str]:
        return [f"{self.rule}:{self.year_column}"]

    def expressions(self, values: dict[str, pl.Expr]) -> list[pl.Expr]:
        if self.year_column not in values or self.date_column not in values:
            return []
        after = values[self.year_column] > values[self.date_column].dt.year().cast(pl.Int64)
        return [pl.when(after).then(pl.lit(self.names()[0]))]


Rule = DateOrder | Range | YearNotAfter

# Every plausibility rule, in the order tried (the first broken one names the row). Why each
# bound, and the test that proves it: docs/ingestion.md, *Plausibility*.
RULES: tuple[Rule, ...] = (
    # A youth born after entering the MLDS: named before the age, which it also breaks.
    YearNotAfter(MLDS_JEUNES.name, "annee_naissance", "date_entree_mlds", "naissance_apres_entree"),
    Range(MLDS_JEUNES.name, "age_entree", AGE_ENTREE_MIN, AGE_ENTREE_MAX, "age_hors_bornes"),
    # Spotted (SIEI list, GPDS, CIO…), then taken in, then out.
    DateOrder(MLDS_JEUNES.name, ("date_reperage", "date_entree_mlds", "date_sortie_mlds")),
    # Positioned on an offer, then the agreement that lets a pupil into the company, then the
    # start, then the real end. The planned end is set by the agreement, after the start too.
    DateOrder(
        MLDS_PARCOURS.name,
        ("date_positionnement", "date_convention", "date_debut", "date_fin_reelle"),
    ),
    DateOrder(MLDS_PARCOURS.name, ("date_debut", "date_fin_prevue")),
    # A parcours is planned for some hours; none may have been done yet (0 realised).
    Range(MLDS_PARCOURS.name, "heures_prevues", 1, HEURES_PARCOURS_MAX, "heures_hors_bornes"),
    Range(MLDS_PARCOURS.name, "heures_realisees", 0, HEURES_PARCOURS_MAX, "heures_hors_bornes"),
    # The clause runs from the contract's notification; renewals only lengthen it.
    DateOrder(
        CSF_CLAUSES.name,
        (
            "date_notification_marche",
            "date_fin_clause_sociale",
            "date_fin_clause_sociale_reconduction_comprise",
        ),
    ),
    # Committed hours other than 150/300/450/900 are a finding (data-contracts.md), not a
    # refusal; a negative count is not a number of hours at all.
    Range(CSF_CLAUSES.name, "heures_parcours", 0, None, "heures_hors_bornes"),
)


def rule_names(source: CsvSource | str) -> list[str]:
    """Every plausibility rule name of ``source``, in the order tried."""
    name = source if isinstance(source, str) else source.name
    return [n for rule in RULES if rule.source == name for n in rule.names()]


def rules(source: CsvSource, values: dict[str, pl.Expr], load_day: date) -> list[pl.Expr]:
    """One expression per rule: the rule's name where a row breaks it, null elsewhere.

    ``values`` holds the typed value of each canonical column present in the file; a rule on a
    column the file lacks is skipped. ``load_day`` is not used: events after it are already
    ``date_future`` (see the module's docstring).
    """
    return [e for rule in RULES if rule.source == source.name for e in rule.expressions(values)]
