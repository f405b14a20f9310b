"""Imports of donors and donations: reading, mapping, the dry run, the all-or-nothing job."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ifm.core.errors import ServiceError
from ifm.donors.imports.mapping import suggest_mapping
from ifm.donors.imports.reading import read_table
from ifm.donors.imports.services import import_start
from ifm.donors.imports.values import ValueProblem, parse_date, parse_method, parse_money
from ifm.donors.models import (
    Donation,
    Donor,
    DonorGivingSummary,
    ImportKey,
    ImportMapping,
    ImportRun,
    ImportStatus,
)
from ifm.donors.people.services import donor_create
from ifm.ledger.journal.selectors import entries_for_source
from ifm.ledger.models import JournalEntry, Period, PeriodStatus
from ifm.ledger.periods.services import fiscal_year_ensure

FIXTURES = Path(__file__).parent / "fixtures"
NPSP = FIXTURES / "NPSP_Data_Import_Template_csv.csv"

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(fundraiser: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Any:
    """import_start by the fundraiser, with the job queued as on a real commit."""

    def run(**kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return import_start(**fundraiser, **kwargs)

    return run


def _csv(text: str) -> bytes:
    return text.strip().encode() + b"\n"


DONORS_CSV = _csv(
    """
External ID,First Name,Last Name,Email,Zip,City
C-1,Ana,Reyes,ana@example.org,02139,Cambridge
C-2,Ben,Okafor,ben@example.org,10001,New York
C-3,Chen,Li,,94110,San Francisco
"""
)

GIFTS_CSV = _csv(
    """
Gift ID,LGL Constituent ID,Gift Amount,Gift date,Payment type,Check/Reference No.,Fund
G-1,C-1,100.00,2026-01-15,Check,1001,
G-2,C-2,"1,250.50",01/20/2026,Credit Card,,
G-3,C-3,25,2026-02-01,cash,,YOUTH
"""
)


# --- Reading -------------------------------------------------------------------------------------


def test_npsp_template_as_it_is_maps_labels_and_skips_the_api_name_line() -> None:
    table = read_table(NPSP.read_bytes(), NPSP.name)
    assert table.header_row == 5
    assert table.headers[1] == "Contact1 First Name"
    assert table.rows == []  # line 6 (API names) is a second header, not data
    donors = suggest_mapping("donors", table.headers)
    assert donors["first_name"] == "Contact1 First Name"
    assert donors["last_name"] == "Contact1 Last Name"
    assert donors["salutation"] == "Contact1 Salutation"
    assert donors["email"] == "Contact1 Personal Email"
    assert donors["phone"] == "Contact1 Home Phone"
    assert donors["address_line1"] == "Home Street"
    assert donors["postal_code"] == "Home Zip/Postal Code"
    assert donors["organization_name"] == "Account1 Name"
    gifts = suggest_mapping("donations", table.headers)
    assert gifts["amount"] == "Donation Amount"
    assert gifts["date"] == "Donation Date"
    assert gifts["method"] == "Payment Method"
    assert gifts["check_number"] == "Payment Check/Reference Number"
    assert gifts["campaign"] == "Campaign Name"
    assert gifts["description"] == "Donation Description"


def test_npsp_api_names_map_like_the_labels() -> None:
    lines = NPSP.read_text().splitlines()
    data = (lines[5] + "\n" + ",".join(["Ms."] + ["x"] * 70) + "\n").encode()
    table = read_table(data, "api.csv")
    mapping = suggest_mapping("donations", table.headers)
    assert mapping["amount"] == "NPSP__DONATION_AMOUNT__C"
    assert mapping["first_name"] == "NPSP__CONTACT1_FIRSTNAME__C"
    assert len(table.rows) == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            "LGL Constituent ID,LGL Gift ID,Fund,Gift Type,Gift Amount,Deductible amount,"
            "Gift date,Payment type,Check/Reference No.,Anonymous gift?",
            {
                "donor_external_id": "LGL Constituent ID",
                "external_id": "LGL Gift ID",
                "fund": "Fund",
                "amount": "Gift Amount",
                "deductible_amount": "Deductible amount",
                "date": "Gift date",
                "method": "Payment type",
                "check_number": "Check/Reference No.",
                "anonymous": "Anonymous gift?",
            },
        ),
        (
            "External Identifier,Total Amount,Receive Date,Financial Type,"
            "Non-deductible Amount,Check Number,Campaign",
            {
                "donor_external_id": "External Identifier",
                "amount": "Total Amount",
                "date": "Receive Date",
                "fund": "Financial Type",
                "goods_services_value": "Non-deductible Amount",
                "check_number": "Check Number",
                "campaign": "Campaign",
            },
        ),
        (
            "donor_id,gift_date,amount,gl_code,solicit_code,campaign,gift_type,fmv,batch_no,"
            "reference",
            {
                "donor_external_id": "donor_id",
                "date": "gift_date",
                "amount": "amount",
                "fund": "gl_code",
                "appeal": "solicit_code",
                "campaign": "campaign",
                "method": "gift_type",
                "goods_services_value": "fmv",
                "check_number": "reference",
            },
        ),
    ],
    ids=["little-green-light", "civicrm", "donorperfect"],
)
def test_other_systems_columns_are_recognized(headers: str, expected: dict[str, str]) -> None:
    table = read_table((headers + "\n").encode(), "gifts.csv")
    mapping = suggest_mapping("donations", table.headers)
    for target, column in expected.items():
        assert mapping.get(target) == column, target


def test_utf8_with_and_without_bom_read_alike() -> None:
    text = "First Name,Last Name\nJosé,Núñez\n"
    plain = read_table(text.encode("utf-8"), "a.csv")
    bom = read_table(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.csv")
    assert plain.headers == bom.headers == ["First Name", "Last Name"]
    assert plain.rows == bom.rows == [["José", "Núñez"]]


def test_mis_encoded_file_is_refused_with_the_line() -> None:
    data = "First Name,Last Name\nAna,Reyes\nJosé,Núñez\n".encode("latin-1")
    with pytest.raises(ServiceError) as err:
        read_table(data, "latin1.csv")
    assert "not UTF-8" in err.value.message
    assert "line 3" in err.value.message
    assert err.value.errors[0]["field"] == "file"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "gifts.pdf"),
        (bytes(range(256)) * 4, "gifts.csv"),
        (b"just one line of prose without any separators\nand another\n", "notes.txt"),
        (b"PK\x03\x04not really a workbook", "gifts.xlsx"),
    ],
    ids=["pdf", "binary", "prose", "broken-xlsx"],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused(data: bytes, name: str) -> None:
    with pytest.raises(ServiceError) as err:
        read_table(data, name)
    assert err.value.errors[0]["field"] == "file"
    assert "CSV" in err.value.message or "Excel" in err.value.message


def test_malformed_csv_names_the_line() -> None:
    with pytest.raises(ServiceError) as err:
        read_table(b'First Name,Last Name\nAna,"Reyes\n', "bad.csv")
    assert "malformed" in err.value.message


def test_xlsx_is_read() -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet: Any = book.active
    sheet.append(["Gift Amount", "Gift date", "Email"])
    sheet.append([25.1, datetime(2026, 3, 1), "ana@example.org"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "gifts.xlsx")
    assert table.format == "xlsx"
    assert table.rows == [["25.1", "2026-03-01", "ana@example.org"]]


def test_values() -> None:
    assert parse_money("$1,250.50") == Decimal("1250.50")
    assert parse_money("(10.00)") == Decimal("-10.00")
    with pytest.raises(ValueProblem, match="two decimals"):
        parse_money("10.005")
    with pytest.raises(ValueProblem, match="not an amount"):
        parse_money("ten")
    assert parse_date("2026-01-05 00:00:00").isoformat() == "2026-01-05"
    assert parse_date("1/5/2026").isoformat() == "2026-01-05"
    with pytest.raises(ValueProblem):
        parse_date("31/31/2026")
    assert parse_method("Credit Card", has_check_number=False) == "card"
    assert parse_method("", has_check_number=True) == "check"


# --- Dry run and commit --------------------------------------------------------------------------


def _donors(start: Any, run_jobs: Any) -> ImportRun:
    result, run, _earlier = start(
        kind="donors", data=DONORS_CSV, filename="donors.csv", dry_run=False
    )
    assert result.problems == []
    assert run is not None
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.errors
    return run


def test_donor_import_creates_donors_and_matches_existing_ones(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any
) -> None:
    existing = donor_create(
        **fundraiser, first_name="Benjamin", last_name="O", email="BEN@example.org"
    )
    dry, run, _earlier = start(kind="donors", data=DONORS_CSV, filename="donors.csv")
    assert run is None
    assert dry.new == 2
    assert dry.matched == 1
    assert Donor.objects.count() == 1  # a dry run writes nothing

    run = _donors(start, run_jobs)
    assert run.created_count == 2
    assert Donor.objects.count() == 3
    ana = Donor.objects.get(email="ana@example.org")
    assert ana.name == "Ana Reyes"
    assert ana.postal_norm == "02139"  # searchable and matchable like any donor
    assert ImportKey.objects.get(kind="donors", key="ext:C-2").object_id == existing.pk
    # The mapping is remembered for the next file with these headers.
    assert ImportMapping.objects.get(kind="donors").mapping["external_id"] == "External ID"


def test_donation_import_posts_each_gift_and_updates_summaries(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any, youth_fund: Any
) -> None:
    _donors(start, run_jobs)
    result, run, _earlier = start(
        kind="donations", data=GIFTS_CSV, filename="gifts.csv", dry_run=False
    )
    assert result.problems == []
    assert run is not None
    assert run.status == ImportStatus.QUEUED
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.errors
    assert (run.total, run.done, run.created_count, run.percent) == (3, 3, 3, 100)
    assert run.started_at is not None
    assert run.finished_at is not None

    gifts = {d.amount: d for d in Donation.objects.select_related("fund", "donor")}
    assert set(gifts) == {Decimal("100.00"), Decimal("1250.50"), Decimal("25.00")}
    check = gifts[Decimal("100.00")]
    assert (check.method, check.check_number, check.donor.last_name) == ("check", "1001", "Reyes")
    assert gifts[Decimal("1250.50")].method == "card"
    youth = gifts[Decimal("25.00")]
    assert youth.fund == youth_fund
    # Each gift is its own balanced entry, linked both ways.
    for gift in gifts.values():
        entry = gift.journal_entry
        assert entry is not None
        assert (entry.source_type, entry.source_id) == ("donation", str(gift.pk))
        assert list(entries_for_source(source_type="donation", source_id=gift.pk)) == [entry]
        lines = list(entry.lines.select_related("account"))
        assert sum(ln.debit for ln in lines) == sum(ln.credit for ln in lines) == gift.amount
    youth_lines = JournalEntry.objects.get(source_type="donation", source_id=str(youth.pk)).lines
    assert youth_lines.get(credit__gt=0).account.role == "contributions_with"
    check_lines = JournalEntry.objects.get(source_type="donation", source_id=str(check.pk)).lines
    assert check_lines.get(debit__gt=0).account.role == "undeposited_funds"
    numbers = sorted(JournalEntry.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gaps

    summary = DonorGivingSummary.objects.get(donor=check.donor)
    assert (summary.gift_count, summary.lifetime_total) == (1, Decimal("100.00"))
    assert summary.first_gift_date == check.date


def test_rerunning_the_same_file_creates_nothing(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any, youth_fund: Any
) -> None:
    _donors(start, run_jobs)
    _, first, earlier = start(kind="donations", data=GIFTS_CSV, filename="gifts.csv", dry_run=False)
    assert earlier is False
    run_jobs()
    again, second, earlier = start(
        kind="donations", data=GIFTS_CSV, filename="gifts.csv", dry_run=False
    )
    assert second is not None
    assert first is not None
    assert second.pk == first.pk  # the same file: its earlier run
    assert earlier is True  # and import_start says so
    assert again.already_imported == 3
    # A different file holding the same rows (re-exported, one more line) adds only the new one.
    more = GIFTS_CSV + b"G-4,C-1,40.00,2026-03-01,cash,,\n"
    dry, third, earlier = start(kind="donations", data=more, filename="gifts2.csv", dry_run=False)
    assert (dry.already_imported, dry.new) == (3, 1)
    assert third is not None
    assert earlier is False
    assert third.pk != first.pk
    run_jobs()
    third.refresh_from_db()
    assert third.created_count == 1
    assert Donation.objects.count() == 4
    assert DonorGivingSummary.objects.get(donor__last_name="Reyes").gift_count == 2


def test_dry_run_lists_every_problem_with_row_and_column(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any
) -> None:
    _donors(start, run_jobs)
    fiscal_year_ensure(organization=fundraiser["organization"], on=date(2025, 12, 1))
    Period.objects.filter(name="2025-12").update(status=PeriodStatus.CLOSED)
    bad = _csv(
        """
LGL Constituent ID,Gift Amount,Gift date,Fund,Non-deductible Amount
C-1,10.005,2026-01-15,,
C-1,0,2026-01-15,,
C-1,-5,2026-01-15,,
C-1,abc,2026-01-15,,
C-1,10,2026-13-45,,
C-1,10,2026-01-15,NOPE,
C-1,10,2026-01-15,,20
C-99,10,2026-01-15,,
C-1,10,2025-12-15,,
C-1,10,2026-01-15,,
"""
    )
    result, run, _earlier = start(kind="donations", data=bad, filename="bad.csv", dry_run=False)
    assert run is None  # problems: nothing queued
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (2, "Gift Amount"),
        (3, "Gift Amount"),
        (4, "Gift Amount"),
        (5, "Gift Amount"),
        (6, "Gift date"),
        (7, "Fund"),
        (8, "Non-deductible Amount"),
        (9, "LGL Constituent ID"),
        (10, "Gift date"),
    }
    messages = {p.row: p.message for p in result.problems}
    assert "two decimals" in messages[2]
    assert "above zero" in messages[3]
    assert "NOPE" in messages[7]
    assert "above the amount" in messages[8]
    assert "C-99" in messages[9]
    assert "closed period" in messages[10]
    assert Donation.objects.count() == 0
    assert ImportRun.objects.filter(kind="donations").count() == 0


def test_one_bad_row_found_by_the_job_writes_nothing(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any, youth_fund: Any
) -> None:
    """The file was fine when checked; by the time the job runs, a period was closed."""
    _donors(start, run_jobs)
    fiscal_year_ensure(organization=fundraiser["organization"], on=date(2026, 2, 1))
    entries_before = JournalEntry.objects.count()
    _, run, _earlier = start(kind="donations", data=GIFTS_CSV, filename="gifts.csv", dry_run=False)
    assert run is not None
    Period.objects.filter(name="2026-02").update(status=PeriodStatus.CLOSED)
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.errors == [
        {
            "row": 4,
            "column": "Gift date",
            "field": "date",
            "message": "2026-02-01 is in a closed period.",
            "name": "C-3",
        }
    ]
    assert Donation.objects.count() == 0
    assert JournalEntry.objects.count() == entries_before
    assert ImportKey.objects.filter(kind="donations").count() == 0


def test_mapping_errors_name_the_field(start: Any) -> None:
    with pytest.raises(ServiceError) as err:
        start(
            kind="donations",
            data=GIFTS_CSV,
            filename="gifts.csv",
            mapping={"amount": "Nope", "colour": "Fund"},
        )
    fields = {e["field"] for e in err.value.errors}
    assert fields == {"mapping.amount", "mapping.colour"}


def test_permission(donors_org: Any, cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    from ifm.tenancy.models import Membership

    viewer = cast["viewer"]
    with pytest.raises(PermissionDenied):
        import_start(
            organization=donors_org,
            actor=viewer,
            access=Membership.objects.get(user=viewer),
            kind="donors",
            data=DONORS_CSV,
            filename="d.csv",
        )


def test_a_failure_while_writing_rolls_everything_back(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any
) -> None:
    from ifm.donors.models import Campaign
    from ifm.ledger.models import Account

    _donors(start, run_jobs)
    data = _csv(
        """
LGL Constituent ID,Gift Amount,Gift date,Campaign
C-1,10.00,2026-01-15,Spring appeal
C-2,20.00,2026-01-16,Spring appeal
"""
    )
    _, run, _earlier = start(kind="donations", data=data, filename="spring.csv", dry_run=False)
    assert run is not None
    # The bank-side account goes inactive before the job posts: the ledger refuses the entries
    # after the campaign and the donors' keys were already written in the same transaction.
    Account.objects.filter(role="undeposited_funds").update(is_active=False)
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert "inactive" in run.errors[0]["message"]
    assert not Campaign.objects.filter(name="Spring appeal").exists()
    assert Donation.objects.count() == 0
    assert DonorGivingSummary.objects.count() == 0


# --- Secondary emails and phones -----------------------------------------------------------------

CONTACTS_CSV = _csv(
    """
External ID,First Name,Last Name,Email,Email 2,Phone,Work Phone,Mobile Phone,Zip
C-1,Ana,Reyes,ana@example.org,ana@work.example,617-555-0100,617-555-0199,(617) 555-0142,02139
C-2,Ben,Okafor,,ben@second.example,,,555-300-4000,10001
C-3,Chen,Li,chen@example.org,CHEN@example.org,,,,94110
"""
)


def _contacts(donor: Donor) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str, bool]]]:
    from ifm.donors.models import DonorEmail, DonorPhone

    emails = DonorEmail.objects.filter(donor=donor).order_by("-is_primary", "id")
    phones = DonorPhone.objects.filter(donor=donor).order_by("-is_primary", "id")
    return (
        [(e.email, e.label, e.is_primary) for e in emails],
        [(p.phone, p.label, p.is_primary) for p in phones],
    )


def test_templates_second_email_and_phone_columns_are_suggested() -> None:
    table = read_table(NPSP.read_bytes(), NPSP.name)
    npsp = suggest_mapping("donors", table.headers)
    assert (npsp["email"], npsp["email_2"]) == ("Contact1 Personal Email", "Contact1 Work Email")
    assert (npsp["phone"], npsp["phone_2"], npsp["mobile_phone"]) == (
        "Contact1 Home Phone",
        "Contact1 Work Phone",
        "Contact1 Mobile Phone",
    )
    # A Salesforce contact export (API names), and plain names.
    salesforce = suggest_mapping(
        "donors",
        ["LastName", "Email", "npe01__AlternateEmail__c", "Phone", "MobilePhone", "HomePhone"],
    )
    assert salesforce["email_2"] == "npe01__AlternateEmail__c"
    assert (salesforce["phone"], salesforce["phone_2"], salesforce["mobile_phone"]) == (
        "Phone",
        "HomePhone",
        "MobilePhone",
    )
    plain = suggest_mapping("donors", ["Last Name", "Email", "Secondary Email", "Phone", "Phone 2"])
    assert (plain["email_2"], plain["phone_2"]) == ("Secondary Email", "Phone 2")
    assert "mobile_phone" not in plain


def test_second_emails_and_phones_become_secondary_rows_and_are_searchable(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any
) -> None:
    from ifm.donors.models import DonorEmail, DonorPhone
    from ifm.donors.people import selectors as people_selectors

    result, run, earlier = start(
        kind="donors", data=CONTACTS_CSV, filename="contacts.csv", dry_run=False
    )
    assert (result.problems, result.new, earlier) == ([], 3, False)
    run_jobs()
    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 3)

    ana = Donor.objects.get(last_name="Reyes")
    assert (ana.email, ana.phone) == ("ana@example.org", "617-555-0100")
    assert _contacts(ana) == (
        [("ana@example.org", "home", True), ("ana@work.example", "other", False)],
        [
            ("617-555-0100", "home", True),
            ("617-555-0199", "work", False),
            ("(617) 555-0142", "mobile", False),
        ],
    )
    secondary = DonorEmail.objects.get(email="ana@work.example")
    assert secondary.email_norm == "ana@work.example"
    assert DonorPhone.objects.get(phone="(617) 555-0142").phone_norm == "6175550142"
    # search_text holds them, so search finds the donor by a secondary email or phone.
    assert "ana@work.example" in ana.search_text
    assert "6175550199" in ana.search_text
    assert list(people_selectors.donor_search("ana@work")) == [ana]
    assert list(people_selectors.donor_search("6175550142")) == [ana]

    # A row with only a second email (and only a mobile phone): they are its primary ones.
    ben = Donor.objects.get(last_name="Okafor")
    assert _contacts(ben) == (
        [("ben@second.example", "home", True)],
        [("555-300-4000", "home", True)],
    )
    assert ben.email_norm == "ben@second.example"
    # The same address twice is one contact.
    chen = Donor.objects.get(last_name="Li")
    assert _contacts(chen) == ([("chen@example.org", "home", True)], [])

    counts = (Donor.objects.count(), DonorEmail.objects.count(), DonorPhone.objects.count())
    assert counts == (3, 4, 4)
    # The same file again: import_start hands back its run, and nothing new is queued.
    again, same, earlier = start(
        kind="donors", data=CONTACTS_CSV, filename="contacts.csv", dry_run=False
    )
    assert (same.pk, earlier, again.already_imported) == (run.pk, True, 3)
    assert run_jobs() == 0
    # The same rows in another file (saved again with Windows line ends) create nothing either.
    resaved = CONTACTS_CSV.replace(b"\n", b"\r\n")
    _, other, earlier = start(kind="donors", data=resaved, filename="again.csv", dry_run=False)
    assert other.pk != run.pk
    assert not earlier
    run_jobs()
    other.refresh_from_db()
    assert (other.status, other.created_count, other.skipped_count) == (ImportStatus.DONE, 0, 3)
    assert (
        Donor.objects.count(),
        DonorEmail.objects.count(),
        DonorPhone.objects.count(),
    ) == counts


def test_a_second_email_or_phone_matches_an_existing_donor(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any
) -> None:
    from ifm.donors.people.contacts import donor_phone_add

    ana = donor_create(**fundraiser, first_name="Ana", last_name="Reyes", email="ana@example.org")
    ben = donor_create(**fundraiser, first_name="Benjamin", last_name="Okafor")
    donor_phone_add(**fundraiser, donor=ben, phone="555-300-4000", label="mobile")
    data = _csv(
        """
External ID,First Name,Last Name,Email,Email 2,Mobile Phone
N-1,Ana,Reyes-Diaz,a.reyes@new.example,ANA@example.org,
N-2,Ben,O.,,,(555) 300-4000
N-3,Dee,Park,dee@example.org,,
N-4,Dee,Park-Lee,dee.lee@example.org,dee@example.org,
"""
    )
    dry, run, _earlier = start(kind="donors", data=data, filename="match.csv")
    assert run is None
    # Ana by her email given as the row's second one, Ben by a phone: existing donors. Row 5
    # names row 4's email as its second one: the same new donor.
    assert (dry.new, dry.matched) == (1, 3)
    assert [r.get("match") for r in dry.rows] == [ana.pk, ben.pk, None, None]
    assert dry.rows[3]["same_as"] == 2

    _, run, _earlier = start(kind="donors", data=data, filename="match.csv", dry_run=False)
    run_jobs()
    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 1)
    assert Donor.objects.count() == 3
    keys = dict(ImportKey.objects.filter(kind="donors").values_list("key", "object_id"))
    dee = Donor.objects.get(last_name="Park")
    assert keys == {"ext:N-1": ana.pk, "ext:N-2": ben.pk, "ext:N-3": dee.pk, "ext:N-4": dee.pk}


def test_a_bad_second_email_or_phone_is_a_problem_naming_row_and_column(
    fundraiser: dict[str, Any], start: Any, run_jobs: Any
) -> None:
    from ifm.donors.models import DonorEmail

    data = _csv(
        """
First Name,Last Name,Email,Secondary Email,Work Phone
Ana,Reyes,ana@example.org,ana@work.example,617-555-0199
Ben,Okafor,ben@example.org,not-an-email,
Chen,Li,,,12
"""
    )
    result, run, _earlier = start(kind="donors", data=data, filename="bad.csv", dry_run=False)
    assert run is None
    assert [(p.row, p.column, p.field) for p in result.problems] == [
        (3, "Secondary Email", "email_2"),
        (4, "Work Phone", "phone_2"),
    ]
    assert "'not-an-email' is not an email address" in result.problems[0].message
    assert "not a phone number" in result.problems[1].message
    assert run_jobs() == 0
    assert (Donor.objects.count(), DonorEmail.objects.count(), ImportRun.objects.count()) == (
        0,
        0,
        0,
    )
