"""dagster-dbt's resource, without the work it does before each dbt command that we never use."""

from __future__ import annotations

from functools import cached_property
from importlib import metadata

from dagster_dbt import DbtCliResource
from packaging import version


class CsfDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that starts dbt sooner (2 to 8 seconds a run on this machine).

    Before each command dagster-dbt runs ``dbt --version`` in a subprocess (dbt's imports: two
    seconds or more) and builds a dbt adapter in the Dagster process, used only to fetch column
    metadata and row counts, which this project does not ask for. The version is the installed
    dbt-core package's (the lock pins it; there is no Fusion engine here) and no adapter is
    built. Both override private members of dagster-dbt, pinned in uv.lock;
    tests/test_pipeline.py runs them through every real ``csf run``.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
