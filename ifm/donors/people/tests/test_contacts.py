"""A donor's several emails, phones and addresses: the primary one kept in the donor's columns,
duplicate matching and search by secondary ones, merge, the API's replace semantics, the
profile page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors import merge as merge_services
from ifm.donors.models import Donor, DonorAddress, DonorEmail, DonorPhone
from ifm.donors.people import contacts, selectors, services

pytestmark = pytest.mark.django_db


def _ann(fundraiser: dict[str, Any], **extra: Any) -> Donor:
    fields = {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann@example.org",
        "phone": "555-123-4567",
        "address_line1": "1 Main St",
        "city": "Springfield",
        "postal_code": "12345",
    } | extra
    return services.donor_create(**fundraiser, **fields)


def _primary(model: Any, donor: Donor) -> Any:
    return model.objects.get(donor=donor, is_primary=True)


def test_create_writes_the_primary_rows_equal_to_the_columns(fundraiser: dict[str, Any]) -> None:
    ann = _ann(fundraiser)
    assert _primary(DonorEmail, ann).email == "ann@example.org"
    assert _primary(DonorEmail, ann).email_norm == "ann@example.org"
    assert _primary(DonorPhone, ann).phone_norm == "5551234567"
    address = _primary(DonorAddress, ann)
    assert (address.address_line1, address.city, address.postal_code) == (
        "1 Main St",
        "Springfield",
        "12345",
    )
    bare = services.donor_create(**fundraiser, first_name="No", last_name="Contact")
    assert not DonorEmail.objects.filter(donor=bare).exists()
    assert not DonorAddress.objects.filter(donor=bare).exists()


def test_add_set_primary_remove_keep_the_columns_in_sync(fundraiser: dict[str, Any]) -> None:
    ann = _ann(fundraiser)
    version = Donor.objects.get(pk=ann.pk).version
    work = contacts.donor_email_add(
        **fundraiser, donor=ann, email="Ann@Work.example", label="work", expected_version=version
    )
    ann.refresh_from_db()
    assert ann.version == version + 1  # the donor is saved versioned
    assert ann.email == "ann@example.org"  # a secondary does not change the primary
    assert work.email_norm == "ann@work.example"
    assert not work.is_primary

    # A stale version is a conflict, and nothing is written.
    with pytest.raises(ConflictError):
        contacts.donor_email_add(
            **fundraiser, donor=ann, email="stale@example.org", expected_version=version
        )
    assert not DonorEmail.objects.filter(email_norm="stale@example.org").exists()

    contacts.donor_email_set_primary(**fundraiser, donor=ann, contact=work)
    ann.refresh_from_db()
    assert ann.email == "Ann@Work.example"
    assert ann.email_norm == "ann@work.example"
    assert _primary(DonorEmail, ann).pk == work.pk
    assert DonorEmail.objects.filter(donor=ann, is_primary=True).count() == 1

    # Removing the primary promotes the next one into the donor's columns.
    contacts.donor_email_remove(**fundraiser, donor=ann, contact=work)
    ann.refresh_from_db()
    assert ann.email == "ann@example.org"
    assert _primary(DonorEmail, ann).email == "ann@example.org"
    contacts.donor_email_remove(**fundraiser, donor=ann, contact=_primary(DonorEmail, ann))
    ann.refresh_from_db()
    assert ann.email == ""
    assert ann.email_norm == ""
    assert not DonorEmail.objects.filter(donor=ann).exists()

    # Editing the primary phone edits the column; an address added as primary replaces it.
    phone = _primary(DonorPhone, ann)
    contacts.donor_phone_update(**fundraiser, donor=ann, contact=phone, phone="(555) 999-0000")
    ann.refresh_from_db()
    assert (ann.phone, ann.phone_norm) == ("(555) 999-0000", "5559990000")
    contacts.donor_address_add(
        **fundraiser, donor=ann, address_line1="9 Lake Rd", city="Shelbyville", is_primary=True
    )
    ann.refresh_from_db()
    assert (ann.address_line1, ann.city, ann.postal_code) == ("9 Lake Rd", "Shelbyville", "")
    assert DonorAddress.objects.filter(donor=ann).count() == 2
    actions = set(AuditEvent.objects.filter(object_id=str(ann.pk)).values_list("action", flat=True))
    assert {"donor.email_add", "donor.email_set_primary", "donor.email_remove"} <= actions


def test_editing_the_donor_column_moves_the_primary_row(fundraiser: dict[str, Any]) -> None:
    ann = _ann(fundraiser)
    contacts.donor_email_add(**fundraiser, donor=ann, email="second@example.org")
    ann.refresh_from_db()
    services.donor_update(
        **fundraiser, donor=ann, expected_version=ann.version, email="second@example.org"
    )
    rows = {e.email: e.is_primary for e in DonorEmail.objects.filter(donor=ann)}
    # The secondary that became the column is now the primary; the old primary stays.
    assert rows == {"second@example.org": True, "ann@example.org": False}


def test_bad_contact_input_names_the_field(fundraiser: dict[str, Any]) -> None:
    ann = _ann(fundraiser)
    with pytest.raises(ServiceError) as exc:
        contacts.donor_email_add(**fundraiser, donor=ann, email="not an email")
    assert exc.value.errors[0]["field"] == "email"
    with pytest.raises(ServiceError) as exc:
        contacts.donor_email_add(**fundraiser, donor=ann, email="ANN@example.org")
    assert "already has" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        contacts.donor_phone_add(**fundraiser, donor=ann, phone="12")
    assert exc.value.errors[0]["field"] == "phone"
    assert DonorPhone.objects.filter(donor=ann).count() == 1


def test_a_secondary_email_or_phone_is_a_duplicate_on_create(fundraiser: dict[str, Any]) -> None:
    ann = _ann(fundraiser)
    contacts.donor_email_add(**fundraiser, donor=ann, email="ann.lee@work.example")
    contacts.donor_phone_add(**fundraiser, donor=ann, phone="555-777-8888", label="mobile")
    with pytest.raises(ServiceError) as exc:
        services.donor_create(
            **fundraiser, first_name="A.", last_name="Lee-Smith", email="ANN.LEE@work.example "
        )
    assert exc.value.errors[0]["field"] == "duplicate"
    assert ann.reference in exc.value.message
    with pytest.raises(ServiceError):
        services.donor_create(**fundraiser, first_name="Someone", phone="+1 555 777 8888")
    # The new donor's own secondary email is compared too.
    with pytest.raises(ServiceError):
        services.donor_create(
            **fundraiser,
            first_name="Other",
            emails=[{"email": "fresh@example.org"}, {"email": "ann.lee@work.example"}],
        )
    assert Donor.objects.count() == 1
    matches = selectors.donor_duplicates(
        organization=fundraiser["organization"], email="ann.lee@work.example"
    )
    assert matches == [ann]
    assert selectors.duplicate_reasons(ann, {"email": "ann.lee@work.example"}) == ["same email"]


def test_search_finds_a_donor_by_a_secondary_phone_or_email(fundraiser: dict[str, Any]) -> None:
    ann = _ann(fundraiser)
    _ann(fundraiser, first_name="Bob", email="bob@example.org", phone="", confirm_duplicate=True)
    contacts.donor_phone_add(**fundraiser, donor=ann, phone="(555) 246-8100", label="work")
    contacts.donor_email_add(**fundraiser, donor=ann, email="lee.ann@mail.example")
    assert list(selectors.donor_search("555-246-8100")) == [ann]
    assert list(selectors.donor_search("2468100")) == [ann]
    assert list(selectors.donor_search("lee.ann@mail")) == [ann]
    # Removed: no longer found.
    contacts.donor_phone_remove(
        **fundraiser, donor=ann, contact=DonorPhone.objects.get(phone_norm="5552468100")
    )
    assert list(selectors.donor_search("555-246-8100")) == []


def test_merge_moves_the_contacts(fundraiser: dict[str, Any]) -> None:
    keep = _ann(fundraiser, phone="")
    merge = services.donor_create(
        **fundraiser,
        confirm_duplicate=True,
        first_name="Ann",
        last_name="Lee",
        email="ann@example.org",  # the same as keep's: kept once
        phone="555-333-4444",
        address_line1="2 Elm St",
        city="Ogdenville",
    )
    contacts.donor_email_add(**fundraiser, donor=merge, email="ann@old.example")
    merge_services.donor_merge(**fundraiser, keep=keep, merge=merge)
    keep.refresh_from_db()
    assert sorted(DonorEmail.objects.filter(donor=keep).values_list("email", "is_primary")) == [
        ("ann@example.org", True),
        ("ann@old.example", False),
    ]
    # keep had no phone: merge's became keep's primary one, in the column too.
    assert keep.phone == "555-333-4444"
    assert _primary(DonorPhone, keep).phone == "555-333-4444"
    addresses = DonorAddress.objects.filter(donor=keep)
    assert sorted(addresses.values_list("address_line1", "is_primary")) == [
        ("1 Main St", True),
        ("2 Elm St", False),
    ]
    assert not DonorEmail.objects.filter(donor=merge).exists()
    assert not DonorPhone.objects.filter(donor=merge).exists()
    assert list(selectors.donor_search("ann@old.example")) == [keep]


def test_merge_audits_what_moved_and_what_was_filled(fundraiser: dict[str, Any]) -> None:
    keep = _ann(fundraiser, phone="", city="")
    merge = services.donor_create(
        **fundraiser,
        confirm_duplicate=True,
        first_name="Ann",
        last_name="Lee",
        email="ann@example.org",
        phone="555-333-4444",
        address_line1="2 Elm St",
        city="Ogdenville",
        state="IL",
        salutation="Dear Ann",
    )
    contacts.donor_email_add(**fundraiser, donor=merge, email="ann@old.example")
    services.donor_note_add(**fundraiser, donor=merge, body="Met at the gala")
    merge_services.donor_merge(**fundraiser, keep=keep, merge=merge)
    event = AuditEvent.objects.get(action="donor.merge")
    assert event.object_id == str(keep.pk)
    assert event.changes == {
        "merged": {"id": merge.pk, "name": "Ann Lee", "email": "ann@example.org"},
        "moved": {
            "donors.donornote": 1,
            "donors.donoremail": 1,
            "donors.donorphone": 1,
            "donors.donoraddress": 1,
        },
        "filled": ["phone", "city", "state", "salutation"],
    }


def test_merge_refusals_name_their_field(fundraiser: dict[str, Any]) -> None:
    keep = _ann(fundraiser)
    merge = services.donor_create(**fundraiser, first_name="Bo", last_name="Ray")
    other = services.donor_create(**fundraiser, first_name="Cy", last_name="Fox")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"keep": 999_999, "merge": merge}, "keep_id", "No such donor."),
        ({"keep": keep, "merge": 999_999}, "merge_id", "No such donor."),
        ({"keep": keep, "merge": keep.pk}, "merge_id", "Choose two different donors."),
    ]
    for donors, field, message in cases:
        with pytest.raises(ServiceError) as exc:
            merge_services.donor_merge(**fundraiser, **donors)
        assert exc.value.errors == [{"field": field, "message": message}]
    merge_services.donor_merge(**fundraiser, keep=keep, merge=merge)
    twice: list[dict[str, Any]] = [{"keep": merge, "merge": other}, {"keep": other, "merge": merge}]
    for donors in twice:
        with pytest.raises(ServiceError) as exc:
            merge_services.donor_merge(**fundraiser, **donors)
        assert exc.value.errors == [
            {"field": "merge_id", "message": "One of these donors was already merged."}
        ]


# --- API -----------------------------------------------------------------------------------------


@pytest.fixture
def client(donors_org: Any, cast: dict[str, Any]) -> Client:
    return api_client_for(cast["fundraising"], donors_org)


def test_api_get_lists_and_post_creates_them(client: Client) -> None:
    body = {
        "first_name": "Cy",
        "last_name": "Young",
        "emails": [
            {"email": "cy@home.example"},
            {"email": "cy@work.example", "label": "work", "is_primary": True},
        ],
        "phones": [{"phone": "555-100-2000", "label": "mobile"}],
        "addresses": [
            {"address_line1": "5 Oak Ave", "city": "Capital City", "postal_code": "54321"}
        ],
    }
    response = send_json(client, "POST", "/api/v1/donors", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "cy@work.example"
    assert data["phone"] == "555-100-2000"
    assert data["address_line1"] == "5 Oak Ave"
    assert [(e["email"], e["is_primary"]) for e in data["emails"]] == [
        ("cy@work.example", True),
        ("cy@home.example", False),
    ]
    assert data["phones"][0]["label"] == "mobile"
    assert data["addresses"][0]["postal_code"] == "54321"
    got = client.get(f"/api/v1/donors/{data['id']}").json()
    assert got["emails"] == data["emails"]


def test_api_patch_replaces_the_lists(client: Client) -> None:
    data = send_json(
        client,
        "POST",
        "/api/v1/donors",
        {"first_name": "Di", "last_name": "Ray", "email": "di@a.example", "phone": "5551112222"},
    ).json()
    donor_id = data["id"]
    response = send_json(
        client,
        "PATCH",
        f"/api/v1/donors/{donor_id}",
        {
            "version": data["version"],
            "emails": [{"email": "di@b.example"}, {"email": "di@c.example", "label": "work"}],
            "phones": [],
        },
    )
    assert response.status_code == 200, response.content
    out = response.json()
    assert [e["email"] for e in out["emails"]] == ["di@b.example", "di@c.example"]
    assert out["email"] == "di@b.example"
    assert out["phones"] == []
    assert out["phone"] == ""
    donor = Donor.objects.get(pk=donor_id)
    assert (donor.email, donor.email_norm, donor.phone_norm) == ("di@b.example", "di@b.example", "")
    assert not DonorEmail.objects.filter(email_norm="di@a.example").exists()
    assert list(selectors.donor_search("di@c.example")) == [donor]
    # Not given: left alone.
    again = send_json(
        client,
        "PATCH",
        f"/api/v1/donors/{donor_id}",
        {"version": out["version"], "salutation": "Di"},
    ).json()
    assert [e["email"] for e in again["emails"]] == ["di@b.example", "di@c.example"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"emails": [{"email": "ok@x.example"}, {"email": "nope"}]}, "emails[1].email"),
        ({"emails": [{"email": "a@x.example"}, {"email": "A@x.example"}]}, "emails[1].email"),
        (
            {
                "emails": [{"email": "a@x.example", "is_primary": True}] * 1
                + [{"email": "b@x.example", "is_primary": True}]
            },
            "emails[1].is_primary",
        ),
        ({"phones": [{"phone": "12"}]}, "phones[0].phone"),
        ({"phones": [{"phone": "5551234567", "label": "fax"}]}, "phones[0].label"),
        ({"addresses": [{"city": "X", "country": "U1"}]}, "addresses[0].country"),
        ({"addresses": [{"label": "home"}]}, "addresses[0].address_line1"),
        ({"email": "x@x.example", "emails": [{"email": "y@x.example"}]}, "email"),
    ],
)
def test_api_bad_lists_are_422_naming_the_field_and_nothing_is_written(
    client: Client, payload: dict[str, Any], field: str
) -> None:
    data = send_json(
        client,
        "POST",
        "/api/v1/donors",
        {"first_name": "Ed", "last_name": "Fox", "email": "ed@x.example", "phone": "5550001111"},
    ).json()
    before = Donor.objects.get(pk=data["id"])
    emails_before = list(DonorEmail.objects.values_list("pk", "email", "is_primary"))
    phones_before = list(DonorPhone.objects.values_list("pk", "phone", "is_primary"))
    response = send_json(
        client, "PATCH", f"/api/v1/donors/{data['id']}", {"version": data["version"], **payload}
    )
    problem = assert_problem(response, 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    after = Donor.objects.get(pk=data["id"])
    assert (after.version, after.email, after.phone) == (before.version, before.email, before.phone)
    assert list(DonorEmail.objects.values_list("pk", "email", "is_primary")) == emails_before
    assert list(DonorPhone.objects.values_list("pk", "phone", "is_primary")) == phones_before
    # On create too: nothing is made.
    count = Donor.objects.count()
    created = send_json(
        client, "POST", "/api/v1/donors", {"first_name": "New", "last_name": "One", **payload}
    )
    assert_problem(created, 422)
    assert Donor.objects.count() == count


# --- The profile page ---------------------------------------------------------------------


def test_profile_adds_removes_and_shows_errors_beside_the_field(
    fundraiser: dict[str, Any], cast: dict[str, Any]
) -> None:
    ann = _ann(fundraiser)
    org = fundraiser["organization"]
    web = Client()
    web.force_login(cast["fundraising"])
    url = f"/o/{org.slug}/donors/{ann.pk}/contacts/"
    page = web.get(f"/o/{org.slug}/donors/{ann.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="contacts"' in html
    assert 'for="id_email-email"' in html

    response = web.post(
        url,
        {
            "kind": "email",
            "action": "add",
            "email-email": "ann@second.example",
            "email-label": "work",
        },
    )
    assert response.status_code == 302
    row = DonorEmail.objects.get(email="ann@second.example")
    assert not row.is_primary
    assert row.label == "work"
    html = web.get(f"/o/{org.slug}/donors/{ann.pk}/").content.decode()
    assert "ann@second.example" in html

    bad = web.post(
        url,
        {"kind": "email", "action": "add", "email-email": "nope", "email-label": "home"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "is not an email address" in text
    assert "is-invalid" in text
    assert not DonorEmail.objects.filter(email="nope").exists()

    web.post(url, {"kind": "email", "action": "primary", "contact_id": row.pk})
    ann.refresh_from_db()
    assert ann.email == "ann@second.example"
    web.post(url, {"kind": "email", "action": "remove", "contact_id": row.pk})
    ann.refresh_from_db()
    assert ann.email == "ann@example.org"
    assert DonorEmail.objects.filter(donor=ann).count() == 1


def test_profile_contact_writes_need_the_edit_permission(
    fundraiser: dict[str, Any], cast: dict[str, Any]
) -> None:
    ann = _ann(fundraiser)
    web = Client()
    web.force_login(cast["viewer"])
    org = fundraiser["organization"]
    response = web.post(
        f"/o/{org.slug}/donors/{ann.pk}/contacts/",
        {"kind": "email", "action": "add", "email-email": "x@y.example", "email-label": "home"},
    )
    assert response.status_code == 403
    assert not DonorEmail.objects.filter(email="x@y.example").exists()


# --- Import ----------------------------------------------------------------------------------


def test_import_matches_a_secondary_email_and_writes_primary_rows(
    fundraiser: dict[str, Any],
) -> None:
    from ifm.donors.imports.check import import_check
    from ifm.donors.imports.mapping import suggest_mapping
    from ifm.donors.imports.reading import read_table
    from ifm.donors.imports.write import _write_donors

    ann = _ann(fundraiser)
    contacts.donor_email_add(**fundraiser, donor=ann, email="ann@second.example")
    data = (
        b"First Name,Last Name,Email,Phone\n"
        b"Annie,Lee-Jones,ANN@second.example,\n"
        b"Zed,Ng,zed@example.org,555-404-5050\n"
    )
    table = read_table(data, "donors.csv")
    mapping = suggest_mapping("donors", table.headers)
    result = import_check(
        organization=fundraiser["organization"], kind="donors", table=table, mapping=mapping
    )
    assert result.matched == 1
    assert result.new == 1
    assert [r.get("match") for r in result.rows] == [ann.pk, None]
    # Committed, the new donor has its primary rows like one made by donor_create.
    _write_donors(fundraiser["organization"], fundraiser["actor"], _Run(), result)
    zed = Donor.objects.get(email="zed@example.org")
    assert _primary(DonorEmail, zed).email_norm == "zed@example.org"
    assert _primary(DonorPhone, zed).phone_norm == "5554045050"


class _Run:
    """The import run _write_donors records the keys under."""

    def __init__(self) -> None:
        from ifm.donors.models import ImportRun

        run = ImportRun.objects.create(
            organization=Donor.objects.first().organization,  # type: ignore[union-attr]
            kind="donors",
            file_hash="0" * 64,
            status="done",
        )
        self.pk, self.organization_id = run.pk, run.organization_id
