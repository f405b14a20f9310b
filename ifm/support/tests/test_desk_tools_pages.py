"""The desk's tools through the browser's door: canned replies, merge, bugs, access."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.support import bugs, canned, services
from ifm.support.models import Bug, Status, Ticket, TicketAccessGrant
from ifm.support.tests.conftest import member

pytestmark = pytest.mark.django_db


def open_ticket(org: Any, user: Any, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"subject": "Cannot post", "description": "The button does nothing."}
    values.update(fields)
    return services.ticket_open(**member(org, user), **values)


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"platform_support:{name}", kwargs=kwargs)


def flash(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_new_desk_pages_are_for_platform_staff_only(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    bug = bugs.bug_create(actor=staff, ticket=ticket, title="x", severity="low")
    reply = canned.canned_reply_create(actor=staff, title="Hi", body="Hi")
    admin = client_for(cast["admin"])
    for page in [
        url("canned_list"),
        url("canned_edit", canned_id=reply.pk),
        url("bug_list"),
        url("bug_list") + "?format=csv",
        url("bug_detail", bug_id=bug.pk),
    ]:
        assert admin.get(page).status_code == 404, page
        assert client_for(staff).get(page).status_code == 200, page
    for action in [
        url("canned_delete", canned_id=reply.pk),
        url("desk_merge", ticket_id=ticket.pk),
        url("desk_bug_create", ticket_id=ticket.pk),
        url("desk_bug_link", ticket_id=ticket.pk),
        url("desk_bug_unlink", ticket_id=ticket.pk, bug_id=bug.pk),
        url("desk_access_request", ticket_id=ticket.pk),
    ]:
        assert admin.post(action, {}).status_code == 404, action


def test_canned_replies_are_managed_and_fill_the_reply_box(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    client = client_for(staff)
    assert client.post(url("canned_list"), {"title": "Bad", "body": "{nope}"}).status_code == 422
    made = client.post(
        url("canned_list"), {"title": "Greeting", "body": "Hello {first_name}, re {ticket}."}
    )
    assert made.status_code == 302
    reply = canned.canned_reply_list().get()
    assert (
        client.post(
            url("canned_edit", canned_id=reply.pk),
            {"title": "Greeting", "body": "Hi {first_name}, re {ticket}.", "tier": "1"},
        ).status_code
        == 302
    )
    ticket = open_ticket(org_a, cast["staff"])
    page = client.get(url("desk_ticket", ticket_id=ticket.pk))
    html = page.content.decode()
    assert 'id="canned-pick"' in html
    assert 'hx-select="#id_body"' in html
    filled = client.get(url("desk_ticket", ticket_id=ticket.pk) + f"?canned={reply.pk}")
    assert filled.context["message_form"].initial["body"] == f"Hi Alpha, re {ticket.reference}."
    assert f"Hi Alpha, re {ticket.reference}." in filled.content.decode()
    # A bad or unknown choice is ignored, never an error.
    for bad in ["abc", "999999", "99999999999999999999"]:
        page = client.get(url("desk_ticket", ticket_id=ticket.pk) + f"?canned={bad}")
        assert page.status_code == 200
        assert page.context["message_form"].initial.get("body") is None
    assert client.post(url("canned_delete", canned_id=reply.pk)).status_code == 302
    assert client.get(url("canned_edit", canned_id=reply.pk)).status_code == 404


def test_merge_from_the_ticket_page(
    org_a: Any, org_b: Any, cast: dict[str, Any], staff: Any
) -> None:
    target = open_ticket(org_a, cast["staff"])
    duplicate = open_ticket(org_a, cast["viewer"], description="Same as the other one")
    theirs = open_ticket(org_b, cast["other_admin"])
    client = client_for(staff)
    merge_url = url("desk_merge", ticket_id=target.pk)
    assert client.post(merge_url, {"duplicate": "x"}).status_code == 422
    # B's ticket of the same number does not exist in A: named as missing.
    assert theirs.number == 1
    refused = client.post(merge_url, {"duplicate": 99}, follow=True)
    assert any("has no ticket #99" in m for m in flash(refused))
    itself = client.post(merge_url, {"duplicate": target.number}, follow=True)
    assert any("into itself" in m for m in flash(itself))
    done = client.post(merge_url, {"duplicate": duplicate.number}, follow=True)
    assert any("merged into" in m for m in flash(done))
    html = done.content.decode()
    assert "Same as the other one" in html
    assert f'id="merged-{duplicate.pk}"' in html
    with all_organizations():
        duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    page = client.get(url("desk_ticket", ticket_id=duplicate.pk)).content.decode()
    assert 'id="merged-into"' in page


def test_bugs_from_the_ticket_page_the_list_and_its_csv(
    org_a: Any, org_b: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"], priority="critical")
    other = open_ticket(org_b, cast["other_admin"])
    theirs = bugs.bug_create(actor=staff, ticket=other, title="=HYPERLINK()", severity="low")
    client = client_for(staff)
    page = client.get(url("desk_ticket", ticket_id=ticket.pk))
    assert page.context["bug_form"].initial == {"title": "Cannot post", "severity": "critical"}
    assert (
        client.post(url("desk_bug_create", ticket_id=ticket.pk), {"title": ""}).status_code == 422
    )
    made = client.post(
        url("desk_bug_create", ticket_id=ticket.pk),
        {"title": "Post button dead", "severity": "critical", "description": ""},
    )
    assert made.status_code == 302
    with all_organizations():
        bug = Bug.all_orgs.get(title="Post button dead")
    # Another organization's bug cannot be linked from this ticket: it is missing here.
    link = url("desk_bug_link", ticket_id=ticket.pk)
    assert client.post(link, {"bug": theirs.pk}).status_code == 404
    assert client.post(link, {"bug": "nope"}).status_code == 404
    unlink_theirs = url("desk_bug_unlink", ticket_id=ticket.pk, bug_id=theirs.pk)
    assert client.post(unlink_theirs).status_code == 404
    second = open_ticket(org_a, cast["viewer"])
    assert (
        client.post(url("desk_bug_link", ticket_id=second.pk), {"bug": bug.pk}).status_code == 302
    )
    assert [t.pk for t in bugs.bug_tickets(bug)] == [ticket.pk, second.pk]

    listing = client.get(url("bug_list"))
    assert [b.pk for b in listing.context["page"].object_list] == [bug.pk, theirs.pk]
    assert listing.context["counts"]["critical"] == 1
    only_a = client.get(url("bug_list") + "?organization=alpha&severity=critical&status=open")
    assert [b.pk for b in only_a.context["page"].object_list] == [bug.pk]
    assert client.get(url("bug_list") + "?severity=bogus&page=zz").status_code == 200
    csv: Any = client.get(url("bug_list") + "?format=csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "organization,bug,title,severity,status,created,fixed,tickets"
    assert lines[1].startswith("alpha,B1,Post button dead,critical,open,")
    assert lines[1].endswith(",2")
    assert "'=HYPERLINK()" in lines[2]

    detail = url("bug_detail", bug_id=bug.pk)
    assert client.post(detail, {"status": "fixed", "severity": "critical"}).status_code == 302
    assert client.get(url("bug_list")).context["counts"]["critical"] == 0
    assert client.post(detail, {"status": "nope"}).status_code == 200


def test_access_from_the_ticket_page(org_a: Any, cast: dict[str, Any], staff: Any) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    client = client_for(staff)
    page = client.get(url("desk_ticket", ticket_id=ticket.pk))
    assert "Request access to Alpha Outreach" in page.content.decode()
    assert page.context["access_form"].initial["reason"].startswith("Support ticket alpha#")
    request_url = url("desk_access_request", ticket_id=ticket.pk)
    too_long = {"role": "viewer", "hours": 200, "reason": "x"}
    assert client.post(request_url, too_long).status_code == 422
    assert client.get(f"/o/{org_a.slug}/").status_code == 404
    asked = client.post(request_url, {"role": "viewer", "hours": 2, "reason": "Look at receipts"})
    assert asked.status_code == 302
    assert client.get(f"/o/{org_a.slug}/").status_code == 200
    with all_organizations():
        link = TicketAccessGrant.all_orgs.get(ticket=ticket)
    html = client.get(url("desk_ticket", ticket_id=ticket.pk)).content.decode()
    assert "Revoke" in html
    assert "Viewer" in html
    revoke = url("desk_access_revoke", ticket_id=ticket.pk, grant_id=link.pk)
    other = open_ticket(org_a, cast["viewer"])
    assert (
        client.post(url("desk_access_revoke", ticket_id=other.pk, grant_id=link.pk)).status_code
        == 404
    )
    assert client.post(revoke).status_code == 302
    assert client.get(f"/o/{org_a.slug}/").status_code == 404
