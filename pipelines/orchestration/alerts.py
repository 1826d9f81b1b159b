"""Alerts on failed runs: a JSON line in ``$CSF_HOME/logs/alertes.jsonl``, and an e-mail when SMTP
settings are given (``CSF_SMTP_HOST``...). The password is never written anywhere."""

from __future__ import annotations

import json
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from pipelines.settings import Settings


def alerts_file(settings: Settings) -> Path:
    """Where alerts are appended, one JSON object per line."""
    return settings.home / "logs" / "alertes.jsonl"


def alert(settings: Settings, run_id: str, subject: str, details: list[str]) -> dict:
    """Record a failed run and e-mail it when SMTP is configured; returns what was recorded."""
    record = {
        "horodatage": datetime.now(UTC).isoformat(timespec="seconds"),
        "niveau": "ERREUR",
        "run_id": run_id,
        "sujet": subject,
        "details": details,
        "courriel": None,
    }
    if settings.smtp_host and settings.alert_to:
        try:
            _send(settings, subject, details, run_id)
            record["courriel"] = f"envoyé à {', '.join(settings.alert_to)}"
        except (OSError, smtplib.SMTPException) as exc:  # the alert itself must not fail
            record["courriel"] = f"échec de l'envoi : {exc}"
    path = alerts_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


def _send(settings: Settings, subject: str, details: list[str], run_id: str) -> None:
    message = EmailMessage()
    message["Subject"] = f"[csf-impact] {subject}"
    message["From"] = settings.alert_from
    message["To"] = ", ".join(settings.alert_to)
    message.set_content(
        f"{subject}\n\nExécution {run_id}\n\n"
        + "\n".join(f"- {d}" for d in details)
        + "\n\nL'instantané publié précédent reste servi ; voir « csf status »."
    )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
