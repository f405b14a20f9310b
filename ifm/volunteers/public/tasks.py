"""Background jobs of the public area: the emails about sign-ups, the reminders, new links and
coordinators' messages. Each only calls its body in delivery.py."""

from __future__ import annotations

from django_tasks import task

from ifm.core.tasks import org_task, retry_policy
from ifm.tenancy.models import Organization
from ifm.volunteers.public import delivery


@retry_policy(max_attempts=5, backoff_seconds=60)
@task()
@org_task
def signup_email(*, organization_id: int, signup_id: int, kind: str) -> bool:
    """Email a volunteer about their sign-up (placed, promoted or cancelled)."""
    organization = Organization.objects.get(pk=organization_id)
    return delivery.signup_email_send(organization=organization, signup_id=signup_id, kind=kind)


# Not retried: the next run (every few minutes) picks up whatever was not sent.
@retry_policy(max_attempts=1)
@task()
@org_task
def reminders(*, organization_id: int) -> int:
    """Send the reminders due in the organization (24 hours before each shift)."""
    organization = Organization.objects.get(pk=organization_id)
    return delivery.reminders_send(organization=organization)


@retry_policy(max_attempts=3, backoff_seconds=60)
@task()
@org_task
def link_email(*, organization_id: int, volunteer_id: int) -> bool:
    organization = Organization.objects.get(pk=organization_id)
    return delivery.link_email_send(organization=organization, volunteer_id=volunteer_id)


# Never retried: a message half sent must not go twice to the first half.
@retry_policy(max_attempts=1)
@task()
@org_task
def message(*, organization_id: int, message_id: int, include_waitlisted: bool) -> int:
    organization = Organization.objects.get(pk=organization_id)
    return delivery.message_send(
        organization=organization, message_id=message_id, include_waitlisted=include_waitlisted
    )
