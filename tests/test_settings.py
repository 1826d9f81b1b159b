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
