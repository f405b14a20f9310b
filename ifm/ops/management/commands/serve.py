"""Serve the app for development: the web server and a background-job worker together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the background-job worker together (development)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, port: int, host: str, **options: Any) -> None:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ifm.cli", "db_worker", "--queue-name", "*"],
        )
        self.stdout.write(f"Background-job worker started (pid {worker.pid}).")
        self.stdout.write(self.style.SUCCESS(f"Serving http://{host}:{port}/  (Ctrl-C stops both)"))
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
