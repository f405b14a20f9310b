"""Background jobs of the donors app: receipt email delivery and year-end statements."""

from __future__ import annotations

from django_tasks import task

from ifm.core.tasks import org_task, policy_for, retry_policy
from ifm.tenancy.models import Organization

RECEIPT_EMAIL_ATTEMPTS = 5


@retry_policy(max_attempts=RECEIPT_EMAIL_ATTEMPTS, backoff_seconds=60)
@task()
@org_task
def receipt_email_deliver(*, organization_id: int, receipt_id: int) -> str:
    """Email one receipt with its PDF; a failure is recorded on the receipt and retried."""
    from ifm.donors.receipts import receipt_email_attempt

    organization = Organization.objects.get(pk=organization_id)
    return receipt_email_attempt(
        organization=organization,
        receipt_id=receipt_id,
        max_attempts=policy_for(receipt_email_deliver.module_path).max_attempts,
    )


@task()
@org_task
def year_end_statements_generate(*, organization_id: int, run_id: int) -> int:
    """Issue the year-end statements of a ReceiptRun; a retry resumes where it stopped."""
    from ifm.donors.receipts import year_end_statements_run

    organization = Organization.objects.get(pk=organization_id)
    run = year_end_statements_run(organization=organization, run_id=run_id)
    return run.created
