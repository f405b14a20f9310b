"""Coordinators' messages: written on the staff page, sent by a job to the volunteers of a
shift or an opportunity (waitlisted only when asked), never to those who unsubscribed; each
email carries an unsubscribe link and the List-Unsubscribe headers, and unsubscribing is
honoured."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.volunteers.models import SignUp, SignUpStatus, VolunteerMessage
from ifm.volunteers.public import links
from ifm.volunteers.tests import factories as vf


def new_url(org: Any) -> str:
    return reverse("volunteers:message_new", kwargs={"org_slug": org.slug})


def _people(org: Any) -> dict[str, Any]:
    opp = vf.opportunity(org, title="Pantry")
    shift = vf.shift(org, opp)
    other_shift = vf.shift(org, opp, starts_at=timezone.now() + timedelta(days=3))
    people = {
        "confirmed": vf.volunteer(org, email="c@example.org"),
        "waiting": vf.volunteer(org, email="w@example.org"),
        "opted_out": vf.volunteer(org, email="o@example.org", email_opt_out=True),
        "other_shift": vf.volunteer(org, email="s@example.org"),
        "cancelled": vf.volunteer(org, email="x@example.org"),
    }
    vf.signup(org, shift, people["confirmed"])
    vf.signup(org, shift, people["opted_out"])
    vf.signup(org, other_shift, people["other_shift"])
    with org_context(org):
        SignUp.objects.create(
            organization=org,
            shift=shift,
            volunteer=people["waiting"],
            status=SignUpStatus.WAITLISTED,
        )
        SignUp.objects.create(
            organization=org,
            shift=shift,
            volunteer=people["cancelled"],
            status=SignUpStatus.CANCELLED,
        )
    return {"opp": opp, "shift": shift, **people}


def test_a_message_to_a_shift_skips_the_unsubscribed(
    org_a: Any, cast: dict[str, Any], sent: Any
) -> None:
    rows = _people(org_a)
    client = client_for(cast["volunteer_coordinator"])
    mails = sent(
        lambda: client.post(
            new_url(org_a),
            {"shift": rows["shift"].pk, "subject": "Saturday", "body": "Bring gloves."},
        )
    )
    answer = sent.result
    assert answer.status_code == 302
    assert {m.to[0] for m in mails} == {"c@example.org"}
    mail = mails[0]
    assert mail.subject == "Saturday"
    assert "Bring gloves." in mail.body
    leave = re.search(r"(http\S+/unsubscribe/\S+/)", mail.body)
    assert leave is not None
    assert mail.extra_headers["List-Unsubscribe"] == f"<{leave.group(1)}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with org_context(org_a):
        message = VolunteerMessage.objects.get()
    assert (message.recipients, message.skipped_unsubscribed) == (1, 1)
    assert message.sent_at is not None
    detail = client.get(answer["Location"])
    assert "1 unsubscribed, skipped" in detail.content.decode()


def test_a_message_to_an_opportunity_with_the_waitlist(
    org_a: Any, cast: dict[str, Any], sent: Any
) -> None:
    rows = _people(org_a)
    client = client_for(cast["admin"])
    mails = sent(
        lambda: client.post(
            new_url(org_a),
            {
                "opportunity": rows["opp"].pk,
                "include_waitlisted": "on",
                "subject": "News",
                "body": "Hello all.",
            },
        )
    )
    assert {m.to[0] for m in mails} == {"c@example.org", "w@example.org", "s@example.org"}


def test_unsubscribing_is_honoured(org_a: Any, cast: dict[str, Any], sent: Any) -> None:
    rows = _people(org_a)
    who = rows["confirmed"]
    url = reverse(
        "volunteer_public:unsubscribe",
        kwargs={"org_slug": org_a.slug, "token": links.unsubscribe_token(who)},
    )
    page = Client().get(url)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    with org_context(org_a):
        who.refresh_from_db()
    assert not who.email_opt_out  # opening the page (a link scanner) changes nothing
    # RFC 8058: the mail program posts, without a CSRF token.
    done = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    with org_context(org_a):
        who.refresh_from_db()
    assert who.email_opt_out
    mails = sent(
        lambda: client_for(cast["admin"]).post(
            new_url(org_a), {"shift": rows["shift"].pk, "subject": "Again", "body": "Hi."}
        )
    )
    assert mails == []
    bad = Client().get(url[:-4] + "xyz/")
    assert bad.status_code == 400


def test_only_coordinators_write_and_everyone_with_view_reads(
    org_a: Any, cast: dict[str, Any]
) -> None:
    rows = _people(org_a)
    list_url = reverse("volunteers:message_list", kwargs={"org_slug": org_a.slug})
    viewer = client_for(cast["viewer"])
    assert viewer.get(list_url).status_code == 200
    assert viewer.get(new_url(org_a)).status_code == 403
    assert (
        viewer.post(new_url(org_a), {"shift": rows["shift"].pk, "subject": "s", "body": "b"})
    ).status_code == 403
    assert client_for(cast["finance"]).get(list_url).status_code == 403
    form = client_for(cast["volunteer_coordinator"]).get(
        new_url(org_a) + f"?shift={rows['shift'].pk}"
    )
    assert form.status_code == 200
    assert f'value="{rows["shift"].pk}" selected' in form.content.decode()


def test_the_form_asks_for_one_target(org_a: Any, cast: dict[str, Any]) -> None:
    rows = _people(org_a)
    client = client_for(cast["admin"])
    both = client.post(
        new_url(org_a),
        {"shift": rows["shift"].pk, "opportunity": rows["opp"].pk, "subject": "s", "body": "b"},
    )
    assert both.status_code == 400
    assert "either an opportunity or one shift" in both.content.decode()
    with org_context(org_a):
        assert not VolunteerMessage.objects.exists()


def test_the_list_searches_by_subject(org_a: Any, cast: dict[str, Any]) -> None:
    vf.message(org_a)
    with org_context(org_a):
        VolunteerMessage.objects.create(organization=org_a, subject="Holiday hours", body="b")
    list_url = reverse("volunteers:message_list", kwargs={"org_slug": org_a.slug})
    html = client_for(cast["admin"]).get(list_url + "?q=holiday").content.decode()
    assert "Holiday hours" in html
    assert "Saturday" not in html
