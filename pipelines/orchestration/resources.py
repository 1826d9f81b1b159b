"""Dagster resource holding the run's settings (paths, key, observation date, rebuild choice)."""

from __future__ import annotations

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from pipelines.ingest.privacy import load_or_create_key
from pipelines.settings import Settings, load_settings


class CsfResource(ConfigurableResource):
    """Where runtime state lives; every asset gets its settings from here.

    The edge that builds the definitions (``csf run``, or the code location loaded by
    ``dagster dev``) resolves the settings a run is about and gives them here; the others
    (limits, workers, alerts, secrets) are the deployment's environment, read once per run when
    the resource is set up, and never shown in Dagster's UI."""

    home: str
    inbox: str
    observation_date: str = ""
    full_rebuild: bool = False

    @classmethod
    def of(cls, settings: Settings) -> CsfResource:
        return cls(
            home=str(settings.home),
            inbox=str(settings.inbox),
            observation_date=(
                settings.observation_date.isoformat() if settings.observation_date else ""
            ),
            full_rebuild=settings.full_rebuild,
        )

    _settings: Settings | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._settings = self._load()

    def _load(self) -> Settings:
        return load_settings(
            home=self.home,
            inbox=self.inbox,
            observation_date=self.observation_date or None,
            full_rebuild=self.full_rebuild,
        )

    @property
    def settings(self) -> Settings:
        if self._settings is None:  # used outside a run (a sensor, a test)
            self._settings = self._load()
        return self._settings

    def pseudonymisation_key(self) -> bytes:
        return load_or_create_key(self.settings)
