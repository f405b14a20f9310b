"""The audit log pages: one organization's log, and the platform-wide log for platform staff."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.audit import exports
from ifm.audit.forms import AuditFilterForm, PlatformAuditFilterForm
from ifm.audit.models import AuditEvent
from ifm.audit.readable import describe_events
from ifm.audit.selectors import audit_action_choices, audit_event_list, audit_object_type_choices
from ifm.core.org_context import all_organizations, org_context
from ifm.core.sorting import SortOptions
from ifm.tenancy.http import TenantRequest
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import require_perm

PAGE_SIZE = 50
# Events read as sentences, so time is the one column left to sort by; who, what and which record
# are narrowed with the filters instead.
AUDIT_SORTS = SortOptions(
    {"when": ("created_at",)},
    descending_first={"when"},
    default="when",
    default_descending=True,
)


@login_required
def audit_log(request: TenantRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "audit.view")
    form, events = _org_filtered(request)
    return _render_log(request, form, events, platform=False)


@login_required
def audit_log_export(request: TenantRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "audit.view")
    org = request.org
    _, events = _org_filtered(request)
    filename = f"audit-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(
            events, filename=filename, with_organization=False, scope=partial(org_context, org)
        )
    return exports.xlsx_response(events, filename=filename, with_organization=False)


@login_required
def platform_audit_log(request: HttpRequest) -> HttpResponse:
    _require_platform_staff(request)
    with all_organizations():
        form, events = _platform_filtered(request)
        return _render_log(request, form, events, platform=True)


@login_required
def platform_audit_log_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    _require_platform_staff(request)
    filename = f"audit-platform-{timezone.localdate():%Y-%m-%d}"
    with all_organizations():
        _, events = _platform_filtered(request)
        if fmt == "csv":
            return exports.csv_response(
                events, filename=filename, with_organization=True, scope=all_organizations
            )
        return exports.xlsx_response(events, filename=filename, with_organization=True)


def _require_platform_staff(request: HttpRequest) -> None:
    # Not a 403: the page does not exist for anyone else.
    if not getattr(request.user, "is_platform_staff", False):
        raise Http404("No such page.")


def _org_filtered(request: TenantRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    org = request.org
    form = AuditFilterForm(
        request.GET,
        actions=audit_action_choices(organization=org),
        object_types=audit_object_type_choices(organization=org),
    )
    events = audit_event_list(organization=org, **form.selector_kwargs())
    return form, AUDIT_SORTS.read(request.GET).apply(events)


def _platform_filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = PlatformAuditFilterForm(
        request.GET,
        actions=audit_action_choices(),
        object_types=audit_object_type_choices(),
        organizations=list(Organization.objects.order_by("name")),
    )
    return form, AUDIT_SORTS.read(request.GET).apply(audit_event_list(**form.selector_kwargs()))


def _render_log(
    request: HttpRequest, form: AuditFilterForm, events: QuerySet[AuditEvent], *, platform: bool
) -> HttpResponse:
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = bool(form.is_bound and form.selector_kwargs())
    organization = getattr(request, "org", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "rows": describe_events(page.object_list, organization=organization, links=not platform),
        "filtered": filtered,
        "sorting": AUDIT_SORTS.read(request.GET),
        "platform": platform,
        "export_csv": "platform_audit:platform_audit_export_csv"
        if platform
        else "audit:audit_export_csv",
        "export_xlsx": "platform_audit:platform_audit_export_xlsx"
        if platform
        else "audit:audit_export_xlsx",
    }
    htmx: Any = getattr(request, "htmx", None)
    partial_only = bool(htmx) and not htmx.boosted and not htmx.history_restore_request
    template = "audit/_results.html" if partial_only else "audit/log.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
