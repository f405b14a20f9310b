"""`ifm serve` (what `make run` starts): web server and worker up together, down together."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _ifm(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ifm.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def _env(var_dir: Path, db_file: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "IFM_ENV": "development",
        "IFM_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{db_file}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database file migrated for the module (a migration takes tens of seconds on a busy
    machine); each test serves its own copy of it."""
    var_dir = tmp_path_factory.mktemp("serve-migrated")
    db_file = var_dir / "serve.sqlite3"
    _ifm("migrate", "--noinput", env=_env(var_dir, db_file))
    with sqlite3.connect(db_file) as conn:  # everything in the main file, none in the log
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db_file


def test_serve_runs_web_and_worker_and_stops_both(migrated: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "serve.sqlite3"
    shutil.copyfile(migrated, db_file)
    env = _env(tmp_path, db_file)
    job_id = _ifm(
        "shell",
        "-c",
        "from ifm.ops.tests.tasks import flaky; print(flaky.enqueue(label='from serve').id)",
        env=env,
    ).stdout.split()[-1]  # the shell prints its auto-imports first

    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ifm.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker_pid = None
    try:
        assert _wait_for(lambda: _status(f"http://127.0.0.1:{port}/healthz") == 200, 60), (
            log_path.read_text()
        )
        match = re.search(r"worker started \(pid (\d+)\)", log_path.read_text())
        assert match, log_path.read_text()
        worker_pid = int(match.group(1))
        assert _alive(worker_pid)

        def job_done() -> bool:
            with sqlite3.connect(db_file) as conn:
                row = conn.execute(
                    "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
                    (job_id.replace("-", ""),),
                ).fetchone()
            return row is not None and row[0] == "SUCCESSFUL"

        assert _wait_for(job_done, 30), log_path.read_text()

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=15) == 0, log_path.read_text()
        assert _wait_for(lambda: not _alive(worker_pid), 5)
        assert _status(f"http://127.0.0.1:{port}/healthz") == 0
        assert "worker stopped" in log_path.read_text()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        if worker_pid is not None and _alive(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)


def test_serve_killed_hard_tells_the_worker_once_and_its_job_finishes(
    migrated: Path, tmp_path: Path
) -> None:
    """kill -9 of `serve`: the kernel's parent-death signal is the worker's only SIGTERM, so it
    finishes the job it is running and then stops (a second one would abandon the job)."""
    db_file = tmp_path / "serve.sqlite3"
    shutil.copyfile(migrated, db_file)
    env = _env(tmp_path, db_file)
    job_id = _ifm(
        "shell",
        "-c",
        "from ifm.ops.tests.tasks import sleepy; print(sleepy.enqueue(seconds=6).id)",
        env=env,
    ).stdout.split()[-1]

    def job_status() -> str:
        with sqlite3.connect(db_file) as conn:
            row = conn.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
                (job_id.replace("-", ""),),
            ).fetchone()
        return str(row[0]) if row else ""

    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ifm.cli", "serve", "--port", str(_free_port())],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker_pid = None
    try:
        assert _wait_for(lambda: job_status() == "RUNNING", 60), log_path.read_text()
        match = re.search(r"worker started \(pid (\d+)\)", log_path.read_text())
        assert match, log_path.read_text()
        worker_pid = int(match.group(1))
        serve.kill()
        serve.wait(timeout=10)
        assert _wait_for(lambda: not _alive(worker_pid), 30), log_path.read_text()
        text = log_path.read_text()
        assert text.count("Received Terminated") == 1, text
        assert "terminating current task" not in text
        assert job_status() == "SUCCESSFUL", text
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        if worker_pid is not None and _alive(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)
