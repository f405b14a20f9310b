"""The public sign-up pages: what they list (public, upcoming, with places left, by day in the
organization's time zone), signing up confirmed or waitlisted, the honeypot, the rate limit,
404 for an unknown or closed organization, and that one organization's slug never shows
another's shifts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.volunteers.models import SignUp, SignUpStatus, Volunteer
from ifm.volunteers.public import ratelimit
from ifm.volunteers.tests import factories as vf


def home(org: Any) -> str:
    return reverse("volunteer_public:home", kwargs={"org_slug": org.slug})


def shift_url(org: Any, shift: Any) -> str:
    return reverse("volunteer_public:shift", kwargs={"org_slug": org.slug, "shift_id": shift.pk})


def person(**extra: Any) -> dict[str, Any]:
    data = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    data.update(extra)
    return data


def test_lists_upcoming_public_shifts_with_places_left(org_a: Any) -> None:
    opp = vf.opportunity(org_a, title="Food pantry")
    soon = vf.shift(org_a, opp, capacity=3)
    vf.signup(org_a, soon)
    hidden = vf.opportunity(org_a, title="Board retreat", is_public=False)
    vf.shift(org_a, hidden)
    archived = vf.opportunity(org_a, title="Old drive", is_archived=True)
    vf.shift(org_a, archived)
    past = vf.shift(org_a, opp, starts_at=timezone.now() - timedelta(days=1))
    cancelled = vf.shift(org_a, opp)
    with org_context(org_a):
        cancelled.is_cancelled = True
        cancelled.save()

    page = Client().get(home(org_a))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Food pantry" in html
    assert "2 places left" in html
    assert shift_url(org_a, soon) in html
    assert "Board retreat" not in html
    assert "Old drive" not in html
    assert shift_url(org_a, past) not in html
    assert shift_url(org_a, cancelled) not in html


def test_a_full_shift_offers_the_waitlist_and_roles_show_their_places(org_a: Any) -> None:
    full = vf.shift(org_a, capacity=1)
    vf.signup(org_a, full)
    with_roles = vf.shift(org_a, capacity=4)
    driver = vf.shift_role(org_a, with_roles, capacity=1)
    vf.signup(org_a, with_roles)
    with org_context(org_a):
        SignUp.objects.filter(shift=with_roles).update(role=driver)
    html = Client().get(home(org_a)).content.decode()
    assert "Full: waitlist open" in html
    assert f"{driver.name}: full" in html
    assert "Join waitlist" in html


def test_shifts_are_grouped_by_day_in_the_organizations_time_zone(org_a: Any) -> None:
    org_a.time_zone = "America/Los_Angeles"
    org_a.save()
    zone = ZoneInfo("America/Los_Angeles")
    # 20:00 in Los Angeles is the next day in UTC: listed on the local day, at the local hour.
    local = (
        (timezone.now() + timedelta(days=3))
        .astimezone(zone)
        .replace(hour=20, minute=0, second=0, microsecond=0)
    )
    vf.shift(org_a, starts_at=local.astimezone(ZoneInfo("UTC")), hours=2)
    html = Client().get(home(org_a)).content.decode()
    assert f"{local:%A} {local.day} {local:%B} {local.year}" in html
    assert "20:00\u201322:00" in html


def test_the_page_is_a_fixed_number_of_queries(org_a: Any) -> None:
    opp = vf.opportunity(org_a)
    start = timezone.now() + timedelta(days=1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(home(org_a)).status_code == 200
        return len(queries)

    vf.shift(org_a, opp, starts_at=start)
    few = count()
    for i in range(30):
        s = vf.shift(org_a, opp, starts_at=start + timedelta(hours=4 * i))
        vf.shift_role(org_a, s)
        vf.signup(org_a, s)
    assert count() == few


def test_many_shifts_are_paged_by_days(org_a: Any) -> None:
    from ifm.volunteers.public import selectors

    opp = vf.opportunity(org_a)
    start = (timezone.now() + timedelta(days=1)).replace(hour=8, minute=0)
    for day in range(20):
        vf.shift(org_a, opp, starts_at=start + timedelta(days=day))
    seen: list[int] = []
    pages = 0
    start_day = None
    with org_context(org_a):
        while True:
            listing = selectors.upcoming_listing(org_a, start=start_day)
            pages += 1
            assert listing.count <= selectors.WINDOW_DAYS
            assert (listing.previous_day is None) == (pages == 1)
            seen += [row.shift.pk for _, rows in listing.days for row in rows]
            if listing.next_day is None:
                break
            start_day = listing.next_day
    assert len(seen) == len(set(seen)) == 20
    assert pages > 1


def test_sign_up_confirmed_then_waitlisted(org_a: Any) -> None:
    shift = vf.shift(org_a, capacity=1)
    first = Client().post(shift_url(org_a, shift), person())
    assert first.status_code == 200
    assert "You're confirmed" in first.content.decode()
    second = Client().post(shift_url(org_a, shift), person(first_name="Bo", email="bo@example.org"))
    assert "You're on the waitlist" in second.content.decode()
    with org_context(org_a):
        rows = dict(SignUp.objects.values_list("volunteer__email", "status"))
        ada = Volunteer.objects.get(email="ada@example.org")
    assert rows == {"ada@example.org": "confirmed", "bo@example.org": "waitlisted"}
    assert ada.email_norm == "ada@example.org"
    assert ada.name_norm == "ada lovelace"


def test_an_existing_volunteer_is_found_by_email_not_overwritten(org_a: Any) -> None:
    known = vf.volunteer(org_a, first_name="Grace", last_name="Hopper", email="g@example.org")
    shift = vf.shift(org_a)
    answer = Client().post(
        shift_url(org_a, shift),
        person(first_name="Mallory", email="G@Example.org", phone="555 123 4567"),
    )
    assert answer.status_code == 200
    with org_context(org_a):
        known.refresh_from_db()
        assert Volunteer.objects.count() == 1
        assert SignUp.objects.get().volunteer_id == known.pk
    assert known.first_name == "Grace"  # not overwritten from a public form
    assert known.phone == "555 123 4567"  # a blank filled in


def test_the_rules_message_is_shown_and_nothing_is_kept(org_a: Any) -> None:
    opp = vf.opportunity(org_a, minimum_age=16)
    shift = vf.shift(org_a, opp)
    no_dob = Client().post(shift_url(org_a, shift), person())
    assert no_dob.status_code == 400
    assert "id_date_of_birth_error" in no_dob.content.decode()
    young = (timezone.localdate() - timedelta(days=365 * 14)).isoformat()
    too_young = Client().post(
        shift_url(org_a, shift),
        person(
            date_of_birth=young,
            guardian_name="Pat Lovelace",
            guardian_email="pat@example.org",
            guardian_consent="on",
        ),
    )
    assert too_young.status_code == 400
    assert "aged 16 or over" in too_young.content.decode()
    with org_context(org_a):
        assert not Volunteer.objects.exists()
        assert not SignUp.objects.exists()


def test_a_minor_needs_a_guardians_consent(org_a: Any) -> None:
    shift = vf.shift(org_a)
    young = (timezone.localdate() - timedelta(days=365 * 15)).isoformat()
    refused = Client().post(shift_url(org_a, shift), person(date_of_birth=young))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "id_guardian_name_error" in html
    assert "id_guardian_consent_error" in html
    ok = Client().post(
        shift_url(org_a, shift),
        person(
            date_of_birth=young,
            guardian_name="Pat Lovelace",
            guardian_email="pat@example.org",
            guardian_consent="on",
        ),
    )
    assert ok.status_code == 200, ok.content.decode()
    with org_context(org_a):
        volunteer = Volunteer.objects.get()
        assert volunteer.guardian_consent_at is not None
        assert SignUp.objects.get().status == SignUpStatus.CONFIRMED


def test_the_honeypot_keeps_nothing(org_a: Any) -> None:
    shift = vf.shift(org_a)
    answer = Client().post(shift_url(org_a, shift), person(website="http://spam.example"))
    assert answer.status_code == 400
    with org_context(org_a):
        assert not Volunteer.objects.exists()


def test_sign_ups_are_rate_limited_per_address(org_a: Any) -> None:
    shift = vf.shift(org_a, capacity=100)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(ratelimit.SIGNUP_PER_IP.count):
        assert client.post(
            shift_url(org_a, shift), person(email=f"p{i}@example.org")
        ).status_code in (200, 400)
    blocked = client.post(shift_url(org_a, shift), person(email="late@example.org"))
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # Another address is not held back.
    other = Client(REMOTE_ADDR="198.51.100.7").post(
        shift_url(org_a, shift), person(email="other@example.org")
    )
    assert other.status_code == 200


def test_unknown_or_closed_organizations_are_404(org_a: Any) -> None:
    assert Client().get("/volunteer/no-such-org/").status_code == 404
    settings_row = vf.settings_row(org_a)
    with org_context(org_a):
        settings_row.public_signup_enabled = False
        settings_row.save()
    shift = vf.shift(org_a)
    assert Client().get(home(org_a)).status_code == 404
    assert Client().get(shift_url(org_a, shift)).status_code == 404
    assert Client().post(shift_url(org_a, shift), person()).status_code == 404


def test_another_organizations_slug_never_shows_this_ones_shifts(org_a: Any, org_b: Any) -> None:
    opp = vf.opportunity(org_a, title="Alpha only pantry")
    shift = vf.shift(org_a, opp)
    html = Client().get(home(org_b)).content.decode()
    assert "Alpha only pantry" not in html
    assert Client().get(shift_url(org_b, shift)).status_code == 404
    opp_url = reverse(
        "volunteer_public:opportunity", kwargs={"org_slug": org_b.slug, "opportunity_id": opp.pk}
    )
    assert Client().get(opp_url).status_code == 404
    assert Client().post(shift_url(org_b, shift), person()).status_code == 404
    with org_context(org_a):
        assert not SignUp.objects.exists()


def test_signed_in_people_of_other_organizations_can_open_the_page(
    org_a: Any, cast: dict[str, Any]
) -> None:
    vf.shift(org_a, vf.opportunity(org_a, title="Open to all"))
    page = client_for(cast["other_admin"]).get(home(org_a))
    assert page.status_code == 200
    assert "Open to all" in page.content.decode()


def test_opportunity_page_lists_only_its_shifts(org_a: Any) -> None:
    mine = vf.opportunity(org_a, title="Tutoring", description="Help with homework.")
    other = vf.opportunity(org_a, title="Sorting")
    vf.shift(org_a, mine)
    other_shift = vf.shift(org_a, other)
    url = reverse(
        "volunteer_public:opportunity", kwargs={"org_slug": org_a.slug, "opportunity_id": mine.pk}
    )
    html = Client().get(url).content.decode()
    assert "Help with homework." in html
    assert shift_url(org_a, other_shift) not in html


def test_a_started_shift_takes_no_sign_up(org_a: Any) -> None:
    started = vf.shift(org_a, starts_at=timezone.now() - timedelta(minutes=30))
    page = Client().get(shift_url(org_a, started))
    assert page.status_code == 200
    assert "no longer open" in page.content.decode()
    assert Client().post(shift_url(org_a, started), person()).status_code == 400


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(org_a: Any, method: str) -> None:
    shift = vf.shift(org_a)
    assert getattr(Client(), method)(shift_url(org_a, shift)).status_code == 405


def test_csrf_is_checked(org_a: Any) -> None:
    shift = vf.shift(org_a)
    client = Client(enforce_csrf_checks=True)
    assert client.post(shift_url(org_a, shift), person()).status_code == 403


def test_a_refusal_for_a_known_address_tells_the_address_not_the_typist(
    org_a: Any, sent: Any
) -> None:
    known = vf.volunteer(org_a, first_name="Grace", last_name="Hopper", email="g@example.org")
    shift = vf.shift(org_a)
    vf.signup(org_a, shift, known)
    mails = sent(lambda: Client().post(shift_url(org_a, shift), person(email="g@example.org")))
    answer = sent.result
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Hopper" not in html
    assert "emailed a link" in html
    assert [m.to for m in mails] == [["g@example.org"]]


def test_a_crowded_week_is_cut_at_a_days_end_and_nothing_is_lost(org_a: Any) -> None:
    from ifm.volunteers.models import Shift
    from ifm.volunteers.public import selectors

    opp = vf.opportunity(org_a)
    zone = ZoneInfo(org_a.time_zone)
    first_day = (timezone.now() + timedelta(days=1)).astimezone(zone).date()
    per_day = 50
    with org_context(org_a):
        Shift.objects.bulk_create(
            [
                Shift(
                    organization=org_a,
                    opportunity=opp,
                    starts_at=datetime.combine(first_day + timedelta(days=d), time(8), zone)
                    + timedelta(minutes=5 * i),
                    ends_at=datetime.combine(first_day + timedelta(days=d), time(9), zone)
                    + timedelta(minutes=5 * i),
                    capacity=3,
                )
                for d in range(4)
                for i in range(per_day)
            ]
        )
        first = selectors.upcoming_listing(org_a)
        assert first.count <= selectors.MAX_SHIFTS
        assert first.count % per_day == 0  # whole days only
        assert first.next_day == first_day + timedelta(days=first.count // per_day)
        second = selectors.upcoming_listing(org_a, start=first.next_day)
    assert second.days[0][0] == first.next_day
