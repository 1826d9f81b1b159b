"""The content layer, block by block, on every view a user can ask for: a block accounts for
every filter set (applied or said to be ignored), never claims a scope it did not compute,
names the scope it uses, shows one clear message when it has nothing to show, and its figures
are the warehouse's for the cell it names. Its CSV holds numbers a spreadsheet can compute on."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dashboards.downloads import lignes_csv
from pipelines.content.block import NIVEAUX, Context, National, Public, Refus, View
from pipelines.content.blocks import BLOCS, FILTRES, common
from pipelines.content.table import Intervalle, Masque, Valeur
from pipelines.warehouse.snapshot import SnapshotReader

# Blocks that read ``marts.indicateurs`` for one cell, and the indicators they read.
INDICATEURS = {
    "activation": ["taux_activation_6m"],
    "calibrage": ["conformite_calibrage"],
    "sorties-positives": ["taux_sortie_positive_6m_csf_compares", "ecart_taux_sortie_positive_6m"],
    "resultats-6m": ["taux_sortie_positive_6m", "nb_jeunes_csf"],
}


@pytest.fixture(scope="module")
def snapshot(demo_home: Path):
    with SnapshotReader(demo_home / "warehouse" / "published.duckdb") as reader:
        yield reader


def _values(snapshot: SnapshotReader, niveau: str) -> list[str]:
    return [
        r["code_niveau"]
        for r in snapshot.rows(
            "select distinct code_niveau from marts.indicateurs where niveau = ? "
            "and code_niveau != 'NR' order by 1",
            niveau,
        )
    ]


def _views(snapshot: SnapshotReader, n: int = 60, seed: int = 23) -> list[View]:
    """Views a user can build: every single filter value, and random combinations."""
    years = [r["periode"] for r in snapshot.rows("select distinct periode from marts.indicateurs")]
    choices = {name: _values(snapshot, niveau) for name, niveau in NIVEAUX.items()}
    choices["acheteur"] = [
        r["siret_acheteur"]
        for r in snapshot.rows(
            "select siret_acheteur from marts.dim_acheteurs where nb_clauses_csf > 0 order by 1"
        )
    ]
    views = [View(annee=y) for y in years]
    views += [View(**{name: v}) for name, values in choices.items() for v in values]
    rng = random.Random(seed)
    for _ in range(n):
        picked = {
            name: rng.choice(values)
            for name, values in choices.items()
            if values and rng.random() < 0.4
        }
        views.append(View(annee=rng.choice(years), **picked))
    return views


def _blocks(ctx: Context, view: View):
    for bloc_id, build in BLOCS.items():
        try:
            yield bloc_id, build(ctx, view)
        except Refus:
            continue


def test_every_filter_set_is_applied_or_said_ignored_and_the_scope_is_named(snapshot):
    ctx = Context(snapshot, National())
    for view in _views(snapshot):
        for bloc_id, bloc in _blocks(ctx, view):
            applied, ignored = set(bloc.filtres_appliques), set(bloc.filtres_ignores)
            assert applied | ignored == set(view.actifs()), (bloc_id, view)
            assert not applied & ignored, (bloc_id, view)
            assert applied <= set(FILTRES[bloc_id]), (bloc_id, view)
            # A scope filter applied is named in the block's sentence.
            for name in applied - {"annee"}:
                value = getattr(view, name)
                named = common.nom_niveau(ctx, NIVEAUX[name], value)
                assert named in bloc.resume or bloc_id == "chiffres-cles", (bloc_id, view)
            # National figures while a scope filter is set: said on the block.
            scopes = [f for f in view.actifs() if f != "annee"]
            if scopes and not applied - {"annee"} and bloc_id not in ("carte", "classement"):
                assert ignored, (bloc_id, view)


def test_a_block_shows_the_warehouse_cell_it_names(snapshot):
    """The figures of an indicator block are those of the cell its scope names: for the buyer,
    the buyer's; never the national one under a buyer's title."""
    ctx = Context(snapshot, National())
    for view in _views(snapshot, n=30):
        for bloc_id, codes in INDICATEURS.items():
            bloc = BLOCS[bloc_id](ctx, view)
            niveau, code = view.cellule(FILTRES[bloc_id])
            periodes = (
                [view.annee]
                if bloc_id in ("sorties-positives", "resultats-6m")
                else [
                    r["periode"]
                    for r in snapshot.rows(
                        "select distinct periode from marts.indicateurs where periode != "
                        "'ensemble' and indicateur = ? and niveau = ? and code_niveau = ?",
                        codes[0],
                        niveau,
                        code,
                    )
                ]
            )
            expected = snapshot.rows(
                "select valeur, diffusable from marts.indicateurs where indicateur = ? and "
                "niveau = ? and code_niveau = ? and list_contains(?, periode)",
                codes[0],
                niveau,
                code,
                periodes,
            )
            shown = {
                round(c.valeur, 9)
                for line in bloc.tableau.lignes
                for c in line
                if isinstance(c, Valeur)
            }
            for row in expected:
                if row["diffusable"] and row["valeur"] is not None:
                    assert round(row["valeur"], 9) in shown, (bloc_id, view, row)


def test_the_buyer_view_is_the_buyers_or_says_it_is_national(snapshot):
    ctx = Context(snapshot, Public())
    buyers = [
        r["siret_acheteur"]
        for r in snapshot.rows(
            "select siret_acheteur from marts.dim_acheteurs where nb_clauses_csf > 0"
        )
    ]
    for siret in buyers:
        view = View(acheteur=siret)
        name = common.nom_niveau(ctx, "acheteur", siret)
        for bloc_id in (
            "activation",
            "entonnoir",
            "dormantes",
            "dormantes-acheteurs",
            "calibrage",
            "clauses-acheteur",
            "chiffres-cles",
        ):
            bloc = BLOCS[bloc_id](ctx, view)
            if "acheteur" in bloc.filtres_appliques:
                assert name in bloc.resume, (bloc_id, siret)
            else:
                assert bloc.national and "acheteur" in bloc.filtres_ignores, (bloc_id, siret)
        listed = BLOCS["clauses-acheteur"](ctx, view)
        count = snapshot.rows(
            "select count(*) as n from marts.fct_clauses where siret_acheteur = ?", siret
        )[0]["n"]
        assert len(listed.tableau.lignes) == count


def test_empty_and_secret_cells_give_one_message_not_a_column_of_marks(snapshot):
    ctx = Context(snapshot, National())
    found = 0
    for view in _views(snapshot):
        for bloc_id, bloc in _blocks(ctx, view):
            values = [c for line in bloc.tableau.lignes for c in line[1:]]
            figures = [
                c for c in values if isinstance(c, Valeur | Intervalle) or type(c) in (int, float)
            ]
            if bloc_id in ("sorties-positives", "resultats-6m") and not figures:
                assert bloc.vide is not None, (bloc_id, view)
                found += 1
            if bloc.vide is not None:
                assert bloc.vide.message.endswith("."), bloc.vide
    assert found, "the demo has small cells: some youth block must give its message"


def test_csv_cells_are_numbers_or_the_secret_mark(snapshot):
    ctx = Context(snapshot, National())
    for view in (View(), View(annee="2025", academie="24")):
        for bloc_id, bloc in _blocks(ctx, view):
            rows = lignes_csv(bloc)
            header, body = rows[0], rows[1:]
            for i, title in enumerate(header):
                numeric = title.endswith(("(%)", "(points)", "(jours)")) or "borne" in title
                for row in body:
                    cell = row[i]
                    # « non atteint »: a waiting-time quantile the curve has not reached.
                    if numeric and cell not in ("", "secret", "non atteint"):
                        float(cell.replace(",", "."))  # a number in French notation
                    assert "\u202f" not in cell and "\u00a0%" not in cell, (bloc_id, title, cell)
            # Every hidden cell of the table is the secret mark in the CSV too.
            hidden = sum(isinstance(c, Masque) for line in bloc.tableau.lignes for c in line)
            marks = sum(cell == "secret" for row in body for cell in row)
            assert marks >= hidden, bloc_id


def test_every_block_declares_its_filters_and_they_exist_in_the_marts(snapshot):
    assert set(FILTRES) == set(BLOCS)
    levels = {
        r["indicateur"]: set(r["niveaux"])
        for r in snapshot.rows(
            "select indicateur, list(distinct niveau) as niveaux from marts.indicateurs "
            "group by all"
        )
    }
    for bloc_id, codes in INDICATEURS.items():
        for name in set(FILTRES[bloc_id]) - {"annee"}:
            for code in codes:
                assert NIVEAUX[name] in levels[code], (bloc_id, name, code)
