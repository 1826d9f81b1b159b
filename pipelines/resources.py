"""Dagster resource holding the run's settings (paths, key, observation date)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from pipelines.privacy import load_or_create_key
from pipelines.settings import Settings, parse_observation_date


class CsfResource(ConfigurableResource):
    """Where runtime state lives; every asset gets its paths from here."""

    home: str
    inbox: str
    observation_date: str = ""

    @property
    def settings(self) -> Settings:
        return Settings(
            home=Path(self.home),
            inbox=Path(self.inbox),
            observation_date=parse_observation_date(self.observation_date),
        )

    def pseudonymisation_key(self) -> bytes:
        return load_or_create_key(self.settings.keys_dir)
