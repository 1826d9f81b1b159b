"""One rounding rule for every output (issue 21, point 6): to the nearest, a half away from zero,
at a fixed number of decimals per unit, in one function (``formatting.arrondi``) that the
dashboard, the PDF report and the workbook all go through."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.downloads import lignes_affichees
from pipelines.content import cells
from pipelines.content import formatting as fmt
from pipelines.content.block import Context, National, View
from pipelines.content.blocks import clauses, common, jeunes
from pipelines.content.display import texte
from pipelines.content.labels import HORIZONS, RESULTATS
from pipelines.content.table import Type
from pipelines.reports import national, pdf
from pipelines.reports.block_sections import section_of
from pipelines.reports.model import Rapport, Section
from pipelines.reports.xlsx import FORMATS, LIGNE_ENTETE, write_workbook

ROOT = Path(__file__).resolve().parent.parent
NBSP = "\u00a0"

# ------------------------------------------------------------------ the rule on its edge values


@pytest.mark.parametrize(
    ("valeur", "decimales", "echelle", "attendu"),
    [
        (2.5, 0, 0, "3"),
        (3.5, 0, 0, "4"),  # half to even would give 4 too, and 2 for 2.5
        (-2.5, 0, 0, "-3"),  # away from zero for negatives
        (-3.5, 0, 0, "-4"),
        (35.5, 0, 0, "36"),  # a median of days on a half day
        (34.5, 0, 0, "35"),  # half to even: 34
        (0.125, 2, 0, "0.13"),
        (1.005, 2, 0, "1.01"),  # stored as 1.00499999999999989…
        (2.675, 2, 0, "2.68"),  # stored as 2.67499999999999982…
        (0.4565, 1, 2, "45.7"),
        (0.0125, 1, 2, "1.3"),  # round(0.0125 * 100, 1) gives 1.2
        (0.0455, 1, 2, "4.6"),  # stored as 0.04549999999999999833…
        (0.04549999999999999, 1, 2, "4.6"),  # binary noise below 0.0455: read at 15 digits
        (0.0454999, 1, 2, "4.5"),  # a true value below the half
        (-0.0125, 1, 2, "-1.3"),
        (-0.0004, 1, 2, "0.0"),  # no negative zero
        (Decimal("2.5"), 0, 0, "3"),
        (10**17 + 1, 0, 0, str(10**17 + 1)),  # an int is exact
    ],
)
def test_arrondi_rounds_half_away_from_zero(valeur, decimales, echelle, attendu):
    assert str(fmt.arrondi(valeur, decimales, echelle)) == attendu


def test_arrondi_refuses_what_is_not_a_finite_number():
    for bad in (True, "2.5", None):
        with pytest.raises(TypeError):
            fmt.arrondi(bad)
    for bad in (float("nan"), float("inf"), Decimal("NaN")):
        with pytest.raises(ValueError):
            fmt.arrondi(bad)


def test_every_unit_is_shown_at_its_decimals_by_the_rule():
    assert fmt.valeur_unite(1234.0, "nombre") == "1\u202f234"
    assert fmt.valeur_unite(2.5, "nombre") == "3"
    assert fmt.valeur_unite(0.4565, "taux") == f"45,7{NBSP}%"
    assert fmt.valeur_unite(0.04549999999999999, "taux") == f"4,6{NBSP}%"
    assert fmt.valeur_unite(1.0125, "ratio") == f"101,3{NBSP}%"
    assert fmt.valeur_unite(0.039, "ecart") == f"+3,9{NBSP}pts"
    assert fmt.valeur_unite(-0.025, "ecart") == f"-2,5{NBSP}pts"
    assert fmt.valeur_unite(-0.0125, "ecart") == f"-1,3{NBSP}pts"
    assert fmt.valeur_unite(-0.0004, "ecart") == f"0,0{NBSP}pts"  # zero has no sign
    assert fmt.valeur_unite(35.5, "jours") == f"36{NBSP}jours"
    assert fmt.valeur_unite(158.0, "jours") == f"158{NBSP}jours"
    assert fmt.points(-2.5, echelle=0) == "-2,5"
    assert fmt.number(-2.5, 0) == "-3"  # an écart in whole points would round away from zero


def test_babel_never_rounds_again():
    # Babel alone rounds half to even: 1.0005 → « 1 », 1234.565 € → « 1 234,56 € ».
    assert fmt.number(1.0005) == "1,001"
    assert fmt.number(1234.5) == "1\u202f234,5"
    assert fmt.number(40.0) == "40"
    assert fmt.number(0.125, 2) == "0,13"
    assert fmt.montant(1234.565) == f"1\u202f234,57{NBSP}€"
    assert fmt.percent(0.0125) == f"1,3{NBSP}%"
    assert fmt.jours(2.5, "") == "3"


@given(
    st.integers(min_value=1, max_value=10**6).flatmap(
        lambda d: st.tuples(st.integers(min_value=0, max_value=d), st.just(d))
    )
)
def test_a_rate_shows_what_a_reader_recomputes_from_its_counts(fraction):
    """numerateur / denominateur, rounded exactly (in rationals) by the rule, is what every
    output shows of the rate the warehouse stored as a float."""
    n, d = fraction
    exact = Decimal(n * 1000 // d) + (1 if Fraction(n * 1000, d) % 1 >= Fraction(1, 2) else 0)
    assert fmt.arrondi(n / d, 1, echelle=2) == exact.scaleb(-1)


# ------------------------------------------------------------------ the same row, every output


def _chiffre(text: str) -> str:
    """The figure of a displayed text: no spaces, no unit."""
    text = re.sub(r"[\s\u202f\u00a0]", "", text)
    return re.sub(r"(%|pts|jours|j|€)$", "", text)


def _excel(value: float, code: str) -> str:
    """What Excel shows of ``value`` under the number format ``code`` (the formats the workbook
    uses): the section by sign, the value at 15 significant digits (Excel's precision), scaled
    for a percentage, rounded a half away from zero at the format's decimals."""
    parts = code.split(";")
    if value < 0 and len(parts) > 1:
        part, value, sign = parts[1], -value, ""
    elif value == 0 and len(parts) > 2:
        part, sign = parts[2], ""
    else:
        part, sign = parts[0], "-" if value < 0 else ""
        value = abs(value)
    body = re.sub(r'"[^"]*"', "", part)
    if body[:1] in "+-":
        sign, body = body[0], body[1:]
    digits = Decimal(format(value, ".15g"))
    if "%" in body:
        digits = digits.scaleb(2)
    places = len(body.split(".")[1].rstrip("%")) if "." in body else 0
    digits = digits.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return sign + f"{digits:f}".replace(".", ",")


class _FakeSnapshot:
    """A published snapshot that answers every query with the given rows."""

    def __init__(self, rows: list[dict] | None = None, cells: dict | None = None) -> None:
        self._rows = rows or []
        self._cells = cells or {}
        self.publication = {"date_observation": None}

    def rows(self, sql: str, *params: object) -> list[dict]:
        return self._rows

    def cells(self, indicateurs, periode, niveau, code) -> dict:
        return {c: r for c, r in self._cells.items() if c in indicateurs}


def _pdf(section: Section) -> list[list[str]]:
    """The PDF's cell texts of a section's table."""
    return [[c.texte for c in ligne] for ligne in pdf._section(section, None)["tableau"]["lignes"]]


def _xlsx(section: Section, tmp_path: Path) -> list[list[str | None]]:
    """What Excel shows in each cell of the section's sheet (numbers under their format)."""
    rapport = Rapport(
        titre="Essai",
        sous_titre="Arrondis",
        fichier="essai",
        periode="2025",
        date_observation=None,
        instantane="essai",
        synthetique=True,
        sections=[section],
    )
    book = openpyxl.load_workbook(write_workbook(rapport, tmp_path / "essai.xlsx"))
    sheet = book[section.onglet]
    shown = []
    for row in sheet.iter_rows(min_row=LIGNE_ENTETE + 2, max_row=sheet.max_row):
        if row[0].value is None:
            break
        shown.append(
            [
                _excel(c.value, c.number_format)
                if isinstance(c.value, int | float) and not isinstance(c.value, bool)
                else c.value
                for c in row[: len(section.tableau.colonnes)]
            ]
        )
    return shown


def _indicateur(valeur, unite="taux", **extra) -> dict:
    return {
        "indicateur": "essai",
        "libelle_indicateur": "Essai",
        "unite": unite,
        "diffusable": True,
        "numerateur": 1,
        "denominateur": 20,
        "valeur": valeur,
        "ic_bas": None,
        "ic_haut": None,
    } | extra


def test_a_rate_and_its_interval_read_the_same_everywhere(monkeypatch, tmp_path):
    """The activation rate by year: the dashboard's chart table, the PDF's and the workbook's."""
    rows = [
        _indicateur(0.4565, periode="2023", ic_bas=0.0125, ic_haut=0.7745, delai=None),
        _indicateur(0.0455, periode="2024", ic_bas=0.04549999999999999, ic_haut=0.5, delai=None),
        _indicateur(0.9995, periode="2025", ic_bas=0.00049, ic_haut=1.0, delai=None),
    ]
    for r in rows:
        r["delai_diffusable"] = None
    bloc = clauses.activation(Context(_FakeSnapshot(rows), National()), View())
    dashboard = lignes_affichees(bloc)[1:]
    section = national.activation(_FakeSnapshot(rows))
    printed, workbook = _pdf(section), _xlsx(section, tmp_path)
    expected = [["45,7", "1,3", "77,5"], ["4,6", "4,6", "50,0"], ["100,0", "0,0", "100,0"]]
    for line, shown, book, figures in zip(dashboard, printed, workbook, expected, strict=True):
        low, high = line[2].split(" – ")
        assert [_chiffre(t) for t in (line[1], low, high)] == figures
        assert [_chiffre(t) for t in shown[3:6]] == figures
        assert book[3:6] == figures
        # The chart's labels are the table's text.
    figure = bloc.figure
    assert [_chiffre(t) for t in figure["data"][0]["text"]] == [f[0] for f in expected]


def test_the_funnel_reads_the_same_everywhere(monkeypatch, tmp_path):
    """Conversion rates and median days of the funnel: a median on a half day is whole days,
    a half away from zero, in the dashboard (it showed « 35,5 »), the PDF and the workbook."""
    rows = [
        {
            "libelle_etape": f"Étape {rang}",
            "rang_etape": rang,
            "domaine": "achats",
            "diffusable": True,
            "nb_clauses_atteinte": atteinte,
            "nb_clauses_bloquees": bloquees,
            "taux_conversion": conversion,
            "delai_median_jours": delai,
        }
        for rang, atteinte, bloquees, conversion, delai in [
            (1, 2000, 1000, None, 35.5),
            (2, 1000, 500, 0.0125, 34.5),
            (3, 500, 0, 0.4565, 2.5),
            (4, 1234, 0, 0.04549999999999999, 158.0),
        ]
    ]
    bloc = clauses.entonnoir(Context(_FakeSnapshot(rows), National()), View())
    dashboard = lignes_affichees(bloc)[1:]
    section = section_of(bloc, "Entonnoir")
    printed, workbook = _pdf(section), _xlsx(section, tmp_path)
    expected = [
        ["2000", "1000", None, "36"],
        ["1000", "500", "1,3", "35"],
        ["500", "0", "45,7", "3"],
        ["1234", "0", "4,6", "158"],
    ]
    for line, shown, book, figures in zip(dashboard, printed, workbook, expected, strict=True):
        assert [_chiffre(t) if t != fmt.ABSENT else None for t in line[1:5]] == figures
        assert [_chiffre(t) if t != fmt.ABSENT else None for t in shown[1:5]] == figures
        assert book[1:5] == figures


def test_ecarts_in_points_read_the_same_everywhere(monkeypatch, tmp_path):
    """The écart observé and its interval, in points: signed, a half away from zero (negatives
    included), zero without a sign; the workbook holds the rounded points."""
    found = {}
    gaps = {"sortie": (-0.0125, -0.025, 0.0005), "3m": (0.0395, -0.0004, 0.10049999999999999)}
    for h, _ in HORIZONS:
        for code, _ in RESULTATS:
            found[f"{code}_{h}"] = _indicateur(0.5, ic_bas=0.4, ic_haut=0.6)
            found[f"{code}_{h}_comparaison"] = _indicateur(0.4565, ic_bas=0.4, ic_haut=0.5)
            found[f"{code}_{h}_csf_compares"] = _indicateur(0.4, ic_bas=0.3, ic_haut=0.5)
            valeur, low, high = gaps.get(h, (0.0, -0.01, 0.01))
            found[f"ecart_{code}_{h}"] = _indicateur(valeur, "ecart", ic_bas=low, ic_haut=high)
    answers = [dict(row, indicateur=code) for code, row in found.items()]
    bloc = jeunes.sorties_positives(Context(_FakeSnapshot(answers), National()), View())
    dashboard = lignes_affichees(bloc)[1:]
    section = national.resultats_jeunes(_FakeSnapshot(cells=found))
    printed, workbook = _pdf(section), _xlsx(section, tmp_path)
    expected = {
        "sortie": ["-1,3", "-2,5", "+0,1"],
        "3m": ["+4,0", "0,0", "+10,1"],  # 0.10049999999999999 is 0.1005 with noise
        "6m": ["0,0", "-1,0", "+1,0"],
        "12m": ["0,0", "-1,0", "+1,0"],
    }
    positive = [i for i, line in enumerate(section.tableau.lignes) if line[0] == "Sortie positive"]
    for (h, _), line, index in zip(HORIZONS, dashboard, positive, strict=True):
        figures = expected[h]
        low, high = line[6].removesuffix(f"{NBSP}pts").split(" à ")
        assert [_chiffre(t) for t in (line[5], low, high)] == figures
        # The PDF writes the interval under the écart: « +4,0 pts » then « [0,0 pts ; +10,1 pts] ».
        value, bounds = printed[index][6].split("\n")
        assert [_chiffre(t) for t in (value, *bounds.strip("[]").split(" ; "))] == figures
        assert workbook[index][8:11] == figures
        assert _chiffre(line[3]) == _chiffre(printed[index][5]) == workbook[index][7] == "45,7"


def test_a_value_of_each_unit_reads_the_same_in_every_output():
    """One indicator row of each unit: the dashboard's cell, the PDF's sentence and cell, and
    the workbook's typed value under its format."""
    for row, figure in [
        (_indicateur(35.5, "jours"), "36"),
        (_indicateur(2.5, "jours"), "3"),
        (_indicateur(1234.0, "nombre"), "1234"),
        (_indicateur(0.4565, "taux"), "45,7"),
        (_indicateur(1.0125, "ratio"), "101,3"),
        (_indicateur(-0.0125, "ecart"), "-1,3"),
    ]:
        cell = cells.valeur(row)
        assert _chiffre(texte(common.valeur(row), Type.TEXTE)) == figure
        assert _chiffre(texte(cell, Type.TEXTE)) == figure
        assert _chiffre(pdf._cell(cell, Type.TEXTE).texte) == figure
        assert _excel(cell.valeur, FORMATS[cell.type]) == figure


def test_the_workbook_formats_have_the_rule_decimals():
    assert FORMATS[Type.ENTIER] == "#,##0"
    assert FORMATS[Type.TAUX] == "0.0%"
    assert FORMATS[Type.POINTS] == '+0.0" pts";-0.0" pts";0.0" pts"'
    assert FORMATS[Type.JOURS] == '#,##0" jours"'
    assert FORMATS[Type.MONTANT] == '#,##0.00" €"'
    # Excel's rounding is the rule's on these formats (15 digits, a half away from zero).
    assert _excel(0.04549999999999999, FORMATS[Type.TAUX]) == "4,6"
    assert _excel(35.5, FORMATS[Type.JOURS]) == "36"
    assert _excel(-1.25, FORMATS[Type.POINTS]) == "-1,3"
    assert _excel(0.0, FORMATS[Type.POINTS]) == "0,0"  # zero has its own section, no sign
    assert _excel(1234.565, FORMATS[Type.MONTANT]) == "1234,57"
    assert fmt.montant(1234.565) == f"1\u202f234,57{NBSP}€"


# ------------------------------------------------------------------ no other rounding comes back

SCANNED = ("pipelines", "dashboards")
SKIPPED = ("pipelines/sample/", "pipelines/disclosure/", "pipelines/content/formatting.py")
FORBIDDEN = {
    "round()": re.compile(r"(?<![\w.])round\("),
    "Babel's number formatting": re.compile(r"\bformat_(decimal|currency|percent|compact_\w+)\("),
    "a format spec that rounds": re.compile(
        r"\{[^{}\n]*:[^{}\n]*\.\d+[fFeEgG%]\}|%\d*\.\d+[fFeE]|\{[^{}\n]*:[^{}\n]*,\}"
    ),
    "a Plotly d3 format": re.compile(r"texttemplate|hovertemplate|tickformat|%\{[xyz]:"),
}
# Justified exceptions: (file, text of the line, why it is not a figure for a reader).
ALLOWED = [
    (
        "pipelines/reports/pdf.py",
        '"largeur": round(100 * c.largeur',
        "a table column's CSS width in the PDF layout, not a figure",
    ),
    (
        "pipelines/orchestration/progress.py",
        "{fraction:4.0%}",
        "a terminal progress bar redrawn as a file loads, not a published figure",
    ),
]


def test_no_output_rounds_or_formats_a_figure_outside_the_one_function():
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(SKIPPED):
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                for what, pattern in FORBIDDEN.items():
                    if pattern.search(line) and not any(
                        rel == f and text in line for f, text, _ in ALLOWED
                    ):
                        found.append(f"{rel}:{number}: {what}: {line.strip()}")
    assert not found, (
        "Round and format figures with pipelines.content.formatting (arrondi, number, "
        "percent, points, jours, montant), or allow-list a line that is not a figure:\n"
        + "\n".join(found)
    )


def test_the_allow_list_names_lines_that_exist():
    for rel, text, _ in ALLOWED:
        assert text in (ROOT / rel).read_text("utf-8"), (rel, text)


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (
            {},  # an empty world: no figure at all
            [
                "En 2025, aucune clause sociale de formation n'a été notifiée. Le taux "
                "d'activation à six mois n'est pas disponible pour 2025.",
                "Aucun jeune n'a commencé de parcours CSF en 2025.",
            ],
        ),
        (
            {"nb_jeunes_csf": _indicateur(3, "nombre", diffusable=False)},  # hidden, not absent
            [
                "Le nombre de jeunes ayant commencé un parcours en 2025 relève du secret "
                "statistique ;"
            ],
        ),
        (
            {
                "nb_clauses_csf": _indicateur(1, "nombre"),
                "nb_clauses_dormantes": _indicateur(0, "nombre"),
                "nb_jeunes_csf": _indicateur(1, "nombre"),
            },
            [
                "En 2025, 1 clause sociale de formation a été notifiée (1 en 2024).",
                "Aucune clause notifiée en 2025 n'est dormante.",
                "1 jeune a commencé un parcours en 2025 ;",
            ],
        ),
    ],
)
def test_national_key_sentences_read_right_with_no_one_or_hidden_figures(found, expected):
    """The national report's sentences around its key figures: never « – clauses », the
    singular for one, « aucune » for none, the secret only for a hidden figure."""
    section = national.chiffres_cles(_FakeSnapshot(cells=found), "2025")
    text = " ".join(section.paragraphes)
    assert "–" not in text.replace(" – ", "")  # no figure replaced by the dash
    for sentence in expected:
        assert sentence in text, (sentence, section.paragraphes)
