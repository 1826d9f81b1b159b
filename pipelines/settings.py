"""The one configuration object: every ``CSF_*`` setting, its type, default and meaning.

Settings are read from the environment once, at an edge (the ``csf`` command, the Dagster code
location's resource, the dashboard server), by ``load_settings``, and passed down as a
``Settings``; no other module reads ``os.environ``. Every path derives from ``CSF_HOME`` so that
one variable moves all runtime state (inbox, warehouse, keys, reports, exports). ``.env.example``
is written from the fields below (``python -m pipelines.settings > .env.example``).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
# plotly.js's basic bundle (bar and scatter traces), copied from npm by `make install`: the
# dashboard serves it, and the reports' chart renderer loads it (a quarter of the full bundle,
# which kaleido evaluates again after every chart).
PLOTLY_BASIC_JS = PROJECT_ROOT / "dashboards" / "static" / "plotly-basic.min.js"
BUNDLED_CONTACTS = PROJECT_ROOT / "pipelines" / "content" / "contacts_defaut.toml"
# The virtual environment's executables (dbt, csf), found without relying on PATH: the
# commands may run as .venv/bin/csf or .venv/bin/dagster in a shell where the venv is inactive.
VENV_BIN = Path(sys.executable).parent


def _parser(expected: str) -> Callable[[Callable[[str], Any]], Callable[[str], Any]]:
    """Mark a parser with what it expects, for the error that names the variable."""

    def mark(parse: Callable[[str], Any]) -> Callable[[str], Any]:
        parse.expected = expected  # type: ignore[attr-defined]
        return parse

    return mark


def _bounded(kind: type, accept: Callable[[Any], bool], expected: str) -> Callable[[str], Any]:
    """A number of ``kind`` that ``accept`` must hold for."""

    @_parser(expected)
    def parse(raw: str) -> Any:
        value = kind(raw)
        if not accept(value):
            raise ValueError
        return value

    return parse


_positive_int = _bounded(int, lambda v: v >= 1, "un entier positif")
_count = _bounded(int, lambda v: v >= 0, "un entier positif ou nul")
_amount = _bounded(float, lambda v: v >= 0, "un nombre positif ou nul")
_positive_float = _bounded(float, lambda v: v > 0, "un nombre positif")
_port = _bounded(int, lambda v: 0 < v < 65536, "un numéro de port (1 à 65535)")


def _text(raw: str) -> str:
    return raw


def _choice(*allowed: str) -> Callable[[str], str]:
    """One of ``allowed``, in any case."""

    @_parser(" ou ".join(allowed))
    def parse(raw: str) -> str:
        if raw.lower() not in allowed:
            raise ValueError
        return raw.lower()

    return parse


def _switched_on(raw: str) -> bool:
    """On only when it says so (``1``, ``true``, ``oui``); any other value is off."""
    return raw.lower() in ("1", "true", "oui")


def _not_switched_off(raw: str) -> bool:
    """On unless it says off (``0``, ``false``, ``non``, ``no``, ``off``): any other value,
    ``1`` as the documentation has long said, is on."""
    return raw.lower() not in ("0", "false", "non", "no", "off")


@_parser("un entier")
def _at_least_one(raw: str) -> int:
    """A count of kept things, at least one (a lower value keeps one)."""
    return max(int(raw), 1)


def _seconds_or_default(default: float) -> Callable[[str], float]:
    """Seconds; zero or less means the default."""

    @_parser("un nombre de secondes")
    def parse(raw: str) -> float:
        value = float(raw)
        return value if value > 0 else default

    return parse


@_parser("une adresse https:// (http:// sur la boucle locale seulement)")
def _https_or_loopback_url(raw: str) -> str:
    """An absolute https URL without a trailing slash; plain http only on the loopback
    (a local provider, tests): tokens and cookies never travel in clear over a network."""
    parts = urlsplit(raw)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.netloc or parts.query or parts.fragment:
        raise ValueError
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError
    return raw.rstrip("/")


def _path(raw: str) -> Path:
    return Path(raw).expanduser().resolve()


@_parser("une date AAAA-MM-JJ")
def _iso_date(raw: str) -> date:
    return date.fromisoformat(raw)


def _addresses(raw: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in raw.split(",") if a.strip())


def _setting(
    env: str,
    default: Any,
    doc: str,
    section: str,
    parse: Callable[[str], Any] = _text,
    *,
    secret: bool = False,
    formerly: str | None = None,
    example: str | None = None,
    verbatim: bool = False,
) -> Any:
    """A field of ``Settings`` bound to its environment variable, documented once here."""
    return field(
        default=default,
        repr=not secret,
        compare=not secret,
        metadata={
            "env": env,
            "doc": doc,
            "section": section,
            "parse": parse,
            "secret": secret,
            "formerly": formerly,
            "example": example,
            "verbatim": verbatim,
        },
    )


PATHS = "Paths"
PERSONAL = "Personal data"
INDICATORS = "Indicators"
RUNS = "Runs, publishing, releases"
AUTOMATION = "Automation (csf serve)"
ALERTS = "Alerts on failed runs (always written to $CSF_HOME/logs/alertes.jsonl)"
DASHBOARD = "Dashboard"
SIGN_IN = "Dashboard sign-in with OpenID Connect (ProConnect)"
BENCH = "Benchmark only"


@dataclass(frozen=True)
class Settings:
    """Resolved locations and parameters for one run or one server process."""

    home: Path = _setting(
        "CSF_HOME",
        None,
        "All runtime state: inbox/, warehouse/ (build.duckdb, published.duckdb, snapshots/), "
        "keys/, dagster/, reports/, exports/, logs/. Default: data/ in the checkout.",
        PATHS,
        _path,
    )
    inbox: Path = _setting(
        "CSF_INBOX", None, "Where exports are dropped. Default: $CSF_HOME/inbox", PATHS, _path
    )
    pseudo_key: str = _setting(
        "CSF_PSEUDO_KEY",
        "",
        "Key of the HMAC-SHA-256 that replaces every INE at ingestion (a secret: at least 32 "
        "characters). Default: a random key created in $CSF_HOME/keys/pseudonymisation.key "
        "(mode 0600).",
        PERSONAL,
        secret=True,
    )
    observation_date: date | None = _setting(
        "CSF_OBSERVATION_DATE",
        None,
        "Date used by every censoring rule (YYYY-MM-DD). Default: the latest MLDS event date.",
        INDICATORS,
        _iso_date,
    )
    full_rebuild: bool = _setting(
        "CSF_FULL_REBUILD",
        False,
        "true: rebuild every dbt model, not only those whose inputs changed (csf run --full); "
        "unset, 0, false, no or off: only those.",
        INDICATORS,
        _not_switched_off,
        example="",
    )
    late_after_days: int = _setting(
        "CSF_LATE_AFTER_DAYS",
        45,
        "A scope (académie, register) with no export for more days than this is late.",
        INDICATORS,
        _count,
        formerly="CSF_RETARD_JOURS",
    )
    min_free_mb: int = _setting(
        "CSF_MIN_FREE_MB",
        500,
        "csf run refuses to start with less free space (MB) where CSF_HOME lives (0: no check).",
        RUNS,
        _count,
    )
    snapshots_keep: int = _setting(
        "CSF_SNAPSHOTS_KEEP",
        5,
        "Published snapshots kept for csf rollback (at least one: the served one).",
        RUNS,
        _at_least_one,
    )
    auto_releases_keep: int = _setting(
        "CSF_AUTO_RELEASES_KEEP",
        3,
        "Automatic research releases (auto-*) kept; named ones are never removed.",
        RUNS,
        _positive_int,
        formerly="CSF_EXPORTS_AUTO_GARDER",
    )
    report_workers: int | None = _setting(
        "CSF_REPORT_WORKERS",
        None,
        "Processes that lay out the buyers' PDFs. Default: one per core",
        RUNS,
        _positive_int,
    )
    ingest_workers: int | None = _setting(
        "CSF_INGEST_WORKERS",
        None,
        "Processes that read and check CSV exports ahead of their load (1: none). "
        "Default: one per core",
        RUNS,
        _positive_int,
    )
    ingest_parallel_mb: float = _setting(
        "CSF_INGEST_PARALLEL_MB",
        16.0,
        "Below this many megabytes of CSV pending for a source, they are read in csf run's "
        "process (0: always ahead, in worker processes).",
        RUNS,
        _amount,
    )
    max_line_bytes: int = _setting(
        "CSF_MAX_LINE_BYTES",
        1_048_576,
        "Limits on one inbox file; a file over one is refused by name (recorded in the ledger, "
        "skipped until it changes) and the others load. Longest CSV line in bytes, header "
        "included.",
        RUNS,
        _positive_int,
    )
    max_header_columns: int = _setting(
        "CSF_MAX_HEADER_COLUMNS", 16_384, "Widest CSV header, in columns.", RUNS, _positive_int
    )
    max_file_mb: float = _setting(
        "CSF_MAX_FILE_MB",
        4096.0,
        "Largest file of any kind, in megabytes (10^6 bytes).",
        RUNS,
        _positive_float,
    )
    chart_timeout_seconds: float = _setting(
        "CSF_CHART_TIMEOUT_SECONDS",
        120.0,
        "Seconds any wait on the reports' Chromium may last (start, chart, close); past it the "
        "chart fails with a message and the browser is killed, instead of a run that never "
        "ends. Zero or less: the default.",
        RUNS,
        _seconds_or_default(120.0),
        formerly="CSF_CHART_TIMEOUT",
    )
    log_format: str = _setting(
        "CSF_LOG_FORMAT",
        "text",
        "Logs of csf run: text or json (one JSON object per record, with the run id).",
        RUNS,
        _choice("text", "json"),
    )
    dagster_host: str = _setting("CSF_DAGSTER_HOST", "127.0.0.1", "Dagster UI host.", AUTOMATION)
    dagster_port: int = _setting("CSF_DAGSTER_PORT", 3000, "Dagster UI port.", AUTOMATION, _port)
    sensor_interval_seconds: int = _setting(
        "CSF_SENSOR_INTERVAL_SECONDS",
        60,
        "How often the inbox sensor looks (seconds).",
        AUTOMATION,
        _count,
    )
    inbox_settle_seconds: float = _setting(
        "CSF_INBOX_SETTLE_SECONDS",
        30.0,
        "An inbox file counts once unchanged for this long (seconds), so half-copied files wait.",
        AUTOMATION,
        _amount,
    )
    schedule_cron: str = _setting(
        "CSF_SCHEDULE_CRON",
        "0 6 * * *",
        "Daily refresh, cron syntax, Europe/Paris time.",
        AUTOMATION,
    )
    smtp_host: str = _setting(
        "CSF_SMTP_HOST", "", "E-mail alerts too when a host and recipients are given.", ALERTS
    )
    smtp_port: int = _setting("CSF_SMTP_PORT", 25, "SMTP port.", ALERTS, _port)
    smtp_starttls: bool = _setting(
        "CSF_SMTP_STARTTLS",
        False,
        "STARTTLS before sending: 1, true or oui (any other value: no).",
        ALERTS,
        _switched_on,
        example="false",
    )
    smtp_user: str = _setting(
        "CSF_SMTP_USER", "", "SMTP user name, if any (taken as written).", ALERTS, verbatim=True
    )
    smtp_password: str = _setting(
        "CSF_SMTP_PASSWORD",
        "",
        "A secret: never logged (taken as written, spaces included).",
        ALERTS,
        secret=True,
        verbatim=True,
    )
    alert_to: tuple[str, ...] = _setting(
        "CSF_ALERT_TO", (), "Comma-separated recipients.", ALERTS, _addresses
    )
    alert_from: str = _setting(
        "CSF_ALERT_FROM", "csf-impact@localhost", "Sender of the alerts.", ALERTS
    )
    dashboard_host: str = _setting("CSF_DASHBOARD_HOST", "127.0.0.1", "Host.", DASHBOARD)
    dashboard_port: int = _setting("CSF_DASHBOARD_PORT", 8050, "Port.", DASHBOARD, _port)
    dashboard_workers: int = _setting(
        "CSF_DASHBOARD_WORKERS", 2, "Server processes.", DASHBOARD, _positive_int
    )
    dashboard_cache_mb: int = _setting(
        "CSF_DASHBOARD_CACHE_MB",
        1024,
        "Rendered pages kept on disk per snapshot, at most (MB): past it a page is served "
        "without being kept.",
        DASHBOARD,
        _positive_int,
    )
    access_log_mb: int = _setting(
        "CSF_ACCESS_LOG_MB",
        10,
        "Size of $CSF_HOME/logs/acces.jsonl before it is rotated (MB; 5 older files kept).",
        DASHBOARD,
        _positive_int,
    )
    users_file_override: Path | None = _setting(
        "CSF_USERS_FILE",
        None,
        "Dashboard users, groups and hashed passwords (csf user). "
        "Default: $CSF_HOME/config/utilisateurs.toml",
        DASHBOARD,
        _path,
    )
    oidc_issuer: str = _setting(
        "CSF_OIDC_ISSUER",
        "",
        "OpenID Connect sign-in (ProConnect): the provider's issuer URL, whose "
        "/.well-known/openid-configuration is read (ProConnect: "
        "https://<PROCONNECT_DOMAIN>/api/v2). Empty: no OIDC sign-in (HTTP Basic only).",
        SIGN_IN,
        _https_or_loopback_url,
    )
    oidc_client_id: str = _setting(
        "CSF_OIDC_CLIENT_ID", "", "The client id the provider registered.", SIGN_IN
    )
    oidc_client_secret: str = _setting(
        "CSF_OIDC_CLIENT_SECRET",
        "",
        "The client secret the provider registered: a secret, never logged.",
        SIGN_IN,
        secret=True,
        verbatim=True,
    )
    oidc_scopes: str = _setting(
        "CSF_OIDC_SCOPES",
        "openid email given_name usual_name uid siret",
        "Scopes asked for, space-separated (ProConnect's names by default).",
        SIGN_IN,
    )
    oidc_acr: str = _setting(
        "CSF_OIDC_ACR",
        "",
        "Assurance levels accepted, space-separated: asked for as an essential « acr » claim "
        "and checked in the ID token, e.g. « eidas1 » (empty: not asked, not checked).",
        SIGN_IN,
    )
    oidc_signing_alg: str = _setting(
        "CSF_OIDC_SIGNING_ALG",
        "RS256",
        "The one algorithm the ID token and a signed user info must be signed with (the one "
        "registered with the provider).",
        SIGN_IN,
        _choice("rs256", "es256", "ps256"),
    )
    oidc_roles_file_override: Path | None = _setting(
        "CSF_OIDC_ROLES_FILE",
        None,
        "Rules giving roles from the provider's claims (e-mail, domain, groups, uid...). "
        "Default: $CSF_HOME/config/roles-oidc.toml",
        SIGN_IN,
        _path,
    )
    public_url: str = _setting(
        "CSF_PUBLIC_URL",
        "",
        "The dashboard's address as browsers reach it: the sign-in return "
        "(<url>/connexion/retour) and logout return (<url>/deconnecte) registered with the "
        "provider derive from it, e.g. https://csf.education.gouv.fr. Required with "
        "CSF_OIDC_ISSUER.",
        SIGN_IN,
        _https_or_loopback_url,
    )
    session_minutes: int = _setting(
        "CSF_SESSION_MINUTES",
        480,
        "Length of a signed-in session (minutes, counted from sign-in; ProConnect's own "
        "session lasts 12 hours).",
        SIGN_IN,
        _positive_int,
    )
    session_seconds_override: int | None = _setting(
        "CSF_SESSION_SECONDS",
        None,
        "Length of a session in seconds, in place of CSF_SESSION_MINUTES (tests).",
        SIGN_IN,
        _positive_int,
    )
    contacts_file_override: Path | None = _setting(
        "CSF_CONTACTS_FILE",
        None,
        "Role mailboxes quoted by the dashboard, the reports and the releases (never a person "
        "from the exports). Default: $CSF_HOME/config/contacts.toml, else the bundled example "
        "pipelines/content/contacts_defaut.toml",
        RUNS,
        _path,
    )
    bench_dir: Path = _setting(
        "CSF_BENCH_DIR", Path("/tmp/csf-bench"), "Scratch folder of the benchmark.", BENCH, _path
    )
    bench_results: Path | None = _setting(
        "CSF_BENCH_RESULTS",
        None,
        "Where the benchmark writes its figures. Default: bench/results.json",
        BENCH,
        _path,
    )
    bench_timeout_seconds: float = _setting(
        "CSF_BENCH_TIMEOUT_SECONDS",
        1800.0,
        "Seconds one measured command may take before it is stopped with its threads' stacks.",
        BENCH,
        _positive_float,
        formerly="CSF_BENCH_TIMEOUT",
    )

    def __post_init__(self) -> None:
        home = (self.home or PROJECT_ROOT / "data").resolve()
        object.__setattr__(self, "home", home)
        object.__setattr__(self, "inbox", (self.inbox or home / "inbox").resolve())

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (an edge's command-line options)."""
        return dataclasses.replace(self, **changes)

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def build_db(self) -> Path:
        """The only DuckDB file the pipeline writes to."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def published_db(self) -> Path:
        """The snapshot readers use; replaced atomically by each publish."""
        return self.warehouse_dir / "published.duckdb"

    @property
    def work_dir(self) -> Path:
        """Scratch files of a load (a DECP file's record arrays), next to the warehouse."""
        return self.home / "tmp"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def users_file(self) -> Path:
        """Dashboard users, groups and hashed passwords."""
        return self.users_file_override or self.home / "config" / "utilisateurs.toml"

    @property
    def oidc_roles_file(self) -> Path:
        """Rules giving roles from OpenID Connect claims."""
        return self.oidc_roles_file_override or self.home / "config" / "roles-oidc.toml"

    @property
    def session_seconds(self) -> int:
        return self.session_seconds_override or self.session_minutes * 60

    @property
    def contacts_file(self) -> Path:
        """The contacts file in use: the setting, the home's, or the bundled example."""
        if self.contacts_file_override:
            return self.contacts_file_override
        configured = self.home / "config" / "contacts.toml"
        return configured if configured.exists() else BUNDLED_CONTACTS

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this home (artefacts, partial parsing, dbt.log)."""
        return self.home / "dbt"

    def dbt_vars(self) -> dict[str, str]:
        """What dbt reads with ``var()``: the warehouse (profiles.yml) and the observation date
        (macros/observation_date.sql). Passed as ``--vars``, never through the environment."""
        return {
            "build_db": str(self.build_db),
            "observation_date": self.observation_date.isoformat() if self.observation_date else "",
        }

    def private_dirs(self) -> list[Path]:
        """The folders of ``CSF_HOME`` that hold data (youths' pseudonyms, keys, unpublished
        figures, the access log): readable by their owner only."""
        named = ("reports", "exports", "logs", "cache", "tmp", "config")
        return [
            self.warehouse_dir,
            self.keys_dir,
            self.dagster_home,
            self.dbt_target_dir,
            *(self.home / name for name in named),
        ]

    def ensure_dirs(self) -> None:
        """Create the runtime folders (idempotent), private: from here on this process and its
        children (dbt, Dagster's runs) create files 0600 and folders 0700, and the folders of
        an older home are made 0700 (a file inside one is then out of other accounts' reach
        whatever its own mode)."""
        make_private()
        self.inbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in self.private_dirs():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if folder.stat().st_uid == os.getuid():
                folder.chmod(0o700)


def make_private() -> None:
    """Files 0600 and folders 0700 for whatever this process creates from now on."""
    os.umask(0o077)


DEFAULTS = Settings()  # every setting at its default (tests, and functions called without any)


def setting_fields() -> list[dataclasses.Field]:
    """Every setting, in the order of ``.env.example``."""
    return [f for f in dataclasses.fields(Settings) if "env" in f.metadata]


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from ``environ`` (default: this process's environment), then ``overrides``
    (field name → value; a string is parsed as the variable would be, "" meaning the default).

    An invalid value is an error naming its variable; an empty one means the default. A setting
    renamed since (``formerly``) is still read under its old name when the new one is unset.
    Values are trimmed, except the verbatim ones (a password may begin or end with a space).
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for spec in setting_fields():
        meta = spec.metadata
        name = meta["env"]
        raw = _raw(environ.get(name), meta["verbatim"])
        if not raw and meta["formerly"]:
            name = meta["formerly"]
            raw = _raw(environ.get(name), meta["verbatim"])
        if spec.name in overrides:
            value = overrides[spec.name]
            if not isinstance(value, str):
                values[spec.name] = value
                continue
            name, raw = meta["env"], _raw(value, meta["verbatim"])
        if raw:
            values[spec.name] = _parsed(spec, name, raw)
        elif spec.name in overrides:
            values[spec.name] = spec.default
    unknown = set(overrides) - {f.name for f in setting_fields()}
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    return Settings(**values)


def _raw(text: str | None, verbatim: bool) -> str:
    """A variable's text, trimmed unless verbatim (blank is empty either way)."""
    text = text or ""
    return text if verbatim and text.strip() else text.strip()


def _parsed(spec: dataclasses.Field, name: str, raw: str) -> Any:
    meta = spec.metadata
    try:
        return meta["parse"](raw)
    except ValueError:
        expected = getattr(meta["parse"], "expected", "une valeur valide")
        shown = "(secret)" if meta["secret"] else repr(raw)
        raise ValueError(f"{name} doit être {expected}, reçu {shown}") from None


def child_environ(**variables: str) -> dict[str, str]:
    """This process's environment plus ``variables``, for a child process (a subprocess is
    given its environment explicitly; this process's own is never changed)."""
    return {**os.environ, **variables}


def env_example() -> str:
    """The text of ``.env.example``: every setting with its default and meaning."""
    lines = [
        "# csf-impact settings: every variable, with its default. Copy to .env (never commit it)",
        "# and load it with `set -a; . ./.env; set +a`, or give the variables to the service",
        "# manager. Written by `python -m pipelines.settings` from pipelines/settings.py.",
    ]
    section = None
    for spec in setting_fields():
        meta = spec.metadata
        if meta["section"] != section:
            section = meta["section"]
            title = f"# --- {section} "
            lines += ["", title + "-" * max(3, 100 - len(title))]
        lines += textwrap.wrap(meta["doc"], 98, initial_indent="# ", subsequent_indent="# ")
        if meta["formerly"]:
            lines.append(f"# (formerly {meta['formerly']}, still read when this one is unset)")
        if meta["example"] is not None:
            shown = meta["example"]
        elif spec.default is None or meta["secret"]:
            shown = ""
        elif isinstance(spec.default, tuple):
            shown = ",".join(spec.default)
        elif isinstance(spec.default, float) and spec.default.is_integer():
            shown = str(int(spec.default))
        else:
            shown = str(spec.default)
        # Quoted when it holds a space, so that `. ./.env` in a shell reads it whole.
        lines.append(f"{meta['env']}={shown!r}" if " " in shown else f"{meta['env']}={shown}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(env_example())
