"""A blocking check that fails publishes nothing and leaves the last snapshot as it was."""

import json
import shutil

import pytest

from pipelines import cli
from pipelines.checks import gx_suites
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow


def test_failed_blocking_check_keeps_previous_snapshot(tmp_path, monkeypatch):
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (
        "registre_clauses_csf.csv",
        "decp_2024_2026_v2.json",
        "mlds_24_jeunes.csv",
        "mlds_24_parcours.csv",
        "mlds_24_suivis.csv",
    ):
        shutil.copy(SAMPLE / name, inbox / name)
    monkeypatch.setenv("CSF_HOME", str(home))
    monkeypatch.setenv("CSF_PSEUDO_KEY", "")
    assert cli.main(["run", "--inbox", str(inbox)]) == 0
    published = home / "warehouse" / "published.duckdb"
    before = published.read_bytes()

    # A stricter, real GX suite: MLDS youths from Créteil only are allowed in the next batch.
    strict = tmp_path / "expectations"
    shutil.copytree(gx_suites.suite_path("mlds_jeunes").parent, strict)
    suite = json.loads((strict / "raw_mlds_jeunes.json").read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "code_academie", "value_set": ["24"]},
            "meta": {"severity": "blocking"},
        }
    )
    (strict / "raw_mlds_jeunes.json").write_text(json.dumps(suite))
    monkeypatch.setattr(gx_suites, "EXPECTATIONS_DIR", strict)
    shutil.copy(SAMPLE / "mlds_25_jeunes.csv", inbox / "mlds_25_jeunes.csv")

    assert cli.main(["run", "--inbox", str(inbox)]) == 1
    assert published.read_bytes() == before
    # Still blocking on the next run: a failed batch cannot slip into a later publish.
    assert cli.main(["run", "--inbox", str(inbox)]) == 1
    assert published.read_bytes() == before
