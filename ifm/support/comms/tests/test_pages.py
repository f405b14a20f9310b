"""The communications pages: staff only, preview then send, progress, the list and its CSV,
templates with their preview, announcements in their window, preferences and unsubscribe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.support.comms import rendering
from ifm.support.comms.models import Announcement, EmailPreference, MessageTemplate, Send

BASE = "/platform/communications/"


@pytest.mark.parametrize(
    "path",
    ["", "sends.csv", "send/", "templates/", "templates/new/", "announcements/"],
)
def test_platform_pages_are_404_for_anyone_else(cast: dict[str, Any], path: str) -> None:
    assert client_for(cast["admin"]).get(BASE + path).status_code == 404


def test_preview_then_send_then_follow_the_progress(
    staff: Any,
    pilot: dict[str, Any],
    cast: dict[str, Any],
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(staff)
    kickoff = MessageTemplate.objects.get(key="phase-kickoff")
    form = {"template": str(kickoff.pk), "audience": "phase", "values": "pilot"}
    page = client.get(BASE + "send/?audience=phase").content.decode()
    assert 'value="pilot"' in page
    preview = client.post(BASE + "send/", {**form, "action": "preview"}).content.decode()
    assert "Phase: Pilot: 1 organization, 6 users" in preview
    assert "Dear Alpha Outreach," in preview
    assert 'id="send-button"' in preview
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(BASE + "send/", {**form, "action": "send"})
    send = Send.objects.get()
    assert sent["Location"] == f"{BASE}sends/{send.pk}/"
    detail = client.get(sent["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in detail
    run_jobs()
    progress = client.get(f"{BASE}sends/{send.pk}/progress").content.decode()
    assert "<html" not in progress
    assert "hx-trigger" not in progress  # finished: the polling stops
    assert len(mailoutbox) == 6
    listing = client.get(BASE).content.decode()
    assert "Phase kickoff" in listing
    assert "Phase: Pilot" in listing
    csv = client.get(BASE + "sends.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Phase kickoff" in csv.content.decode()


def test_a_send_refused_shows_the_missing_fields(staff: Any, org_b: Any, cast: Any) -> None:
    kickoff = MessageTemplate.objects.get(key="phase-kickoff")
    answer = client_for(staff).post(
        BASE + "send/",
        {
            "template": str(kickoff.pk),
            "audience": "organizations",
            "values": "beta",
            "action": "send",
        },
    )
    assert answer.status_code == 422
    assert "Beta Shelter: no value for" in answer.content.decode()
    assert not Send.objects.exists()


def test_template_edit_refuses_unknown_fields_and_previews(
    staff: Any, pilot: dict[str, Any], org_a: Any
) -> None:
    client = client_for(staff)
    template = MessageTemplate.objects.get(key="phase-kickoff")
    url = f"{BASE}templates/{template.pk}/"
    bad = client.post(
        url,
        {
            "name": template.name,
            "subject": template.subject,
            "body": "Hi {{ settings.SECRET_KEY }}",
            "version": template.version,
        },
    )
    assert bad.status_code == 422
    assert "Unknown merge field {{ settings.SECRET_KEY }}" in bad.content.decode()
    good = client.post(
        url,
        {
            "name": template.name,
            "subject": template.subject,
            "body": "Dear {{ organization_name }} <b>",
            "version": template.version,
        },
    )
    assert good.status_code == 302
    preview = client.get(url, {"organization": org_a.pk}).content.decode()
    assert "Dear Alpha Outreach &lt;b&gt;" in preview  # escaped on the page
    stale = client.post(
        url, {"name": "X", "subject": "S", "body": "B", "version": template.version}
    )
    assert stale.status_code == 409


def test_the_banner_shows_in_its_window_only(
    staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    now = timezone.now()
    Announcement.objects.create(
        message="Past notice", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    Announcement.objects.create(
        message="Future notice", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2)
    )
    live = Announcement.objects.create(
        message="Maintenance <tonight>",
        level="maintenance",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    only_b = Announcement.objects.create(
        message="For Beta only",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    only_b.organizations.set([org_b])
    page = client_for(cast["admin"]).get(f"/o/{org_a.slug}/").content.decode()
    assert "Maintenance &lt;tonight&gt;" in page
    assert "Past notice" not in page
    assert "Future notice" not in page
    assert "For Beta only" not in page
    assert (
        "For Beta only" in client_for(cast["other_admin"]).get(f"/o/{org_b.slug}/").content.decode()
    )
    client_for(staff).post(f"{BASE}announcements/{live.pk}/end")
    assert "tonight" not in client_for(cast["admin"]).get(f"/o/{org_a.slug}/").content.decode()


def test_staff_create_an_announcement_from_the_page(staff: Any) -> None:
    client = client_for(staff)
    answer = client.post(
        BASE + "announcements/",
        {
            "message": "Hello",
            "level": "info",
            "starts_at": "2026-05-01T10:00",
            "ends_at": "2026-05-01T09:00",
        },
    )
    assert answer.status_code == 422
    assert "ends after it starts" in answer.content.decode()
    answer = client.post(
        BASE + "announcements/",
        {
            "message": "Hello",
            "level": "info",
            "starts_at": "2026-05-01T10:00",
            "ends_at": "2026-05-02T09:00",
        },
    )
    assert answer.status_code == 302
    assert Announcement.objects.get().message == "Hello"


def test_preferences_page_and_one_click_unsubscribe(cast: dict[str, Any]) -> None:
    user = cast["viewer"]
    client = client_for(user)
    menu = client.get("/communications/preferences/").content.decode()
    assert 'href="/communications/preferences/"' in menu  # in the user menu
    client.post("/communications/preferences/", {})
    assert EmailPreference.objects.get(user=user).announcements is False
    client.post("/communications/preferences/", {"announcements": "on"})
    assert EmailPreference.objects.get(user=user).announcements is True

    token = rendering.unsubscribe_token(user)
    anonymous = client_for(cast["admin"]).__class__()
    confirm = anonymous.get(f"/communications/unsubscribe/{token}/")
    assert confirm.status_code == 200
    assert EmailPreference.objects.get(user=user).announcements is True  # a GET changes nothing
    done = anonymous.post(
        f"/communications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert done.status_code == 200
    assert EmailPreference.objects.get(user=user).announcements is False
    forged = anonymous.post(f"/communications/unsubscribe/{token[:-3]}abc/")
    assert forged.status_code == 404
