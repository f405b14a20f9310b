"""The rollout metrics read every organization's support figures and open bugs at once: the
same figures as each organization's own, in queries that do not grow with the organizations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ifm.orgs.services import organization_create
from ifm.rollout import services
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.models import Phase
from ifm.support import bugs, selectors
from ifm.support.tests import factories
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def _orgs(staff: Any, pilot: Phase, limited: Phase) -> list[Organization]:
    """Six organizations with tickets, a rating, a survey answer and a bug each: two in the
    pilot, four in the limited release."""
    made = []
    for i in range(6):
        org = organization_create(slug=f"wave-{i}", name=f"Wave {i}")
        phase = pilot if i < 2 else limited
        services.organization_move(organization=org, phase=phase, actor=staff)
        for _ in range(i + 1):
            factories.ticket(org, priority="critical")
        factories.rating(org)
        factories.survey_response(org)
        factories.bug(org)
        made.append(org)
    return made


def _count(**kwargs: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        rollout_metrics_for(daily=True, **kwargs)
    return len(queries.captured_queries)


def test_support_figures_per_organization_in_queries_that_do_not_grow(
    staff: Any, pilot: Phase, limited: Phase
) -> None:
    orgs = _orgs(staff, pilot, limited)
    end = timezone.localdate()
    start = end - timedelta(days=13)
    metrics = rollout_metrics_for(start=start, end=end, daily=True)
    rows = {r["organization"]: r for r in metrics["organizations"]}
    for org in orgs:
        own = selectors.support_metrics(organization=org, start=start, end=end)
        support = rows[org.slug]["support"]
        assert support == {
            **{k: own[k] for k in ("tickets", "average_per_day", "breaches", "open_critical")},
            "satisfaction": own["satisfaction"],
            "opened_by_priority": own["opened_by_priority"],
            "open_by_priority": own["open_by_priority"],
            "open_bugs": bugs.bug_counts(organization=org),
        }
    assert rows["wave-2"]["support"]["tickets"] == 4  # three critical ones and the rated one
    assert rows["wave-2"]["support"]["open_critical"] == 3
    assert rows["wave-2"]["support"]["open_bugs"]["high"] == 1
    assert metrics["overall"]["support"]["tickets"] == sum(i + 2 for i in range(6))

    # Two organizations or four: as many queries.
    assert _count(phase=pilot, start=start, end=end) == _count(phase=limited, start=start, end=end)


def test_request_counts_are_read_once_for_the_figures_and_the_charts(
    staff: Any, pilot: Phase, limited: Phase
) -> None:
    _orgs(staff, pilot, limited)
    with CaptureQueriesContext(connection) as queries:
        rollout_metrics_for(daily=True)
    scans = [q for q in queries.captured_queries if "ops_requestminute" in q["sql"]]
    assert len(scans) == 1
