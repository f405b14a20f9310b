from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for, make_user
from ifm.core.org_context import all_organizations, current_org_id
from ifm.core.tasks import RetryPolicy, policy_for
from ifm.ops import selectors
from ifm.ops.models import JobFailure
from ifm.ops.tests import tasks


@pytest.fixture(autouse=True)
def _clear_fail_flag() -> Iterator[None]:
    cache.delete(tasks.FAIL_FLAG)
    yield
    cache.delete(tasks.FAIL_FLAG)


@pytest.fixture
def platform_staff(db: Any) -> Any:
    return make_user("support@ifm.test", is_platform_staff=True)


def job(result: Any) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def test_successful_job_runs_once(db: Any, run_jobs: Any) -> None:
    result = tasks.flaky.enqueue(label="fine")
    assert run_jobs() == 1
    row = job(result)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "fine"
    assert len(row.worker_ids) == 1
    assert row.finished_at is not None
    assert not JobFailure.objects.filter(job=row).exists()


def test_failing_job_is_retried_then_failed_then_retried_by_staff(
    db: Any, run_jobs: Any, platform_staff: Any
) -> None:
    cache.set(tasks.FAIL_FLAG, True)
    result = tasks.flaky.enqueue(label="broken")
    run_jobs()  # no backoff for this task: the batch worker takes every attempt

    row = job(result)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3
    assert row.exception_class_path == "builtins.RuntimeError"
    assert "failing on purpose: broken" in row.traceback
    failures = list(JobFailure.objects.filter(job=row).order_by("attempt"))
    assert [f.attempt for f in failures] == [1, 2, 3]
    assert [f.retry_at is not None for f in failures] == [True, True, False]
    assert failures[0].message == "RuntimeError: failing on purpose: broken"

    client = client_for(platform_staff)
    page = client.get(reverse("platform_ops:platform_jobs"), {"status": "failed"})
    assert page.status_code == 200
    html = page.content.decode()
    assert str(row.pk) in html
    assert "3 of 3" in html
    assert "RuntimeError: failing on purpose: broken" in html
    assert reverse("platform_ops:platform_job_retry", kwargs={"job_id": row.pk}) in html

    cache.delete(tasks.FAIL_FLAG)  # the cause is fixed
    response = client.post(
        reverse("platform_ops:platform_job_retry", kwargs={"job_id": row.pk}), {"status": "failed"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("platform_ops:platform_jobs") + "?status=failed"
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    with all_organizations():  # an event of no organization is read across organizations
        event = AuditEvent.objects.get(action="job.retry")
    assert event.actor == platform_staff
    assert event.object_id == str(row.pk)

    assert run_jobs() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "broken"
    assert len(row.worker_ids) == 4
    assert row.exception_class_path == ""


def test_manual_retry_that_fails_again_stays_failed(
    db: Any, run_jobs: Any, platform_staff: Any
) -> None:
    cache.set(tasks.FAIL_FLAG, True)
    result = tasks.flaky.enqueue(label="still broken")
    run_jobs()
    client_for(platform_staff).post(
        reverse("platform_ops:platform_job_retry", kwargs={"job_id": result.id})
    )
    assert run_jobs() == 1
    row = job(result)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 4
    assert JobFailure.objects.filter(job=row).count() == 4


def test_retries_wait_longer_each_time(db: Any, run_jobs: Any) -> None:
    assert policy_for(tasks.always_fails.module_path) == RetryPolicy(3, 30)
    result = tasks.always_fails.enqueue()

    before = timezone.now()
    run_jobs()
    row = job(result)
    assert row.status == TaskResultStatus.READY
    assert len(row.worker_ids) == 1
    assert row.exception_class_path == "builtins.ValueError"  # the last error stays visible
    assert before + timedelta(seconds=29) < row.run_after < timezone.now() + timedelta(seconds=31)
    assert run_jobs() == 0  # not due yet

    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    before = timezone.now()
    run_jobs()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert len(row.worker_ids) == 2
    assert before + timedelta(seconds=59) < row.run_after < timezone.now() + timedelta(seconds=61)

    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    run_jobs()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=20, backoff_seconds=30)
    assert [policy.delay_after(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert policy.delay_after(19) == 3600


def test_task_with_one_attempt_is_not_retried(db: Any, run_jobs: Any) -> None:
    result = tasks.never_retried.enqueue()
    run_jobs()
    row = job(result)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 1


def test_org_task_runs_in_the_organization(cast: dict[str, Any], org_a: Any, run_jobs: Any) -> None:
    result = tasks.count_members.enqueue(organization_id=org_a.pk)
    run_jobs()
    row = job(result)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 6  # one member of each role in A; B's admin is not counted
    assert current_org_id() is None


def test_org_task_refuses_to_run_without_an_organization(db: Any) -> None:
    with pytest.raises(TypeError, match="organization_id"):
        tasks.count_members.call()  # type: ignore[call-arg]
    assert current_org_id() is None


def test_org_jobs_page_shows_only_that_organizations_jobs(
    cast: dict[str, Any], org_a: Any, org_b: Any, run_jobs: Any
) -> None:
    job_a = tasks.flaky.enqueue(label="for-alpha", organization_id=org_a.pk)
    job_b = tasks.flaky.enqueue(label="for-beta", organization_id=org_b.pk)
    job_none = tasks.flaky.enqueue(label="for-nobody")
    run_jobs()

    response = client_for(cast["admin"]).get(reverse("ops:org_jobs", kwargs={"org_slug": "alpha"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(job_a.id) in html
    assert str(job_b.id) not in html
    assert str(job_none.id) not in html
    assert "job-traceback" not in html  # tracebacks are for platform staff

    response = client_for(cast["other_admin"]).get(
        reverse("ops:org_jobs", kwargs={"org_slug": "beta"})
    )
    html = response.content.decode()
    assert str(job_b.id) in html
    assert str(job_a.id) not in html

    assert [j.pk for j in selectors.job_list(organization_id=org_a.pk)] == [job(job_a).pk]


def test_org_jobs_page_needs_jobs_view(cast: dict[str, Any]) -> None:
    url = reverse("ops:org_jobs", kwargs={"org_slug": "alpha"})
    assert client_for(cast["finance"]).get(url).status_code == 200
    assert client_for(cast["staff"]).get(url).status_code == 403
    assert client_for(cast["viewer"]).get(url).status_code == 403
    assert client_for(cast["outsider"]).get(url).status_code == 404
    assert client_for(cast["other_admin"]).get(url).status_code == 404


def test_platform_jobs_is_only_for_platform_staff(
    cast: dict[str, Any], platform_staff: Any, run_jobs: Any
) -> None:
    cache.set(tasks.FAIL_FLAG, True)
    result = tasks.flaky.enqueue(label="x")
    run_jobs()
    url = reverse("platform_ops:platform_jobs")
    retry_url = reverse("platform_ops:platform_job_retry", kwargs={"job_id": result.id})
    assert client_for(cast["admin"]).get(url).status_code == 404
    assert client_for(cast["admin"]).post(retry_url).status_code == 404
    assert job(result).status == TaskResultStatus.FAILED
    assert client_for(platform_staff).get(url).status_code == 200


def test_only_failed_jobs_can_be_retried(db: Any, run_jobs: Any, platform_staff: Any) -> None:
    result = tasks.flaky.enqueue(label="ok")
    run_jobs()
    client = client_for(platform_staff)
    response = client.post(
        reverse("platform_ops:platform_job_retry", kwargs={"job_id": result.id}), follow=True
    )
    assert "Only a failed job can be retried" in response.content.decode()
    assert job(result).status == TaskResultStatus.SUCCESSFUL
    with all_organizations():
        assert not AuditEvent.objects.filter(action="job.retry").exists()


def test_platform_jobs_filters_by_status_and_paginates(
    db: Any, run_jobs: Any, platform_staff: Any
) -> None:
    done = tasks.flaky.enqueue(label="done")
    run_jobs()
    waiting = [tasks.flaky.enqueue(label=f"waiting {n}") for n in range(51)]
    client = client_for(platform_staff)

    html = client.get(
        reverse("platform_ops:platform_jobs"), {"status": "successful"}
    ).content.decode()
    assert str(done.id) in html
    assert str(waiting[0].id) not in html

    first = client.get(reverse("platform_ops:platform_jobs"), {"status": "ready"}).content.decode()
    second = client.get(
        reverse("platform_ops:platform_jobs"), {"status": "ready", "page": "2"}
    ).content.decode()
    assert "Page 1 of 2" in first
    assert first.count("data-job-id=") == 50
    assert second.count("data-job-id=") == 1
    assert str(done.id) not in first + second


def test_jobs_pages_are_linked_for_those_who_may_see_them(
    cast: dict[str, Any], platform_staff: Any
) -> None:
    dashboard = reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})
    org_jobs = reverse("ops:org_jobs", kwargs={"org_slug": "alpha"})
    assert org_jobs in client_for(cast["admin"]).get(dashboard).content.decode()
    assert org_jobs not in client_for(cast["staff"]).get(dashboard).content.decode()
    home_of_staff = (
        client_for(platform_staff).get(reverse("platform_ops:platform_jobs")).content.decode()
    )
    assert f'href="{reverse("platform_ops:platform_jobs")}"' in home_of_staff
    assert (
        reverse("platform_ops:platform_jobs")
        not in client_for(cast["admin"]).get(dashboard).content.decode()
    )


def test_retry_policy_is_found_by_task_path() -> None:
    assert policy_for("ifm.ops.tests.tasks.never_retried").max_attempts == 1
    assert policy_for("ifm.ops.tests.tasks.flaky") == RetryPolicy(3, 0)
    assert policy_for("ifm.no_such_module.job") == RetryPolicy()
