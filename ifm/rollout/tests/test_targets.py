"""The rollout plan's targets (ifm.rollout.targets): one rule for the pages and Go/No-Go, met /
not met / no data at the boundaries, each phase's targets from its success criteria, and the
figures beside them on the metrics pages and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for
from ifm.ops import requests as request_counts
from ifm.rollout import gonogo, services
from ifm.rollout.models import Phase
from ifm.rollout.targets import (
    MET,
    NO_DATA,
    NOT_MET,
    Target,
    figures,
    targets_for,
    targets_in_line,
)


@pytest.mark.parametrize(
    ("target", "value", "status"),
    [
        (Target("daily_active", 0.8, True), 0.8, MET),  # "80%": exactly 80% is met
        (Target("daily_active", 0.8, True), 0.7999, NOT_MET),
        (Target("daily_active", 0.8, True), None, NO_DATA),
        (Target("daily_active", 0.8, True), 0.0, NOT_MET),  # a real zero is not "no data"
        (Target("error_rate", 0.01, False), 0.0099, MET),  # "below 1%"
        (Target("error_rate", 0.01, False), 0.01, NOT_MET),
        (Target("error_rate", 0.001, False), 0.0, MET),
        (Target("error_rate", 0.001, False), None, NO_DATA),
        (Target("api_p95_ms", 500, False), 499.9, MET),
        (Target("api_p95_ms", 500, False), 500.0, NOT_MET),
        (Target("satisfaction", 4.5, True), 4.5, MET),
        (Target("satisfaction", 4.5, True), 4.49, NOT_MET),
        (Target("tickets_per_day", 10, False), 9.99, MET),
        (Target("tickets_per_day", 10, False), 10.0, NOT_MET),
    ],
)
def test_a_target_at_its_boundary(target: Target, value: float | None, status: str) -> None:
    assert target.check(value) == status


def test_how_targets_and_figures_read() -> None:
    assert Target("error_rate", 0.001, False).text == "< 0.1%"
    assert Target("daily_active", 0.8, True).describe(0.12345) == "12.345% (target ≥ 80%)"
    assert Target("page_load_p75_ms", 2000, False).describe(None) == "no data (target < 2000 ms)"
    assert Target("satisfaction", 4, True).text == "≥ 4/5"
    assert targets_in_line("Support team confident") is None
    line = "Pages load in under 3 seconds; API answers in under 400 ms"
    (load, api) = targets_in_line(line) or []
    assert (load.metric, load.threshold, api.metric, api.threshold) == (
        "page_load_p75_ms",
        3000.0,
        "api_p95_ms",
        400.0,
    )


def _thresholds(phase: Phase) -> dict[str, tuple[str, float]]:
    return {m: ("≥" if t.at_least else "<", t.threshold) for m, t in targets_for(phase).items()}


@pytest.mark.django_db
def test_each_phase_has_the_plans_targets() -> None:
    standing = {
        "task_completion": ("≥", 0.9),
        "api_p95_ms": ("<", 500.0),
        "page_load_p75_ms": ("<", 2000.0),
        "tickets_per_day": ("<", 10.0),
    }
    assert _thresholds(Phase.objects.get(slug="pilot")) == standing | {
        "daily_active": ("≥", 0.8),
        "feature_usage": ("≥", 0.7),
        "error_rate": ("<", 0.01),
        "satisfaction": ("≥", 4.0),
    }
    assert _thresholds(Phase.objects.get(slug="limited-release")) == standing | {
        "error_rate": ("<", 0.001),
        "satisfaction": ("≥", 4.0),
    }
    assert _thresholds(Phase.objects.get(slug="full-production")) == standing | {
        "monthly_active": ("≥", 0.9),
        "feature_usage": ("≥", 0.8),
        "error_rate": ("<", 0.001),
        "satisfaction": ("≥", 4.5),
    }
    assert targets_for(None) == {t.metric: t for t in targets_for(None).values()}
    assert set(targets_for(None)) == set(standing)


@pytest.fixture
def pilot_in_use(staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any, pilot: Phase) -> Phase:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    request_counts.discard_buffer()
    assert client_for(cast["fundraising"]).get(f"/o/{org_a.slug}/donors/").status_code == 200
    request_counts.flush()
    return pilot


@pytest.mark.django_db
def test_editing_a_criterion_moves_the_target_on_the_pages_and_in_go_no_go(
    pilot_in_use: Phase, staff: Any, org_a: Any
) -> None:
    Phase.objects.filter(pk=pilot_in_use.pk).update(success_criteria="1% daily active users")
    phase = Phase.objects.get(pk=pilot_in_use.pk)
    today = timezone.localdate()
    (criterion,) = gonogo.evaluate(phase, start=today, end=today)["criteria"]
    assert criterion.status == MET  # one member of the organization's active today: over 1%
    figure = {
        f.metric: f
        for f in client_for(staff)
        .get(f"/platform/rollout/o/{org_a.slug}/")
        .context["metrics"]["figures"]
    }
    assert figure["daily_active"].target_text == "≥ 1%"
    # The page's last 30 days decide as Go/No-Go over the same 30 days: the same rule.
    (same_window,) = gonogo.evaluate(phase)["criteria"]
    assert figure["daily_active"].status == same_window.status
    assert same_window.figure == figure["daily_active"].target.describe(
        figure["daily_active"].value
    )
    # The pilot's criteria no longer set an error rate: the page shows none.
    assert figure["error_rate"].target is None
    assert figure["error_rate"].target_text == "no target"


@pytest.mark.django_db
def test_the_organizations_page_shows_each_figure_beside_its_target(
    pilot_in_use: Phase, staff: Any, org_a: Any
) -> None:
    response = client_for(staff).get(f"/platform/rollout/o/{org_a.slug}/")
    by = {f.metric: f for f in response.context["metrics"]["figures"]}
    assert (by["daily_active"].target_text, by["daily_active"].status) == ("≥ 80%", NOT_MET)
    assert (by["error_rate"].target_text, by["error_rate"].status) == ("< 1%", MET)
    # Nobody rated a ticket, nobody opened a task, no API call, no page load: no data.
    for metric in ("satisfaction", "task_completion", "api_p95_ms", "page_load_p75_ms"):
        assert by[metric].status == NO_DATA, metric
        assert by[metric].shown == "no data"
    assert by["monthly_active"].target is None  # the pilot sets no monthly target
    html = response.content.decode()
    assert "Target (Pilot)" in html
    assert '<tr data-metric="satisfaction">' in html


@pytest.mark.django_db
def test_the_metrics_page_per_phase_per_organization_and_overall(
    pilot_in_use: Phase, staff: Any, org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    client = client_for(staff)
    everyone = client.get("/platform/rollout/metrics/")
    assert everyone.status_code == 200
    ctx = everyone.context
    rows = {r["row"]["organization"]: r for r in ctx["org_rows"]}
    a = {f.metric: f for f in rows[org_a.slug]["figures"]}
    b = {f.metric: f for f in rows[org_b.slug]["figures"]}
    assert a["error_rate"].target_text == "< 1%"  # alpha is in the pilot
    assert a["error_rate"].status == MET
    # beta is in no phase: the plan's standing targets alone, and nothing counted.
    assert b["error_rate"].target is None
    assert b["api_p95_ms"].status == NO_DATA
    pilot_cells = {
        r["metric"].key: f for r in ctx["phase_rows"] for p, _, f in r["cells"] if p.slug == "pilot"
    }
    assert pilot_cells["daily_active"].target_text == "≥ 80%"
    assert pilot_cells["daily_active"].status == NOT_MET
    assert not ctx["with_targets"]  # everyone's figures: the targets are per phase

    one_phase = client.get("/platform/rollout/metrics/?phase=pilot")
    assert one_phase.status_code == 200
    overall = {f.metric: f for f in one_phase.context["overall"]}
    assert overall["error_rate"].target_text == "< 1%"
    assert [r["row"]["organization"] for r in one_phase.context["org_rows"]] == [org_a.slug]
    html = one_phase.content.decode()
    assert 'id="chart-metrics-errors"' in html

    assert client.get(f"/platform/rollout/metrics/?org={org_a.slug}").status_code == 200
    assert client.get("/platform/rollout/metrics/?org=nobody").status_code == 400
    assert client.get("/platform/rollout/metrics/?phase=nope").status_code == 400
    bad = client.get("/platform/rollout/metrics/?start=2026-05-02&end=2026-05-01")
    assert bad.status_code == 400
    assert "start is after its end" in bad.content.decode()
    assert client.get("/platform/rollout/metrics/?start=not-a-date").status_code == 400
    assert client.get("/platform/rollout/metrics/?phase=%3Cscript%3E").status_code == 400
    assert client.get("/platform/rollout/metrics/?org=" + "x" * 101).status_code == 400
    assert client.get("/platform/rollout/metrics/?start=0001-01-01").status_code == 400
    ancient = client.get("/platform/rollout/metrics/?start=0001-01-01&end=0001-01-02")
    assert ancient.status_code == 200  # nothing counted then: no data, never a 500
    assert client_for(cast["admin"]).get("/platform/rollout/metrics/").status_code == 404


@pytest.mark.django_db
def test_the_api_answers_the_targets(pilot_in_use: Phase, staff: Any, org_a: Any) -> None:
    api = api_client_for(staff, org_a)
    body = api.get("/api/v1/platform/metrics?phase=pilot").json()
    (row,) = body["organizations"]
    assert row["phase"] == "pilot"
    assert row["targets"]["error_rate"] == {
        "threshold": 0.01,
        "at_least": False,
        "target": "< 1%",
        "status": "met",
        "criterion": "Error rate below 1%",
    }
    assert row["targets"]["satisfaction"]["status"] == "no data"
    assert row["targets"]["tickets_per_day"]["criterion"] is None  # the plan's standing target
    assert body["overall"]["targets"]["daily_active"]["status"] == "not met"

    everyone = api.get("/api/v1/platform/metrics").json()
    phases = {p["phase"]: p for p in everyone["phases"]}
    assert phases["pilot"]["organizations"] == 1
    assert phases["pilot"]["targets"]["error_rate"]["status"] == "met"
    assert phases["limited-release"]["organizations"] == 0
    assert phases["limited-release"]["error_rate"]["value"] is None
    assert phases["limited-release"]["targets"]["error_rate"]["status"] == "no data"
    assert "targets" not in everyone["overall"]


def test_figures_of_a_row_never_read_no_data_as_zero() -> None:
    row = {
        "daily_active": {"value": None, "part": 0, "whole": 0},
        "error_rate": {"value": 0.0, "part": 0, "whole": 12},
        "api_p95_ms": None,
        "support": {
            "tickets": 0,
            "average_per_day": 0.0,
            "open_critical": 0,
            "satisfaction": {"average": None, "count": 0},
        },
    }
    by = {f.metric: f for f in figures(row, targets_for(None))}
    assert (by["daily_active"].shown, by["daily_active"].status) == ("no data", NO_DATA)
    assert (by["error_rate"].shown, by["error_rate"].detail) == ("0%", "0 of 12")
    assert (by["api_p95_ms"].shown, by["api_p95_ms"].status) == ("no data", NO_DATA)
    assert (by["tickets_per_day"].shown, by["tickets_per_day"].status) == ("0 a day", MET)
    assert by["satisfaction"].shown == "no data"
