"""The Help pages and the desk, through the browser's door."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.support import services
from ifm.support.models import Status, Ticket
from ifm.support.tests.conftest import member, png_upload

pytestmark = pytest.mark.django_db


def new_url(org: Any) -> str:
    return reverse("support:ticket_new", kwargs={"org_slug": org.slug})


def detail_url(org: Any, ticket: Ticket) -> str:
    return reverse("support:ticket_detail", kwargs={"org_slug": org.slug, "ticket_id": ticket.pk})


def open_ticket(org: Any, user: Any, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"subject": "Cannot post", "description": "The button does nothing."}
    values.update(fields)
    return services.ticket_open(**member(org, user), **values)


def test_every_signed_in_page_has_help_carrying_the_page(org_a: Any, cast: dict[str, Any]) -> None:
    page = client_for(cast["staff"]).get(f"/o/{org_a.slug}/")
    html = page.content.decode()
    assert 'id="help-button"' in html
    assert f'href="{new_url(org_a)}?page=/o/{org_a.slug}/"' in html


def test_the_500_page_shows_the_request_id_and_the_form_picks_it_up(
    org_a: Any, cast: dict[str, Any]
) -> None:
    from django.test import RequestFactory

    from ifm.core.dbfaults import LAST_ERROR_COOKIE, server_error

    request = RequestFactory().get("/o/alpha/reports/")
    request.request_id = "f00dfeed1234"  # type: ignore[attr-defined]
    response = server_error(request)
    assert response.status_code == 500
    assert b'<code id="request-id">f00dfeed1234</code>' in response.content
    assert b"/support/new?request_id=f00dfeed1234" in response.content
    assert response.cookies[LAST_ERROR_COOKIE].value == "f00dfeed1234"

    client = client_for(cast["staff"])
    client.cookies[LAST_ERROR_COOKIE] = "f00dfeed1234"
    form = client.get(new_url(org_a) + "?page=/o/alpha/reports/", HTTP_USER_AGENT="Firefox/133")
    assert form.context["form"].initial == {
        "page_url": "/o/alpha/reports/",
        "request_id": "f00dfeed1234",
        "browser": "Firefox/133",
    }
    # From the error page's link, outside the organization: on to its form.
    start = client.get("/support/new?request_id=f00dfeed1234")
    assert start.status_code == 302
    assert start["Location"] == new_url(org_a) + "?request_id=f00dfeed1234"


def test_opening_from_the_form_with_a_screenshot(org_a: Any, cast: dict[str, Any]) -> None:
    client = client_for(cast["staff"])
    response = client.post(
        new_url(org_a),
        {
            "subject": "Reports crash",
            "description": "Error page on the balance sheet.",
            "priority": "high",
            "category": "bug",
            "page_url": "/o/alpha/reports/",
            "request_id": "abc123",
            "browser": "Firefox/133",
            "screenshot": png_upload(),
        },
        HTTP_USER_AGENT="Firefox/133",
    )
    with all_organizations():
        ticket = Ticket.all_orgs.get(organization=org_a)
    assert response.status_code == 302
    assert response["Location"] == detail_url(org_a, ticket)
    assert (ticket.priority, ticket.request_id, ticket.page_url) == (
        "high",
        "abc123",
        "/o/alpha/reports/",
    )
    page = client.get(detail_url(org_a, ticket))
    assert page.status_code == 200
    shot = page.context["opening_attachments"][0]
    image = client.get(
        reverse(
            "support:attachment_download",
            kwargs={"org_slug": org_a.slug, "attachment_id": shot.pk},
        )
    )
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"


def test_a_bad_form_is_shown_again_with_errors(org_a: Any, cast: dict[str, Any]) -> None:
    response = client_for(cast["staff"]).post(
        new_url(org_a), {"subject": "", "description": "x", "priority": "soon"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"subject", "priority", "category"}


def test_replies_arrive_in_the_polled_fragment_and_notes_never_do(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    client = client_for(cast["staff"])
    page = client.get(detail_url(org_a, ticket)).content.decode()
    fragment_url = reverse(
        "support:ticket_conversation", kwargs={"org_slug": org_a.slug, "ticket_id": ticket.pk}
    )
    assert f'hx-get="{fragment_url}" hx-trigger="every 5s"' in page
    services.ticket_note(actor=staff, ticket=ticket, body="Secret staff note")
    services.ticket_staff_reply(actor=staff, ticket=ticket, body="Please try now.")
    fragment = client.get(fragment_url, HTTP_HX_REQUEST="true")
    assert "Please try now." in fragment.content.decode()
    assert "Secret staff note" not in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_members_see_their_own_admins_see_all_other_orgs_nothing(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    mine = open_ticket(org_a, cast["staff"])
    assert client_for(cast["staff"]).get(detail_url(org_a, mine)).status_code == 200
    assert client_for(cast["viewer"]).get(detail_url(org_a, mine)).status_code == 404
    assert client_for(cast["admin"]).get(detail_url(org_a, mine)).status_code == 200
    listing = client_for(cast["viewer"]).get(
        reverse("support:ticket_list", kwargs={"org_slug": org_a.slug})
    )
    assert listing.context["rows"] == []
    assert listing.context["sees_all"] is False
    everyone = client_for(cast["admin"]).get(
        reverse("support:ticket_list", kwargs={"org_slug": org_a.slug})
    )
    assert everyone.context["sees_all"] is True
    assert [t.pk for t, _ in everyone.context["rows"]] == [mine.pk]
    # B's admin through B's own URL: no such ticket.
    theirs = client_for(cast["other_admin"]).get(detail_url(org_b, mine))
    assert theirs.status_code == 404


def test_reply_then_rating_after_resolution(org_a: Any, cast: dict[str, Any], staff: Any) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    client = client_for(cast["staff"])
    reply = reverse("support:ticket_reply", kwargs={"org_slug": org_a.slug, "ticket_id": ticket.pk})
    assert client.post(reply, {"body": ""}).status_code == 422
    assert client.post(reply, {"body": "More detail"}).status_code == 302
    services.ticket_set_status(actor=staff, ticket=ticket, status=Status.RESOLVED)
    page = client.get(detail_url(org_a, ticket))
    assert page.context["can_rate"] is True
    rate = reverse("support:ticket_rate", kwargs={"org_slug": org_a.slug, "ticket_id": ticket.pk})
    assert client.post(rate, {"score": "5", "comment": "Great"}).status_code == 302
    assert client.get(detail_url(org_a, ticket)).context["rated"] is True
    assert client.post(rate, {"score": "4"}).status_code == 422


def test_the_desk_is_for_platform_staff_only(org_a: Any, cast: dict[str, Any], staff: Any) -> None:
    ticket = open_ticket(org_a, cast["staff"], priority="critical")
    desk = reverse("platform_support:desk")
    assert client_for(cast["admin"]).get(desk).status_code == 404
    assert Client().get(desk).status_code == 302
    staff_client = client_for(staff)
    page = staff_client.get(desk + "?tier=1&priority=critical")
    assert page.status_code == 200
    assert [t.pk for t, _ in page.context["rows"]] == [ticket.pk]
    assert staff_client.get(desk + "?breached=yes").context["rows"] == []
    detail = reverse("platform_support:desk_ticket", kwargs={"ticket_id": ticket.pk})
    assert staff_client.get(detail).status_code == 200
    assert client_for(cast["admin"]).get(detail).status_code == 404


def test_the_desk_replies_notes_assigns_escalates_and_resolves(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    client = client_for(staff)

    def post(action: str, data: dict[str, Any]) -> Any:
        url = reverse(f"platform_support:desk_{action}", kwargs={"ticket_id": ticket.pk})
        return client.post(url, data)

    assert post("message", {"kind": "note", "body": "Checking logs"}).status_code == 302
    assert (
        post("message", {"kind": "reply", "body": "Fixed?", "status": "waiting"}).status_code == 302
    )
    assert post("assign", {"assignee": staff.pk}).status_code == 302
    assert post("escalate", {"tier": 2, "reason": "Needs a developer"}).status_code == 302
    assert post("priority", {"priority": "high"}).status_code == 302
    assert post("status", {"status": "resolved"}).status_code == 302
    with all_organizations():
        ticket.refresh_from_db()
    assert (ticket.status, ticket.tier, ticket.priority) == ("resolved", 2, "high")
    assert ticket.first_response_at is not None
    page = client.get(reverse("platform_support:desk_ticket", kwargs={"ticket_id": ticket.pk}))
    html = page.content.decode()
    assert "Checking logs" in html
    assert "Internal note" in html
    # A refused action says why and changes nothing.
    post("escalate", {"tier": 2, "reason": "again"})
    messages = [
        str(m)
        for m in client.get(
            reverse("platform_support:desk_ticket", kwargs={"ticket_id": ticket.pk})
        ).context["messages"]
    ]
    assert any("already in tier 2" in m for m in messages)
