"""The usage pages: every organization's rollout metrics for IFM platform staff
(/platform/usage/), and an organization's own for its admins (/o/<slug>/usage/). The API's
`GET /api/v1/platform/usage` reads the same selector (ifm.ops.usage_api)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ifm.accounts.http import OrgRequest
from ifm.ops.usage_metrics import usage_metrics, window
from ifm.ops.views import _platform_staff_only
from ifm.reports.charts.svg import Chart, Series, bar_chart
from ifm.tenancy import modules
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import require_perm


class WindowForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def window(self) -> tuple[date, date]:
        return window(self.cleaned_data.get("start"), self.cleaned_data.get("end"))


def _window(request: HttpRequest) -> tuple[WindowForm, tuple[date, date] | None]:
    """The window asked for (the last 30 days by default); None, with the form's errors, when
    it cannot be used."""
    form = WindowForm(request.GET or None)
    if not request.GET:
        form = WindowForm({})
    if not form.is_valid():
        return form, None
    try:
        return form, form.window()
    except ValueError as exc:
        form.add_error(None, str(exc))
        return form, None


def daily_chart(data: dict[str, Any]) -> Chart:
    days = data["daily"]
    labels = [d["day"][5:] for d in days]
    step = max(1, len(labels) // 10)
    return bar_chart(
        key="usage-daily",
        title="Active users per day",
        labels=labels,
        axis_labels=[label if i % step == 0 else "" for i, label in enumerate(labels)],
        series=[Series("Active users", [Decimal(d["active_users"]) for d in days])],
    )


@login_required
@require_GET
def platform_usage(request: HttpRequest) -> HttpResponse:
    """Adoption, feature usage, task completion, errors and page loads per organization."""
    _platform_staff_only(request)
    form, span = _window(request)
    data = None
    if span is not None:
        data = usage_metrics(start=span[0], end=span[1])
    return render(
        request,
        "ops/platform_usage.html",
        {
            "form": form,
            "data": data,
            "chart": daily_chart(data) if data else None,
        },
        status=200 if span is not None else 400,
    )


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    labels = {f.key: f.label for m in modules.all_modules() for f in m.features}
    return {
        **row,
        "features_used": [labels.get(k, k) for k in row["features_used"]],
        "features_unused": [labels.get(k, k) for k in row["features_unused"]],
    }


@login_required
@require_GET
def org_usage(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The organization's own figures, for its admins."""
    require_perm(request.access, "org.edit")
    org: Organization | None = request.org
    if org is None:
        raise Http404("No such organization.")
    form, span = _window(request)
    data = None
    if span is not None:
        data = usage_metrics(organization_ids=[int(org.pk)], start=span[0], end=span[1])
    return render(
        request,
        "ops/org_usage.html",
        {
            "form": form,
            "data": data,
            "row": _with_labels(data["organizations"][0])
            if data and data["organizations"]
            else None,
            "chart": daily_chart(data) if data else None,
        },
        status=200 if span is not None else 400,
    )
