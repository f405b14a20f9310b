"""A job of a module its organization has not enabled does not run: it fails once, with the
reason recorded, and is not retried; the same job runs for an organization that has it."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.ledger.tasks import time_restrictions_release
from ifm.ops.models import JobFailure
from ifm.ops.tests import tasks
from ifm.orgs.modules import organization_modules_set
from ifm.tenancy import modules


def _row(result: Any) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def test_a_job_of_a_disabled_module_is_refused_with_its_reason(
    org_a: Any, org_b: Any, run_jobs: Any
) -> None:
    organization_modules_set(organization=org_a, module_keys=["donors"])
    refused = time_restrictions_release.enqueue(organization_id=org_a.pk)
    ran = time_restrictions_release.enqueue(organization_id=org_b.pk)
    run_jobs()

    row = _row(refused)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "ifm.core.tasks.JobRefused"
    reason = "The Accounting module is not enabled for Alpha Outreach. This job did not run."
    failure = JobFailure.objects.get(job=row)
    assert failure.message == f"ifm.core.tasks.JobRefused: {reason}"
    assert failure.retry_at is None  # refused again on every try: never retried
    assert _row(ran).status == TaskResultStatus.SUCCESSFUL

    # Enabled again, the same job runs at once.
    organization_modules_set(organization=org_a, module_keys=None)
    again = time_restrictions_release.enqueue(organization_id=org_a.pk)
    run_jobs()
    assert _row(again).status == TaskResultStatus.SUCCESSFUL


def test_a_job_outside_every_module_always_runs(
    cast: dict[str, Any], org_a: Any, run_jobs: Any
) -> None:
    organization_modules_set(organization=org_a, module_keys=[])
    result = tasks.count_members.enqueue(organization_id=org_a.pk)
    run_jobs()
    assert _row(result).status == TaskResultStatus.SUCCESSFUL


def test_the_gate_maps_a_job_to_its_module_by_its_app(org_a: Any) -> None:
    assert modules.module_for_code(time_restrictions_release.func).key == "ledger"  # type: ignore[union-attr]
    assert modules.job_refusal(time_restrictions_release.func, org_a.pk) is None
    organization_modules_set(organization=org_a, module_keys=["donors"])
    assert "Accounting" in (modules.job_refusal(time_restrictions_release.func, org_a.pk) or "")
    assert modules.job_refusal(tasks.count_members.func, org_a.pk) is None
    assert modules.job_refusal(time_restrictions_release.func, 10**9) is None  # no such org
