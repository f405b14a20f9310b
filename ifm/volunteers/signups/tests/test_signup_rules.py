"""Sign-up rules: capacity and waitlist, promotion on cancel, roles, qualifications, age and
consent, one sign-up per shift, overlapping shifts, check-in and check-out hours."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership
from ifm.volunteers.models import HoursStatus, SignUp, SignUpStatus
from ifm.volunteers.signups import services
from ifm.volunteers.tests import factories as vf


@pytest.fixture
def who(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["volunteer_coordinator"]
    with org_context(org_a):
        access = Membership.objects.get(user=user)
    return {"organization": org_a, "access": access, "actor": user}


def test_confirmed_until_full_then_waitlisted_in_order(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=2)
    people = [vf.volunteer(org_a) for _ in range(4)]
    placed = [services.sign_up(**who, shift=shift, volunteer=p) for p in people]
    assert [p.status for p in placed] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    promoted = services.cancel(**who, signup=placed[0].signup)
    assert [s.volunteer_id for s in promoted] == [people[2].pk]
    with org_context(org_a):
        statuses = dict(SignUp.objects.values_list("volunteer_id", "status"))
    assert statuses == {
        people[0].pk: "cancelled",
        people[1].pk: "confirmed",
        people[2].pk: "confirmed",
        people[3].pk: "waitlisted",
    }


def test_cancelling_a_waitlisted_one_promotes_nobody(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=1)
    first, second = (
        services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a)) for _ in "ab"
    )
    assert services.cancel(**who, signup=second.signup) == []
    with pytest.raises(ServiceError, match="already cancelled"):
        services.cancel(**who, signup=second.signup)
    assert first.signup.status == "confirmed"


def test_once_per_shift_and_again_after_cancelling(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a)
    person = vf.volunteer(org_a)
    placed = services.sign_up(**who, shift=shift, volunteer=person)
    with pytest.raises(ServiceError, match="already confirmed on this shift"):
        services.sign_up(**who, shift=shift, volunteer=person)
    services.cancel(**who, signup=placed.signup)
    assert services.sign_up(**who, shift=shift, volunteer=person).status == "confirmed"


def test_roles_have_their_own_places(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=3)
    driver = vf.shift_role(org_a, shift, capacity=1)
    with pytest.raises(ServiceError, match="Choose a role"):
        services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a))
    a = services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a), role=driver)
    b = services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a), role=driver)
    assert (a.status, b.status) == ("confirmed", "waitlisted")
    other = vf.shift_role(org_a, vf.shift(org_a))
    with pytest.raises(ServiceError, match="another shift"):
        services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a), role=other)


def test_required_qualification_must_be_current_on_the_shift_day(
    org_a: Any, who: dict[str, Any]
) -> None:
    waiver = vf.qualification_type(org_a, "Signed waiver")
    opp = vf.opportunity(org_a)
    vf.requires(org_a, opp, waiver)
    shift = vf.shift(org_a, opp)
    person = vf.volunteer(org_a, first_name="Ada", last_name="Lovelace")
    with pytest.raises(ServiceError, match="Ada Lovelace needs a current Signed waiver"):
        services.sign_up(**who, shift=shift, volunteer=person)
    held = vf.qualification(org_a, person, waiver)
    with org_context(org_a):
        held.expires_on = held.issued_on
        held.save()
    with pytest.raises(ServiceError, match="needs a current Signed waiver"):
        services.sign_up(**who, shift=shift, volunteer=person)
    with org_context(org_a):
        held.expires_on = date.today() + timedelta(days=10)
        held.save()
    assert services.sign_up(**who, shift=shift, volunteer=person).status == "confirmed"


def test_minimum_age_and_guardian_consent(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a, vf.opportunity(org_a, minimum_age=14))
    unknown = vf.volunteer(org_a)
    with pytest.raises(ServiceError, match=r"add .* date of birth"):
        services.sign_up(**who, shift=shift, volunteer=unknown)
    young = vf.volunteer(org_a, date_of_birth=date.today() - timedelta(days=365 * 12))
    with pytest.raises(ServiceError, match="aged 14 or over"):
        services.sign_up(**who, shift=shift, volunteer=young)
    teen = vf.volunteer(org_a, date_of_birth=date.today() - timedelta(days=365 * 16))
    with pytest.raises(ServiceError, match="guardian's consent"):
        services.sign_up(**who, shift=shift, volunteer=teen)
    with org_context(org_a):
        teen.guardian_consent_at = timezone.now()
        teen.save()
    assert services.sign_up(**who, shift=shift, volunteer=teen).status == "confirmed"


def test_overlapping_confirmed_refused_waitlisted_warned(org_a: Any, who: dict[str, Any]) -> None:
    first = vf.shift(org_a, capacity=1)
    same_time = vf.shift(org_a, starts_at=first.starts_at + timedelta(hours=1))
    person = vf.volunteer(org_a)
    services.sign_up(**who, shift=first, volunteer=person)
    with pytest.raises(ServiceError, match=r"already confirmed on .* at the same time"):
        services.sign_up(**who, shift=same_time, volunteer=person)

    full = vf.shift(org_a, capacity=1, starts_at=first.starts_at + timedelta(days=2))
    services.sign_up(**who, shift=full, volunteer=vf.volunteer(org_a))
    other = vf.volunteer(org_a)
    assert services.sign_up(**who, shift=full, volunteer=other).status == "waitlisted"
    beside = vf.shift(org_a, starts_at=full.starts_at)
    placed = services.sign_up(**who, shift=beside, volunteer=other)
    assert placed.status == "confirmed"
    assert placed.warnings
    assert "waitlist" in placed.warnings[0]


def test_past_and_cancelled_shifts_refused(org_a: Any, who: dict[str, Any]) -> None:
    past = vf.shift(org_a, starts_at=timezone.now() - timedelta(days=2))
    with pytest.raises(ServiceError, match="over"):
        services.sign_up(**who, shift=past, volunteer=vf.volunteer(org_a))
    gone = vf.shift(org_a)
    with org_context(org_a):
        gone.is_cancelled = True
        gone.save()
    with pytest.raises(ServiceError, match="cancelled"):
        services.sign_up(**who, shift=gone, volunteer=vf.volunteer(org_a))


def test_viewer_cannot_sign_up(org_a: Any, cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with org_context(org_a):
        access = Membership.objects.get(user=cast["viewer"])
    with pytest.raises(PermissionDenied):
        services.sign_up(
            organization=org_a, access=access, shift=vf.shift(org_a), volunteer=vf.volunteer(org_a)
        )


def test_check_in_and_out_log_hours_waiting_for_approval(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a)
    placed = services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a))
    with pytest.raises(ServiceError, match="Check in first"):
        services.check_out(**who, signup=placed.signup)
    services.check_in(**who, signup=placed.signup, at=shift.starts_at)
    with pytest.raises(ServiceError, match="Already checked in"):
        services.check_in(**who, signup=placed.signup, at=shift.starts_at)
    with pytest.raises(ServiceError, match="checked in"):
        services.cancel(**who, signup=placed.signup)
    entry = services.check_out(
        **who, signup=placed.signup, at=shift.starts_at + timedelta(hours=2, minutes=20)
    )
    assert entry is not None
    assert entry.hours == Decimal("2.33")
    assert entry.status == HoursStatus.PENDING


def test_waitlisted_cannot_check_in(org_a: Any, who: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=0)
    placed = services.sign_up(**who, shift=shift, volunteer=vf.volunteer(org_a))
    assert placed.status == SignUpStatus.WAITLISTED
    with pytest.raises(ServiceError, match="Only a confirmed"):
        services.check_in(**who, signup=placed.signup, at=shift.starts_at)


def test_promotion_passes_over_who_cannot_be_confirmed(org_a: Any, who: dict[str, Any]) -> None:
    waiver = vf.qualification_type(org_a)
    opp = vf.opportunity(org_a)
    vf.requires(org_a, opp, waiver)
    shift = vf.shift(org_a, opp, capacity=1)
    people = [vf.volunteer(org_a) for _ in range(3)]
    held = [vf.qualification(org_a, p, waiver) for p in people]
    placed = [services.sign_up(**who, shift=shift, volunteer=p) for p in people]
    with org_context(org_a):
        held[1].delete()
    promoted = services.cancel(**who, signup=placed[0].signup)
    assert [s.volunteer_id for s in promoted] == [people[2].pk]
