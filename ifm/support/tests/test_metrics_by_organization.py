"""Support figures and open bugs of many organizations at once: the same figures as one
organization's, in a number of queries that does not grow with the organizations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ifm.core.org_context import org_context
from ifm.orgs.services import organization_create
from ifm.support import bugs, selectors
from ifm.support.models import Bug, BugStatus, Priority, Status, SurveyResponse, TicketRating
from ifm.support.tests import factories
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db
DAYS = 7


def _org(i: int) -> Organization:
    return organization_create(slug=f"many-{i}", name=f"Many {i}")


def _fill(org: Organization, i: int) -> None:
    """Tickets on several days of the window (answered after a few minutes, late, open,
    critical), one before it, ratings and survey answers in it and before it, and bugs; each
    organization a little different from the next."""
    now = timezone.now()
    priorities = [p.value for p in Priority]
    for n in range(i + 2):
        opened = now - timedelta(days=n % DAYS, minutes=30 + n)
        factories.ticket(
            org,
            created_at=opened,
            priority=priorities[(n + i) % len(priorities)],
            first_response_at=opened + timedelta(minutes=5 * (n + i + 1)),
        )
    # Late: no answer before its due time, still new; and resolved after its resolution due.
    factories.ticket(
        org,
        created_at=now - timedelta(days=1),
        priority=Priority.CRITICAL,
        first_response_due_at=now - timedelta(hours=2),
    )
    factories.ticket(
        org,
        created_at=now - timedelta(days=2),
        status=Status.RESOLVED,
        first_response_at=now - timedelta(days=2) + timedelta(minutes=3),
        resolution_due_at=now - timedelta(days=1, hours=12),
        resolved_at=now - timedelta(days=1),
    )
    # Opened before the window: open critical now, yet not among the window's tickets.
    factories.ticket(org, created_at=now - timedelta(days=DAYS + 3), priority=Priority.CRITICAL)
    for k in range(i + 1):
        rated = factories.rating(org)
        with org_context(org):
            TicketRating.objects.filter(pk=rated.pk).update(score=1 + (k + i) % 5)
    old = factories.rating(org)
    with org_context(org):
        TicketRating.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=DAYS + 1))
    for score in (5, None, 2 + i % 3):
        answer = factories.survey_response(org)
        with org_context(org):
            SurveyResponse.objects.filter(pk=answer.pk).update(score=score)
    for severity in ("critical", "high", "low")[: i % 3 + 1]:
        bug = factories.bug(org)
        with org_context(org):
            Bug.objects.filter(pk=bug.pk).update(severity=severity)
    fixed = factories.bug(org)
    with org_context(org):
        Bug.objects.filter(pk=fixed.pk).update(status=BugStatus.FIXED)


def test_many_organizations_figures_equal_each_organizations_own() -> None:
    orgs = [_org(i) for i in range(4)]
    for i, org in enumerate(orgs[:3]):
        _fill(org, i)  # the fourth has nothing at all
    end = timezone.localdate()
    start = end - timedelta(days=DAYS - 1)
    many = selectors.support_metrics_by_organization(orgs, start=start, end=end)
    assert set(many) == {int(o.pk) for o in orgs}
    for org in orgs:
        own = selectors.support_metrics(organization=org, start=start, end=end)
        assert many[int(org.pk)] == own
    # The figures are there (read across organizations), not empty on both sides.
    first = many[int(orgs[0].pk)]
    # Two answered, one late, one resolved late, and the two rated ones (opened today).
    assert first["tickets"] == 6
    assert first["breaches"] == 2
    assert first["open_critical"] == 3  # one answered, one late, one from before the window
    assert first["satisfaction"]["ratings"] == {"average": 1.0, "count": 1, "total": 1}
    assert first["satisfaction"]["survey"] == {"average": 3.5, "count": 2, "total": 7}
    assert sum(d["count"] for d in first["tickets_per_day"]) == 6
    assert len(first["tickets_per_day"]) == DAYS
    assert sum(f["count"] for f in first["first_response_minutes"].values()) == 3
    assert many[int(orgs[3].pk)]["tickets"] == 0
    assert many[int(orgs[3].pk)]["satisfaction"]["average"] is None
    # Ids answer like organizations; everyone's figures count every organization together.
    assert selectors.support_metrics_by_organization([int(orgs[1].pk)], start=start, end=end) == {
        int(orgs[1].pk): many[int(orgs[1].pk)]
    }
    everyone = selectors.support_metrics(start=start, end=end)
    assert everyone["tickets"] == sum(m["tickets"] for m in many.values())
    assert everyone["satisfaction"]["total"] == sum(
        m["satisfaction"]["total"] for m in many.values()
    )

    counts = bugs.bug_counts_by_organization(orgs)
    assert counts == {int(o.pk): bugs.bug_counts(organization=o) for o in orgs}
    assert counts[int(orgs[2].pk)] == {"critical": 1, "high": 1, "low": 1, "medium": 0}
    assert counts[int(orgs[3].pk)] == {"critical": 0, "high": 0, "medium": 0, "low": 0}
    assert bugs.bug_counts()["low"] == 1
    assert selectors.support_metrics_by_organization([], start=start, end=end) == {}
    assert bugs.bug_counts_by_organization([]) == {}


def test_a_window_ending_before_it_starts_is_refused() -> None:
    today = timezone.localdate()
    with pytest.raises(ValueError, match="ends before it starts"):
        selectors.support_metrics_by_organization([], start=today, end=today - timedelta(days=1))


def _queries(orgs: list[Organization]) -> tuple[int, int]:
    end = timezone.localdate()
    start = end - timedelta(days=DAYS - 1)
    with CaptureQueriesContext(connection) as support:
        selectors.support_metrics_by_organization(orgs, start=start, end=end)
    with CaptureQueriesContext(connection) as counted:
        bugs.bug_counts_by_organization(orgs)
    return len(support.captured_queries), len(counted.captured_queries)


def test_the_queries_do_not_grow_with_the_organizations() -> None:
    orgs = [_org(i) for i in range(6)]
    for i, org in enumerate(orgs):
        _fill(org, i)
    two, six = _queries(orgs[:2]), _queries(orgs)
    assert two == six
    support, counted = six
    assert support <= 5
    assert counted == 1
