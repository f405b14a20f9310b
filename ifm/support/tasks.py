"""Support's background job: close tickets resolved a week ago, tell the on-call of breaches.

`ifm support_sweep` queues it (run it every five minutes from the scheduler, docs/deploy.md);
the job is safe to run twice: a ticket is closed once and each breach is told once.
"""

from __future__ import annotations

from django_tasks import task

from ifm.core.tasks import retry_policy
from ifm.support import services


@retry_policy(max_attempts=1)  # the next sweep is the retry
@task()
def support_sweep_job() -> dict[str, int]:
    return {
        "closed": services.tickets_auto_close(),
        "breach_notices": services.tickets_notify_breaches(),
    }
