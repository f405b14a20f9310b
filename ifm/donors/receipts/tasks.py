"""Background jobs of tax receipts: email delivery and year-end statements.

The jobs only call their bodies (delivery.py, year_end.py); the services that queue them
(services.py) import this module, and nothing here imports the services.
"""

from __future__ import annotations

from django_tasks import task

from ifm.core.tasks import org_task, policy_for, retry_policy
from ifm.donors.receipts.delivery import receipt_email_attempt
from ifm.donors.receipts.year_end import year_end_statements_run
from ifm.tenancy.models import Organization

RECEIPT_EMAIL_ATTEMPTS = 5


@retry_policy(max_attempts=RECEIPT_EMAIL_ATTEMPTS, backoff_seconds=60)
@task()
@org_task
def receipt_email_deliver(*, organization_id: int, receipt_id: int) -> str:
    """Email one receipt with its PDF; a failure is recorded on the receipt and retried."""
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
    organization = Organization.objects.get(pk=organization_id)
    run = year_end_statements_run(organization=organization, run_id=run_id)
    return run.created
