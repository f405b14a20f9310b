"""An organization's rollout page shows the rollout plan's metrics from what was counted: usage
(ifm.ops) and support (ifm.support), over the last 30 days."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for
from ifm.ops import requests as request_counts
from ifm.rollout import services
from ifm.rollout.models import Phase
from ifm.support.models import SurveyResponse
from ifm.support.tests import factories as support_factories
from ifm.tenancy import modules

pytestmark = pytest.mark.django_db


def test_the_page_shows_counted_usage_against_the_phases_modules(
    staff: Any, cast: dict[str, Any], org_a: Any, pilot: Phase
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    request_counts.discard_buffer()
    assert client_for(cast["fundraising"]).get(f"/o/{org_a.slug}/donors/").status_code == 200
    request_counts.flush()

    response = client_for(staff).get(f"/platform/rollout/o/{org_a.slug}/")
    assert response.status_code == 200
    metrics = response.context["metrics"]
    usage = metrics["usage"]
    # The pilot enables the core modules: their features are what feature usage counts.
    core = [f.key for m in modules.all_modules() if m.core for f in m.features]
    assert usage["feature_usage"]["whole"] == len(core)
    assert usage["features_used"] == ["donor_search"]
    assert usage["monthly_active"]["part"] == 1
    assert metrics["support"]["tickets"] == 0
    assert metrics["support"]["satisfaction"]["average"] is None
    html = response.content.decode()
    assert f"(1 of {len(core)})" in html
    assert "Satisfaction" in html


def test_the_metrics_api_by_phase_and_organization(
    staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any, pilot: Phase, limited: Phase
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    services.organization_move(organization=org_b, phase=limited, actor=staff)
    request_counts.discard_buffer()
    client_for(cast["fundraising"]).get(f"/o/{org_a.slug}/donors/")
    request_counts.flush()
    api = api_client_for(staff, org_a)
    today = timezone.localdate().isoformat()

    body = api.get(f"/api/v1/platform/metrics?phase=pilot&from={today}&to={today}").json()
    assert body["phase"] == "pilot"
    (row,) = body["organizations"]
    assert row["organization"] == org_a.slug
    assert row["daily_active"]["part"] == 1
    assert row["support"]["tickets"] == 0
    none = {"average": None, "count": 0, "total": 0}
    assert body["overall"]["support"]["satisfaction"] == {
        **none,
        "ratings": none,
        "survey": none,
    }
    # A ticket rated 4 and a survey answered 5: the console's figure is the mean of both.
    support_factories.rating(org_a)
    with org_context(org_a):
        SurveyResponse.objects.create(organization=org_a, user=cast["staff"], score=5)
        SurveyResponse.objects.create(organization=org_a, user=cast["viewer"], score=None)
    body = api.get(f"/api/v1/platform/metrics?phase=pilot&from={today}&to={today}").json()
    assert body["overall"]["support"]["satisfaction"] == {
        "average": 4.5,
        "count": 2,
        "total": 9,
        "ratings": {"average": 4.0, "count": 1, "total": 4},
        "survey": {"average": 5.0, "count": 1, "total": 5},
    }
    assert body["organizations"][0]["support"]["satisfaction"]["average"] == 4.5

    (beta,) = api.get(f"/api/v1/platform/metrics?org={org_b.slug}").json()["organizations"]
    assert beta["organization"] == org_b.slug
    assert beta["daily_active"]["part"] == 0
    assert api.get("/api/v1/platform/metrics?phase=nope").status_code == 404
    assert api.get("/api/v1/platform/metrics?from=2026-05-02&to=2026-05-01").status_code == 422
    assert api_client_for(cast["admin"], org_a).get("/api/v1/platform/metrics").status_code == 403
