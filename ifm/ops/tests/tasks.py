"""Jobs the ops tests run through the real worker (module-level, as django-tasks requires)."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from ifm.core.tasks import org_task, retry_policy
from ifm.tenancy.models import Membership

FAIL_FLAG = "ops-tests:fail"


@retry_policy(max_attempts=3, backoff_seconds=0)
@task()
def flaky(*, label: str, organization_id: int | None = None) -> str:
    """Fails while the flag is set in the cache, succeeds once it is cleared."""
    if cache.get(FAIL_FLAG):
        raise RuntimeError(f"failing on purpose: {label}")
    return label


@task()
def always_fails() -> None:
    raise ValueError("this job never works")


@retry_policy(max_attempts=1)
@task()
def never_retried() -> None:
    raise LookupError("one try only")


@task()
@org_task
def count_members(*, organization_id: int) -> int:
    """Uses the tenant manager, which refuses to run without an organization in context."""
    return Membership.objects.count()


@retry_policy(max_attempts=1)
@task()
def sleepy(*, seconds: float) -> str:
    """Takes its time: for tests that stop the worker while a job runs."""
    import time

    time.sleep(seconds)
    return "slept"
