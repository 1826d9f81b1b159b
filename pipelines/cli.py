"""The ``csf`` command line (messages in French: its users are French operators)."""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import duckdb

from pipelines.content.labels import TRAITEMENTS, libelle_regle
from pipelines.ingest.errors import log_name
from pipelines.settings import (
    DEFAULTS,
    VENV_BIN,
    Settings,
    child_environ,
    load_settings,
    make_private,
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``csf`` console script: the settings are read here, once."""
    make_private()  # every file a command writes (warehouse, reports, cache...) is private
    try:
        settings, invalid = load_settings(), None
    except ValueError as exc:  # said once the options are read, so that --help still works
        settings, invalid = DEFAULTS, exc
    parser = argparse.ArgumentParser(
        prog="csf", description="Clause sociale de formation : chaîne de données."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="charger la boîte de dépôt, contrôler, calculer, publier")
    run.add_argument("--inbox", help="dossier des exports (défaut : $CSF_HOME/inbox)")
    run.add_argument(
        "--full",
        action="store_true",
        help="recalculer tous les modèles dbt, pas seulement ceux dont les entrées ont changé",
    )

    status = commands.add_parser("status", help="fichiers chargés et instantané publié")
    status.add_argument("--json", action="store_true", help="sortie JSON")

    rollback = commands.add_parser(
        "rollback", help="servir de nouveau l'instantané précédent (ou --to ID), atomiquement"
    )
    rollback.add_argument("--to", metavar="ID", help="un instantané conservé (voir csf status)")

    sample = commands.add_parser("sample", help="générer des exports synthétiques")
    # Checked by generate(), which lists the scales: importing them here would load polars
    # at every command's start.
    sample.add_argument(
        "--scale",
        default="demo",
        help="demo, national, ou un facteur du volume national de 0,01 à 10 (défaut : demo)",
    )
    sample.add_argument("--out", required=True, type=Path)
    sample.add_argument("--seed", type=int, default=None)

    report = commands.add_parser(
        "report", help="rapports PDF et Excel pour la Mission des achats (dans $CSF_HOME/reports)"
    )
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--national", action="store_true", help="le rapport national")
    which.add_argument("--buyer", metavar="SIRET", help="le rapport d'un acheteur public")
    which.add_argument(
        "--all-buyers", action="store_true", help="le rapport de chaque acheteur ayant une clause"
    )
    report.add_argument(
        "--format", choices=["pdf", "xlsx"], help="un seul format (défaut : PDF et Excel)"
    )
    report.add_argument(
        "--period", metavar="AAAA", help="année (défaut : la dernière année complète)"
    )

    export = commands.add_parser(
        "export",
        help="diffusion pour la recherche (dans $CSF_HOME/exports/<nom>) : CSV, Parquet, "
        "datapackage.json, dictionnaire, notes de version, README.md, CITATION.cff",
    )
    export.add_argument(
        "--release", required=True, metavar="NOM", help="nom (version) de la diffusion, ex. 2026-11"
    )
    export.add_argument(
        "--replace",
        action="store_true",
        help="réécrire une diffusion existante de ce nom dont les données ont changé",
    )

    serve = commands.add_parser(
        "serve",
        help="démon Dagster et interface web : capteur de la boîte de dépôt, planification "
        "quotidienne, alertes d'échec (instance persistante dans $CSF_HOME/dagster)",
    )
    serve.add_argument("--host", default=settings.dagster_host)
    serve.add_argument("--port", type=int, default=settings.dagster_port)

    dash = commands.add_parser("dashboard", help="servir le tableau de bord")
    dash.add_argument("--host", default=settings.dashboard_host)
    dash.add_argument("--port", type=int, default=settings.dashboard_port)
    dash.add_argument("--workers", type=int, default=settings.dashboard_workers)

    user = commands.add_parser("user", help="ajouter un utilisateur du tableau de bord")
    user.add_argument("name", help="nom de connexion")
    user.add_argument(
        "--role",
        action="append",
        required=True,
        help="national, achats ou academie:<code> (répétable)",
    )
    user.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard"
    )

    args = parser.parse_args(argv)
    if invalid is not None:
        print(f"csf : erreur : {invalid}", file=sys.stderr)
        return 2
    try:
        return {
            "run": cmd_run,
            "status": cmd_status,
            "rollback": cmd_rollback,
            "sample": cmd_sample,
            "dashboard": cmd_dashboard,
            "serve": cmd_serve,
            "report": cmd_report,
            "export": cmd_export,
            "user": cmd_user,
        }[args.command](args, settings)
    except (ValueError, RuntimeError, OSError, duckdb.Error, sqlite3.Error) as exc:
        print(f"csf : erreur : {_name_cause(str(exc), settings.home)}", file=sys.stderr)
        return 2


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.sample import DEFAULT_SEED, generate

    paths = generate(args.out, args.scale, DEFAULT_SEED if args.seed is None else args.seed)
    print(f"{len(paths)} fichiers synthétiques écrits dans {args.out}")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.replace(
        inbox=Path(args.inbox).resolve() if args.inbox else settings.inbox,
        full_rebuild=settings.full_rebuild or args.full,
    )
    if not settings.inbox.is_dir():
        raise ValueError(f"boîte de dépôt introuvable : {settings.inbox}")
    _check_free_space(settings)
    settings.ensure_dirs()
    _dagster_instance(settings)
    started = time.monotonic()
    print(f"csf run : boîte de dépôt {settings.inbox}", file=sys.stderr)

    from pipelines.dbt.manifest import ensure_manifest

    ensure_manifest()
    from dagster import AssetKey, DagsterInstance
    from sqlalchemy.exc import SQLAlchemyError  # Dagster's instance storage

    from pipelines.orchestration.definitions import build_definitions

    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    # Progress (Dagster's and dbt's logs) goes to stderr; stdout keeps only the summary.
    try:
        with (
            DagsterInstance.from_config(str(settings.dagster_home)) as instance,
            contextlib.redirect_stdout(sys.stderr),
        ):
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {_log_format(settings): {"config": {"log_level": "INFO"}}}},
            )
    except (OSError, sqlite3.Error, duckdb.Error, SQLAlchemyError) as exc:
        # The run's own storage failed (Dagster's instance, the warehouse): steps may not have
        # been able to record anything, but publishing is all-or-nothing.
        cause = _name_cause(str(exc), settings.home)
        print(
            "\nÉCHEC : l'exécution s'est interrompue ; l'instantané publié reste celui d'avant.\n"
            f"  cause : {cause}",
            file=sys.stderr,
        )
        _alert(settings, "", "Échec de csf run (interrompu)", [cause])
        return 1
    published = any(
        e.asset_key == AssetKey(["published", "snapshot"])
        for e in result.get_asset_materialization_events()
    )
    checks = result.get_asset_check_evaluations()
    blocking = [c for c in checks if not c.passed and c.severity.value == "ERROR"]
    warnings = [c for c in checks if not c.passed and c.severity.value != "ERROR"]
    _print_summary(settings, result.run_id, checks, blocking, warnings, time.monotonic() - started)
    failed = [
        f"{e.step_key} ({_cause(e.step_failure_data.error, settings.home)})"
        for e in result.all_events
        if e.is_step_failure
    ]
    if published and not blocking and not result.success:
        print(
            "\nÉCHEC après publication : l'instantané est publié, mais les rapports ou la "
            "diffusion pour la recherche n'ont pas pu être écrits ; leurs versions précédentes "
            "restent en place." + (f"\n  étapes en échec : {', '.join(failed)}" if failed else ""),
            file=sys.stderr,
        )
        _alert(settings, result.run_id, "Échec de csf run après publication", failed)
        return 1
    if not (result.success and published and not blocking):
        print(
            "\nÉCHEC : rien n'a été publié ; l'instantané précédent reste en place."
            + (f"\n  étapes en échec : {', '.join(failed)}" if failed else "")
            + "".join(
                f"\n  contrôle bloquant en échec : {'/'.join(c.asset_key.path)} {c.check_name}"
                for c in blocking
            ),
            file=sys.stderr,
        )
        _alert(
            settings,
            result.run_id,
            "Échec de csf run : rien n'a été publié",
            failed + [f"contrôle bloquant : {'/'.join(c.asset_key.path)}" for c in blocking],
        )
        return 1
    return 0


def _alert(settings: Settings, run_id: str, subject: str, details: list[str]) -> None:
    from pipelines.orchestration.alerts import alert, alerts_file

    try:
        record = alert(settings, run_id, subject, details)
    except OSError as exc:  # e.g. the disk that made the run fail: the message above stands
        print(f"  alerte non écrite ({exc})", file=sys.stderr)
        return
    sent = f" ; courriel {record['courriel']}" if record["courriel"] else ""
    print(f"  alerte : {alerts_file(settings)}{sent}", file=sys.stderr)


# Operating-system causes an operator can act on, named in French before the raw message.
_CAUSES = {
    "No space left on device": "disque plein",
    "database or disk is full": "disque plein",
    "Permission denied": "permission refusée",
    "Read-only file system": "système de fichiers en lecture seule",
}


def _log_format(settings: Settings) -> str:
    """Dagster logger of ``csf run``: ``console`` (text) or ``json`` (CSF_LOG_FORMAT)."""
    return "json" if settings.log_format == "json" else "console"


def _check_free_space(settings: Settings) -> None:
    """Refuse to start a run on a nearly full disk, before anything is written."""
    home = settings.home
    probe = home if home.exists() else home.parent
    free = shutil.disk_usage(probe).free
    need = settings.min_free_mb * 1_000_000
    if free < need:
        raise OSError(
            f"disque plein : {_n(free / 1e6)} Mo libres sur {probe}, il en faut au moins "
            f"{_n(need / 1e6)} (CSF_MIN_FREE_MB) ; rien n'a été modifié"
        )


def _name_cause(message: str, home: Path) -> str:
    """An error message in one line, its OS cause named in French first when recognisable."""
    text = " ".join(message.split())[:300]
    named = next((fr for en, fr in _CAUSES.items() if en in text), None)
    if named is None and "disk I/O error" in text:
        # SQLite says "disk I/O error" for a write refused on a full disk.
        named = "disque plein" if shutil.disk_usage(home).free < 10_000_000 else None
    return f"{named} : {text}" if named else text


def _cause(error, home: Path) -> str:
    """The innermost error of a failed step, in one line, its OS cause named first."""
    while error is not None and (error.cause or error.context):
        error = error.cause or error.context
    if error is None:
        return "cause inconnue"
    return _name_cause(error.message, home)


def _print_summary(settings: Settings, run_id, checks, blocking, warnings, seconds) -> None:
    from pipelines.warehouse import status
    from pipelines.warehouse.connection import connect
    from pipelines.warehouse.snapshot import read_publication

    with connect(settings.build_db, read_only=True) as con:
        counts = status.run_counts(con, run_id)
        crosscheck = status.crosscheck_totals(con)
    snapshot = read_publication(settings.published_db)
    lines = [
        f"\ncsf run terminé en {_n(seconds, 1)} s (exécution Dagster {run_id})",
        f"  Fichiers nouveaux : {counts['new']} ({counts['loaded']} chargés, "
        f"{counts['rejected']} refusés)"
        + (" — aucun nouveau fichier" if not counts["new"] else ""),
        f"  Lignes : {_n(counts['read'])} lues, {_n(counts['clean'])} propres, "
        f"{_n(counts['quarantined'])} en quarantaine",
        *([_crosscheck_line(crosscheck)] if crosscheck else []),
        f"  Contrôles : {len(checks)} exécutés, {len(blocking)} bloquant(s) en échec, "
        f"{len(warnings)} avertissement(s)",
        *(
            f"    avertissement : {'/'.join(c.asset_key.path)} {c.check_name}"
            + (f" — {c.description}" if c.check_name == "fraicheur" and c.description else "")
            for c in warnings
        ),
        f"  Entrepôt de construction : {settings.build_db}",
    ]
    if snapshot:
        demo = " — DONNÉES DE DÉMONSTRATION" if snapshot["donnees_synthetiques"] else ""
        lines.append(f"  Instantané publié : {snapshot['path']} ({snapshot['snapshot_id']}){demo}")
    index = settings.home / "reports" / "index.json"
    if index.exists():
        produced = json.loads(index.read_text(encoding="utf-8"))
        lines.append(
            f"  Rapports : {len(produced['fichiers'])} fichiers (période {produced['periode']}) "
            f"dans {index.parent}"
        )
    if snapshot:
        from pipelines.exports.release import AUTO_PREFIX, exports_dir

        release = exports_dir(settings) / f"{AUTO_PREFIX}{snapshot['snapshot_id']}"
        if release.is_dir():
            lines.append(f"  Diffusion pour la recherche : {release}")
    lines.append("  Tableau de bord : csf dashboard, puis http://127.0.0.1:8050")
    print("\n".join(lines))


def _crosscheck_line(totals: dict[str, int]) -> str:
    """One line on the cross-file rules of the current data (the details: csf status)."""
    return (
        f"  Rapprochement entre fichiers : {_n(totals['excluded'])} ligne(s) chargée(s) exclue(s) "
        f"des indicateurs, {_n(totals['flagged'])} signalée(s), dont {_n(totals['orphans'])} "
        "parcours sans clause connue (détail : csf status)"
    )


def _n(value: float, decimales: int = 0) -> str:
    """A figure in French (``1 234``, ``12,3``), rounded by the one rule of every output."""
    from pipelines.content.formatting import number

    return number(value, decimales)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.warehouse import status
    from pipelines.warehouse.connection import connect
    from pipelines.warehouse.publish import snapshot_history
    from pipelines.warehouse.snapshot import read_publication

    files: list[dict] = []
    reconciliation: list[dict] = []
    if settings.build_db.exists():
        with connect(settings.build_db, read_only=True) as con:
            files = status.files(con)
            reconciliation = status.reconciliation(con)
    published = read_publication(settings.published_db)
    history = snapshot_history(settings.published_db)
    if args.json:
        print(
            json.dumps(
                {
                    "files": files,
                    "reconciliation": reconciliation,
                    "published": published,
                    "snapshots": history,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not files:
        print(f"Aucun fichier chargé (CSF_HOME={settings.home}).")
    for f in files:
        state = {"loaded": "chargé", "rejected": "REFUSÉ", "pending": "en attente"}[f["status"]]
        if f["encoding"]:
            separator = {"\t": "tabulation"}.get(f["separator"], f"« {f['separator']} »")
            detail = f" {f['encoding']}, séparateur {separator}"
        elif f["schema_version"]:
            detail = f" JSON DECP v{f['schema_version']}"
        else:
            detail = ""
        name = log_name(Path(f["file"]).name)  # a newline in a name must not forge a line
        print(f"{name:40} {f['source'] or 'inconnue':14} {state:10}{detail}")
        if f["status"] == "loaded":
            print(
                f"    {_n(f['rows_read'])} lues = {_n(f['rows_clean'])} propres + "
                f"{_n(f['rows_quarantined'])} en quarantaine"
            )
            if f["extra_columns_dropped"]:
                print(
                    f"    {_n(f['extra_columns_dropped'])} colonne(s) hors contrat écartée(s) "
                    f"sans être lue(s) : {', '.join(f['extra_columns_dropped_labels'])}"
                    + (
                        "…"
                        if f["extra_columns_dropped"] > len(f["extra_columns_dropped_labels"])
                        else ""
                    )
                )
            if f["replaced_by"]:
                print(f"    remplacé par {f['replaced_by']} (même périmètre : {f['scope']})")
            for rule, count in f["quarantine_by_rule"].items():
                print(f"      {count:5} × {rule} — {libelle_regle(rule)}")
            if f["crosscheck_by_rule"]:
                # Decided in the warehouse: these rows were loaded (docs/methodologie.md).
                print(
                    f"    rapprochement entre fichiers : {_n(f['rows_excluded'] or 0)} exclue(s) "
                    f"des indicateurs, {_n(f['rows_flagged'] or 0)} signalée(s)"
                )
            for rule, found in f["crosscheck_by_rule"].items():
                print(
                    f"      {found['lignes']:5} × {rule} — {libelle_regle(rule)} : "
                    f"{TRAITEMENTS.get(found['traitement'], found['traitement'])}"
                )
        elif f["message"]:
            print(f"    {f['message']}")
    if reconciliation:
        print(_reconciliation_text(reconciliation))
    if published:
        print(
            f"\nInstantané servi : {published['path']}\n  {published['snapshot_id']}, "
            f"publié le {published['published_at']} (exécution {published['run_id']}), date "
            f"d'observation {published['date_observation']}"
            + (" — données de démonstration" if published["donnees_synthetiques"] else "")
        )
    else:
        print("\nAucun instantané publié.")
    if history:
        print("Instantanés conservés (csf rollback --to ID) :")
        for kept in history:
            mark = "  ← servi" if kept["served"] else ""
            print(f"  {kept['snapshot_id']}  publié le {kept['published_at']}{mark}")
    return 0


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.warehouse.publish import rollback, served_snapshot_id

    before = served_snapshot_id(settings.published_db)
    restored = rollback(settings.published_db, args.to)
    print(
        f"instantané servi : {restored['snapshot_id']} (publié le {restored['published_at']}), "
        f"à la place de {before or 'aucun'}. Les rapports et diffusions de "
        "$CSF_HOME/reports et exports ne changent pas ; la prochaine exécution de « csf run » "
        "publiera de nouveau."
    )
    return 0


def _reconciliation_text(lines: list[dict]) -> str:
    """``csf status``'s reconciliation: youth side = procurement side + parcours without a known
    clause, by kind (docs/methodologie.md, « Parcours et suivis non rattachés »)."""
    n = {line["line"]: line["parcours"] for line in lines}
    orphans = [
        (n.get("parcours_clause_absente", 0), "clause absente du registre"),
        (n.get("parcours_clause_en_quarantaine", 0), "clause en quarantaine"),
        (n.get("parcours_sans_identifiant_clause", 0), "sans identifiant de clause"),
    ]
    text = [
        "\nRapprochement des parcours commencés (côté jeunes = côté achats + parcours sans "
        "clause connue) :",
        f"  {_n(n.get('parcours_commences', 0))} côté jeunes = "
        f"{_n(n.get('parcours_clause_connue', 0))} rattachés à une clause du registre + "
        f"{_n(sum(count for count, _ in orphans))} sans clause connue ("
        + ", ".join(f"{_n(count)} {label}" for count, label in orphans)
        + f") ; écart : {_n(n.get('ecart', 0))}",
    ]
    unknown = n.get("parcours_jeune_absent", 0) + n.get("parcours_jeune_en_quarantaine", 0)
    if unknown:
        text.append(
            f"  {_n(unknown)} parcours d'un jeune absent ou en quarantaine des fichiers des "
            "jeunes, comptés des deux côtés (sexe et âge non renseignés)"
        )
    if n.get("ecart", 0):
        text.append("  ÉCART NON NUL : les deux côtés ne comptent pas les mêmes parcours.")
    return "\n".join(text)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.reports.build import FORMATS, report_buyers, report_national

    formats = (args.format,) if args.format else FORMATS
    if args.period is not None and not (args.period.isdigit() and len(args.period) == 4):
        raise ValueError(f"--period attend une année sur quatre chiffres, reçu {args.period!r}")
    started = time.monotonic()
    if args.national:
        lot = report_national(settings, args.period, formats)
    else:
        lot = report_buyers(settings, [args.buyer] if args.buyer else None, args.period, formats)
    for path in lot.fichiers:
        print(path)
    print(
        f"{len(lot.fichiers)} fichier(s) écrit(s) en {_n(time.monotonic() - started, 1)} s "
        f"(instantané {lot.instantane}, période {lot.periode})",
        file=sys.stderr,
    )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.exports.release import write_release

    release = write_release(settings, args.release, replace=args.replace)
    print(release.folder)
    state = "déjà à jour, inchangée" if release.up_to_date else "écrite"
    rows = sum(t.rows for t in release.tables)
    removed = ", ".join(
        f"{a.table} {_n(a.suppressed)} retirés / {_n(a.records)}" for a in release.anonymisation
    )
    print(
        f"diffusion {release.name} {state} en {_n(release.seconds, 1)} s (instantané "
        f"{release.snapshot_id}) : {len(release.tables)} tables, {_n(rows)} lignes ; "
        f"k-anonymat : {removed}",
        file=sys.stderr,
    )
    return 0


# One run at a time (DuckDB allows one writer per file); no telemetry from a ministry server.
DAGSTER_YAML = """run_queue:
  max_concurrent_runs: 1
telemetry:
  enabled: false
"""


def _dagster_instance(settings: Settings) -> None:
    """Point Dagster at ``$CSF_HOME/dagster``, written once with the settings above (``csf run``
    and ``csf serve`` share the instance: one history of runs)."""
    instance_config = settings.dagster_home / "dagster.yaml"
    if not instance_config.exists():
        instance_config.write_text(DAGSTER_YAML, encoding="utf-8")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import signal
    import subprocess

    from pipelines.dbt.manifest import ensure_manifest

    settings.ensure_dirs()
    _dagster_instance(settings)
    ensure_manifest()
    module = ["-m", "pipelines.orchestration.definitions"]
    # The daemon and the web server load the code location, which reads the same settings from
    # this environment; Dagster finds its instance through DAGSTER_HOME.
    env = child_environ(DAGSTER_HOME=str(settings.dagster_home))
    processes = [
        subprocess.Popen([str(VENV_BIN / "dagster-daemon"), "run", *module], env=env),
        subprocess.Popen(
            [str(VENV_BIN / "dagster-webserver"), *module, "-h", args.host, "-p", str(args.port)],
            env=env,
        ),
    ]
    print(
        f"csf serve : démon Dagster et interface sur http://{args.host}:{args.port} "
        f"(instance {settings.dagster_home}, boîte de dépôt {settings.inbox})",
        file=sys.stderr,
    )

    asked: list[int] = []

    def stop(*signum: object) -> None:
        if signum:
            asked.append(1)
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    finally:
        stop()
        for process in processes:
            process.wait(30)
    # Stopped on request: 0; one of the two died on its own: 1.
    return 0 if asked else 1


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from dashboards import oidc
    from dashboards.server import serve

    # Incomplete OIDC settings or a wrong roles file: the reason now, not a worker that fails.
    signs_in = oidc.from_settings(settings) is not None
    users = settings.users_file
    if not signs_in and not users.exists() and args.host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(
            f"aucun fichier d'utilisateurs ({users}) : sans authentification, le tableau de bord "
            "n'écoute que sur 127.0.0.1 (ajoutez des utilisateurs avec « csf user »)"
        )
    serve(settings, args.host, args.port, args.workers)
    return 0


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from dashboards.auth import ajouter_utilisateur

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if password != getpass.getpass("Confirmation : "):
            raise ValueError("les deux mots de passe diffèrent")
    if len(password) < 12:
        raise ValueError("mot de passe trop court (12 caractères au moins)")
    path = settings.users_file
    ajouter_utilisateur(path, args.name, password, args.role)
    print(f"utilisateur {args.name} enregistré dans {path} ({', '.join(args.role)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
