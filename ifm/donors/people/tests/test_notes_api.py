"""/api/v1/donors/{id}/notes: list, write, change with the version read, delete; the page's
note service behind the API; other organizations' donors and notes are a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ifm.accounts.services import membership_set
from ifm.audit.models import AuditEvent
from ifm.conftest import client_for, make_user
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.models import Donor, DonorNote
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def donor(donors_org: Any) -> Donor:
    return Donor.objects.create(organization=donors_org, first_name="Ana", last_name="Reyes")


@pytest.fixture
def api(donors_org: Any, cast: dict[str, Any]) -> Client:
    return api_client_for(cast["fundraising"], donors_org)


def _notes(donor: Donor) -> str:
    return f"/api/v1/donors/{donor.pk}/notes"


def test_write_list_change_and_delete_a_note(api: Client, donor: Donor, donors_org: Any) -> None:
    created = send_json(api, "POST", _notes(donor), {"body": "  Met at the gala.  "})
    assert created.status_code == 201, created.content
    note = created.json()
    assert (note["body"], note["version"], note["donor_id"]) == ("Met at the gala.", 1, donor.pk)
    assert note["created_by"]
    send_json(api, "POST", _notes(donor), {"body": "Second."})

    listed = api.get(_notes(donor), {"limit": 1})
    assert listed.status_code == 200
    page = listed.json()
    assert [n["body"] for n in page["items"]] == ["Second."]
    assert page["next"]

    url = f"{_notes(donor)}/{note['id']}"
    changed = send_json(api, "PATCH", url, {"body": "Met at the spring gala.", "version": 1})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["body"], changed.json()["version"]) == ("Met at the spring gala.", 2)
    stale = send_json(api, "PATCH", url, {"body": "Overwrite?", "version": 1})
    assert_problem(stale, 409)

    deleted = api.delete(url)
    assert deleted.status_code == 204
    assert not DonorNote.objects.filter(pk=note["id"]).exists()
    assert_problem(api.delete(url), 404)
    with org_context(donors_org):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"donor.note_add", "donor.note_update", "donor.note_delete"} <= actions


def test_the_api_and_the_page_write_the_same_note(
    api: Client, donor: Donor, donors_org: Any, cast: dict[str, Any]
) -> None:
    page = client_for(cast["fundraising"]).post(
        f"/o/{donors_org.slug}/donors/{donor.pk}/notes/", {"body": "From the page."}
    )
    assert page.status_code == 302
    assert [n["body"] for n in api.get(_notes(donor)).json()["items"]] == ["From the page."]


def test_an_empty_or_unknown_body_is_a_422(api: Client, donor: Donor) -> None:
    assert_problem(send_json(api, "POST", _notes(donor), {"body": "   "}), 422)
    assert_problem(send_json(api, "POST", _notes(donor), {"body": "x", "pinned": True}), 422)
    assert_problem(send_json(api, "POST", _notes(donor), {"body": "x" * 5001}), 422)


def test_only_the_author_or_an_admin_changes_a_note(
    donor: Donor, donors_org: Any, cast: dict[str, Any]
) -> None:
    author = api_client_for(cast["fundraising"], donors_org)
    note = send_json(author, "POST", _notes(donor), {"body": "Mine."}).json()
    url = f"{_notes(donor)}/{note['id']}"
    colleague = make_user("second-fundraiser@alpha.test")
    membership_set(organization=donors_org, user=colleague, role=Role.FUNDRAISING)
    other = api_client_for(colleague, donors_org)  # may edit donors, did not write the note
    assert_problem(send_json(other, "PATCH", url, {"body": "Theirs?", "version": 1}), 403)
    assert_problem(other.delete(url), 403)
    admin = api_client_for(cast["admin"], donors_org)
    assert send_json(admin, "PATCH", url, {"body": "Tidied.", "version": 1}).status_code == 200
    viewer = api_client_for(cast["viewer"], donors_org)
    assert viewer.get(_notes(donor)).status_code == 200
    assert_problem(send_json(viewer, "POST", _notes(donor), {"body": "No."}), 403)


def test_another_organizations_donor_or_note_is_a_404(
    api: Client, donor: Donor, org_b: Any, cast: dict[str, Any]
) -> None:
    with org_context(org_b):
        theirs = Donor.objects.create(organization=org_b, first_name="B", last_name="Donor")
        their_note = DonorNote.objects.create(organization=org_b, donor=theirs, body="B's")
    assert_problem(api.get(_notes(theirs)), 404)
    assert_problem(send_json(api, "POST", _notes(theirs), {"body": "x"}), 404)
    # A's donor with B's note, and a note of another donor of A's, are 404s too.
    assert_problem(api.delete(f"{_notes(donor)}/{their_note.pk}"), 404)
    mine = send_json(api, "POST", _notes(donor), {"body": "On Ana."}).json()
    with org_context(donor.organization):
        other = Donor.objects.create(
            organization=donor.organization, first_name="Ben", last_name="Okafor"
        )
    assert_problem(api.delete(f"{_notes(other)}/{mine['id']}"), 404)
    with org_context(org_b):
        assert DonorNote.objects.filter(pk=their_note.pk).exists()


# --- The page's door: the same services -------------------------------------------------------


def test_the_donor_page_edits_and_deletes_a_note(
    donor: Donor, donors_org: Any, cast: dict[str, Any]
) -> None:
    client = client_for(cast["fundraising"])
    base = f"/o/{donors_org.slug}/donors/{donor.pk}/notes/"
    client.post(base, {"body": "First draft."})
    note = DonorNote.objects.get()
    page = client.get(f"/o/{donors_org.slug}/donors/{donor.pk}/").content.decode()
    assert f'action="{base}{note.pk}/edit/"' in page

    saved = client.post(f"{base}{note.pk}/edit/", {"body": "Second draft.", "version": "1"})
    assert saved.status_code == 302
    note.refresh_from_db()
    assert (note.body, note.version) == ("Second draft.", 2)
    stale = client.post(f"{base}{note.pk}/edit/", {"body": "Lost?", "version": "1"}, follow=True)
    assert "changed" in stale.content.decode().lower()
    note.refresh_from_db()
    assert note.body == "Second draft."

    viewer = client_for(cast["viewer"])
    assert viewer.post(f"{base}{note.pk}/delete/").status_code == 403
    assert client.get(f"{base}{note.pk}/delete/").status_code == 405
    assert client.post(f"{base}{note.pk}/delete/").status_code == 302
    assert not DonorNote.objects.exists()
    assert client.post(f"{base}{note.pk}/delete/").status_code == 404
