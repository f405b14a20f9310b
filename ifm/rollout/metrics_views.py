"""/platform/rollout/metrics/: the rollout plan's metrics for IFM platform staff, over a chosen
window, for everyone (each phase's organizations beside the phase's targets), one phase or one
organization: the figures beside their targets, per organization, and the same day by day as
charts. `GET /api/v1/platform/metrics` answers the same (ifm.rollout.metrics)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ifm.rollout import selectors
from ifm.rollout.charts import metric_charts
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.models import Phase
from ifm.rollout.targets import METRICS, figures, targets_for
from ifm.rollout.views import _platform_staff_only
from ifm.tenancy.models import Organization


class MetricsForm(forms.Form):
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    phase = forms.ChoiceField(required=False, label="Phase")
    org = forms.CharField(required=False, max_length=100, label="Organization (its slug)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Every phase"), *((p.slug, p.name) for p in selectors.phase_list())]

    def clean_org(self) -> Organization | None:
        slug = self.cleaned_data.get("org", "").strip()
        if not slug:
            return None
        org = selectors.organization_get(slug)
        if org is None:
            raise forms.ValidationError("There is no organization with that slug.")
        return org

    def clean_phase(self) -> Phase | None:
        slug = self.cleaned_data.get("phase")
        return selectors.phase_get(slug) if slug else None


def _org_rows(data: dict[str, Any], phases: dict[str, Phase]) -> list[dict[str, Any]]:
    rows = []
    for row in data["organizations"]:
        phase = phases.get(row["phase"] or "")
        rows.append({"row": row, "phase": phase, "figures": figures(row, targets_for(phase))})
    return rows


def _phase_rows(data: dict[str, Any], phases: dict[str, Phase]) -> list[dict[str, Any]]:
    """Per metric, each phase's figure beside the phase's target (everyone's page)."""
    per_phase = [
        (phases[p["phase"]], p, {f.metric: f for f in figures(p, targets_for(phases[p["phase"]]))})
        for p in data.get("phases", [])
    ]
    return [
        {"metric": metric, "cells": [(phase, p, by[metric.key]) for phase, p, by in per_phase]}
        for metric in METRICS.values()
    ]


@login_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    form = MetricsForm(request.GET or {})
    context: dict[str, Any] = {"form": form, "data": None, "metrics": list(METRICS.values())}
    if form.is_valid():
        phase, org = form.cleaned_data["phase"], form.cleaned_data["org"]
        try:
            data = rollout_metrics_for(
                phase=phase,
                organization=org,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                daily=True,
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            phases = {p.slug: p for p in selectors.phase_list()}
            chosen = phase
            if org is not None and data["organizations"]:
                chosen = phases.get(data["organizations"][0]["phase"] or "")
            targets = targets_for(chosen) if (phase or org) else None
            context.update(
                data=data,
                phase=phase,
                organization=org,
                chosen_phase=chosen,
                overall=figures(data["overall"], targets or {}),
                with_targets=targets is not None,
                phase_rows=_phase_rows(data, phases),
                org_rows=_org_rows(data, phases),
                charts=metric_charts(data["daily"], targets, key="metrics"),
            )
    return render(
        request,
        "rollout/metrics.html",
        context,
        status=200 if context["data"] is not None else 400,
    )
