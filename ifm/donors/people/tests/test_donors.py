"""Donors: create and edit rules, duplicates, households, notes, tags, merge and search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.donors import merge as merge_services
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, Donor, DonorGivingSummary, DonorNote, SoftCredit
from ifm.donors.people import households as household_services
from ifm.donors.people import selectors, services
from ifm.donors.pledges import services as pledge_services


def _fields(exc: ServiceError) -> set[str]:
    return {e["field"] for e in exc.errors}


def test_create_individual_and_organization(fundraiser: dict[str, Any]) -> None:
    ann = services.donor_create(
        **fundraiser,
        first_name="  Ann ",
        last_name="Lee",
        email="Ann.Lee@Example.org",
        phone="(555) 123-4567",
        postal_code="12345-6789",
        tags=["Board", "board", "Major donor"],
        no_mail=True,
    )
    assert ann.name == "Ann Lee"
    assert ann.email_norm == "ann.lee@example.org"
    assert ann.phone_norm == "5551234567"
    assert ann.postal_norm == "12345"
    assert sorted(ann.tags.values_list("name", flat=True)) == ["Board", "Major donor"]
    acme = services.donor_create(**fundraiser, kind="organization", organization_name="Acme Inc")
    assert acme.name == "Acme Inc"
    assert AuditEvent.objects.filter(action="donor.create").count() == 2


def test_create_rules_name_each_field(fundraiser: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.donor_create(**fundraiser, first_name="", last_name="")
    assert _fields(exc.value) == {"last_name"}
    with pytest.raises(ServiceError) as exc:
        services.donor_create(**fundraiser, kind="organization")
    assert _fields(exc.value) == {"organization_name"}
    with pytest.raises(ServiceError) as exc:
        services.donor_create(
            **fundraiser, last_name="X", email="not-an-email", country="USA", kind="alien"
        )
    assert _fields(exc.value) == {"email", "country", "kind"}
    with pytest.raises(ServiceError) as exc:
        services.donor_create(**fundraiser, last_name="X", shoe_size=9)
    assert _fields(exc.value) == {"shoe_size"}
    assert Donor.objects.count() == 0


def test_create_rules_give_each_message_in_field_order(fundraiser: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.donor_create(
            **fundraiser,
            last_name="X",
            kind="alien",
            email="a" * 250 + "@x.org",
            country="1",
            household=999_999,
        )
    assert exc.value.errors == [
        {"field": "kind", "message": "Choose individual or organization."},
        {"field": "email", "message": "At most 254 characters."},
        {"field": "country", "message": "Use a two-letter country code, such as US."},
        {"field": "household_id", "message": "Choose a household of this organization."},
    ]
    with pytest.raises(ServiceError) as exc:
        services.donor_create(**fundraiser, last_name="X", email="no at sign", household="")
    assert exc.value.errors == [
        {"field": "email", "message": "'no at sign' is not an email address."}
    ]
    assert Donor.objects.count() == 0


def test_permissions(donors_org: Any, cast: dict[str, Any]) -> None:
    for role in ("viewer", "staff", "finance"):
        user = cast[role]
        with pytest.raises(PermissionDenied):
            services.donor_create(
                organization=donors_org, actor=user, access=access_of(user), last_name="X"
            )
    admin = cast["admin"]
    services.donor_create(
        organization=donors_org, actor=admin, access=access_of(admin), last_name="X"
    )


@pytest.mark.parametrize(
    "other",
    [
        {"first_name": "Zed", "last_name": "Other", "email": " ANN@example.ORG "},
        {"first_name": "Ann", "last_name": "Lée", "postal_code": "12345"},
        {"first_name": "Zed", "last_name": "Other", "phone": "+1 555.123.4567"},
    ],
    ids=["email", "name+postal", "phone"],
)
def test_duplicates_refused_unless_confirmed(
    fundraiser: dict[str, Any], other: dict[str, Any]
) -> None:
    ann = services.donor_create(
        **fundraiser,
        first_name="Ann",
        last_name="Lee",
        email="ann@example.org",
        phone="555-123-4567",
        postal_code="12345-0001",
    )
    with pytest.raises(ServiceError) as exc:
        services.donor_create(**fundraiser, **other)
    assert _fields(exc.value) == {"duplicate"}
    assert "Ann Lee" in exc.value.message
    assert f"D-{ann.pk}" in exc.value.message
    assert Donor.objects.count() == 1
    found = selectors.donor_duplicates(organization=fundraiser["organization"], **other)
    assert found == [ann]
    services.donor_create(**fundraiser, confirm_duplicate=True, **other)
    assert Donor.objects.count() == 2


def test_no_duplicate_on_different_people_or_other_org(
    fundraiser: dict[str, Any], org_b: Any
) -> None:
    services.donor_create(
        **fundraiser, first_name="Ann", last_name="Lee", email="ann@example.org", postal_code="1"
    )
    services.donor_create(**fundraiser, first_name="Ann", last_name="Lee", postal_code="99999")
    assert selectors.donor_duplicates(organization=org_b, email="ann@example.org") == []
    assert selectors.donor_duplicates(organization=fundraiser["organization"]) == []


def test_update_versioned_and_audited(fundraiser: dict[str, Any]) -> None:
    ann = services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")
    services.donor_update(
        **fundraiser,
        donor=ann,
        expected_version=1,
        email="new@example.org",
        is_deceased=True,
        tags=["X"],
    )
    ann.refresh_from_db()
    assert (ann.email, ann.email_norm, ann.is_deceased, ann.version) == (
        "new@example.org",
        "new@example.org",
        True,
        2,
    )
    assert "new@example.org" in ann.search_text
    with pytest.raises(ConflictError):
        services.donor_update(**fundraiser, donor=ann, expected_version=1, city="Oslo")
    with pytest.raises(ServiceError) as exc:
        services.donor_update(
            **fundraiser, donor=ann, expected_version=2, first_name="", last_name=""
        )
    assert _fields(exc.value) == {"last_name"}
    event = AuditEvent.objects.filter(action="donor.update").get()
    assert event.changes["email"]["after"] == "new@example.org"
    assert event.changes["tags"] == {"before": [], "after": ["X"]}


def test_households_and_notes(fundraiser: dict[str, Any], org_b: Any) -> None:
    ann = services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")
    bob = services.donor_create(**fundraiser, first_name="Bob", last_name="Lee")
    home = household_services.household_create(
        **fundraiser, name="The Lee Family", city="Springfield", members=[ann, bob]
    )
    assert set(home.members.all()) == {ann, bob}
    household_services.household_set_members(**fundraiser, household=home, remove=[bob])
    assert list(home.members.all()) == [ann]
    with pytest.raises(ServiceError) as exc:
        household_services.household_create(**fundraiser, name=" ")
    assert _fields(exc.value) == {"name"}
    note = services.donor_note_add(**fundraiser, donor=ann, body="Prefers phone calls.")
    assert list(ann.notes.all()) == [note]
    with pytest.raises(ServiceError):
        services.donor_note_add(**fundraiser, donor=ann, body="  ")
    with org_context(org_b):
        other = Donor.objects.create(organization=org_b, last_name="B")
    with pytest.raises(ServiceError) as exc:
        services.donor_note_add(**fundraiser, donor=other.pk, body="leak")
    assert _fields(exc.value) == {"donor_id"}


def test_merge_moves_everything(fundraiser: dict[str, Any], general_fund: Any) -> None:
    keep = services.donor_create(**fundraiser, first_name="Ann", last_name="Lee", tags=["A"])
    dupe = services.donor_create(
        **fundraiser,
        first_name="Anne",
        last_name="Lee",
        email="anne@example.org",
        tags=["B"],
    )
    third = services.donor_create(**fundraiser, first_name="Cy", last_name="Third")
    today = date.today()
    g1 = gift_services.donation_record(
        **fundraiser, donor=dupe, amount="100.00", date=today, method="cash", fund=general_fund
    )
    gift_services.donation_record(
        **fundraiser, donor=keep, amount="40.00", date=today, method="cash", fund=general_fund
    )
    # A gift of the third donor soft-credited to both: the merged donor's credit is dropped.
    g3 = gift_services.donation_record(
        **fundraiser,
        donor=third,
        amount="10.00",
        date=today,
        method="cash",
        fund=general_fund,
        soft_credits=[(keep, None), (dupe, "5.00")],
    )
    services.donor_note_add(**fundraiser, donor=dupe, body="Old note")
    home = household_services.household_create(**fundraiser, name="Lees", members=[dupe])
    pledge = pledge_services.pledge_create(
        **fundraiser, donor=dupe, total="500.00", date=today, fund=general_fund
    )

    kept = merge_services.donor_merge(**fundraiser, keep=keep, merge=dupe)

    dupe.refresh_from_db()
    assert dupe.merged_into == kept
    assert not dupe.is_active
    assert Donation.objects.get(pk=g1.pk).donor_id == keep.pk
    assert DonorNote.objects.get().donor_id == keep.pk
    assert list(SoftCredit.objects.filter(donation=g3).values_list("donor_id", flat=True)) == [
        keep.pk
    ]
    pledge.refresh_from_db()
    assert pledge.donor_id == keep.pk
    assert sorted(kept.tags.values_list("name", flat=True)) == ["A", "B"]
    assert kept.email == "anne@example.org"
    assert kept.household == home
    assert dupe.household is None  # the household counts the kept donor only
    assert list(home.members.all()) == [keep]
    summary = DonorGivingSummary.objects.get(donor=keep)
    assert (summary.lifetime_total, summary.gift_count) == (Decimal("140.00"), 2)
    assert DonorGivingSummary.objects.get(donor=dupe).gift_count == 0
    event = AuditEvent.objects.get(action="donor.merge")
    assert event.changes["merged"]["id"] == dupe.pk
    assert event.changes["moved"]["donors.donation"] == 1
    # merged donors leave search and duplicate matching; cannot merge twice or into itself
    assert list(selectors.donor_search("Anne")) == [keep]  # by the email it took over
    assert selectors.donor_duplicates(
        organization=fundraiser["organization"], email="anne@example.org"
    ) == [keep]
    with pytest.raises(ServiceError):
        merge_services.donor_merge(**fundraiser, keep=keep, merge=dupe)
    with pytest.raises(ServiceError):
        merge_services.donor_merge(**fundraiser, keep=keep, merge=keep)


def test_search_by_name_email_phone_postal(fundraiser: dict[str, Any]) -> None:
    ann = services.donor_create(
        **fundraiser,
        first_name="Ann",
        last_name="Lee",
        email="ann@example.org",
        phone="555-123-4567",
        postal_code="12345",
    )
    acme = services.donor_create(**fundraiser, kind="organization", organization_name="Acme Inc")
    services.donor_create(**fundraiser, first_name="Old", last_name="Gone", is_active=False)
    assert list(selectors.donor_search("ann lee")) == [ann]
    assert list(selectors.donor_search("LEE")) == [ann]
    assert list(selectors.donor_search("example.org")) == [ann]
    assert list(selectors.donor_search("(555) 123-4567")) == [ann]
    assert list(selectors.donor_search("1234567")) == [ann]
    assert list(selectors.donor_search("12345")) == [ann]
    assert list(selectors.donor_search("acme")) == [acme]
    assert list(selectors.donor_search("nobody")) == []
    assert list(selectors.donor_search("gone")) == []
    assert len(selectors.donor_search("gone", include_inactive=True)) == 1
    assert len(selectors.donor_search("")) == 2


def test_search_uses_the_trigram_index_on_postgresql(fundraiser: dict[str, Any]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    ann = services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")
    # Under row-level security, as the app role, with no function marked LEAKPROOF: with
    # sequential scans off the search must reach for the trigram index of the search table
    # (migration 0011), in the organization and across all organizations alike. The index's
    # scans of this transaction are counted by the server (pg_stat_get_xact_numscans).
    count_scans = (
        "SELECT pg_stat_get_xact_numscans(c.oid) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'ifm_search' AND c.relname = 'donor_org_search'"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(count_scans)
        before = cursor.fetchone()[0]
        assert list(selectors.donor_search("lee")) == [ann]
        cursor.execute(count_scans)
        in_org = cursor.fetchone()[0]
        with all_organizations():
            assert list(Donor.all_orgs.filter(pk__in=selectors.donor_search("lee"))) == [ann]
        cursor.execute(count_scans)
        across = cursor.fetchone()[0]
    assert in_org > before
    assert across > in_org
