"""Operations: kept snapshots and rollback, failure drills (SIGKILL, disk full, permissions) and
idempotence, on copies of the demo run's CSF_HOME with the real ``csf`` command."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import load_settings
from pipelines.warehouse.publish import publish
from tests.conftest import CSF, SAMPLE, csf


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def served_id(home: Path) -> str:
    con = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        return con.execute("select snapshot_id from meta.publication").fetchall()[0][0]
    finally:
        con.close()


def copy_home(demo_home: Path, target: Path) -> Path:
    """The demo run's warehouse and key, without its reports, exports or Dagster history."""
    target.mkdir(parents=True)
    # Not the kept snapshots nor the dashboard's reader links: the served file and the build.
    shutil.copytree(
        demo_home / "warehouse",
        target / "warehouse",
        ignore=shutil.ignore_patterns(".lecture", "snapshots", ".*.tmp"),
    )
    shutil.copytree(demo_home / "keys", target / "keys")
    return target


def test_rollback_serves_the_previous_snapshot_again_atomically(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    published = home / "warehouse" / "published.duckdb"
    first = served_id(home)
    keep = load_settings({"CSF_SNAPSHOTS_KEEP": "3"}).snapshots_keep
    ids = [first]
    for n in range(3):
        time.sleep(1.1)  # snapshot ids carry the publication second
        build = home / "warehouse" / "build.duckdb"
        ids.append(publish(build, published, f"run{n}0000", keep).snapshot_id)
    kept = sorted(p.stem for p in (home / "warehouse" / "snapshots").glob("*.duckdb"))
    assert kept == ids[1:]  # three kept, the oldest pruned
    before = sha256(home / "warehouse" / "snapshots" / f"{ids[2]}.duckdb")

    status = json.loads(csf(home, "status", "--json").stdout)
    assert [s["snapshot_id"] for s in status["snapshots"]] == ids[:0:-1]
    assert [s["served"] for s in status["snapshots"]] == [True, False, False]

    result = csf(home, "rollback")
    assert result.returncode == 0, result.stderr
    assert served_id(home) == ids[2] and sha256(published) == before
    assert ids[2] in result.stdout and ids[3] in result.stdout
    listed = csf(home, "status").stdout.split("Instantanés conservés", 1)[1]
    assert f"{ids[2]}  publié le" in next(x for x in listed.splitlines() if "← servi" in x)

    assert csf(home, "rollback", "--to", ids[3]).returncode == 0
    assert served_id(home) == ids[3]
    missing = csf(home, "rollback", "--to", "20000101T000000Z-absent")
    assert missing.returncode == 2 and "non conservé" in missing.stderr
    assert csf(home, "rollback").returncode == 0 and csf(home, "rollback").returncode == 0
    oldest = csf(home, "rollback")
    assert oldest.returncode == 2 and "aucun instantané antérieur" in oldest.stderr
    assert served_id(home) == ids[1]
    assert not list((home / "warehouse").glob(".*.tmp"))


# Where each phase begins on `csf run`'s stderr, and how long after it the kill may fall.
PHASES = {
    "ingestion": ("ingest__file_ledger", (0.0, 2.5)),
    "dbt": ("csf_dbt_models", (1.0, 20.0)),
    "publication": ("publication de l'instantané", (0.0, 0.4)),
}


def run_and_kill(home: Path, inbox: Path, marker: str, delay: float) -> tuple[bool, bool]:
    """Start ``csf run``; SIGKILL it and its children (dbt) ``delay`` seconds after ``marker``
    shows on stderr. Returns whether it was killed before finishing, and whether it had said it
    published by then."""
    env = {**os.environ, "CSF_HOME": str(home), "CSF_PSEUDO_KEY": ""}
    proc = subprocess.Popen(
        [CSF, "run", "--inbox", str(inbox)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if marker in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert seen.wait(300) or proc.poll() is not None, "".join(lines[-20:])
    time.sleep(delay)
    published = any("instantané publié" in line for line in lines)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(10)
    return killed, published


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_the_published_snapshot_and_the_next_run_works(
    demo_home, tmp_path
):
    """6 kills, two in each of ingestion, dbt build and publish (the worlds profile runs 20)."""
    _kill_drill(demo_home, tmp_path, drills=6, least={"ingestion": 1, "dbt": 1, "publication": 1})


@pytest.mark.worlds
def test_sigkill_at_twenty_random_points(demo_home, tmp_path):
    """The long drill: 20 kills (about 13 minutes)."""
    _kill_drill(demo_home, tmp_path, drills=20, least={"ingestion": 5, "dbt": 5, "publication": 4})


def _kill_drill(demo_home, tmp_path, drills: int, least: dict[str, int]) -> None:
    """Kills spread over ingestion, dbt build and publish, each run bringing new files: the
    published file stays the previous one byte for byte (or is the new one, whole, when the run
    had published before the kill), then a run completes normally."""
    home = copy_home(demo_home, tmp_path / "home")
    published = home / "warehouse" / "published.duckdb"
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    rng = random.Random(20261125)
    expected = sha256(published)
    kills = {phase: 0 for phase in PHASES}
    for n in range(drills):
        phase = list(PHASES)[n % 3]
        if phase == "ingestion":  # new exports (another seed), so that there is work to kill
            subprocess.run(
                [
                    CSF,
                    "sample",
                    "--scale",
                    "demo",
                    "--out",
                    str(tmp_path / f"seed{n}"),
                    "--seed",
                    str(100 + n),
                ],
                check=True,
                capture_output=True,
            )
            for path in (tmp_path / f"seed{n}").iterdir():
                shutil.copy(path, inbox / f"s{n}_{path.name}")
        marker, (low, high) = PHASES[phase]
        before = served_id(home)
        killed, _said_published = run_and_kill(home, inbox, marker, rng.uniform(low, high))
        kills[phase] += killed
        now = sha256(published)
        if now != expected:
            # The kill fell after the swap (maybe before the log line): then the served file is
            # the new snapshot, whole — the very file kept under its id.
            served = served_id(home)
            assert served != before, f"drill {n} ({phase}): changed but same id"
            kept = home / "warehouse" / "snapshots" / f"{served}.duckdb"
            assert kept.exists() and sha256(kept) == now, f"drill {n} ({phase})"
            expected = now
    assert all(kills[phase] >= n for phase, n in least.items()), kills

    before = served_id(home)
    final = csf(home, "run", "--inbox", str(inbox))
    assert final.returncode == 0, final.stderr[-3000:]
    assert served_id(home) != before
    status = json.loads(csf(home, "status", "--json").stdout)
    assert all(f["status"] in ("loaded", "rejected") for f in status["files"])
    assert not list((home / "warehouse").glob(".*.tmp"))


@pytest.fixture
def small_disk(tmp_path):
    """A 160 MB tmpfs: a disk that can really fill up (needs CAP_SYS_ADMIN, as root in CI), large
    enough for a demo home and one more run once the filler is gone."""
    mount = tmp_path / "disque"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"tmpfs mount not permitted here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_gives_a_clear_error_and_keeps_the_published_snapshot(
    demo_home, small_disk, monkeypatch
):
    home = copy_home(demo_home, small_disk / "home")
    published = home / "warehouse" / "published.duckdb"
    before = sha256(published)
    free = shutil.disk_usage(small_disk).free
    filler = small_disk / "remplissage"
    with filler.open("wb") as handle:  # leave 1 MB: less than a snapshot or a dbt build needs
        handle.write(b"\0" * (free - 1_000_000))

    # Checked before anything is written...
    refused = csf(home, "run", "--inbox", str(SAMPLE))
    assert refused.returncode == 2
    assert "disque plein" in refused.stderr and "rien n'a été modifié" in refused.stderr
    assert "Traceback" not in refused.stderr
    # ...and when the disk fills up during the run.
    monkeypatch.setenv("CSF_MIN_FREE_MB", "0")
    result = csf(home, "run", "--inbox", str(SAMPLE))
    assert result.returncode == 1
    after = result.stderr.split("ÉCHEC", 1)
    assert len(after) == 2 and "disque plein" in after[1], result.stderr[-2000:]
    assert "Traceback" not in after[1]
    assert sha256(published) == before
    filler.unlink()
    again = csf(home, "run", "--inbox", str(SAMPLE))
    assert again.returncode == 0, again.stderr[-3000:]
    assert sha256(published) != before


@pytest.mark.slow
def test_a_read_only_warehouse_gives_a_clear_error_and_keeps_the_published_snapshot(
    demo_home, tmp_path
):
    home = copy_home(demo_home, tmp_path / "home")
    published = home / "warehouse" / "published.duckdb"
    before = sha256(published)
    warehouse = str(home / "warehouse")
    bound = subprocess.run(["mount", "--bind", warehouse, warehouse], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"bind mount not permitted here: {bound.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", warehouse], check=True)
        result = csf(home, "run", "--inbox", str(SAMPLE))
    finally:
        subprocess.run(["umount", warehouse], check=True)
    assert result.returncode != 0
    assert "lecture seule" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr.split("ÉCHEC", 1)[-1]
    assert sha256(published) == before


def marts_digests(published: Path) -> dict[str, str]:
    """SHA-256 of each mart's rows in order, without the columns that record when a file was
    received, loaded or checked (wall-clock times, which no rerun can repeat)."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        digests = {}
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall():
            columns = [
                name
                for name, kind in con.execute(
                    "select column_name, data_type from duckdb_columns() "
                    "where schema_name = 'marts' and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if not kind.startswith("TIMESTAMP")
            ]
            rows = con.execute(
                f"select {', '.join(columns)} from marts.{table} order by all"
            ).fetchall()
            digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests
    finally:
        con.close()


@pytest.mark.slow
def test_two_full_runs_on_the_same_inbox_give_identical_marts(demo_home, tmp_path):
    """Also the freshness check: académie 04's exports, dated 60 days back, show as late."""
    home = tmp_path / "home"
    shutil.copytree(demo_home / "keys", home / "keys")  # the same pseudonymisation key
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    old = time.time() - 60 * 86400
    for path in inbox.glob("mlds_04_*"):
        os.utime(path, (old, old))
    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    (warning,) = [x for x in result.stdout.splitlines() if "fraicheur" in x]
    assert "academie:04 (mlds_jeunes)" in warning and "plus de 45 jours" in warning
    assert "academie:70" not in warning
    first = marts_digests(demo_home / "warehouse" / "published.duckdb")
    second = marts_digests(home / "warehouse" / "published.duckdb")
    assert len(first) >= 12
    assert first == second


@pytest.mark.slow
def test_reads_during_publishes_all_succeed_each_from_one_snapshot(demo_home, tmp_path):
    """10 clients download continuously while 5 publishes alternate two different builds: no
    request fails, and each answer is wholly the one of the snapshot its header names."""
    import requests

    from dashboards.server import served_in_background

    home = copy_home(demo_home, tmp_path / "home")
    published = home / "warehouse" / "published.duckdb"
    build_a = home / "warehouse" / "build.duckdb"
    build_b = tmp_path / "build_b.duckdb"
    shutil.copy(build_a, build_b)
    con = duckdb.connect(str(build_b))
    con.execute(
        "update marts.indicateurs set numerateur = numerateur + 7, valeur = valeur + 7 "
        "where unite = 'nombre' and domaine = 'achats'"
    )
    con.close()
    blocs = ["chiffres-cles", "activation", "entonnoir"]
    with served_in_background({**os.environ, "CSF_HOME": str(home)}) as url:

        def download(bloc: str) -> requests.Response:
            return requests.get(f"{url}/telecharger/{bloc}.csv", timeout=60)

        expected: dict[str, dict[str, bytes]] = {}
        for build in (build_a, build_b, build_a):
            snapshot = publish(build, published, "reference").snapshot_id
            expected[snapshot] = {bloc: download(bloc).content for bloc in blocs}
            time.sleep(1.1)
        bodies = {
            build: expected[k] for build, k in zip((build_a, build_b), expected, strict=False)
        }
        assert bodies[build_a]["chiffres-cles"] != bodies[build_b]["chiffres-cles"]

        stop = threading.Event()
        answers: list[tuple[str, int, str | None, bytes]] = []
        errors: list[str] = []

        def client(n: int) -> None:
            while not stop.is_set():
                bloc = blocs[n % len(blocs)]
                n += 1
                try:
                    r = download(bloc)
                    answers.append(
                        (bloc, r.status_code, r.headers.get("X-CSF-Instantane"), r.content)
                    )
                except requests.RequestException as exc:
                    errors.append(repr(exc))

        clients = [threading.Thread(target=client, args=(n,)) for n in range(10)]
        for thread in clients:
            thread.start()
        for n in range(5):
            time.sleep(1.1)
            build = (build_b, build_a)[n % 2]
            snapshot = publish(build, published, f"lecture{n}").snapshot_id
            expected[snapshot] = bodies[build]
        time.sleep(1.0)
        stop.set()
        for thread in clients:
            thread.join(60)

    assert not errors, errors[:3]
    assert len(answers) > 100
    assert all(status == 200 for _, status, _, _ in answers)
    served = {snapshot for _, _, snapshot, _ in answers}
    assert len(served) >= 4  # the clients did read across the publishes
    for bloc, _, snapshot, body in answers:
        assert body == expected[snapshot][bloc], (bloc, snapshot)


@pytest.mark.slow
def test_a_warehouse_without_write_permission_gives_a_clear_error(demo_home, tmp_path):
    """Root without CAP_DAC_OVERRIDE obeys file modes, as the service account would."""
    home = copy_home(demo_home, tmp_path / "home")
    warehouse = home / "warehouse"
    shutil.rmtree(warehouse / ".lecture", ignore_errors=True)
    published = warehouse / "published.duckdb"
    before = sha256(published)
    for path in warehouse.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    warehouse.chmod(0o555)
    env = {**os.environ, "CSF_HOME": str(home), "CSF_PSEUDO_KEY": ""}
    try:
        result = subprocess.run(
            [
                "setpriv",
                "--bounding-set=-dac_override,-dac_read_search",
                "--",
                CSF,
                "run",
                "--inbox",
                str(SAMPLE),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        for path in [warehouse, *warehouse.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    if "setpriv" in result.stderr and result.returncode != 1:
        pytest.skip(f"setpriv cannot drop capabilities here: {result.stderr.strip()}")
    assert result.returncode == 1
    after = result.stderr.split("ÉCHEC", 1)
    assert len(after) == 2 and "permission refusée" in after[1], result.stderr[-2000:]
    assert sha256(published) == before
    alerts = [json.loads(x) for x in (home / "logs" / "alertes.jsonl").read_text().splitlines()]
    assert "permission refusée" in " ".join(alerts[-1]["details"])
