"""The volunteer's signed link: their own page (good, altered, expired, revoked, another
organization's), cancelling from it, a new link by email (the same answer for anyone), the
calendar feed and resetting its secret."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ifm.core.org_context import org_context
from ifm.volunteers.models import SignUp, SignUpStatus, Volunteer
from ifm.volunteers.public import links, ratelimit
from ifm.volunteers.tests import factories as vf


def own_url(org: Any, token: str) -> str:
    return reverse("volunteer_public:own_page", kwargs={"org_slug": org.slug, "token": token})


def token_of(volunteer: Volunteer) -> str:
    return links.own_page_token(volunteer)


def feed(org: Any, token: str) -> str:
    return reverse("volunteer_public:calendar_feed", kwargs={"org_slug": org.slug, "token": token})


def test_the_link_opens_the_volunteers_own_shifts(org_a: Any) -> None:
    who = vf.volunteer(org_a, first_name="Ada")
    mine = vf.signup(org_a, vf.shift(org_a, vf.opportunity(org_a, title="Soup kitchen")), who)
    vf.signup(org_a, vf.shift(org_a, vf.opportunity(org_a, title="Someone else's")))
    past_shift = vf.shift(
        org_a,
        vf.opportunity(org_a, title="Last month"),
        starts_at=timezone.now() - timedelta(days=30),
    )
    vf.signup(org_a, past_shift, who)
    page = Client().get(own_url(org_a, token_of(who)))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hello Ada" in html
    assert "Soup kitchen" in html
    assert "Last month" in html
    assert "Someone else" not in html
    assert f'value="{mine.pk}"' in html
    assert page["Cache-Control"] == "no-store"
    assert 'id="log-hours"' not in html  # offered once the hours area has a page for it


def test_an_altered_link_is_400_with_the_new_link_form(org_a: Any) -> None:
    who = vf.volunteer(org_a)
    token = token_of(who)
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    page = Client().get(own_url(org_a, altered))
    assert page.status_code == 400
    html = page.content.decode()
    assert "not valid" in html
    assert 'id="link-form"' in html
    assert Client().get(own_url(org_a, "nonsense")).status_code == 400


def test_an_expired_link_is_410(org_a: Any) -> None:
    who = vf.volunteer(org_a)
    later = timezone.now().timestamp() + links.LINK_MAX_AGE.total_seconds() + 60
    token = token_of(who)
    with mock.patch("django.core.signing.time.time", return_value=later):
        page = Client().get(own_url(org_a, token))
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert 'id="link-form"' in page.content.decode()


def test_a_link_of_another_organization_does_not_open_here(org_a: Any, org_b: Any) -> None:
    theirs = vf.volunteer(org_b)
    page = Client().get(own_url(org_a, token_of(theirs)))
    assert page.status_code == 400
    # A link signed with another purpose's salt is refused too.
    unsubscribe = links.unsubscribe_token(vf.volunteer(org_a))
    assert Client().get(own_url(org_a, unsubscribe)).status_code == 400
    forged = signing.dumps({"o": org_a.pk, "v": theirs.pk, "k": "x"}, salt="another")
    assert Client().get(own_url(org_a, forged)).status_code == 400


def test_the_pages_own_forms_pass_the_csrf_check_in_a_browser(org_a: Any) -> None:
    """Under "Referrer-Policy: no-referrer" a browser posts the page's forms with
    "Origin: null", which the CSRF check refuses (403): the page keeps its Referer to itself
    instead, and a same-origin post goes through."""
    who = vf.volunteer(org_a)
    mine = vf.signup(org_a, vf.shift(org_a), who)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(own_url(org_a, token_of(who)))
    assert page["Referrer-Policy"] == "same-origin"
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert csrf
    url = reverse(
        "volunteer_public:own_cancel", kwargs={"org_slug": org_a.slug, "token": token_of(who)}
    )
    data = {"signup_id": mine.pk, "csrfmiddlewaretoken": csrf.group(1)}
    assert browser.post(url, data, HTTP_ORIGIN="null").status_code == 403
    answer = browser.post(url, data, HTTP_ORIGIN="http://testserver")
    assert answer.status_code == 302
    with org_context(org_a):
        assert SignUp.objects.get(pk=mine.pk).status == SignUpStatus.CANCELLED


def test_cancelling_from_the_page(org_a: Any, sent: Any) -> None:
    who = vf.volunteer(org_a)
    shift = vf.shift(org_a, capacity=1)
    mine = vf.signup(org_a, shift, who)
    waiting = vf.volunteer(org_a)
    with org_context(org_a):
        SignUp.objects.create(
            organization=org_a, shift=shift, volunteer=waiting, status=SignUpStatus.WAITLISTED
        )
    url = reverse(
        "volunteer_public:own_cancel", kwargs={"org_slug": org_a.slug, "token": token_of(who)}
    )
    mails = sent(lambda: Client().post(url, {"signup_id": mine.pk}))
    answer = sent.result
    assert answer.status_code == 302
    assert "cancelled=1" in answer["Location"]
    with org_context(org_a):
        assert SignUp.objects.get(pk=mine.pk).status == SignUpStatus.CANCELLED
        assert SignUp.objects.get(volunteer=waiting).status == SignUpStatus.CONFIRMED
    assert {m.to[0] for m in mails} == {who.email, waiting.email}


def test_nobody_cancels_anothers_sign_up(org_a: Any) -> None:
    who = vf.volunteer(org_a)
    theirs = vf.signup(org_a)
    url = reverse(
        "volunteer_public:own_cancel", kwargs={"org_slug": org_a.slug, "token": token_of(who)}
    )
    answer = Client().post(url, {"signup_id": theirs.pk})
    assert answer.status_code == 400
    assert "not one of yours" in answer.content.decode()
    with org_context(org_a):
        assert SignUp.objects.get(pk=theirs.pk).status == SignUpStatus.CONFIRMED


def test_a_new_link_by_email_answers_the_same_for_anyone(org_a: Any, sent: Any) -> None:
    who = vf.volunteer(org_a, email="known@example.org")
    url = reverse("volunteer_public:link_request", kwargs={"org_slug": org_a.slug})
    mails = sent(lambda: Client().post(url, {"email": "Known@Example.org"}))
    known = sent.result
    none = sent(lambda: Client().post(url, {"email": "stranger@example.org"}))
    unknown = sent.result
    assert known.status_code == unknown.status_code == 200

    def strip(html: str) -> str:
        html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
        return html.replace("known@example.org", "X").replace("stranger@example.org", "X")

    assert strip(known.content.decode()) == strip(unknown.content.decode())
    assert none == []
    assert [m.to for m in mails] == [["known@example.org"]]
    found = re.search(r"/volunteer/alpha/me/([^/\s]+)/", mails[0].body)
    assert found is not None
    with org_context(org_a):
        assert links.volunteer_from_own_page_token(org_a, found.group(1)).pk == who.pk


def test_new_links_are_rate_limited(org_a: Any, sent: Any) -> None:
    vf.volunteer(org_a, email="known@example.org")
    url = reverse("volunteer_public:link_request", kwargs={"org_slug": org_a.slug})
    mails = []
    for _ in range(ratelimit.LINK_PER_EMAIL.count + 2):
        mails += sent(
            lambda: Client(REMOTE_ADDR="192.0.2.1").post(url, {"email": "known@example.org"})
        )
    assert len(mails) == ratelimit.LINK_PER_EMAIL.count  # the inbox is not flooded
    client = Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(ratelimit.LINK_PER_IP.count):
        client.post(url, {"email": "someone@example.org"})
    assert client.post(url, {"email": "someone@example.org"}).status_code == 429


def test_the_calendar_feed_lists_confirmed_upcoming_shifts(org_a: Any, org_b: Any) -> None:
    who = vf.volunteer(org_a)
    confirmed = vf.signup(org_a, vf.shift(org_a, vf.opportunity(org_a, title="Pantry")), who)
    waitlisted = vf.signup(org_a, vf.shift(org_a, vf.opportunity(org_a, title="Waiting")), who)
    with org_context(org_a):
        SignUp.objects.filter(pk=waitlisted.pk).update(status=SignUpStatus.WAITLISTED)
    answer = Client().get(feed(org_a, who.calendar_token))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert [str(e["summary"]).split(",")[0] for e in events] == ["Pantry"]
    assert str(events[0]["uid"]).startswith(f"volunteer-signup-{confirmed.pk}@")
    assert Client().get(feed(org_a, "no-such-token")).status_code == 404
    # The token works only under its own organization's slug.
    assert Client().get(feed(org_b, who.calendar_token)).status_code == 404


def test_resetting_the_secret_ends_old_links_and_the_old_feed(org_a: Any) -> None:
    who = vf.volunteer(org_a)
    old_token = token_of(who)
    old_feed = who.calendar_token
    url = reverse("volunteer_public:own_reset", kwargs={"org_slug": org_a.slug, "token": old_token})
    answer = Client().post(url)
    assert answer.status_code == 302
    with org_context(org_a):
        who.refresh_from_db()
    assert who.calendar_token != old_feed
    assert Client().get(answer["Location"]).status_code == 200
    assert Client().get(own_url(org_a, old_token)).status_code == 410
    assert Client().get(feed(org_a, old_feed)).status_code == 404
    assert Client().get(feed(org_a, who.calendar_token)).status_code == 200
