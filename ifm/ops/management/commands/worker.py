"""`ifm worker`: the background-job worker (django-tasks' `db_worker`) with a lease.

While the process lives, a thread renews its lease (`WorkerBeat`) every few seconds and, now
and then, fails the jobs of workers whose lease ran out (`reap_abandoned_jobs`): a worker
killed mid-job leaves its job retried or failed within about JOB_LEASE_SECONDS, not RUNNING
for ever; a worker started on the same machine takes it back at once (the dead worker's pid
is gone). At the same pace it queues the daily backup and the weekly restore check when they are
due. Same options as `db_worker`.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from ifm.core.tasks import job_lease_seconds
from ifm.ops.backups.tasks import backups_enqueue_due
from ifm.ops.jobs import process_space, reap_abandoned_jobs, worker_beat, worker_gone
from ifm.ops.tasks import ensure_evaluation_scheduled

log = logging.getLogger("ifm.jobs")


class Lease(threading.Thread):
    """Renews one worker's lease, reaps abandoned jobs and keeps the alert evaluation
    queued, until stopped."""

    def __init__(self, worker_id: str, lease_seconds: int):
        super().__init__(name="worker-lease", daemon=True)
        self.worker_id = worker_id
        self.beat_every = min(max(lease_seconds / 10, 1.0), 30.0)
        self.reap_every = min(max(lease_seconds / 2, 1.0), 60.0)
        self.stopped = threading.Event()

    def beat(self) -> None:
        worker_beat(worker_id=self.worker_id, host=process_space(), pid=os.getpid())

    def run(self) -> None:
        since_reap = 0.0
        try:
            while not self.stopped.wait(self.beat_every):
                since_reap += self.beat_every
                try:
                    self.beat()
                    # The alerts are evaluated every minute by a job; keep the next one queued.
                    ensure_evaluation_scheduled()
                    if since_reap >= self.reap_every:
                        since_reap = 0.0
                        reap_abandoned_jobs()
                        # The daily backup and the weekly restore check (ifm.ops.backups.tasks).
                        backups_enqueue_due()
                except DatabaseError:
                    # A busy database (SQLite during a long write): try again at the next beat.
                    log.warning("Could not renew the lease of worker %s", self.worker_id)
        finally:
            connection.close()


class Command(DBWorkerCommand):
    help = "Run the background-job worker, with a lease that lets abandoned jobs be retried."

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
        lease = Lease(worker_id, job_lease_seconds())
        lease.beat()
        ensure_evaluation_scheduled()
        reaped = reap_abandoned_jobs()
        if reaped:
            self.stderr.write(f"Failed {len(reaped)} job(s) abandoned by a worker that died.")
        lease.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            lease.stopped.set()
            lease.join(timeout=5)
            try:
                worker_gone(worker_id=worker_id)
            except DatabaseError:
                log.warning("Could not give up the lease of worker %s", worker_id)
