"""Dagster: the code location (``definitions``), its assets and asset checks (``assets``), the
run's settings as a resource (``resources``), the inbox sensor, daily schedule and failure alerts
(``automation``, ``alerts``) and long-load progress (``progress``). Only this package and the
command line import Dagster."""
