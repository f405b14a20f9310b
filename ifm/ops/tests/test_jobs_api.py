"""POST /api/v1/jobs/{job_uuid}/retry: the jobs page's retry, by the API, within the token's
organization (another organization's job is a 404) and for platform staff only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.accounts.services import membership_set
from ifm.audit.models import AuditEvent
from ifm.conftest import make_user
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ops.tests import tasks
from ifm.tenancy.roles import Role


@pytest.fixture(autouse=True)
def _clear_fail_flag() -> Iterator[None]:
    cache.delete(tasks.FAIL_FLAG)
    yield
    cache.delete(tasks.FAIL_FLAG)


@pytest.fixture
def staff_of_a(org_a: Any) -> Any:
    user = make_user("support@ifm.test", is_platform_staff=True)
    membership_set(organization=org_a, user=user, role=Role.ADMIN)
    return user


def _failed(org: Any, run_jobs: Any) -> Any:
    cache.set(tasks.FAIL_FLAG, True)
    result = tasks.flaky.enqueue(label="broken", organization_id=org.pk)
    run_jobs()
    cache.delete(tasks.FAIL_FLAG)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED
    return result


def test_platform_staff_retry_a_failed_job_of_the_organization(
    org_a: Any, staff_of_a: Any, run_jobs: Any
) -> None:
    result = _failed(org_a, run_jobs)
    client = api_client_for(staff_of_a, org_a)
    response = client.post(f"/api/v1/jobs/{result.id}/retry")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["task"], body["status"]) == (str(result.id), "flaky", "ready")
    assert run_jobs() == 1
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    with all_organizations():
        assert AuditEvent.objects.filter(action="job.retry", organization=org_a).count() == 1


def test_another_organizations_job_or_a_missing_one_is_a_404(
    org_a: Any, org_b: Any, staff_of_a: Any, run_jobs: Any
) -> None:
    theirs = _failed(org_b, run_jobs)
    client = api_client_for(staff_of_a, org_a)
    assert_problem(client.post(f"/api/v1/jobs/{theirs.id}/retry"), 404)
    assert_problem(client.post(f"/api/v1/jobs/{uuid.uuid4()}/retry"), 404)
    assert DBTaskResult.objects.get(pk=theirs.id).status == TaskResultStatus.FAILED


def test_members_who_are_not_platform_staff_may_not_retry(
    org_a: Any, cast: dict[str, Any], run_jobs: Any
) -> None:
    result = _failed(org_a, run_jobs)
    client = api_client_for(cast["admin"], org_a)
    assert_problem(client.post(f"/api/v1/jobs/{result.id}/retry"), 403)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED


def test_only_a_failed_job_is_retried(org_a: Any, staff_of_a: Any, run_jobs: Any) -> None:
    result = tasks.flaky.enqueue(label="fine", organization_id=org_a.pk)
    run_jobs()
    client = api_client_for(staff_of_a, org_a)
    problem = assert_problem(client.post(f"/api/v1/jobs/{result.id}/retry"), 422)
    assert "Only a failed job can be retried" in problem["detail"]
    assert client.post("/api/v1/jobs/not-a-uuid/retry").status_code == 404
