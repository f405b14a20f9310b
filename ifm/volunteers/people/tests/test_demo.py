"""The people area's demo step: volunteers, qualification types and qualifications (some
expiring soon), two volunteers linked to demo donors; run after the donors' step, once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.orgs import demo
from ifm.tenancy.models import Organization
from ifm.volunteers.models import Qualification, QualificationType, Volunteer
from ifm.volunteers.people import hooks, selectors


@pytest.fixture
def only_our_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps this one needs (the ledger and donors) and this one: not the whole demo."""
    kept = {k: v for k, v in demo._STEPS.items() if k in ("ledger", "donors", hooks.DEMO_STEP)}
    monkeypatch.setattr(demo, "_STEPS", kept)


def test_demo_step_makes_volunteers_once(
    org_a: Organization, cast: dict[str, Any], only_our_steps: None
) -> None:
    names = [s.name for s in demo.steps()]
    assert names.index(hooks.DEMO_STEP) > names.index("donors")
    report = dict(demo.seed_organization(org_a, cast, donors=12, today=date.today()))
    assert "25 volunteers" in report[hooks.DEMO_STEP], report
    with org_context(org_a):
        assert Volunteer.objects.count() == 25
        assert set(QualificationType.objects.values_list("name", flat=True)) == {
            "Background check",
            "Food handler card",
            "Signed waiver",
        }
        linked = list(Volunteer.objects.exclude(donor=None))
        assert len(linked) == 2
        for v in linked:
            assert v.email_norm == selectors.donor_get(v.donor_id or 0).email_norm
        today = selectors.org_today(org_a)
        assert selectors.expiring_count(today) >= 3
        assert Qualification.objects.filter(expires_on__lt=today).exists()
        minors = [v for v in Volunteer.objects.all() if v.is_minor(today)]
        assert len(minors) == 2
        assert all(v.guardian_consent_at for v in minors)
        assert not Qualification.objects.filter(
            expires_on__gt=today + timedelta(days=3660)
        ).exists()
    again = dict(demo.seed_organization(org_a, cast, donors=12, today=date.today()))
    assert again[hooks.DEMO_STEP] == "already there"
    with org_context(org_a):
        assert Volunteer.objects.count() == 25
