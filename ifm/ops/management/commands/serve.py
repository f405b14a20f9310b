"""Serve the app for development: the web server and a background-job worker together."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ifm.env import env_int
from ifm.ops.multiproc import clean_multiprocess_dir

WORKER_STOP_SECONDS = 10


def _die_with_parent() -> None:
    """In the worker, before it starts: have Linux end it if `serve` itself is killed (-9)."""
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl-C and SIGTERM still stop both


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server and the background-job worker together (development)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--port", type=int, default=env_int("PORT", 8000, minimum=1, maximum=65535)
        )
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, port: int, host: str, **options: Any) -> None:
        # Metrics files of an earlier run would be added to this one's (docs/ops/monitoring.md).
        clean_multiprocess_dir()
        # Its own session, so Ctrl-C in the terminal reaches only us and the worker is told to
        # stop exactly once (a second signal would make it abandon a running job).
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ifm.cli",
                "worker",
                "--queue-name",
                "*",
                "--no-reload",
                "--interval",
                "1",
            ],
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        # Also SIGINT: a shell starting us in the background would have it ignored otherwise.
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Background-job worker started (pid {worker.pid}).")
        self.stdout.write(self.style.SUCCESS(f"Serving http://{host}:{port}/  (Ctrl-C stops both)"))
        try:
            # runserver turns KeyboardInterrupt (Ctrl-C, or SIGTERM via _interrupt) into exit 0.
            call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop(worker)

    def _stop(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.stdout.write(f"Background-job worker stopped (exit {worker.returncode}).")
