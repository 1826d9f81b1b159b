"""The chart figures (pipelines/content/figures.py) and the tile grid (territoires.py): pure
checks on the figure dicts, then the figures drawn by plotly.js's basic bundle in Chromium at a
desktop and a phone width, their text boxes measured against the marks."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from pipelines.content import figures, territoires
from pipelines.content import formatting as fmt
from pipelines.settings import PLOTLY_BASIC_JS
from tests.conftest import ROOT

ACADEMIES = {
    r["code_academie"]: r["libelle_academie"]
    for r in csv.DictReader((ROOT / "dbt_project/seeds/ref_academies.csv").open(encoding="utf-8"))
}
ANNEES = ["2021", "2022", "2023", "2024", "2025", "2026"]
# Small and large values; an interval reaching the axis' end (100 %); a hidden year.
TAUX = [0.012, 0.35, 0.52, None, 0.95, 0.4]
BAS = [0.0, 0.2, 0.4, None, 0.85, 0.1]
HAUT = [0.09, 0.5, 0.63, None, 1.0, 0.7]
ETAPES = [
    "Clause rédigée (marché notifié)",
    "Fiche entreprise reçue",
    "Transmise à la MLDS",
    "Parcours commencé",
    "Parcours terminé",
]


def _textes(valeurs: list[float | None]) -> list[str]:
    return [fmt.SECRET if v is None else fmt.percent(v) for v in valeurs]


def _barres(horizontal: bool = False) -> dict:
    return figures.barres(
        ANNEES,
        TAUX,
        _textes(TAUX),
        "Taux",
        pourcentage=True,
        horizontal=horizontal,
        erreurs=(BAS, HAUT),
        provisoire={"2026"},
    )


def _classement(compact: bool = False) -> dict:
    noms = list(ACADEMIES.values())
    valeurs = [None if i == 5 else 0.2 + (i % 7) * 0.06 for i in range(len(noms))]
    return figures.classement(
        noms,
        valeurs,
        _textes(valeurs),
        [None if v is None else max(0, v - 0.12) for v in valeurs],
        [None if v is None else min(1, v + 0.2) for v in valeurs],
        national=0.362,
        titre_axe="Taux d'activation à 6 mois",
        compact=compact,
    )


def _entonnoir() -> dict:
    atteintes = [864, 700, 650, 193, 3]
    textes = [fmt.number(a) for a in atteintes[:-1]] + [fmt.SECRET]
    conversions = [""] + [fmt.percent(b / a) for a, b in itertools.pairwise(atteintes)]
    jours = [fmt.jours(j) for j in (30, 12, 5, 100, 50)]
    return figures.entonnoir(ETAPES, atteintes, textes, conversions, jours)


def _tuiles(compact: bool = False, valeurs: dict | None = None) -> dict:
    if valeurs is None:
        valeurs = {c: 0.05 + 0.9 * i / len(ACADEMIES) for i, c in enumerate(sorted(ACADEMIES))}
        valeurs["43"] = 0.5  # hidden: its value must not be drawn
    textes = {c: fmt.percent(v) for c, v in valeurs.items()}
    textes["43"] = fmt.SECRET
    valeurs = {c: v for c, v in valeurs.items() if c != "42"}  # Wallis et Futuna: no data
    textes.pop("42", None)
    return figures.tuiles(
        None, ACADEMIES, valeurs, textes, titre_legende="Taux d'activation", compact=compact
    )


FIGURES = {
    "barres": _barres,
    "barres horizontales": lambda: _barres(horizontal=True),
    "classement": _classement,
    "classement compact": lambda: _classement(compact=True),
    "entonnoir": _entonnoir,
    "groupes": lambda: figures.groupes(
        ANNEES[2:5],
        [("Acheteur", TAUX[2:5], _textes(TAUX[2:5])), ("France", HAUT[2:5], _textes(HAUT[2:5]))],
        "Taux",
        provisoire={"2025"},
    ),
    # Six years side by side: labels written upwards on a phone, across on a page.
    "groupes 6": lambda: figures.groupes(
        ANNEES,
        [("Acheteur", TAUX, _textes(TAUX)), ("France", HAUT, _textes(HAUT))],
        "Taux",
        provisoire={"2026"},
    ),
    "tuiles": _tuiles,
    "tuiles compactes": lambda: _tuiles(compact=True),
}


def _walk(node: object):
    """Every (key, value) pair of a nested figure dict."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _axes(figure: dict) -> list[dict]:
    layout = figure["layout"]
    axes = [layout[k] for k in ("xaxis", "yaxis") if k in layout]
    axes += [t["marker"]["colorbar"] for t in figure["data"] if "colorbar" in t.get("marker", {})]
    return axes


# ------------------------------------------------------------------------------ ticks


@pytest.mark.parametrize("nom", FIGURES)
def test_every_figure_is_valid_plotly_with_french_ticks(nom):
    figure = FIGURES[nom]()
    go.Figure(figure)  # every property is one Plotly knows
    keys = {k for k, _ in _walk(figure)}
    # No d3 format anywhere: Plotly would write « 40% » and « 1,200 ».
    assert not keys & {"tickformat", "texttemplate", "hovertemplate"}, nom
    ticks = [a for a in _axes(figure) if a.get("tickmode") == "array" and a.get("ticktext")]
    assert ticks, nom
    for axe in ticks:
        for valeur, texte in zip(axe["tickvals"], axe["ticktext"], strict=True):
            if isinstance(valeur, float) and texte.endswith("%"):
                assert texte == fmt.percent(valeur, 0) and "\u00a0%" in texte, (nom, texte)
            elif isinstance(valeur, float):
                assert texte == fmt.number(valeur, 0), (nom, texte)


@pytest.mark.parametrize(
    ("haut", "pourcentage", "attendu"),
    [
        (0.59, True, ["0\u00a0%", "20\u00a0%", "40\u00a0%", "60\u00a0%"]),
        (1.0, True, ["0\u00a0%", "20\u00a0%", "40\u00a0%", "60\u00a0%", "80\u00a0%", "100\u00a0%"]),
        (0.004, True, ["0,0\u00a0%", "0,1\u00a0%", "0,2\u00a0%", "0,3\u00a0%", "0,4\u00a0%"]),
        (864, False, ["0", "200", "400", "600", "800", "1\u202f000"]),
        (3, False, ["0", "1", "2", "3"]),
        (0, True, ["0\u00a0%", "20\u00a0%", "40\u00a0%", "60\u00a0%", "80\u00a0%", "100\u00a0%"]),
    ],
)
def test_ticks_are_round_cover_the_values_and_read_as_the_labels(haut, pourcentage, attendu):
    valeurs, textes = figures.graduations(haut, pourcentage)
    assert textes == attendu
    assert valeurs[0] == 0 and valeurs[-1] >= haut
    # The same text as a value label of the same figure: « 40 % » as fmt writes « 16,7 % ».
    if pourcentage:
        assert fmt.percent(0.167).endswith(textes[1][-2:])


# ------------------------------------------------------------------------------ labels


@pytest.mark.parametrize("horizontal", [False, True])
def test_value_labels_sit_past_the_interval_never_on_it(horizontal):
    figure = _barres(horizontal)
    bar = figure["data"][0]
    erreurs = bar["error_x" if horizontal else "error_y"]
    axe = figure["layout"]["xaxis" if horizontal else "yaxis"]
    labels = [a for a in figure["layout"]["annotations"] if a["text"] != fmt.SECRET]
    assert [a["text"] for a in labels] == [t for t in _textes(TAUX) if t != fmt.SECRET]
    shown = [(i, v) for i, v in enumerate(TAUX) if v is not None]
    for label, (i, valeur) in zip(labels, shown, strict=True):
        fin = valeur + erreurs["array"][i]
        assert fin == pytest.approx(HAUT[i])
        position = label["x"] if horizontal else label["y"]
        assert position == pytest.approx(max(valeur, HAUT[i]))  # at the interval's upper end
        assert (label["y"] if horizontal else label["x"]) == i  # on its own category
        # Drawn past that end, never centred on it.
        if horizontal:
            assert label["xanchor"] == "left" and label["xshift"] > 0
        else:
            assert label["yanchor"] == "bottom" and label["yshift"] > 0
        # Within the axis (Plotly hides an annotation anchored off it), even at 100 %.
        assert position <= axe["range"][1]
    if not horizontal:
        # Room above the interval reaching 100 % for its label inside the plot.
        assert axe["range"][1] >= 1.0 * 1.2


def test_a_hidden_value_is_neither_drawn_nor_written_as_a_number():
    figure = figures.barres(["2024", "2025"], [0.4, 0.5], ["40,0 %", fmt.SECRET], "Taux", True)
    assert figure["data"][0]["y"] == [0.4, None]  # the bar's length would give it away
    marques = [a for a in figure["layout"]["annotations"] if a["text"] == fmt.SECRET]
    assert len(marques) == 1 and marques[0]["x"] == 1


def _secret_never_beside_a_number(figure: dict) -> int:
    """Every text holding the secret mark holds no digit past its label (the hover's « 2024 : »);
    how many there are."""
    found = 0
    for key, value in _walk(figure):
        texts = value if isinstance(value, list) else [value]
        if key not in ("text", "hovertext", "name"):
            continue
        for text in texts:
            if isinstance(text, str) and fmt.SECRET in text:
                found += 1
                assert not re.search(r"\d", text.split(" : ", 1)[-1]), text
    return found


@pytest.mark.parametrize("nom", FIGURES)
def test_the_secret_mark_never_stands_beside_a_number(nom):
    assert _secret_never_beside_a_number(FIGURES[nom]()) > 0, nom


# ------------------------------------------------------------------------------ provisional


def test_the_current_year_is_marked_provisional_in_words_and_style():
    figure = _barres()
    axe = figure["layout"]["xaxis"]
    assert axe["ticktext"][-1] == "2026<br>(provisoire)"
    assert all("provisoire" not in t for t in axe["ticktext"][:-1])
    marker = figure["data"][0]["marker"]
    assert marker["color"][-1] != marker["color"][0] and marker["pattern"]["shape"][-1] == "/"
    assert set(marker["pattern"]["shape"][:-1]) == {""}
    legende = [t for t in figure["data"] if t.get("showlegend")]
    assert [t["name"] for t in legende] == ["Année en cours, provisoire"]
    assert figure["layout"]["showlegend"]
    assert "2026 (provisoire) : 40,0\u00a0%" in figure["data"][0]["hovertext"]
    horizontal = figures.barres(["2025", "2026"], [1, 2], ["1", "2"], "N", provisoire={"2026"})
    assert horizontal["layout"]["xaxis"]["ticktext"] == ["2025", "2026<br>(provisoire)"]
    groupes = FIGURES["groupes"]()
    assert groupes["layout"]["xaxis"]["ticktext"][-1] == "2025<br>(provisoire)"
    assert groupes["data"][-1]["name"] == "Année en cours, provisoire"
    for serie in groupes["data"][:2]:
        assert serie["marker"]["color"][-1] != serie["marker"]["color"][0]
    # Without a provisional period: no mention, no legend.
    plain = figures.barres(["2025"], [0.5], ["50,0 %"], "Taux", True)
    assert plain["layout"]["showlegend"] is False
    assert plain["layout"]["xaxis"]["ticktext"] == ["2025"]


def test_grouped_labels_are_written_upwards_only_when_bars_are_too_close():
    def serie(debut: int) -> list:
        return [
            ("Acheteur", TAUX[debut:], _textes(TAUX[debut:])),
            ("France", HAUT[debut:], _textes(HAUT[debut:])),
        ]

    # Five years on a page: across; three on a phone: upwards; six on a phone: horizontal.
    page = figures.groupes(ANNEES[1:], serie(1), "Taux", largeur=680)
    trois = figures.groupes(ANNEES[3:], serie(3), "Taux")
    six = figures.groupes(ANNEES, serie(0), "Taux")
    assert {t["textangle"] for t in page["data"]} == {0}
    assert {t["orientation"] for t in page["data"]} == {"v"}
    assert {t["textangle"] for t in trois["data"]} == {-90}
    assert {t["orientation"] for t in six["data"]} == {"h"} and six["layout"]["height"] >= 400
    for figure in (page, trois, six):  # never shrunk below their size
        assert {t["constraintext"] for t in figure["data"]} == {"none"}
    marque = [a for a in trois["layout"]["annotations"] if a["text"] == fmt.SECRET]
    assert marque[0]["textangle"] == -90 and marque[0]["x"] == pytest.approx(0 - 0.2)
    marque = [a for a in six["layout"]["annotations"] if a["text"] == fmt.SECRET]
    assert marque[0]["y"] == pytest.approx(3 - 0.2) and marque[0]["x"] == 0


# ------------------------------------------------------------------------------ funnel


def test_the_funnel_writes_conversion_and_median_days_and_hides_a_secret_stage_whole():
    figure = _entonnoir()
    bar = figure["data"][0]
    assert bar["x"] == [864, 700, 650, 193, None]
    textes = [a["text"] for a in figure["layout"]["annotations"]]
    assert "<b>Clause rédigée (marché notifié)</b>" in textes
    assert "Durée médiane à l'étape : 30\u00a0jours" in textes  # the first stage: no conversion
    etape = "durée médiane à l'étape"
    assert f"Conversion : {fmt.percent(700 / 864)} · {etape} : 12\u00a0jours" in textes
    assert f"Conversion : {fmt.percent(193 / 650)} · {etape} : 100\u00a0jours" in textes
    # The hidden stage: its name, then the mark for each figure, no number.
    assert f"Conversion : {fmt.SECRET} · {etape} : {fmt.SECRET}" in textes
    assert fmt.percent(3 / 193) not in " ".join(textes) and "50\u00a0jours" not in textes
    assert textes.count(fmt.SECRET) == 1  # its count, written at the axis
    for n in ("864", "700", "650", "193"):
        assert n in textes


# ------------------------------------------------------------------------------ ranking


def test_the_ranking_has_intervals_and_the_labelled_national_line():
    figure = _classement()
    bar = figure["data"][0]
    assert bar["orientation"] == "h" and bar["error_x"]["array"][0] > 0
    lignes = [s for s in figure["layout"]["shapes"] if s["x0"] == 0.362 == s["x1"]]
    assert lignes and all(s["yref"] == "paper" for s in lignes)
    assert any(s["line"].get("dash") == "dash" for s in lignes)
    libelle = [a for a in figure["layout"]["annotations"] if a["text"].startswith("France")]
    assert [a["text"] for a in libelle] == [f"France : {fmt.percent(0.362)}"]
    axe = figure["layout"]["xaxis"]
    assert axe["range"][1] >= max(h for h in bar["x"] if h is not None)
    compact = _classement(compact=True)
    courts = compact["layout"]["yaxis"]["ticktext"]
    assert "Clermont-F." in courts and all(len(c) <= 12 for c in courts)
    assert "Clermont-Ferrand : " in " ".join(compact["data"][0]["hovertext"])


# ------------------------------------------------------------------------------ tile map


def test_every_academie_has_a_tile_and_the_grid_has_no_hole():
    for disposition in (territoires.TUILES, territoires.TUILES_COMPACT):
        assert set(disposition) == set(ACADEMIES)
        assert len(set(disposition.values())) == len(disposition)  # one tile per square
    metropole = set(territoires.METROPOLE.values())
    colonnes = range(max(x for x, _ in metropole) + 1)
    lignes = range(max(y for _, y in metropole) + 1)
    for x, y in itertools.product(colonnes, lignes):
        if (x, y) in metropole:
            continue
        # A hole: an empty square with tiles on both sides in its row and in its column.
        gauche = any((i, y) in metropole for i in colonnes if i < x)
        droite = any((i, y) in metropole for i in colonnes if i > x)
        dessus = any((x, j) in metropole for j in lignes if j < y)
        dessous = any((x, j) in metropole for j in lignes if j > y)
        assert not (gauche and droite and dessus and dessous), (x, y)
    assert set(territoires.OUTRE_MER) == set(ACADEMIES) - set(territoires.METROPOLE)


def _sans_ambiguite(nom: str, court: str) -> None:
    """Same words in the same order, each whole, customary or cut with a dot."""
    mots = re.split(r"[- ]", nom)
    formes = re.split(r"[- \n]", court.replace("-\n", "-"))
    assert len(formes) == len(mots), (nom, court)
    for mot, forme in zip(mots, formes, strict=True):
        if forme in (mot, territoires.USUELLES.get(mot)):
            continue
        assert forme.endswith(".") and mot.startswith(forme[:-1]), (nom, court)


@pytest.mark.parametrize(
    ("longueur", "lignes", "taille"), [(11, 1, None), (12, 1, None), (64, 2, 11), (50, 2, 10)]
)
def test_short_names_are_unique_complete_and_fit(longueur, lignes, taille):
    def mesure(ligne: str) -> float:
        return len(ligne) if taille is None else territoires.largeur_texte(ligne, taille)

    courts = territoires.abreviations(ACADEMIES.values(), longueur, lignes, mesure)
    assert set(courts) == set(ACADEMIES.values())
    for nom, court in courts.items():
        _sans_ambiguite(nom, court)
        assert len(court.split("\n")) <= lignes
        assert all(mesure(ligne) <= longueur for ligne in court.split("\n")), court
        if mesure(nom) <= longueur:
            assert court == nom  # a name that fits is never shortened
    assert territoires.abreger("Clermont-Ferrand", 11) == "Clermont-F."
    assert territoires.abreger("Aix-Marseille", 9) == "Aix-Mars."
    assert territoires.abreger("Clermont-Ferrand", 9, lignes=2) == "Clermont-\nFerrand"
    with pytest.raises(ValueError, match="même nom court"):
        territoires.abreviations(["Saint-Denis", "Saint-Dizier"], 5)


def test_text_widths_are_marianne_s():
    # Measured by Chromium's canvas with the DSFR's Marianne (see the browser test below).
    assert territoires.largeur_texte("Normandie", 10) == pytest.approx(55.05)
    assert territoires.largeur_texte("Clermont-Ferrand", 12) == pytest.approx(104.11, abs=0.01)


def _luminance(couleur: str) -> float:
    canaux = [int(couleur[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in canaux]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_tile_text_keeps_a_contrast_of_4_5_on_every_class():
    for fond, texte in zip(figures.CLASSES, figures.TEXTE_CLASSES, strict=True):
        a, b = sorted((_luminance(fond), _luminance(texte)), reverse=True)
        assert (a + 0.05) / (b + 0.05) >= 4.5, fond
    for fond in (figures.FOND_SECRET, "#ffffff"):  # secret and no-data tiles: dark text
        assert (_luminance(fond) + 0.05) / (_luminance(figures.TEXTE) + 0.05) >= 4.5


def _tile_traces(figure: dict) -> tuple[dict, dict, dict, dict]:
    valeurs, _barre, secret, absent, textes = figure["data"]
    return valeurs, secret, absent, textes


def test_tiles_have_a_fixed_scale_a_legend_and_two_distinct_empty_styles():
    figure = _tuiles()
    valeurs, secret, absent, textes = _tile_traces(figure)
    # Each académie once, by its full name in the hover.
    survols = valeurs["hovertext"] + secret["hovertext"] + absent["hovertext"]
    assert sorted(s.split(" : ")[0] for s in survols) == sorted(ACADEMIES.values())
    assert secret["hovertext"] == [f"Mayotte : {fmt.SECRET} : {fmt.MOTIF_SECRET}"]
    assert absent["hovertext"] == ["Wallis et Futuna : aucune donnée"]
    assert secret["name"] == f"{fmt.SECRET} : {fmt.MOTIF_SECRET}" and secret["showlegend"]
    assert absent["name"] == "– : aucune donnée" and absent["showlegend"]
    assert secret["marker"]["pattern"]["shape"] and "pattern" not in absent["marker"]
    assert secret["marker"]["color"] != absent["marker"]["color"]
    # The colour bar: classes of 20 points from 0 to 100 %, written as fmt writes them.
    barre = figure["data"][1]["marker"]
    assert barre["showscale"] and (barre["cmin"], barre["cmax"]) == (0, 1.0)
    assert barre["colorbar"]["ticktext"] == [fmt.percent(b / 5, 0) for b in range(6)]
    assert barre["colorbar"]["title"]["text"] == "Taux d'activation"
    # Names on the tiles: short, whole or with a dot; values beneath.
    assert "Clermont-<br>Ferrand<br><b>" in " ".join(textes["text"])
    assert "Mayotte<br><b>secret</b>" in textes["text"]
    assert "Wallis et<br>Futuna<br><b>–</b>" in textes["text"]


def test_a_narrow_range_of_rates_is_not_stretched_over_the_colours():
    """20,9 % to 26,8 % are one class on the fixed scale: the tiles look alike, as they are."""
    figure = _tuiles(valeurs={c: 0.209 + 0.059 * i / 33 for i, c in enumerate(ACADEMIES)})
    couleurs = set(figure["data"][0]["marker"]["color"])
    assert couleurs == {figures.CLASSES[1]}
    counts = figures.tuiles(
        None, ACADEMIES, {"24": 37, "25": 12}, {"24": "37", "25": "12"}, titre_legende="Jeunes"
    )
    barre = counts["data"][1]["marker"]
    assert barre["cmax"] == 50 and barre["colorbar"]["ticktext"] == [
        "0",
        "10",
        "20",
        "30",
        "40",
        "50",
    ]
    assert counts["data"][0]["marker"]["color"] == [figures.CLASSES[1], figures.CLASSES[3]]


# ------------------------------------------------------------------------------ in Chromium

FONTS = ROOT / "dashboards/assets/vendor/dsfr/fonts"


def _page(figure: dict, largeur: int, dossier: Path) -> Path:
    """A page with the dashboard's plotly bundle and Marianne, the figure in a column of the
    DSFR container's width at that viewport (16 px each side)."""
    polices = "".join(
        f"@font-face{{font-family:Marianne;src:url('{(FONTS / f'Marianne-{n}.woff2').as_uri()}');"
        f"font-weight:{w}}}"
        for n, w in (("Regular", 400), ("Bold", 700))
    )
    page = dossier / f"figure-{largeur}.html"
    page.write_text(
        f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<style>{polices} body{{margin:0 16px;font-family:Marianne}}</style>
<script src="{PLOTLY_BASIC_JS.as_uri()}"></script></head><body><div id="g"></div>
<script>const f = {json.dumps(figure)};
document.fonts.load('12px Marianne').then(() => document.fonts.load('bold 12px Marianne'))
  .then(() => Plotly.newPlot('g', f.data, f.layout, {{responsive: true, displayModeBar: false}}))
  .then(() => {{ window.dessine = true; }});</script></body></html>""",
        encoding="utf-8",
    )
    return page


BOITES = """() => {
  const box = e => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const all = s => [...document.querySelectorAll(s)].map(box).filter(b => b[2] > b[0]);
  return {
    svg: box(document.querySelector('.main-svg')),
    bars: all('.bars .point path'),
    errors: all('.errorbar path'),
    labels: all('.annotation, .bartext'),
    texts: all('.textpoint text'),
    legend: all('.legend .bg'),
    colorbar: all('.colorbar .cbfills, .colorbar .cbaxis'),
    ticks: all('.xtick text, .ytick text'),
  };
}"""


def _croise(a: list[float], b: list[float], marge: float = 0.5) -> bool:
    return (
        a[0] < b[2] - marge and b[0] < a[2] - marge and a[1] < b[3] - marge and b[1] < a[3] - marge
    )


def _dans(a: list[float], b: list[float], marge: float = 1.0) -> bool:
    return (
        a[0] >= b[0] - marge
        and a[1] >= b[1] - marge
        and a[2] <= b[2] + marge
        and a[3] <= b[3] + marge
    )


@pytest.fixture(scope="module")
def navigateur():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def _dessiner(navigateur, figure: dict, largeur: int, dossier: Path) -> dict:
    page = navigateur.new_page(viewport={"width": largeur, "height": 900}, locale="fr-FR")
    avertissements: list[str] = []
    page.on("pageerror", lambda exc: avertissements.append(str(exc)))
    page.on(
        "console",
        lambda m: avertissements.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.goto(_page(figure, largeur, dossier).as_uri())
    page.wait_for_function("window.dessine === true")
    boites = page.evaluate(BOITES)
    page.close()
    assert not avertissements, avertissements  # plotly.js warns of what it could not draw
    return boites


@pytest.mark.browser
@pytest.mark.parametrize("largeur", [1400, 390])
def test_tiles_neither_overlap_nor_spill_their_text_at_desktop_and_phone_widths(
    navigateur, tmp_path, largeur
):
    figure = _tuiles(compact=largeur < 700)
    boites = _dessiner(navigateur, figure, largeur, tmp_path)
    tuiles, textes = boites["bars"], boites["texts"]
    assert len(tuiles) == len(ACADEMIES)
    for a, b in itertools.combinations(tuiles, 2):
        assert not _croise(a, b), (a, b)
    # Each tile's text (name, value) inside a tile, and no two texts run into each other.
    assert len(textes) == len(ACADEMIES)
    for texte in textes:
        assert any(_dans(texte, tuile) for tuile in tuiles), texte
    for a, b in itertools.combinations(textes, 2):
        assert not _croise(a, b), (a, b)
    # The legend and the colour bar clear of the tiles and within the figure.
    assert boites["legend"] and boites["colorbar"]
    for boite in boites["legend"] + boites["colorbar"] + boites["labels"]:
        assert _dans(boite, boites["svg"]), boite
        assert not any(_croise(boite, tuile) for tuile in tuiles), boite
    # Legible: a tile at least 50 px wide at the phone's width.
    assert min(t[2] - t[0] for t in tuiles) >= 50


@pytest.mark.browser
@pytest.mark.parametrize("largeur", [1400, 390])
@pytest.mark.parametrize(
    "nom", ["barres", "barres horizontales", "classement", "entonnoir", "groupes", "groupes 6"]
)
def test_labels_clear_of_error_bars_and_bars_at_desktop_and_phone_widths(
    navigateur, tmp_path, largeur, nom
):
    if nom == "classement" and largeur < 700:
        nom = "classement compact"
    boites = _dessiner(navigateur, FIGURES[nom](), largeur, tmp_path)
    assert boites["labels"] and boites["bars"]
    if not nom.startswith(("entonnoir", "groupes")):
        assert boites["errors"]
    for label in boites["labels"]:
        assert _dans(label, boites["svg"]), (nom, label)  # never cut by the figure's edge
        for trait in boites["errors"]:
            assert not _croise(label, trait), (nom, label, trait)
    # A label may sit over empty space or its own bar's end, never across another label.
    for a, b in itertools.combinations(boites["labels"], 2):
        assert not _croise(a, b), (nom, a, b)
    for tick in boites["ticks"]:
        assert not any(_croise(tick, label) for label in boites["labels"]), (nom, tick)


@pytest.mark.browser
def test_the_width_table_measures_as_chromium_draws_marianne(navigateur, tmp_path):
    """The short names and label room are chosen with ``largeur_texte``: it must agree with
    what Chromium measures in Marianne, never narrower by half a pixel (a name chosen to fit
    would not), at most a little wider (kerning, which it ignores, tightens « Ly »)."""
    textes = [*ACADEMIES.values(), "100,0\u00a0%", "1\u202f234", fmt.SECRET, "Clermont-F."]
    page = navigateur.new_page()
    page.goto(_page({"data": [], "layout": {}}, 400, tmp_path).as_uri())
    page.wait_for_function("window.dessine === true")
    mesures = page.evaluate(
        """textes => { const c = document.createElement('canvas').getContext('2d');
        c.font = '10px Marianne'; return textes.map(t => c.measureText(t).width); }""",
        textes,
    )
    page.close()
    for texte, mesure in zip(textes, mesures, strict=True):
        assert mesure - 0.5 <= territoires.largeur_texte(texte, 10) <= mesure * 1.05, texte
