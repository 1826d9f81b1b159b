"""A ``CSF_HOME`` whose path holds a quote, a space and an accent publishes like any other
(the paths DuckDB is given in SQL are quoted by one rule), and everything the run writes there
is readable by its owner only, folders of an older home included."""

from __future__ import annotations

import os
import stat

import pytest

from tests.conftest import SAMPLE, csf, status

pytestmark = pytest.mark.slow


def test_a_home_with_a_quote_publishes_and_keeps_everything_private(tmp_path):
    home = tmp_path / "l'académie d'essai"
    # A home made before: its warehouse folder readable by every account.
    (home / "warehouse").mkdir(parents=True, mode=0o755)
    (home / "warehouse").chmod(0o755)
    result = csf(home, "run", "--inbox", str(SAMPLE))
    assert result.returncode == 0, result.stderr[-3000:]
    assert status(home)["published"]["snapshot_id"]
    release = csf(home, "export", "--release", "essai-1")
    assert release.returncode == 0, release.stderr[-3000:]

    written = [p for p in home.rglob("*") if not p.is_symlink()]
    kinds = {p.suffix for p in written if p.is_file()}
    assert {".duckdb", ".pdf", ".xlsx", ".csv", ".parquet", ".key"} <= kinds, kinds

    # Read by another account: the path gives others read access and every folder between
    # the home and it lets them through. (dbt copies its partial-parse file with the
    # checkout's 0644: inside a 0700 folder, no other account reaches it.)
    def reachable(path) -> bool:
        return all(
            stat.S_IMODE(folder.stat().st_mode) & 0o011
            for folder in path.parents
            if folder != home and home in folder.parents
        )

    shared = [
        f"{oct(stat.S_IMODE(p.stat().st_mode))} {p.relative_to(home)}"
        for p in written
        if stat.S_IMODE(p.stat().st_mode) & 0o044 and reachable(p)
    ]
    assert shared == []
    created = [p for p in written if p.is_file() and p.name != "partial_parse.msgpack"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in created)
    for folder in ("warehouse", "keys", "reports", "exports", "cache", "dagster", "dbt"):
        assert stat.S_IMODE((home / folder).stat().st_mode) == 0o700, folder
    assert os.access(home / "warehouse" / "published.duckdb", os.R_OK)
