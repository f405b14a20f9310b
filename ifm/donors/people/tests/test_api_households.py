"""/api/v1/households and the merge endpoints of /api/v1/donors, with real tokens: each
endpoint, another organization's ids (404), refusals (422, 409, 403) that write nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.audit.models import AuditEvent
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors import merge as merge_services
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, Donor, DonorNote, Household
from ifm.donors.models.receipts import TaxReceipt
from ifm.donors.people import households as household_services
from ifm.donors.people import services
from ifm.donors.receipts import issue as receipts
from ifm.tenancy.models import Organization


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def clients(donors_org: Any, cast: dict[str, Any]) -> dict[str, Client]:
    out = {
        role: api_client_for(cast[role], donors_org) for role in ("fundraising", "viewer", "staff")
    }
    out["other_admin"] = api_client_for(cast["other_admin"], Organization.objects.get(slug="beta"))
    return out


@pytest.fixture
def beta_rows(cast: dict[str, Any]) -> dict[str, Any]:
    """A household and a donor of organization B."""
    from ifm.tenancy.models import Membership

    beta = Organization.objects.get(slug="beta")
    with org_context(beta):
        ctx = {
            "organization": beta,
            "actor": cast["other_admin"],
            "access": Membership.objects.get(user=cast["other_admin"]),
        }
        donor = services.donor_create(**ctx, first_name="Bea", last_name="Beta")
        household = household_services.household_create(**ctx, name="Beta Family", members=[donor])
    return {"donor": donor, "household": household}


def _donor(fundraiser: dict[str, Any], **fields: Any) -> Donor:
    fields.setdefault("first_name", "Ann")
    fields.setdefault("last_name", "Smith")
    fields.setdefault("confirm_duplicate", True)
    return services.donor_create(**fundraiser, **fields)


def test_households_create_list_get_and_patch(
    clients: dict[str, Client], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    fr = clients["fundraising"]
    ann = _donor(fundraiser)
    bob = _donor(fundraiser, first_name="Bob")
    gift_services.donation_record(
        **fundraiser,
        donor=ann,
        fund=general_fund,
        amount=Decimal("40.00"),
        date=date.today(),
        method="check",
    )
    created = send_json(
        fr,
        "POST",
        "/api/v1/households",
        {"name": "The Smith Family", "city": "Salem", "member_ids": [ann.pk, bob.pk]},
        HTTP_IDEMPOTENCY_KEY="hh-1",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    household = Household.objects.get()
    assert body["id"] == household.pk
    assert body["city"] == "Salem"
    assert {m["id"] for m in body["members"]} == {ann.pk, bob.pk}
    assert body["giving"] == {
        "this_year_total": "40.00",
        "last_year_total": "0.00",
        "lifetime_total": "40.00",
        "gift_count": 1,
    }
    assert set(household.members.values_list("pk", flat=True)) == {ann.pk, bob.pk}
    replay = send_json(
        fr,
        "POST",
        "/api/v1/households",
        {"name": "The Smith Family", "city": "Salem", "member_ids": [ann.pk, bob.pk]},
        HTTP_IDEMPOTENCY_KEY="hh-1",
    )
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert Household.objects.count() == 1

    household_services.household_create(**fundraiser, name="The Lee Family")
    listed = clients["viewer"].get("/api/v1/households", {"limit": 1})
    assert listed.status_code == 200
    page = listed.json()
    assert [h["name"] for h in page["items"]] == ["The Lee Family"]
    assert page["next"]
    rest = clients["viewer"].get("/api/v1/households", {"limit": 1, "cursor": page["next"]}).json()
    assert [h["name"] for h in rest["items"]] == ["The Smith Family"]
    assert rest["items"][0]["member_count"] == 2
    found = clients["viewer"].get("/api/v1/households", {"q": "smith"}).json()["items"]
    assert [h["id"] for h in found] == [household.pk]

    got = clients["viewer"].get(f"/api/v1/households/{household.pk}")
    assert got.status_code == 200
    assert got.json()["version"] == household.version

    patched = send_json(
        fr,
        "PATCH",
        f"/api/v1/households/{household.pk}",
        {"name": "The Smith-Lee Family", "version": household.version},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "The Smith-Lee Family"
    assert patched.json()["city"] == "Salem"
    household.refresh_from_db()
    assert household.name == "The Smith-Lee Family"

    stale = send_json(
        fr,
        "PATCH",
        f"/api/v1/households/{household.pk}",
        {"name": "Overwritten", "version": household.version - 1},
    )
    assert_problem(stale, 409)
    household.refresh_from_db()
    assert household.name == "The Smith-Lee Family"

    blank = send_json(
        fr,
        "PATCH",
        f"/api/v1/households/{household.pk}",
        {"name": "", "version": household.version},
    )
    assert assert_problem(blank, 422)["errors"][0]["field"] == "name"


def test_households_refusals_write_nothing(
    clients: dict[str, Client], fundraiser: dict[str, Any], beta_rows: dict[str, Any]
) -> None:
    fr = clients["fundraising"]
    theirs = beta_rows["household"].pk
    their_donor = beta_rows["donor"].pk
    bad_member = send_json(
        fr, "POST", "/api/v1/households", {"name": "Mixed", "member_ids": [their_donor]}
    )
    assert assert_problem(bad_member, 422)["errors"][0]["field"] == "member_ids.0"
    assert not Household.objects.exists()
    assert assert_problem(clients["viewer"].get(f"/api/v1/households/{theirs}"), 404)
    patch = send_json(fr, "PATCH", f"/api/v1/households/{theirs}", {"name": "X", "version": 1})
    assert_problem(patch, 404)
    add = send_json(fr, "POST", f"/api/v1/households/{theirs}/members", {"donor_id": 1})
    assert_problem(add, 404)
    remove = send_json(fr, "DELETE", f"/api/v1/households/{theirs}/members/{their_donor}", "")
    assert_problem(remove, 404)
    with org_context(beta_rows["donor"].organization):
        assert Household.objects.get(pk=theirs).name == "Beta Family"
        assert Donor.objects.get(pk=their_donor).household_id == theirs

    viewer_create = send_json(clients["viewer"], "POST", "/api/v1/households", {"name": "V"})
    assert_problem(viewer_create, 403)
    assert_problem(clients["staff"].get("/api/v1/households"), 403)
    assert not Household.objects.exists()


def test_household_members_add_and_remove(
    clients: dict[str, Client], fundraiser: dict[str, Any], beta_rows: dict[str, Any]
) -> None:
    fr = clients["fundraising"]
    ann = _donor(fundraiser)
    household = household_services.household_create(**fundraiser, name="The Smith Family")
    path = f"/api/v1/households/{household.pk}/members"
    added = send_json(fr, "POST", path, {"donor_id": ann.pk})
    assert added.status_code == 200, added.content
    assert [m["id"] for m in added.json()["members"]] == [ann.pk]
    ann.refresh_from_db()
    assert ann.household_id == household.pk

    other_org = send_json(fr, "POST", path, {"donor_id": beta_rows["donor"].pk})
    assert assert_problem(other_org, 422)["errors"][0]["field"] == "donor_id"
    assert household.members.count() == 1
    viewer = send_json(clients["viewer"], "POST", path, {"donor_id": ann.pk})
    assert_problem(viewer, 403)
    unknown = send_json(fr, "DELETE", f"{path}/{beta_rows['donor'].pk}", "")
    assert_problem(unknown, 404)
    assert_problem(send_json(clients["viewer"], "DELETE", f"{path}/{ann.pk}", ""), 403)

    removed = send_json(fr, "DELETE", f"{path}/{ann.pk}", "")
    assert removed.status_code == 200
    assert removed.json()["members"] == []
    ann.refresh_from_db()
    assert ann.household_id is None
    again = send_json(fr, "DELETE", f"{path}/{ann.pk}", "")
    assert again.status_code == 200


def test_merge_and_duplicates(
    clients: dict[str, Client], fundraiser: dict[str, Any], general_fund: Any
) -> None:
    fr = clients["fundraising"]
    keep = _donor(fundraiser, email="ann@example.org", tags=["board"])
    dup = _donor(fundraiser, first_name="Anne", email="ANN@example.org", tags=["gala"])
    gift = gift_services.donation_record(
        **fundraiser,
        donor=dup,
        fund=general_fund,
        amount=Decimal("75.00"),
        date=date.today(),
        method="check",
    )
    receipt = receipts.receipt_issue(**fundraiser, donation=gift)
    services.donor_note_add(**fundraiser, donor=dup, body="Prefers email")

    found = clients["viewer"].get(f"/api/v1/donors/{keep.pk}/duplicates")
    assert found.status_code == 200, found.content
    assert found.json() == {
        "items": [
            {
                "id": dup.pk,
                "name": "Anne Smith",
                "email": "ANN@example.org",
                "phone": "",
                "postal_code": "",
                "reasons": ["same email"],
            }
        ],
        "next": None,
    }

    merged = send_json(fr, "POST", f"/api/v1/donors/{keep.pk}/merge", {"duplicate_id": dup.pk})
    assert merged.status_code == 200, merged.content
    body = merged.json()
    assert body["id"] == keep.pk
    assert body["tags"] == ["board", "gala"]
    assert body["giving"]["lifetime_total"] == "75.00"
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    assert not dup.is_active
    assert Donation.objects.get(pk=gift.pk).donor_id == keep.pk
    assert TaxReceipt.objects.get(pk=receipt.pk).donor_id == keep.pk
    assert DonorNote.objects.get(body="Prefers email").donor_id == keep.pk
    assert AuditEvent.objects.filter(action="donor.merge", object_id=str(keep.pk)).count() == 1
    assert clients["viewer"].get(f"/api/v1/donors/{keep.pk}/duplicates").json()["items"] == []


def test_merge_refusals_write_nothing(
    clients: dict[str, Client], fundraiser: dict[str, Any], beta_rows: dict[str, Any]
) -> None:
    fr = clients["fundraising"]
    ann = _donor(fundraiser)
    bob = _donor(fundraiser, first_name="Bob")
    cy = _donor(fundraiser, first_name="Cy")
    merge_services.donor_merge(**fundraiser, keep=cy, merge=bob)
    events = AuditEvent.objects.count()

    def merge(keep: int, duplicate: int, client: Client = fr) -> Any:
        return send_json(
            client, "POST", f"/api/v1/donors/{keep}/merge", {"duplicate_id": duplicate}
        )

    itself = assert_problem(merge(ann.pk, ann.pk), 422)
    assert itself["errors"][0]["field"] == "duplicate_id"
    already = assert_problem(merge(ann.pk, bob.pk), 422)
    assert already["errors"][0]["field"] == "duplicate_id"
    into_merged = assert_problem(merge(bob.pk, ann.pk), 422)
    assert into_merged["errors"][0]["field"] == "donor_id"
    other_org = assert_problem(merge(ann.pk, beta_rows["donor"].pk), 422)
    assert other_org["errors"][0]["field"] == "duplicate_id"
    assert_problem(merge(beta_rows["donor"].pk, ann.pk), 404)
    assert_problem(clients["viewer"].get(f"/api/v1/donors/{beta_rows['donor'].pk}/duplicates"), 404)
    assert_problem(merge(ann.pk, cy.pk, clients["viewer"]), 403)
    assert_problem(clients["staff"].get(f"/api/v1/donors/{ann.pk}/duplicates"), 403)

    assert AuditEvent.objects.count() == events
    assert Donor.objects.filter(merged_into__isnull=False).count() == 1
    ann.refresh_from_db()
    cy.refresh_from_db()
    assert ann.is_active
    assert cy.is_active
    assert cy.merged_into_id is None
