"""The disclosure decision made in two processes is the one made in one.

``decide`` sets a share of its jobs (comparison families, the waiting series) aside for a
worker process when they are large (pipelines.disclosure.worker); the rows, their order and the
summary must not depend on where a job ran. Read from a real build: the demo home's warehouse,
through the secrecy model's own queries.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import ClassVar

import duckdb
import polars as pl
import pytest

from pipelines.disclosure import decision
from pipelines.disclosure.decision import decide
from pipelines.disclosure.families import Thresholds
from pipelines.disclosure.worker import Aside, WorkerFailed

MODEL = (
    Path(__file__).resolve().parent.parent
    / "dbt_project"
    / "models"
    / "intermediate"
    / "int_secret_statistique.py"
)


def _model():
    spec = importlib.util.spec_from_file_location("int_secret_statistique", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(build: Path) -> tuple[pl.DataFrame, ...]:
    """The model's inputs (indicator cells, funnel cells, académies, waiting series) and its
    table, read from a copy of the build warehouse."""
    model = _model()
    with duckdb.connect(str(build), read_only=True) as con:
        schemas = dict(
            con.execute("select table_name, table_schema from information_schema.tables").fetchall()
        )

        def read(table: str, alias: str | None = None, sql: str | None = None) -> pl.DataFrame:
            relation = con.table(f'"{schemas[table]}"."{table}"')
            return relation.query(alias, sql).pl() if sql else relation.pl()

        indicateurs = read("int_indicateurs__mesures", "mesures", model.YOUTH_CELLS)
        funnel = read("int_entonnoir__comptes", "comptes", model.FUNNEL_CELLS)
        academies = read("ref_academies")
        attente = read("int_attente__comptes", "comptes", model.ATTENTE_CELLS)
        table = read("int_secret_statistique")
    last_year = int(attente["periode"].max()[:4])
    attente = attente.filter(pl.col("periode") >= f"{last_year - 1}-01")
    return indicateurs, funnel, academies, attente, table


@pytest.fixture(scope="module")
def inputs(demo_home: Path) -> tuple[pl.DataFrame, ...]:
    return _inputs(demo_home / "warehouse" / "build.duckdb")


class _Spy(Aside):
    """The real worker, counting the jobs it was given."""

    jobs: ClassVar[list] = []

    def __init__(self, jobs) -> None:
        _Spy.jobs += jobs
        super().__init__(jobs)


class _Broken(Aside):
    """A worker that starts and then fails."""

    def results(self):
        raise WorkerFailed("panne voulue")


def _without_seconds(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k != "secondes"}


def test_two_processes_decide_what_one_decides(inputs, monkeypatch):
    indicateurs, funnel, academies, attente, table = inputs
    thresholds = Thresholds(count=5, denominator=20, protection=1)
    one, summary_one = decide(indicateurs, funnel, academies, thresholds, attente, workers=1)
    monkeypatch.setattr(decision, "Aside", _Spy)
    _Spy.jobs = []
    two, summary_two = decide(indicateurs, funnel, academies, thresholds, attente, workers=2)
    # The worker did decide some of it: comparison families or the waiting series.
    assert _Spy.jobs
    assert one.height > 1000 and one["secret"].sum() > 0
    assert two.equals(one)  # same rows, same order
    assert _without_seconds(summary_two) == _without_seconds(summary_one)
    # And both are what the run's own model decided.
    assert one.sort(one.columns).equals(table.select(one.columns).sort(one.columns))


def test_a_failed_worker_is_replaced_by_this_process(inputs, monkeypatch, caplog):
    indicateurs, funnel, academies, attente, _ = inputs
    one, _ = decide(indicateurs, funnel, academies, None, attente, workers=1)
    monkeypatch.setattr(decision, "Aside", _Broken)
    with caplog.at_level(logging.WARNING, logger="pipelines.disclosure"):
        again, _ = decide(indicateurs, funnel, academies, None, attente, workers=2)
    assert again.equals(one)
    assert "panne voulue ; calcul repris dans ce processus" in caplog.text


def test_the_jobs_set_aside_balance_the_two_processes():
    # Large jobs go to a second process, the heaviest first and alternately; small ones never
    # pay for its start unless asked.
    jobs = {
        name: (decision._attente, (pl.DataFrame({"x": range(size * 8)}),), {})
        for name, size in (("a", 50), ("b", 40), ("c", 30), ("d", 20))
    }
    assert decision._set_aside(jobs, workers=2) == ["b", "c"]
    assert decision._set_aside(jobs, workers=1) == []
    assert decision._set_aside(jobs, workers=None) == []  # 140 < PARALLEL_MIN_SIZE


def _fails() -> None:
    raise ValueError("échec voulu")


def test_a_failing_worker_is_a_clear_error_not_a_hang():
    with (
        Aside([(_fails, (), {})]) as worker,
        pytest.raises(WorkerFailed, match="processus de calcul parallèle a échoué"),
    ):
        worker.results()


def test_the_worker_returns_its_log_records_and_keeps_its_output_clean():
    jobs = [
        (print, ("du bruit sur la sortie standard",), {}),
        (logging.getLogger("pipelines.disclosure.test").warning, ("bonjour",), {}),
    ]
    with Aside(jobs) as worker:
        [(printed, none), (value, records)] = worker.results()
    assert printed is None and none == [] and value is None
    assert [r.getMessage() for r in records] == ["bonjour"]
