"""Tax receipt pages: the list (search, filters, export, print), a receipt with its letter and
actions, year-end runs with their polled progress, the settings, permissions and isolation."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import (
    Donation,
    Donor,
    ReceiptKind,
    ReceiptRun,
    ReceiptSettings,
    RunStatus,
    TaxReceipt,
)
from ifm.donors.people import households as household_services
from ifm.donors.people import services as people_services
from ifm.donors.receipts.issue import receipt_issue, receipt_settings_get, receipt_void
from ifm.donors.receipts.services import year_end_statements_start
from ifm.donors.receipts.year_end import year_end_statements_run
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def ctx(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    """Service keyword arguments for the fundraising user of A (donors, gifts and receipts)."""
    user = cast["fundraising"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/receipts/{rest}"


def make_donor(ctx: dict[str, Any], first: str = "Ana", last: str = "Reyes", **extra: Any) -> Donor:
    fields: dict[str, Any] = {"email": f"{first.lower()}@example.org", "city": "Springfield"}
    fields.update(extra)
    return people_services.donor_create(
        **ctx, first_name=first, last_name=last, confirm_duplicate=True, **fields
    )


def give(ctx: dict[str, Any], donor: Donor, fund: Fund, amount: str, **extra: Any) -> Donation:
    values: dict[str, Any] = {"date": TODAY, "method": "check"}
    values.update(extra)
    return gift_services.donation_record(
        **ctx, donor=donor, amount=Decimal(amount), fund=fund, **values
    )


def receipt_for(
    ctx: dict[str, Any], fund: Fund, amount: str = "300.00", **donor: Any
) -> TaxReceipt:
    return receipt_issue(**ctx, donation=give(ctx, make_donor(ctx, **donor), fund, amount))


def other_org_receipt(org_b: Organization, cast: dict[str, Any]) -> TaxReceipt:
    user = cast["other_admin"]
    with org_context(org_b):
        ctx = {"organization": org_b, "actor": user, "access": access_of(user)}
        fund = Fund.objects.get(is_general=True)
        return receipt_for(ctx, fund, first="Bea", last="Beta")


# --- The list ----------------------------------------------------------------------------------


def test_list_empty_state_tab_and_permissions(donors_org: Any, cast: dict[str, Any]) -> None:
    page = client_for(cast["finance"]).get(url(donors_org))
    assert page.status_code == 200
    assert b"No tax receipts yet" in page.content
    assert b"Year-end statements" in page.content
    donors = client_for(cast["viewer"]).get(f"/o/{donors_org.slug}/donors/")
    assert f'href="{url(donors_org)}"'.encode() in donors.content
    viewer = client_for(cast["viewer"]).get(url(donors_org))
    assert viewer.status_code == 200
    assert b'href="/o/alpha/donors/receipts/year-end/"' in viewer.content  # the sub-navigation
    for role in ("staff", "volunteer_coordinator"):
        assert client_for(cast[role]).get(url(donors_org)).status_code == 403
    assert client_for(cast["other_admin"]).get(url(donors_org)).status_code == 404


def test_list_search_filters_pagination_and_export(
    fundraiser: dict[str, Any], ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = fundraiser["organization"]
    receipt_for(ctx, general_fund, first="Ana", last="Reyes")
    ben = receipt_for(ctx, general_fund, first="Ben", last="Okafor")
    receipt_void(**ctx, receipt=ben, reason="Wrong donor")
    last_year = give(
        ctx,
        make_donor(ctx, first="Cy", last="Old"),
        general_fund,
        "40.00",
        date=date(TODAY.year - 1, 6, 1),
    )
    old = receipt_issue(**ctx, donation=last_year)
    client = client_for(cast["viewer"])

    def body(**params: str) -> str:
        return client.get(url(org), params).content.decode()

    assert "Ana Reyes" in body(q="reyes")
    assert "Ben Okafor" not in body(q="reyes")
    by_number = body(q=f"No. {ben.number}")
    assert "Ben Okafor" in by_number
    assert "Ana Reyes" not in by_number
    assert "Ben Okafor" not in body(status="issued")
    assert "Ben Okafor" in body(status="void")
    assert "Ana Reyes" not in body(status="void")
    assert "Cy Old" in body(year=str(TODAY.year - 1))
    assert "Ana Reyes" not in body(year=str(TODAY.year - 1))
    assert "No receipts match these filters" in body(kind="year_end")
    assert "No receipts match these filters" in body(delivery="sent")
    assert old.pk

    for n in range(25):
        receipt_for(ctx, general_fund, "10.00", first=f"P{n:02d}", last="Zed")
    assert b"Page 1 of 2" in client.get(url(org)).content
    partial = client.get(url(org), {"page": "2"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b"Page 2 of 2" in partial.content

    csv = client.get(url(org, "export.csv"), {"status": "void"})
    assert csv.status_code == 200
    text = b"".join(csv).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Number,Kind,Status,Donor id,Donor")
    assert len(lines) == 2
    assert "Ben Okafor" in lines[1]
    assert "Wrong donor" in lines[1]
    xlsx = client.get(url(org, "export.xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 1 + TaxReceipt.objects.count()


def test_print_selected_makes_one_pdf_of_many_pages(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    first = receipt_for(ctx, general_fund, first="Ana", last="Reyes")
    second = receipt_for(ctx, general_fund, first="Ben", last="Okafor")
    client = client_for(cast["finance"])
    listing = client.get(url(org)).content.decode()
    assert f'name="receipt" value="{first.pk}"' in listing

    answer = client.post(url(org, "print/"), {"receipt": [str(first.pk), str(second.pk)]})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 2
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Ana Reyes" in text
    assert "Ben Okafor" in text
    assert set(TaxReceipt.objects.values_list("delivery", "delivery_status")) == {("print", "sent")}

    nothing = client.post(url(org, "print/"), {"receipt": []}, follow=True)
    assert b"Choose at least one receipt" in nothing.content
    assert client.get(url(org, "print/")).status_code == 405
    viewer = client_for(cast["viewer"]).post(url(org, "print/"), {"receipt": [str(first.pk)]})
    assert viewer.status_code == 403


def test_print_ignores_another_organizations_receipts(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any], org_b: Organization
) -> None:
    org = ctx["organization"]
    theirs = other_org_receipt(org_b, cast)
    answer = client_for(cast["admin"]).post(
        url(org, "print/"), {"receipt": [str(theirs.pk)]}, follow=True
    )
    assert b"Choose at least one receipt" in answer.content
    with org_context(org_b):
        assert TaxReceipt.objects.get(pk=theirs.pk).delivery == ""


# --- One receipt -------------------------------------------------------------------------------


def test_detail_shows_letter_delivery_and_links(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any], org_b: Organization
) -> None:
    org = ctx["organization"]
    receipt = receipt_for(ctx, general_fund, first="Ana", last="Reyes")
    donation = receipt.donations.get()
    viewer = client_for(cast["viewer"])
    page = viewer.get(url(org, f"{receipt.pk}/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"No. {receipt.number}" in html
    assert "Ana Reyes" in html
    assert f'src="{url(org, f"{receipt.pk}/letter/")}"' in html
    assert "Not sent" in html
    assert "Issued" in html  # the history, from the audit log
    assert 'id="void-receipt"' not in html  # viewers see, they do not act
    assert 'id="send-receipt"' not in html
    assert (
        'id="correct-receipt"'
        in client_for(cast["finance"]).get(page.request["PATH_INFO"]).content.decode()
    )

    letter = viewer.get(url(org, f"{receipt.pk}/letter/"))
    assert letter.status_code == 200
    assert receipt.content_html in letter.content.decode()  # the very letter the PDF is made of
    assert "sandbox" in letter["Content-Security-Policy"]
    assert "script-src" not in letter["Content-Security-Policy"]
    assert letter["X-Frame-Options"] == "SAMEORIGIN"

    pdf = viewer.get(url(org, f"{receipt.pk}/pdf/"))
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'inline; filename="{receipt.filename}"'

    gift = viewer.get(f"/o/{org.slug}/donors/donations/{donation.pk}/").content.decode()
    assert f'href="{url(org, f"{receipt.pk}/")}"' in gift
    profile = viewer.get(f"/o/{org.slug}/donors/{receipt.donor_id}/").content.decode()
    assert f'href="{url(org, f"{receipt.pk}/")}"' in profile

    for role in ("staff", "volunteer_coordinator"):
        assert client_for(cast[role]).get(url(org, f"{receipt.pk}/")).status_code == 403
    theirs = other_org_receipt(org_b, cast)
    admin = client_for(cast["admin"])
    for rest in ("", "letter/", "pdf/", "delivery/"):
        assert admin.get(url(org, f"{theirs.pk}/{rest}")).status_code == 404
    for rest in ("send/", "void/", "correct/"):
        assert admin.post(url(org, f"{theirs.pk}/{rest}"), {"reason": "x"}).status_code == 404
    with org_context(org_b):
        assert TaxReceipt.objects.get(pk=theirs.pk).voided_at is None


def test_send_queues_the_email_and_the_job_delivers_it(
    ctx: dict[str, Any],
    general_fund: Fund,
    cast: dict[str, Any],
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    org = ctx["organization"]
    receipt = receipt_for(ctx, general_fund, first="Ana", last="Reyes")
    client = client_for(cast["finance"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url(org, f"{receipt.pk}/send/"), {"to": ""}, follow=True)
    assert b"queued for email to ana@example.org" in answer.content
    receipt.refresh_from_db()
    assert (receipt.delivery, receipt.delivery_status) == ("email", "pending")
    polled = client.get(url(org, f"{receipt.pk}/delivery/"))
    assert b'hx-trigger="every 2s"' in polled.content
    assert b"Email pending" in polled.content

    assert run_jobs() == 1
    receipt.refresh_from_db()
    assert receipt.delivery_status == "sent"
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    done = client.get(url(org, f"{receipt.pk}/delivery/"))
    assert b"hx-trigger" not in done.content  # delivered: the polling stops
    assert b"Emailed" in done.content

    other = client.post(url(org, f"{receipt.pk}/send/"), {"to": "not an address"})
    assert other.status_code == 422
    assert b"Enter a valid email address" in other.content
    assert client_for(cast["viewer"]).post(url(org, f"{receipt.pk}/send/")).status_code == 403


def test_send_to_a_donor_without_email_shows_the_service_error(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    receipt = receipt_for(ctx, general_fund, email="")
    answer = client_for(cast["finance"]).post(url(org, f"{receipt.pk}/send/"), {"to": ""})
    assert answer.status_code == 422
    assert b"The donor has no email address" in answer.content
    receipt.refresh_from_db()
    assert receipt.delivery_status == "not_sent"


def test_void_needs_a_reason_and_keeps_the_number(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    receipt = receipt_for(ctx, general_fund)
    client = client_for(cast["fundraising"])
    empty = client.post(url(org, f"{receipt.pk}/void/"), {"reason": "  "})
    assert empty.status_code == 422
    receipt.refresh_from_db()
    assert receipt.voided_at is None

    done = client.post(url(org, f"{receipt.pk}/void/"), {"reason": "Wrong donor"}, follow=True)
    assert b"was voided" in done.content
    receipt.refresh_from_db()
    assert receipt.voided_at is not None
    assert receipt.void_reason == "Wrong donor"
    assert TaxReceipt.objects.filter(number=receipt.number).count() == 1

    again = client.post(url(org, f"{receipt.pk}/void/"), {"reason": "Twice"}, follow=True)
    assert b"is already voided" in again.content
    refused = client.post(url(org, f"{receipt.pk}/correct/"), follow=True)
    assert b"A voided receipt cannot be corrected" in refused.content
    assert TaxReceipt.objects.count() == 1
    assert client.get(url(org, f"{receipt.pk}/void/")).status_code == 405
    assert (
        client_for(cast["viewer"]).post(url(org, f"{receipt.pk}/void/"), {"reason": "x"})
    ).status_code == 403


def test_correction_issues_a_new_receipt_that_replaces_the_old(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    receipt = receipt_for(ctx, general_fund)
    client = client_for(cast["finance"])
    answer = client.post(url(org, f"{receipt.pk}/correct/"))
    new = TaxReceipt.objects.get(replaces=receipt)
    assert answer.status_code == 302
    assert answer["Location"] == url(org, f"{new.pk}/")
    assert new.kind == ReceiptKind.CORRECTION
    assert new.number == receipt.number + 1
    old_page = client.get(url(org, f"{receipt.pk}/")).content.decode()
    assert f"receipt No. {new.number}</a> replaces it" in old_page
    assert 'id="correct-receipt"' not in old_page  # correct the newest one, not this
    twice = client.post(url(org, f"{receipt.pk}/correct/"), follow=True)
    assert f"was already corrected by No. {new.number}".encode() in twice.content
    assert TaxReceipt.objects.count() == 2
    assert client_for(cast["viewer"]).post(url(org, f"{new.pk}/correct/")).status_code == 403


# --- Year-end statements -----------------------------------------------------------------------


def test_year_end_page_starts_a_run_and_polls_its_progress(
    ctx: dict[str, Any],
    general_fund: Fund,
    cast: dict[str, Any],
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    org = ctx["organization"]
    give(ctx, make_donor(ctx, first="Ana", last="Reyes"), general_fund, "100.00")
    give(ctx, make_donor(ctx, first="Ben", last="Okafor", email=""), general_fund, "50.00")
    client = client_for(cast["finance"])
    form = client.get(url(org, "year-end/"))
    assert form.status_code == 200
    assert f'value="{TODAY.year - 1}"'.encode() in form.content  # last year by default
    assert b"No year-end runs yet" in form.content

    future = client.post(url(org, "year-end/"), {"year": str(TODAY.year + 1)})
    assert future.status_code == 422
    assert not ReceiptRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url(org, "year-end/"), {"year": str(TODAY.year)})
    run = ReceiptRun.objects.get()
    assert started["Location"] == url(org, f"year-end/{run.pk}/")
    page = client.get(started["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert url(org, f"year-end/{run.pk}/progress/") in page

    ReceiptRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, total=4, done=1)
    partial = client.get(url(org, f"year-end/{run.pk}/progress/")).content.decode()
    assert "<html" not in partial
    assert 'value="25"' in partial
    assert "25%" in partial
    assert 'hx-trigger="every 2s"' in partial

    ReceiptRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, total=0, done=0)
    assert run_jobs() == 1
    run.refresh_from_db()
    assert (run.status, run.created) == (RunStatus.DONE, 2)
    finished = client.get(url(org, f"year-end/{run.pk}/progress/")).content.decode()
    assert "hx-trigger" not in finished  # done: the polling stops
    assert 'value="100"' in finished
    assert "2 new statements issued" in finished
    assert 'id="run-print"' in finished
    assert "1 of 2 donors can be emailed" in finished
    emailable = Donor.objects.exclude(email="")
    emailable.update(no_email=True)  # asked not to be emailed: left to print
    assert (
        "0 of 2 donors can be emailed"
        in client.get(url(org, f"year-end/{run.pk}/progress/")).content.decode()
    )
    emailable.update(no_email=False)

    printed = client.post(url(org, f"year-end/{run.pk}/print/"))
    assert printed.content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(printed.content)).pages) == 2

    with django_capture_on_commit_callbacks(execute=True):
        emailed = client.post(url(org, f"year-end/{run.pk}/email/"), follow=True)
    assert b"1 statement queued for email" in emailed.content
    assert b"1 could not be emailed" in emailed.content
    run_jobs()
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    statements = TaxReceipt.objects.filter(run=run)
    assert set(statements.values_list("delivery_status", flat=True)) == {"sent"}

    listing = client.get(url(org, "year-end/")).content.decode()
    assert url(org, f"year-end/{run.pk}/") in listing
    viewer = client_for(cast["viewer"])
    assert viewer.get(url(org, "year-end/")).status_code == 200
    assert viewer.post(url(org, "year-end/"), {"year": str(TODAY.year)}).status_code == 403
    assert viewer.post(url(org, f"year-end/{run.pk}/print/")).status_code == 403
    assert viewer.post(url(org, f"year-end/{run.pk}/email/")).status_code == 403
    assert client_for(cast["staff"]).get(url(org, f"year-end/{run.pk}/")).status_code == 403


def test_failed_run_stops_polling_and_shows_the_error(
    ctx: dict[str, Any], cast: dict[str, Any], org_b: Organization
) -> None:
    org = ctx["organization"]
    run = ReceiptRun.objects.create(
        organization=org,
        tax_year=TODAY.year - 1,
        status=RunStatus.FAILED,
        total=3,
        done=2,
        error="OSError: disk full",
    )
    client = client_for(cast["viewer"])
    partial = client.get(url(org, f"year-end/{run.pk}/progress/")).content.decode()
    assert "hx-trigger" not in partial
    assert 'value="66"' in partial
    assert "OSError: disk full" in partial
    with org_context(org_b):
        theirs = ReceiptRun.objects.create(organization=org_b, tax_year=TODAY.year - 1)
    admin = client_for(cast["admin"])
    for rest in ("", "progress/"):
        assert admin.get(url(org, f"year-end/{theirs.pk}/{rest}")).status_code == 404
    for rest in ("print/", "email/"):
        assert admin.post(url(org, f"year-end/{theirs.pk}/{rest}")).status_code == 404


# --- Settings ----------------------------------------------------------------------------------


def _settings_post(row: ReceiptSettings, **changes: Any) -> dict[str, Any]:
    data = {
        "version": row.version,
        "letter_template": row.letter_template,
        "thank_you_text": row.thank_you_text,
        "signature_name": row.signature_name,
        "signature_title": row.signature_title,
        "email_subject": row.email_subject,
        "email_body": row.email_body,
    }
    if row.intangible_religious_benefits_only:
        data["intangible_religious_benefits_only"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_save_is_versioned_and_admin_only(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    admin = client_for(cast["admin"])
    page = admin.get(url(org, "settings/"))
    assert page.status_code == 200
    row = receipt_settings_get(organization=org)
    assert f'name="version" value="{row.version}"'.encode() in page.content
    for role in ("finance", "fundraising", "viewer", "staff"):
        assert client_for(cast[role]).get(url(org, "settings/")).status_code == 403

    stale = _settings_post(row)
    saved = admin.post(
        url(org, "settings/"),
        _settings_post(
            row,
            signature_name="Rev. Jo Park",
            signature_title="Pastor",
            intangible_religious_benefits_only="on",
        ),
        follow=True,
    )
    assert b"Receipt settings saved" in saved.content
    row.refresh_from_db()
    assert (row.signature_name, row.intangible_religious_benefits_only) == ("Rev. Jo Park", True)
    assert row.version == 2

    conflict = admin.post(url(org, "settings/"), {**stale, "signature_name": "Someone else"})
    assert conflict.status_code == 409
    assert b"Your changes were not saved" in conflict.content
    row.refresh_from_db()
    assert row.signature_name == "Rev. Jo Park"

    broken = admin.post(url(org, "settings/"), _settings_post(row, letter_template="{% if %}"))
    assert broken.status_code == 422
    assert b"The letter template has an error" in broken.content
    row.refresh_from_db()
    assert "{% if %}" not in row.letter_template

    # New receipts use the saved settings.
    receipt = receipt_for(ctx, general_fund, "80.00")
    assert "Rev. Jo Park" in receipt.content_html
    assert "intangible religious benefits" in receipt.content_html


# --- Households, the donor's wishes, printing what was not emailed ------------------------------


def _smiths(ctx: dict[str, Any]) -> dict[str, Any]:
    john = make_donor(ctx, first="John", last="Smith")
    jane = make_donor(ctx, first="Jane", last="Smith")
    household = household_services.household_create(
        **ctx, name="The Smith Family", members=[john, jane], address_line1="7 Maple Court"
    )
    return {"john": john, "jane": jane, "household": household}


def test_year_end_form_starts_a_joint_run(
    ctx: dict[str, Any],
    general_fund: Fund,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    org = ctx["organization"]
    smiths = _smiths(ctx)
    give(ctx, smiths["john"], general_fund, "100.00")
    give(ctx, smiths["jane"], general_fund, "50.00")
    give(ctx, make_donor(ctx, first="Ana", last="Reyes"), general_fund, "20.00")
    client = client_for(cast["finance"])
    form = client.get(url(org, "year-end/")).content.decode()
    assert 'name="joint"' in form
    assert "One statement per household" in form

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url(org, "year-end/"), {"year": str(TODAY.year), "joint": "on"})
    run = ReceiptRun.objects.get()
    assert run.joint
    assert started["Location"] == url(org, f"year-end/{run.pk}/")
    assert run_jobs() == 1
    joint = TaxReceipt.objects.get(run=run, household=smiths["household"])
    assert joint.total_amount == Decimal("150.00")
    assert TaxReceipt.objects.filter(run=run).count() == 2
    page = client.get(started["Location"]).content.decode()
    assert "One statement per household" in page
    listing = client.get(url(org, "year-end/")).content.decode()
    assert "Per household" in listing

    # Unticked, a run is per donor.
    ReceiptRun.objects.all().delete()
    TaxReceipt.objects.all().delete()
    client.post(url(org, "year-end/"), {"year": str(TODAY.year)})
    assert not ReceiptRun.objects.get().joint


def test_issue_a_joint_receipt_from_the_donation_page(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    smiths = _smiths(ctx)
    gift = give(ctx, smiths["jane"], general_fund, "80.00")
    client = client_for(cast["finance"])
    page = client.get(f"/o/{org.slug}/donors/donations/{gift.pk}/").content.decode()
    assert 'name="joint"' in page
    assert "Issue it to the household, The Smith Family" in page

    done = client.post(
        f"/o/{org.slug}/donors/donations/{gift.pk}/receipt/", {"joint": "1"}, follow=True
    )
    receipt = TaxReceipt.objects.get()
    assert receipt.household_id == smiths["household"].pk
    assert receipt.donor_id == smiths["jane"].pk
    assert f"Receipt {receipt.number} issued to The Smith Family".encode() in done.content

    detail = client.get(url(org, f"{receipt.pk}/")).content.decode()
    assert "Joint: The Smith Family" in detail
    assert "John Smith and Jane Smith" in detail
    listing = client.get(url(org)).content.decode()
    assert "Joint: The Smith Family" in listing

    # A donor of no household is offered no choice; a plain issue stays the donor's own.
    ana = make_donor(ctx, first="Ana", last="Reyes")
    lone = give(ctx, ana, general_fund, "10.00")
    assert b'name="joint"' not in client.get(f"/o/{org.slug}/donors/donations/{lone.pk}/").content
    other = give(ctx, smiths["john"], general_fund, "15.00")
    client.post(f"/o/{org.slug}/donors/donations/{other.pk}/receipt/")
    assert TaxReceipt.objects.get(donations=other).household_id is None


def test_send_to_a_donor_who_asked_not_to_be_emailed_is_refused_on_the_page(
    ctx: dict[str, Any], general_fund: Fund, cast: dict[str, Any]
) -> None:
    org = ctx["organization"]
    receipt = receipt_for(ctx, general_fund, first="Cleo", last="Quiet", no_email=True)
    client = client_for(cast["finance"])
    assert b"asked not to be emailed" in client.get(url(org, f"{receipt.pk}/")).content
    answer = client.post(url(org, f"{receipt.pk}/send/"), {"to": ""})
    assert answer.status_code == 422
    assert b"Cleo Quiet asked not to be emailed: print the receipt instead." in answer.content
    receipt.refresh_from_db()
    assert receipt.delivery_status == "not_sent"


def test_run_page_emails_the_emailable_and_prints_the_rest(
    ctx: dict[str, Any],
    general_fund: Fund,
    cast: dict[str, Any],
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    org = ctx["organization"]
    give(ctx, make_donor(ctx, first="Ana", last="Reyes"), general_fund, "100.00")
    give(ctx, make_donor(ctx, first="Cleo", last="Quiet", no_email=True), general_fund, "20.00")
    give(ctx, make_donor(ctx, first="Eli", last="Paper", email=""), general_fund, "30.00")
    finance = {**ctx, "actor": cast["finance"], "access": access_of(cast["finance"])}
    run = year_end_statements_start(**finance, year=TODAY.year)
    year_end_statements_run(organization=org, run_id=run.pk)
    client = client_for(cast["finance"])
    before = client.get(url(org, f"year-end/{run.pk}/")).content.decode()
    assert 'id="run-print-not-emailed"' not in before  # nothing emailed yet: print them all

    with django_capture_on_commit_callbacks(execute=True):
        emailed = client.post(url(org, f"year-end/{run.pk}/email/"), follow=True)
    text = emailed.content.decode()
    assert "1 statement queued for email." in text
    assert "2 could not be emailed (1 with no email address, 1 asked not to be emailed)" in text
    assert run_jobs() == 1
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]

    page = client.get(url(org, f"year-end/{run.pk}/")).content.decode()
    assert 'id="run-print-not-emailed"' in page
    assert "Download the 2 not emailed as one PDF" in page
    printed = client.post(url(org, f"year-end/{run.pk}/print/"), {"which": "not_emailed"})
    assert printed.status_code == 200
    assert "not-emailed" in printed["Content-Disposition"]
    reader = PdfReader(io.BytesIO(printed.content))
    assert len(reader.pages) == 2
    pdf = " ".join(p.extract_text() for p in reader.pages)
    assert "Cleo Quiet" in pdf
    assert "Eli Paper" in pdf
    assert "Ana Reyes" not in pdf
    rows = {r.donor.name: r for r in TaxReceipt.objects.filter(run=run).select_related("donor")}
    assert (rows["Ana Reyes"].delivery, rows["Ana Reyes"].delivery_status) == ("email", "sent")
    assert (rows["Cleo Quiet"].delivery, rows["Cleo Quiet"].delivery_status) == ("print", "sent")

    # Each print shows in the receipt's history, read from the audit log.
    history = client.get(url(org, f"{rows['Cleo Quiet'].pk}/")).content.decode()
    assert "Printed with 1 other" in history
    ana_history = client.get(url(org, f"{rows['Ana Reyes'].pk}/")).content.decode()
    assert "Printed" not in ana_history
    assert "Email queued to ana@example.org (year-end run)" in ana_history
    assert (
        client_for(cast["viewer"]).post(
            url(org, f"year-end/{run.pk}/print/"), {"which": "not_emailed"}
        )
    ).status_code == 403
