"""Automatic refresh: a sensor on the inbox, a daily schedule, and an alert on every failed run.

They run under the Dagster daemon (``csf serve``); the daemon's run queue allows one run at a time,
since DuckDB allows one writer per file.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    run_failure_sensor,
    sensor,
)

from pipelines.orchestration.alerts import alert
from pipelines.settings import Settings

REFRESH_JOB = "csf_rafraichissement"

refresh_job = define_asset_job(
    REFRESH_JOB,
    selection=AssetSelection.all(),
    description="Charger la boîte de dépôt, contrôler, calculer, publier, rapports et diffusion.",
)


def inbox_signatures(inbox: Path, settle_seconds: float, now: float | None = None) -> set[str]:
    """``name:size:mtime`` of each inbox file untouched for ``settle_seconds`` (hidden files and
    folders aside): a new signature is a new or rewritten export."""
    now = time.time() if now is None else now
    found = set()
    for path in inbox.iterdir() if inbox.is_dir() else []:
        if path.name.startswith(".") or not path.is_file():
            continue
        stat = path.stat()
        if now - stat.st_mtime >= settle_seconds:
            found.add(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return found


def build_automation(settings: Settings) -> tuple[list, list]:
    """The sensors and schedules of one set of paths."""

    @sensor(
        name="csf_boite_de_depot",
        job=refresh_job,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description="Lance un rafraîchissement quand un export nouveau arrive dans la boîte.",
    )
    def inbox_sensor(context: SensorEvaluationContext):
        # A file still being copied must not start a run.
        current = inbox_signatures(settings.inbox, settings.inbox_settle_seconds)
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        new = sorted(current - seen)
        if not new:
            return SkipReason(f"aucun nouvel export stable dans {settings.inbox}")
        context.update_cursor(json.dumps(sorted(seen | current)))
        return RunRequest(
            run_key=hashlib.sha256("\n".join(new).encode()).hexdigest(),
            tags={"csf/declencheur": "boite_de_depot", "csf/nouveaux_fichiers": str(len(new))},
        )

    @run_failure_sensor(
        name="csf_alerte_echec",
        default_status=DefaultSensorStatus.RUNNING,
        description="Écrit une alerte (journal, courriel si SMTP est configuré) à chaque échec.",
    )
    def failure_alert(context: RunFailureSensorContext):
        run = context.dagster_run
        steps = [
            f"{e.step_key} : {e.message}" for e in context.get_step_failure_events() if e.step_key
        ]
        alert(
            settings,
            run.run_id,
            f"Échec de l'exécution {run.job_name}",
            steps or [context.failure_event.message or "cause inconnue"],
        )

    daily = ScheduleDefinition(
        name="csf_quotidien",
        job=refresh_job,
        cron_schedule=settings.schedule_cron,
        execution_timezone="Europe/Paris",
        default_status=DefaultScheduleStatus.RUNNING,
        description="Rafraîchissement quotidien, même sans nouvel export (date d'observation).",
    )
    return [inbox_sensor, failure_alert], [daily]
