"""Background jobs of the ledger: releasing time restrictions when their date comes."""

from __future__ import annotations

from django_tasks import task

from ifm.core.tasks import org_task
from ifm.ledger.balances.services import time_restriction_release_due
from ifm.tenancy.models import Organization


@task()
@org_task
def time_restrictions_release(*, organization_id: int) -> int:
    """Release the organization's time-restricted funds whose date has come (idempotent, so a
    retry or a second run the same day posts nothing twice); the number of entries posted."""
    organization = Organization.objects.get(pk=organization_id)
    return len(time_restriction_release_due(organization=organization))
