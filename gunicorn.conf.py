"""gunicorn reads this file from the working directory by itself (Procfile `web`).

With PROMETHEUS_MULTIPROC_DIR set, each worker process writes its metrics to files there and
/metrics adds them up (docs/ops/monitoring.md): the directory is emptied when the server
starts, so counts of an earlier run are not added in, and a dead worker's live gauges go.
"""

from __future__ import annotations

from typing import Any

from ifm.ops.multiproc import clean_multiprocess_dir, mark_worker_dead


def on_starting(server: Any) -> None:
    clean_multiprocess_dir()


def child_exit(server: Any, worker: Any) -> None:
    mark_worker_dead(worker.pid)
