"""docs/methodologie.md documents every indicator of ref_indicateurs."""

import csv
import re

from dashboards import methodology
from tests.conftest import ROOT

HORIZON = re.compile(r"_(sortie|3m|6m|12m)(_comparaison)?$")


def _documented_name(indicator: str) -> str:
    """The name under which the document describes an indicator: per-horizon rates as `…_h`,
    comparison rates as `…_comparaison`, compared CSF rates as
    `…_csf_compares`, differences as `ecart_…`."""
    if indicator.startswith("ecart_"):
        return "ecart_…"
    if indicator.endswith("_comparaison"):
        return "…_comparaison"
    if indicator.endswith("_csf_compares"):
        return "…_csf_compares"
    if HORIZON.search(indicator):
        return HORIZON.sub("_h", indicator)
    return indicator


def test_every_indicator_has_its_section():
    text = methodology.METHODOLOGY.read_text(encoding="utf-8")
    with (ROOT / "dbt_project" / "seeds" / "ref_indicateurs.csv").open(encoding="utf-8") as f:
        indicators = [row["indicateur"] for row in csv.DictReader(f)]
    documented = set(re.findall(r"`([^`]+)`", text))
    missing = sorted(
        {i if i in documented else _documented_name(i) for i in indicators} - documented
    )
    assert missing == []
    for heading in ("Définition", "Numérateur", "Dénominateur", "Censure", "Intervalle", "Secret"):
        assert f"**{heading}**" in text
