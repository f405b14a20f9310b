"""prometheus-client's multiprocess mode: its directory, emptied when a server starts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def clean_multiprocess_dir() -> Path | None:
    """Empty PROMETHEUS_MULTIPROC_DIR (create it if missing); None when it is not set."""
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not value:
        return None
    path = Path(value)
    if path.exists():
        for entry in path.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path


def mark_worker_dead(pid: int) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 (only in multiprocess mode)

        multiprocess.mark_process_dead(pid)
