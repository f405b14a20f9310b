"""The check-in kiosk: today's shifts only, search, one-tap check-in and check-out, walk-ins,
and kiosk mode, which keeps the browser on the kiosk until the password or a sign-out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import PASSWORD, client_for
from ifm.core.org_context import org_context
from ifm.volunteers.models import HoursEntry, Shift, SignUp, Volunteer
from ifm.volunteers.tests import factories as vf


def url(org: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"volunteers:{name}", kwargs={"org_slug": org.slug, **kwargs})


def now_shift(org: Any, opp: Any = None, **kw: Any) -> Shift:
    """A shift going on now (so it is on today's list whatever the time zone)."""
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    return vf.shift(org, opp, starts_at=start, **kw)


@pytest.fixture
def coordinator(cast: dict[str, Any]) -> Client:
    return client_for(cast["volunteer_coordinator"])


def test_the_kiosk_lists_todays_shifts_only(org_a: Any, coordinator: Client) -> None:
    today = now_shift(org_a, vf.opportunity(org_a, title="Soup kitchen"))
    later = vf.shift(
        org_a,
        vf.opportunity(org_a, title="Book fair"),
        starts_at=timezone.now() + timedelta(days=2),
    )
    vf.signup(org_a, today, vf.volunteer(org_a, first_name="Greta", last_name="Lindqvist"))
    vf.signup(org_a, later, vf.volunteer(org_a, first_name="Hugo", last_name="Berg"))
    page = coordinator.get(url(org_a, "kiosk"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Soup kitchen" in text
    assert "Greta Lindqvist" in text
    assert "Book fair" not in text
    assert "Hugo Berg" not in text


def test_search_by_name_and_by_letter(org_a: Any, coordinator: Client) -> None:
    shift = now_shift(org_a)
    vf.signup(org_a, shift, vf.volunteer(org_a, first_name="Greta", last_name="Lindqvist"))
    vf.signup(org_a, shift, vf.volunteer(org_a, first_name="Omar", last_name="Farouk"))
    found = coordinator.get(url(org_a, "kiosk"), {"q": "lind"}, HTTP_HX_REQUEST="true")
    assert "Greta Lindqvist" in found.content.decode()
    assert "Omar Farouk" not in found.content.decode()
    assert "<html" not in found.content.decode()  # HTMX gets the fragment
    by_letter = coordinator.get(url(org_a, "kiosk"), {"letter": "F"}).content.decode()
    assert "Omar Farouk" in by_letter
    assert "Greta Lindqvist" not in by_letter


def test_one_tap_check_in_then_check_out_logs_pending_hours(
    org_a: Any, coordinator: Client
) -> None:
    signup = vf.signup(org_a, now_shift(org_a), vf.volunteer(org_a, first_name="Greta"))
    tapped = coordinator.post(
        url(org_a, "kiosk_check_in", signup_id=signup.pk), HTTP_HX_REQUEST="true"
    )
    assert tapped.status_code == 200
    assert "Welcome, Greta" in tapped.content.decode()
    assert "Check out" in tapped.content.decode()
    with org_context(org_a):
        # As if she came two hours ago.
        SignUp.objects.filter(pk=signup.pk).update(
            checked_in_at=timezone.now() - timedelta(hours=2)
        )
    out = coordinator.post(url(org_a, "kiosk_check_out", signup_id=signup.pk))
    assert out.status_code == 302
    with org_context(org_a):
        entry = HoursEntry.objects.get(signup=signup)
    assert entry.status == "pending"
    assert entry.source == "check_in"
    assert Decimal("1.99") <= entry.hours <= Decimal("2.01")
    again = coordinator.post(
        url(org_a, "kiosk_check_out", signup_id=signup.pk), HTTP_HX_REQUEST="true"
    )
    assert "Already checked out" in again.content.decode()


def test_a_sign_up_of_another_day_is_refused(org_a: Any, coordinator: Client) -> None:
    signup = vf.signup(org_a, vf.shift(org_a, starts_at=timezone.now() + timedelta(days=3)))
    answer = coordinator.post(
        url(org_a, "kiosk_check_in", signup_id=signup.pk), HTTP_HX_REQUEST="true"
    )
    assert "is not on one of today" in answer.content.decode()
    with org_context(org_a):
        assert SignUp.objects.get(pk=signup.pk).checked_in_at is None


def test_a_walk_in_is_added_signed_up_and_checked_in(org_a: Any, coordinator: Client) -> None:
    shift = now_shift(org_a, capacity=2)
    answer = coordinator.post(
        url(org_a, "kiosk_walk_in", shift_id=shift.pk),
        {"first_name": "Nadia", "last_name": "Okafor", "email": "nadia@example.org"},
    )
    assert answer.status_code == 302, answer.content.decode()
    with org_context(org_a):
        person = Volunteer.objects.get(email="nadia@example.org")
        signup = SignUp.objects.get(shift=shift, volunteer=person)
    assert (signup.source, signup.status) == ("kiosk", "confirmed")
    assert signup.checked_in_at is not None
    assert person.status == "active"
    assert person.name_norm == "nadia okafor"


def test_a_walk_in_who_came_before_is_found_by_email(org_a: Any, coordinator: Client) -> None:
    known = vf.volunteer(org_a, first_name="Nadia", email="Nadia@Example.org")
    shift = now_shift(org_a)
    coordinator.post(
        url(org_a, "kiosk_walk_in", shift_id=shift.pk),
        {"first_name": "Nadia", "email": "nadia@example.org"},
    )
    with org_context(org_a):
        assert Volunteer.objects.count() == 1
        assert SignUp.objects.get(shift=shift).volunteer_id == known.pk


def test_a_full_shift_refuses_a_walk_in_and_keeps_nothing(org_a: Any, coordinator: Client) -> None:
    shift = now_shift(org_a, capacity=1)
    vf.signup(org_a, shift)
    answer = coordinator.post(
        url(org_a, "kiosk_walk_in", shift_id=shift.pk), {"first_name": "Late", "last_name": "Comer"}
    )
    assert answer.status_code == 422
    assert "full" in answer.content.decode()
    with org_context(org_a):
        assert not Volunteer.objects.filter(first_name="Late").exists()
        assert SignUp.objects.filter(shift=shift).count() == 1


def test_staff_cannot_open_the_kiosk(org_a: Any, cast: dict[str, Any]) -> None:
    assert client_for(cast["staff"]).get(url(org_a, "kiosk")).status_code == 403


def test_kiosk_mode_keeps_the_browser_on_the_kiosk(
    org_a: Any, org_b: Any, cast: dict[str, Any], coordinator: Client
) -> None:
    started = coordinator.post(url(org_a, "kiosk_start"))
    assert started.status_code == 302
    home = url(org_a, "kiosk")
    assert coordinator.get(home).status_code == 200
    dashboard = coordinator.get(reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug}))
    assert (dashboard.status_code, dashboard["Location"]) == (302, home)
    assert coordinator.get("/").status_code == 302
    assert coordinator.get("/api/v1/hours").status_code == 403
    assert (
        coordinator.post(reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug})).status_code
        == 403
    )
    assert coordinator.get(home, HTTP_HX_REQUEST="true").status_code == 200
    # Another organization's kiosk is another URL: refused too.
    assert coordinator.get(url(org_b, "kiosk"))["Location"] == home

    wrong = coordinator.post(url(org_a, "kiosk_exit"), {"password": "guess"})
    assert wrong.status_code == 422
    assert (
        coordinator.get(reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug})).status_code
        == 302
    )
    left = coordinator.post(url(org_a, "kiosk_exit"), {"password": PASSWORD})
    assert left.status_code == 302
    assert (
        coordinator.get(reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug})).status_code
        == 200
    )


def test_five_wrong_passwords_leave_only_signing_out(org_a: Any, coordinator: Client) -> None:
    coordinator.post(url(org_a, "kiosk_start"))
    for _ in range(5):
        coordinator.post(url(org_a, "kiosk_exit"), {"password": "guess"})
    locked = coordinator.post(url(org_a, "kiosk_exit"), {"password": PASSWORD})
    assert locked.status_code == 403
    assert (
        coordinator.get(reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug})).status_code
        == 302
    )
    signed_out = coordinator.post(reverse("account_logout"))
    assert signed_out.status_code == 302
    # Signed out, the session (and kiosk mode with it) is gone.
    assert "kiosk" not in coordinator.get("/").get("Location", "")


def test_the_kiosk_reads_only_todays_shifts(org_a: Any, coordinator: Client) -> None:
    opp = vf.opportunity(org_a)
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    with org_context(org_a):
        Shift.objects.bulk_create(
            Shift(
                organization=org_a,
                opportunity=opp,
                starts_at=start + timedelta(hours=6 * i),
                ends_at=start + timedelta(hours=6 * i + 3),
                capacity=5,
            )
            for i in range(1000)
        )
    for _ in range(3):
        shift = now_shift(org_a, opp)
        for _ in range(5):
            vf.signup(org_a, shift)
    with CaptureQueriesContext(connection) as queries:
        page = coordinator.get(url(org_a, "kiosk"))
    assert page.status_code == 200
    assert page.content.decode().count("Check in</button>") == 15
    assert len(queries) <= 15, [q["sql"] for q in queries]
