"""Household pages (list, new, detail with members, giving and versioned edit, a donor joining
and leaving) and the donor merge pages (compare, confirm, refusals, possible duplicates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.donors import merge as merge_services
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, Donor, DonorEmail, DonorNote, Household
from ifm.donors.models.receipts import TaxReceipt
from ifm.donors.people import households as household_services
from ifm.donors.people import services
from ifm.donors.receipts import issue as receipts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/{rest}"


def _donor(fundraiser: dict[str, Any], **fields: Any) -> Donor:
    fields.setdefault("first_name", "Ann")
    fields.setdefault("last_name", "Smith")
    fields.setdefault("confirm_duplicate", True)
    return services.donor_create(**fundraiser, **fields)


def _gift(fundraiser: dict[str, Any], donor: Donor, fund: Any, amount: str, day: date) -> Donation:
    return gift_services.donation_record(
        **fundraiser, donor=donor, fund=fund, amount=Decimal(amount), date=day, method="check"
    )


def _household(fundraiser: dict[str, Any], name: str = "The Smith Family", **kw: Any) -> Household:
    return household_services.household_create(**fundraiser, name=name, **kw)


# --- Households --------------------------------------------------------------------------------


def test_list_empty_state_search_pagination_and_permissions(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    client = client_for(cast["fundraising"])
    page = client.get(url(donors_org, "households/"))
    assert page.status_code == 200
    assert b"No households yet" in page.content
    assert b"New household" in page.content
    assert f'href="{url(donors_org, "households/")}"'.encode() in page.content  # the tab
    for i in range(27):
        _household(fundraiser, name=f"Family {i:02d}")
    _household(fundraiser, name="The Okafor Household")
    first = client.get(url(donors_org, "households/")).content.decode()
    assert "28 households" in first
    assert "Page 1 of 2" in first
    assert "Family 00" in first
    assert "The Okafor Household" not in first
    second = client.get(url(donors_org, "households/"), {"page": "2"}).content.decode()
    assert "The Okafor Household" in second
    found = client.get(url(donors_org, "households/"), {"q": "okafor"}).content.decode()
    assert "The Okafor Household" in found
    assert "Family 01" not in found
    none = client.get(url(donors_org, "households/"), {"q": "zzz"}).content.decode()
    assert "No households match" in none
    partial = client.get(url(donors_org, "households/"), {"q": "okafor"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b"The Okafor Household" in partial.content

    viewer = client_for(cast["viewer"])
    assert viewer.get(url(donors_org, "households/")).status_code == 200
    assert b"New household" not in viewer.get(url(donors_org, "households/")).content
    assert viewer.get(url(donors_org, "households/new/")).status_code == 403
    assert client_for(cast["staff"]).get(url(donors_org, "households/")).status_code == 403


def test_create_a_household_with_its_first_members(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    ann = _donor(fundraiser, postal_code="02139", address_line1="1 Elm St", city="Cambridge")
    bob = _donor(fundraiser, first_name="Bob")
    client = client_for(cast["fundraising"])
    form = client.get(url(donors_org, "households/new/"), {"donor": ann.pk}).content.decode()
    assert "The Smith Family" in form
    assert "1 Elm St" in form
    assert f"D-{ann.pk}" in form
    assert 'hx-get="' + url(donors_org, "pick/") + '"' in form

    response = client.post(
        url(donors_org, "households/new/"),
        {
            "name": "The Smith Family",
            "address_line1": "1 Elm St",
            "city": "Cambridge",
            "postal_code": "02139",
            "member_1": str(ann.pk),
            "member_2": str(bob.pk),
        },
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(donors_org, f"households/{household.pk}/")
    assert (household.name, household.city, household.postal_code) == (
        "The Smith Family",
        "Cambridge",
        "02139",
    )
    assert set(household.members.values_list("pk", flat=True)) == {ann.pk, bob.pk}
    assert AuditEvent.objects.filter(
        action="household.create", object_id=str(household.pk)
    ).exists()

    empty = client.post(url(donors_org, "households/new/"), {"name": "  "})
    assert empty.status_code == 422
    assert Household.objects.count() == 1


def test_detail_members_giving_add_and_remove(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    today = date.today()
    ann = _donor(fundraiser)
    bob = _donor(fundraiser, first_name="Bob", email="bob@example.org")
    cy = _donor(fundraiser, first_name="Cy", last_name="Jones")
    _gift(fundraiser, ann, general_fund, "100.00", today)
    _gift(fundraiser, bob, general_fund, "50.00", today)
    _gift(fundraiser, bob, general_fund, "25.00", today.replace(year=today.year - 1, day=1))
    _gift(fundraiser, cy, general_fund, "999.00", today)  # not a member
    household = _household(fundraiser, members=[ann, bob])
    client = client_for(cast["fundraising"])
    detail = url(donors_org, f"households/{household.pk}/")

    page = client.get(detail).content.decode()
    assert 'id="giving-this-year">150.00<' in page
    assert 'id="giving-last-year">25.00<' in page
    assert 'id="giving-lifetime">175.00<' in page
    assert "Bob Smith" in page
    assert "Cy Jones" not in page

    members = url(donors_org, f"households/{household.pk}/members/")
    added = client.post(members, {"action": "add", "donor": str(cy.pk), "donor_text": "Cy"})
    assert added.status_code == 302
    cy.refresh_from_db()
    assert cy.household_id == household.pk
    assert "1,149.00" in client.get(detail).content.decode()

    removed = client.post(members, {"action": "remove", "donor": str(bob.pk)})
    assert removed.status_code == 302
    bob.refresh_from_db()
    assert bob.household_id is None
    assert AuditEvent.objects.filter(action="household.members").count() == 2

    # Typed but not picked (no JavaScript): the matches are offered, nothing is written.
    typed = client.post(members, {"action": "add", "donor": "", "donor_text": "bob@example"})
    assert typed.status_code == 422
    assert b"Add Bob Smith" in typed.content
    bob.refresh_from_db()
    assert bob.household_id is None

    viewer = client_for(cast["viewer"])
    assert b"Remove" not in viewer.get(detail).content
    assert viewer.post(members, {"action": "remove", "donor": str(ann.pk)}).status_code == 403
    ann.refresh_from_db()
    assert ann.household_id == household.pk


def test_edit_saves_with_the_version_and_refuses_a_stale_one(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    household = _household(fundraiser, city="Boston")
    client = client_for(cast["fundraising"])
    edit = url(donors_org, f"households/{household.pk}/edit/")
    read_version = household.version
    saved = client.post(
        edit, {"name": "The Smith-Lee Family", "city": "Salem", "version": str(read_version)}
    )
    assert saved.status_code == 302
    household.refresh_from_db()
    assert (household.name, household.city, household.version) == (
        "The Smith-Lee Family",
        "Salem",
        read_version + 1,
    )
    assert AuditEvent.objects.filter(action="household.update").count() == 1

    stale = client.post(edit, {"name": "Overwritten", "version": str(read_version)})
    assert stale.status_code == 409
    assert b"was changed by" in stale.content
    assert b"Nothing was saved" in stale.content
    household.refresh_from_db()
    assert household.name == "The Smith-Lee Family"
    assert household.version == read_version + 1
    assert client_for(cast["viewer"]).post(edit, {"name": "X", "version": "2"}).status_code == 403


def test_profile_household_card_join_and_leave(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    ann = _donor(fundraiser)
    household = _household(fundraiser, name="The Lee Family")
    client = client_for(cast["fundraising"])
    profile = client.get(url(donors_org, f"{ann.pk}/")).content.decode()
    assert "Add to a household" in profile
    assert "Leave household" not in profile

    choose = client.get(url(donors_org, f"{ann.pk}/household/")).content.decode()
    assert "The Lee Family" in choose
    assert "New household with Ann Smith" in choose
    joined = client.post(
        url(donors_org, f"{ann.pk}/household/"), {"action": "join", "household": household.pk}
    )
    assert joined.status_code == 302
    ann.refresh_from_db()
    assert ann.household_id == household.pk
    profile = client.get(url(donors_org, f"{ann.pk}/")).content.decode()
    assert f'href="{url(donors_org, f"households/{household.pk}/")}"' in profile
    assert "Leave household" in profile

    left = client.post(url(donors_org, f"{ann.pk}/household/"), {"action": "leave"})
    assert left.status_code == 302
    ann.refresh_from_db()
    assert ann.household_id is None
    assert (
        client_for(cast["viewer"]).get(url(donors_org, f"{ann.pk}/household/")).status_code == 403
    )


# --- Merge -------------------------------------------------------------------------------------


def test_merge_moves_gifts_receipts_tags_notes_and_contacts(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    keep = _donor(fundraiser, email="ann@example.org", tags=["board"])
    dup = _donor(
        fundraiser,
        first_name="Anne",
        email="anne.smith@example.org",
        phone="617-555-0101",
        tags=["gala"],
    )
    gift = _gift(fundraiser, dup, general_fund, "80.00", date.today())
    receipt = receipts.receipt_issue(**fundraiser, donation=gift)
    services.donor_note_add(**fundraiser, donor=dup, body="Met at the gala")
    client = client_for(cast["fundraising"])
    merge = url(donors_org, f"{keep.pk}/merge/")

    picker = client.get(merge).content.decode()
    assert 'hx-get="' + url(donors_org, "pick/") + '"' in picker
    preview = client.get(merge, {"duplicate": dup.pk}).content.decode()
    assert "Gifts: 1" in preview
    assert "Receipts: 1" in preview
    assert "Notes: 1" in preview
    assert "Tags: gala" in preview
    assert "anne.smith@example.org" in preview
    assert Donation.objects.get(pk=gift.pk).donor_id == dup.pk  # a preview writes nothing

    done = client.post(merge, {"duplicate": str(dup.pk)})
    assert done.status_code == 302
    assert done["Location"] == url(donors_org, f"{keep.pk}/")
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    assert not dup.is_active
    assert Donation.objects.get(pk=gift.pk).donor_id == keep.pk
    assert TaxReceipt.objects.get(pk=receipt.pk).donor_id == keep.pk
    assert DonorNote.objects.get(body="Met at the gala").donor_id == keep.pk
    assert set(keep.tags.values_list("name", flat=True)) == {"board", "gala"}
    emails = set(DonorEmail.objects.filter(donor=keep).values_list("email", flat=True))
    assert emails == {"ann@example.org", "anne.smith@example.org"}
    assert keep.phones.filter(phone_norm__endswith="6175550101").exists()
    event = AuditEvent.objects.get(action="donor.merge")
    assert event.object_id == str(keep.pk)
    assert event.changes["merged"]["id"] == dup.pk
    # The merged donor's page leads to the kept one.
    old = client.get(url(donors_org, f"{dup.pk}/"))
    assert old.status_code == 302
    assert old["Location"] == url(donors_org, f"{keep.pk}/")


def test_merge_into_itself_or_of_a_merged_donor_is_refused_and_writes_nothing(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    keep = _donor(fundraiser)
    gift = _gift(fundraiser, keep, general_fund, "10.00", date.today())
    client = client_for(cast["fundraising"])
    events = AuditEvent.objects.count()
    itself = client.post(url(donors_org, f"{keep.pk}/merge/"), {"duplicate": str(keep.pk)})
    assert itself.status_code == 422
    assert b"Choose two different donors" in itself.content
    keep.refresh_from_db()
    assert keep.merged_into_id is None
    assert keep.is_active
    assert Donation.objects.get(pk=gift.pk).donor_id == keep.pk
    assert AuditEvent.objects.count() == events

    other = _donor(fundraiser, first_name="Bob")
    third = _donor(fundraiser, first_name="Cy")
    merge_services.donor_merge(**fundraiser, keep=third, merge=other)
    events = AuditEvent.objects.count()
    again = client.post(url(donors_org, f"{keep.pk}/merge/"), {"duplicate": str(other.pk)})
    assert again.status_code == 422
    assert b"already merged" in again.content
    other.refresh_from_db()
    assert other.merged_into_id == third.pk
    assert AuditEvent.objects.count() == events

    viewer = client_for(cast["viewer"])
    assert viewer.get(url(donors_org, f"{keep.pk}/merge/")).status_code == 403
    assert (
        viewer.post(url(donors_org, f"{keep.pk}/merge/"), {"duplicate": third.pk}).status_code
        == 403
    )
    third.refresh_from_db()
    assert third.merged_into_id is None


def test_possible_duplicates_on_the_profile_and_the_donor_form(
    donors_org: Any, cast: dict[str, Any], fundraiser: dict[str, Any]
) -> None:
    ann = _donor(fundraiser, email="ann@example.org")
    twin = _donor(fundraiser, first_name="Annie", email="ANN@example.org")
    _donor(fundraiser, first_name="Bob", last_name="Jones", email="bob@example.org")
    client = client_for(cast["fundraising"])
    profile = client.get(url(donors_org, f"{ann.pk}/")).content.decode()
    assert url(donors_org, f"{ann.pk}/duplicates/") in profile
    assert "Merge a duplicate into this donor" in profile

    section = client.get(url(donors_org, f"{ann.pk}/duplicates/")).content.decode()
    assert "Annie Smith" in section
    assert "same email" in section
    assert "Bob Jones" not in section
    assert f"{url(donors_org, f'{ann.pk}/merge/')}?duplicate={twin.pk}" in section
    viewer_section = client_for(cast["viewer"]).get(url(donors_org, f"{ann.pk}/duplicates/"))
    assert b"Annie Smith" in viewer_section.content
    assert b"?duplicate=" not in viewer_section.content

    warning = client.post(
        url(donors_org, "new/"),
        {"kind": "individual", "last_name": "X", "email": "ann@example.org"},
    ).content.decode()
    assert "This may be a donor you already have" in warning
    assert url(donors_org, f"{ann.pk}/merge/") in warning
    edit = client.post(
        url(donors_org, f"{twin.pk}/edit/"),
        {
            "kind": "individual",
            "first_name": "Annie",
            "last_name": "Smith",
            "email": "ann@example.org",
        },
    ).content.decode()
    assert f"{url(donors_org, f'{twin.pk}/merge/')}?duplicate={ann.pk}" in edit
