"""The one configuration object: every setting declared once, read once, never smuggled."""

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from pipelines.ingest.csv_reader import Limits
from pipelines.settings import (
    DEFAULTS,
    PROJECT_ROOT,
    env_example,
    load_settings,
    setting_fields,
)

CODE = ("pipelines", "dashboards", "bench")
# Reading, writing or copying the process environment, in any spelling.
ENVIRONMENT = re.compile(r"\bos\.environ\b|\bgetenv\b|\bputenv\b|\bunsetenv\b|from os import")


def _python_files():
    for folder in CODE:
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))


def test_env_example_is_written_from_the_settings():
    assert (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8") == env_example(), (
        "regenerate it: .venv/bin/python -m pipelines.settings > .env.example"
    )


def test_no_module_but_the_settings_touches_the_environment():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}: {line.strip()}"
        for path in _python_files()
        if path != PROJECT_ROOT / "pipelines" / "settings.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ENVIRONMENT.search(line)
    ]
    assert offenders == []


def test_dbt_reads_variables_not_the_environment():
    dbt = PROJECT_ROOT / "dbt_project"
    files = [dbt / "profiles.yml", dbt / "dbt_project.yml"]
    files += [p for d in ("models", "macros", "tests") for p in (dbt / d).rglob("*") if p.is_file()]
    assert [p.name for p in files if "env_var(" in p.read_text(encoding="utf-8")] == []


def test_every_setting_named_in_the_code_is_declared():
    declared = {f.metadata["env"] for f in setting_fields()}
    declared |= {f.metadata["formerly"] for f in setting_fields() if f.metadata["formerly"]}
    named = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named |= set(re.findall(r"\b(CSF_[A-Z][A-Z_]*[A-Z])\b", node.value))
    assert named - declared == set()


def test_settings_are_parsed_and_an_invalid_one_is_named():
    settings = load_settings(
        {
            "CSF_HOME": "/tmp/csf-ailleurs",
            "CSF_OBSERVATION_DATE": " 2025-06-30 ",
            "CSF_MAX_FILE_MB": "2.5",
            "CSF_SMTP_STARTTLS": "oui",
            "CSF_ALERT_TO": "a@x.fr, b@x.fr,",
        }
    )
    assert settings.home == Path("/tmp/csf-ailleurs")
    assert settings.inbox == Path("/tmp/csf-ailleurs/inbox")
    assert settings.observation_date == date(2025, 6, 30)
    assert Limits.of(settings) == Limits(1_048_576, 16_384, 2.5)
    assert settings.smtp_starttls and settings.alert_to == ("a@x.fr", "b@x.fr")
    assert Limits.of(DEFAULTS) == Limits()
    # Zero where it means "no check" or "always": accepted, and kept as zero.
    zeros = load_settings({"CSF_MIN_FREE_MB": "0", "CSF_INGEST_PARALLEL_MB": "0"})
    assert zeros.min_free_mb == 0 and zeros.ingest_parallel_mb == 0
    for name, value in (
        ("CSF_MAX_FILE_MB", "0"),
        ("CSF_CHART_TIMEOUT", "deux minutes"),
        ("CSF_OBSERVATION_DATE", "30/06/2025"),
        ("CSF_DASHBOARD_PORT", "70000"),
    ):
        with pytest.raises(ValueError, match=name):
            load_settings({name: value})


def test_a_renamed_setting_is_still_read_under_its_former_name():
    assert load_settings({"CSF_EXPORTS_AUTO_GARDER": "7"}).auto_releases_keep == 7
    both = {"CSF_EXPORTS_AUTO_GARDER": "7", "CSF_AUTO_RELEASES_KEEP": "2"}
    assert load_settings(both).auto_releases_keep == 2
    assert load_settings({"CSF_RETARD_JOURS": "10"}).late_after_days == 10


def test_overrides_win_and_a_secret_never_shows():
    settings = load_settings(
        {"CSF_OBSERVATION_DATE": "2025-06-30", "CSF_PSEUDO_KEY": "tres-secret-0123456789"},
        observation_date="",
        full_rebuild=True,
    )
    assert settings.observation_date is None and settings.full_rebuild
    assert "tres-secret" not in repr(settings)
    assert settings.dbt_vars()["observation_date"] == ""
    with pytest.raises(ValueError, match=r"CSF_SNAPSHOTS_KEEP.*'x'"):
        load_settings({"CSF_SNAPSHOTS_KEEP": "x"})
    with pytest.raises(ValueError) as refused:
        load_settings({"CSF_SMTP_PASSWORD": "  "} | {"CSF_SMTP_PORT": "secret?"})
    assert "secret?" in str(refused.value)  # a port is no secret; a password would be hidden


def test_values_the_former_code_accepted_keep_their_meaning():
    """Issue 22 moved every setting into one object without changing what a value means."""
    kept = load_settings(
        {
            "CSF_INBOX_SETTLE_SECONDS": "0",  # files count at once
            "CSF_SENSOR_INTERVAL_SECONDS": "0",
            "CSF_LATE_AFTER_DAYS": "0",
            "CSF_SNAPSHOTS_KEEP": "0",  # at least the served snapshot is kept
            "CSF_CHART_TIMEOUT": "0",  # zero or less: the default
        }
    )
    assert kept.inbox_settle_seconds == 0 and kept.sensor_interval_seconds == 0
    assert kept.late_after_days == 0 and kept.snapshots_keep == 1
    assert kept.chart_timeout_seconds == DEFAULTS.chart_timeout_seconds == 120
    # STARTTLS only when it says so; any other value is no, never an error.
    for value, on in (("oui", True), ("1", True), ("TRUE", True), ("yes", False), ("on", False)):
        assert load_settings({"CSF_SMTP_STARTTLS": value}).smtp_starttls is on
    # A full rebuild unless the value says off (the documentation has long said « 1 »).
    for value, full in (("1", True), ("on", True), ("0", False), ("false", False), ("", False)):
        assert load_settings({"CSF_FULL_REBUILD": value}).full_rebuild is full


def test_a_password_is_taken_as_written():
    settings = load_settings({"CSF_SMTP_PASSWORD": " mot de passe ", "CSF_SMTP_USER": " u "})
    assert settings.smtp_password == " mot de passe " and settings.smtp_user == " u "
    assert load_settings({"CSF_SMTP_PASSWORD": "   "}).smtp_password == ""


def test_help_still_works_when_a_setting_is_invalid(tmp_path):
    from tests.conftest import csf

    bad = {"CSF_SNAPSHOTS_KEEP": "cinq"}
    assert csf(tmp_path, "--help", env=bad).returncode == 0
    refused = csf(tmp_path, "status", env=bad)
    assert refused.returncode == 2
    assert "CSF_SNAPSHOTS_KEEP doit être un entier, reçu 'cinq'" in refused.stderr
    assert "Traceback" not in refused.stderr
