"""Background jobs every app may use, and the conventions every job follows.

Jobs are django-tasks `@task()` functions run by `ifm db_worker`. Two conventions:

* A job that acts for one organization takes an `organization_id` keyword argument and is
  wrapped in `org_task`, which sets the tenant context around its body (tenant managers and
  row-level security then work as they do in a request). The jobs pages find an
  organization's jobs by that keyword.
* A job of a module its organization has not enabled does not run: `org_task` refuses it
  (`JobRefused`, recorded as its failure, never retried).
* A failed job is retried automatically (`ifm.ops.jobs` does it): up to `max_attempts`
  attempts in all, waiting `backoff_seconds`, then twice as long, and so on between them.
  The defaults suit most jobs; `retry_policy` changes them for one task.
"""

from __future__ import annotations

import base64
import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task

from ifm.core.org_context import org_context

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T", bound=Task[Any, Any])

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 60 * 60


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait before the attempt that follows attempt number `attempt` (1-based)."""
        return float(min(self.backoff_seconds * 2 ** max(attempt - 1, 0), MAX_BACKOFF_SECONDS))


_POLICIES: dict[str, RetryPolicy] = {}

# Sent (by ifm.ops.jobs) when an attempt of a job has failed, whether it raised or its worker
# died: task_path, args, kwargs, message, and final (True when no attempt follows). The app
# that owns the job marks its own records (an import run, say) failed or waiting to retry.
job_failed = Signal()


def job_lease_seconds() -> int:
    """How long a running job's worker may go without renewing its lease before the job is
    taken to be abandoned (`JOB_LEASE_SECONDS`)."""
    return int(getattr(settings, "JOB_LEASE_SECONDS", 300))


def retry_policy(
    *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
) -> Any:
    """Set how often a task is tried in all and how long to wait between tries.

    Goes above `@task()`:  @retry_policy(max_attempts=5)  /  @task()  /  def job(...): ...
    `max_attempts=1` means never retry (for work that must not run twice).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    if backoff_seconds < 0:
        raise ValueError("backoff_seconds must not be negative")

    def register(task_obj: T) -> T:
        _POLICIES[task_obj.module_path] = RetryPolicy(max_attempts, backoff_seconds)
        return task_obj

    return register


def policy_for(task_path: str) -> RetryPolicy:
    if task_path not in _POLICIES:
        # A policy registers when its module is imported; a web process may not have yet.
        with contextlib.suppress(ImportError):
            import_string(task_path)
    return _POLICIES.get(task_path, RetryPolicy())


class JobRefused(Exception):
    """A job that must not run for its organization (a gate said why): it fails with this
    message as its recorded reason and is not retried."""


# Asked before an organization's job runs: (the job's function, organization id) -> None to
# run it, or the reason it must not run. Registered from above (ifm.tenancy: the job's module
# is not enabled for the organization), since this module knows no organization.
OrgJobGate = Callable[[Callable[..., Any], int], str | None]
_ORG_JOB_GATES: list[OrgJobGate] = []


def register_org_job_gate(gate: OrgJobGate) -> None:
    if gate not in _ORG_JOB_GATES:
        _ORG_JOB_GATES.append(gate)


def org_task(func: F) -> F:
    """Run a job's body for the organization named by its `organization_id` keyword argument,
    unless a gate refuses it (`JobRefused`, with the reason).

    Goes below `@task()`:  @task()  /  @org_task  /  def job(*, organization_id: int, ...): ...
    """

    @functools.wraps(func)
    def run_for_org(*args: Any, **kwargs: Any) -> Any:
        organization_id = kwargs.get("organization_id")
        if not isinstance(organization_id, int) or isinstance(organization_id, bool):
            raise TypeError(
                f"{func.__qualname__} acts for an organization: call it with organization_id=<int>."
            )
        for gate in _ORG_JOB_GATES:
            reason = gate(func, organization_id)
            if reason:
                raise JobRefused(reason)
        with org_context(organization_id):
            return func(*args, **kwargs)

    return run_for_org  # type: ignore[return-value]


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """Send one email from the worker. attachments: (filename, base64 content, mimetype);
    headers: extra ones (a Message-ID, In-Reply-To) by name."""
    message = EmailMessage(subject=subject, body=body, to=to, headers=headers or None)
    for filename, content_b64, mimetype in attachments or []:
        message.attach(filename, base64.b64decode(content_b64), mimetype)
    return message.send()


def send_email_after_commit(
    *, to: list[str], subject: str, body: str, headers: dict[str, str] | None = None
) -> None:
    """Queue an email once the current transaction commits (a rolled-back change sends nothing)."""
    kwargs: dict[str, Any] = {"to": to, "subject": subject, "body": body}
    if headers:
        kwargs["headers"] = headers
    transaction.on_commit(lambda: send_email.enqueue(**kwargs))
