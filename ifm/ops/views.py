from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ifm.accounts.http import OrgRequest, signed_in_user
from ifm.core.errors import ServiceError
from ifm.ops import selectors, services
from ifm.ops.health import database_problem
from ifm.tenancy.permissions import require_perm

JOBS_PER_PAGE = 50


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """The process can reach its database, and it answers within about two seconds."""
    problem = database_problem()
    if problem is not None:
        return JsonResponse({"status": "unavailable", "database": problem}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", "")
    return status if status in selectors.JOB_STATUSES else ""


def _platform_staff_only(request: HttpRequest) -> None:
    try:
        services.require_platform_staff(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None


@login_required
def platform_jobs(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    status = _status_filter(request)
    page = Paginator(selectors.job_list(status=status or None), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ops/platform_jobs.html",
        {
            "page": page,
            "rows": selectors.job_rows(list(page.object_list), with_failures=True),
            "status": status,
            "statuses": list(selectors.job_status_counts().items()),
        },
    )


@login_required
@require_POST
def platform_job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    _platform_staff_only(request)
    try:
        job = services.job_retry(job_id=job_id, actor=signed_in_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Job {job.task_path.rsplit('.', 1)[-1]} queued to run again.")
    url = reverse("platform_ops:platform_jobs")
    status = request.POST.get("status", "")
    return redirect(f"{url}?status={status}" if status in selectors.JOB_STATUSES else url)


@login_required
def org_jobs(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "jobs.view")
    org = request.org
    status = _status_filter(request)
    page = Paginator(
        selectors.job_list(status=status or None, organization_id=org.pk), JOBS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "ops/org_jobs.html",
        {
            "page": page,
            "rows": selectors.job_rows(list(page.object_list)),
            "status": status,
            "statuses": list(selectors.job_status_counts(organization_id=org.pk).items()),
        },
    )
