"""Background jobs of ops."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from ifm.core.tasks import retry_policy
from ifm.ops import alerts


@retry_policy(max_attempts=1)  # the next minute's evaluation is the retry
@task()
def evaluate_alerts_job() -> dict[str, int]:
    """Evaluate the alert rules (every minute; `ifm worker` keeps the next one queued)."""
    outcome = alerts.evaluate_alerts()
    return {
        "opened": len(outcome.opened),
        "repeated": len(outcome.repeated),
        "resolved": len(outcome.resolved),
    }


EVALUATION_TASK = f"{evaluate_alerts_job.func.__module__}.{evaluate_alerts_job.func.__qualname__}"


def ensure_evaluation_scheduled(*, now: datetime | None = None) -> bool:
    """Queue the next evaluation for the start of the next minute unless one is waiting.
    Called by `ifm worker` at every beat of its lease; returns whether it queued one."""
    if DBTaskResult.objects.filter(
        task_path=EVALUATION_TASK, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists():
        return False
    now = now or timezone.now()
    next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    evaluate_alerts_job.using(run_after=next_minute).enqueue()
    return True
