"""Writes of ops: retrying background jobs."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.tenancy.models import Organization


def require_platform_staff(user: Any) -> None:
    """Platform pages are for IFM's own staff; the permission matrix covers organizations only."""
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_platform_staff", False)):
        raise PermissionDenied("Only IFM platform staff may do this.")


@transaction.atomic
def job_retry(*, job_id: uuid.UUID | str, actor: User) -> DBTaskResult:
    """Queue a failed job to run once more, now. If that attempt fails too, it stays failed."""
    require_platform_staff(actor)
    job = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise ServiceError("There is no such job (it may have been pruned).")
    if job.status != TaskResultStatus.FAILED:
        raise ServiceError(
            f"Only a failed job can be retried; this one is {job.get_status_display().lower()}."
        )
    job.status = TaskResultStatus.READY
    job.run_after = timezone.now()
    job.finished_at = None
    job.save(update_fields=["status", "run_after", "finished_at"])
    org_id = (job.args_kwargs.get("kwargs") or {}).get("organization_id")
    audit_record(
        action="job.retry",
        actor=actor,
        organization=Organization.objects.filter(pk=org_id).first()
        if isinstance(org_id, int)
        else None,
        obj=job,
        object_repr=job.task_path,
        changes={
            "status": {"before": TaskResultStatus.FAILED.value, "after": job.status},
            "attempts": len(job.worker_ids),
        },
    )
    return job
