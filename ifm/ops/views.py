from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ifm.accounts.http import OrgRequest, signed_in_user
from ifm.core.errors import ServiceError
from ifm.ops import metrics, selectors, services
from ifm.ops.charts import overview_charts
from ifm.ops.health import readiness
from ifm.ops.overview import operations_overview
from ifm.tenancy.permissions import require_perm

JOBS_PER_PAGE = 50


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers within about two seconds (else 503); the storage and the job
    queue are reported beside it (ifm.ops.health)."""
    status, body = readiness()
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: only with `Authorization: Bearer <METRICS_TOKEN>`; without the
    setting there is no such page."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("No such page.")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.scrape(), content_type=metrics.CONTENT_TYPE)


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
def platform_operations(request: HttpRequest) -> HttpResponse:
    """The monitoring view at a glance, for platform staff."""
    _platform_staff_only(request)
    data = operations_overview()
    return render(
        request, "ops/platform_operations.html", {"o": data, "charts": overview_charts(data)}
    )


@login_required
@require_GET
def platform_operations_json(request: HttpRequest) -> JsonResponse:
    """The same data as JSON, from the same selector."""
    _platform_staff_only(request)
    return JsonResponse(operations_overview())


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
