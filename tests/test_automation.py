"""Automation: the inbox sensor and the failure alert evaluated by Dagster itself, a real local
SMTP server receiving the alert, and ``csf serve`` starting the daemon and the web UI."""

from __future__ import annotations

import asyncore
import json
import os
import signal
import smtpd
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest
import requests
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from dashboards.server import free_port
from pipelines.orchestration.alerts import alert, alerts_file
from pipelines.orchestration.automation import build_automation
from pipelines.settings import Settings, load_settings
from tests.conftest import CSF

warnings.filterwarnings("ignore", category=DeprecationWarning)


def settings_for(tmp_path: Path, **environ: str) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    return load_settings(environ, home=tmp_path, inbox=inbox)


def test_the_inbox_sensor_requests_one_run_per_new_settled_export(tmp_path):
    settings = settings_for(tmp_path, CSF_INBOX_SETTLE_SECONDS="30")
    (sensor, _failure), _ = build_automation(settings)
    old = time.time() - 120

    def evaluate(cursor: str | None):
        with DagsterInstance.ephemeral() as instance:
            context = build_sensor_context(instance=instance, cursor=cursor)
            return sensor(context), context.cursor

    result, cursor = evaluate(None)
    assert isinstance(result, SkipReason)
    export = settings.inbox / "mlds_04_jeunes.csv"
    export.write_text("ine;sexe\n", encoding="utf-8")
    os.utime(export, (old, old))
    (settings.inbox / ".copie-en-cours.tmp").write_text("x")  # hidden: ignored
    first, cursor = evaluate(cursor)
    assert isinstance(first, RunRequest) and first.tags["csf/nouveaux_fichiers"] == "1"
    again, cursor = evaluate(cursor)
    assert isinstance(again, SkipReason)  # the same file does not start a second run
    fresh = settings.inbox / "mlds_04_parcours.csv"
    fresh.write_text("ine\n", encoding="utf-8")  # still being written: not yet
    assert isinstance(evaluate(cursor)[0], SkipReason)
    os.utime(fresh, (old, old))
    second, cursor = evaluate(cursor)
    assert isinstance(second, RunRequest) and second.run_key != first.run_key
    export.write_text("ine;sexe\nX;F\n", encoding="utf-8")  # a rewritten export is new
    os.utime(export, (old + 1, old + 1))
    assert isinstance(evaluate(cursor)[0], RunRequest)


class Mailbox(smtpd.SMTPServer):
    """A real SMTP server on localhost that keeps what it receives."""

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), None, decode_data=True)
        self.received: list[tuple[list[str], str]] = []

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        self.received.append((rcpttos, data))


def test_a_failed_run_is_logged_and_mailed_without_the_password(tmp_path):
    port = free_port()
    mailbox = Mailbox(port)
    loop = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.1}, daemon=True)
    loop.start()
    try:
        smtp = {
            "CSF_SMTP_HOST": "127.0.0.1",
            "CSF_SMTP_PORT": str(port),
            "CSF_ALERT_TO": "mission-achats@example.fr, mlds@example.fr",
            "CSF_SMTP_PASSWORD": "mot-de-passe-secret-42",
        }
        settings = settings_for(tmp_path, **smtp)
        record = alert(
            settings, "run-1234", "Échec de csf run", ["raw__decp_marches : disque plein"]
        )
        assert record["courriel"].startswith("envoyé à")
        deadline = time.time() + 10
        while not mailbox.received and time.time() < deadline:
            time.sleep(0.1)
    finally:
        mailbox.close()
    ((recipients, data),) = mailbox.received
    assert recipients == ["mission-achats@example.fr", "mlds@example.fr"]
    assert "run-1234" in data and "disque plein" in data
    logged = [json.loads(x) for x in alerts_file(settings).read_text().splitlines()]
    assert logged[-1]["run_id"] == "run-1234" and logged[-1]["niveau"] == "ERREUR"
    assert "mot-de-passe-secret-42" not in alerts_file(settings).read_text() + data

    # An unreachable mail server is recorded, not raised.
    unreachable = settings_for(tmp_path, **smtp | {"CSF_SMTP_PORT": str(free_port())})
    failed = alert(unreachable, "run-5678", "Échec", ["x"])
    assert failed["courriel"].startswith("échec de l'envoi")


def test_the_sensors_and_schedule_are_defined():
    from pipelines.orchestration.definitions import defs

    names = {s.name for s in defs.sensors} | {s.name for s in defs.schedules}
    assert {"csf_boite_de_depot", "csf_alerte_echec", "csf_quotidien"} <= names


@pytest.mark.slow
def test_csf_serve_starts_the_daemon_and_the_web_ui_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {**os.environ, "CSF_HOME": str(tmp_path), "CSF_PSEUDO_KEY": ""}
    proc = subprocess.Popen(
        [CSF, "serve", "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster web UI did not answer in 120 s")
        assert proc.poll() is None
        daemons = subprocess.run(["pgrep", "-f", "dagster-daemon run"], capture_output=True)
        assert daemons.returncode == 0
        assert "max_concurrent_runs: 1" in (tmp_path / "dagster" / "dagster.yaml").read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    assert code == 0


@pytest.mark.slow
def test_json_logs_carry_the_run_id_and_no_secret_reaches_any_log(tmp_path):
    key, password = "cle-de-pseudonymisation-de-test-0123456789", "mot-de-passe-smtp-de-test"
    env = {
        **os.environ,
        "CSF_HOME": str(tmp_path),
        "CSF_LOG_FORMAT": "json",
        "CSF_PSEUDO_KEY": key,
        "CSF_SMTP_PASSWORD": password,
    }
    result = subprocess.run(
        [CSF, "run", "--inbox", str(Path(__file__).parent.parent / "data" / "sample")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(x) for x in result.stderr.splitlines() if x.startswith("{")]
    run_ids = {r["dagster_meta"]["run_id"] for r in records}
    assert len(records) > 20 and len(run_ids) == 1 and run_ids.pop() in result.stdout
    written = [result.stdout, result.stderr]
    written += [
        p.read_text(errors="replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and p.suffix in (".jsonl", ".log", ".db", ".txt", ".json")
    ]
    for secret in (key, password):
        assert not any(secret in text for text in written)
