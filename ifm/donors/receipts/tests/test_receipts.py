"""Receipts on a real database: numbers, immutability, corrections, voids, PDF, email, year-end."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from ifm.core.errors import ServiceError
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
from ifm.donors.people import services as people_services
from ifm.donors.receipts.delivery import receipt_pdf_bytes, receipts_print
from ifm.donors.receipts.issue import (
    receipt_correct,
    receipt_issue,
    receipt_settings_get,
    receipt_settings_update,
    receipt_void,
)
from ifm.donors.receipts.selectors import compliance_gaps
from ifm.donors.receipts.services import (
    receipt_send,
    year_end_statements_send,
    year_end_statements_start,
)
from ifm.donors.receipts.year_end import year_end_statements_run
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()
THIS_YEAR_DAY = date(TODAY.year, 1, 2) if date(TODAY.year, 1, 2) < TODAY else TODAY


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def finance(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["finance"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def make_donor(ctx: dict[str, Any], first: str = "Ana", last: str = "Reyes", **extra: Any) -> Donor:
    fields: dict[str, Any] = {
        "email": f"{first.lower()}.{last.lower()}@example.org",
        "address_line1": "12 Elm Street",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
    }
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


def issue(ctx: dict[str, Any], donation: Donation) -> TaxReceipt:
    return receipt_issue(**ctx, donation=donation)


def receipt_text(receipt: TaxReceipt) -> str:
    return flat(pdf_text(receipt_pdf_bytes(receipt=receipt)))


# --- Wording in the issued letter --------------------------------------------------------------


def test_cash_receipt_pdf_has_org_donor_amount_and_no_goods(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    donation = give(fundraiser, donor, general_fund, "1250.00")
    receipt = issue(finance, donation)

    data = receipt_pdf_bytes(receipt=receipt)
    assert data.startswith(b"%PDF")
    text = flat(pdf_text(data))
    assert f"No. {receipt.number}" in text
    assert "Alpha Outreach" in text
    assert "EIN 11-1111111" in text
    assert "Ana Reyes" in text
    assert "$1,250.00" in text
    assert "No goods or services were provided in exchange for this contribution." in text
    assert receipt.total_amount == Decimal("1250.00")
    assert receipt.deductible_amount == Decimal("1250.00")
    assert list(receipt.donations.all()) == [donation]


def test_partly_deductible_receipt_names_goods_value_and_discloses(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    donation = give(
        fundraiser,
        donor,
        general_fund,
        "200.00",
        goods_services_description="two gala dinner tickets",
        goods_services_value=Decimal("80.00"),
    )
    text = receipt_text(issue(finance, donation))
    assert "two gala dinner tickets" in text
    assert "good-faith estimated value of $80.00" in text
    assert "deductible for federal income tax purposes" in text
    assert "$120.00" in text
    assert "No goods or services were provided" not in text


def test_non_cash_receipt_describes_without_value(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    donation = give(
        fundraiser, donor, general_fund, "1500.00", method="in_kind", description="Two laptops"
    )
    receipt = issue(finance, donation)
    text = receipt_text(receipt)
    assert "Non-cash gift: Two laptops" in text
    assert "1,500" not in text
    assert "1500" not in text
    assert receipt.total_amount == Decimal("0")


def test_intangible_religious_benefits_setting(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund, cast: Any
) -> None:
    admin = {**finance, "actor": cast["admin"], "access": access_of(cast["admin"])}
    settings_row = receipt_settings_get(organization=finance["organization"])
    receipt_settings_update(
        **admin,
        expected_version=settings_row.version,
        intangible_religious_benefits_only=True,
        signature_name="Rev. Jo Park",
        signature_title="Pastor",
    )
    donor = make_donor(fundraiser)
    text = receipt_text(issue(finance, give(fundraiser, donor, general_fund, "300.00")))
    assert "Only intangible religious benefits were provided" in text
    assert "No goods or services" not in text
    assert "Rev. Jo Park" in text
    # Finance may not change the settings.
    with pytest.raises(PermissionDenied):
        receipt_settings_update(**finance, expected_version=2, signature_name="X")


def test_quid_pro_quo_at_75_and_75_01(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    goods = {"goods_services_description": "a T-shirt", "goods_services_value": Decimal("10")}
    at_75 = receipt_text(issue(finance, give(fundraiser, donor, general_fund, "75.00", **goods)))
    over = receipt_text(issue(finance, give(fundraiser, donor, general_fund, "75.01", **goods)))
    assert "a T-shirt" in at_75
    assert "deductible for federal income tax purposes" not in at_75
    assert "deductible for federal income tax purposes" in over
    assert "$65.01" in over


def test_compliance_lists_250_without_acknowledgment_and_undisclosed_quid_pro_quo(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    org = finance["organization"]
    donor = make_donor(fundraiser)
    big = give(fundraiser, donor, general_fund, "250.00")
    small = give(fundraiser, donor, general_fund, "249.99")
    goods = {"goods_services_description": "a dinner", "goods_services_value": Decimal("30")}
    qpq = give(fundraiser, donor, general_fund, "75.01", **goods)
    at_75 = give(fundraiser, donor, general_fund, "75.00", **goods)

    gaps = compliance_gaps(organization=org)
    assert list(gaps.unacknowledged) == [big]
    assert list(gaps.undisclosed_quid_pro_quo) == [qpq]
    assert small not in gaps.unacknowledged
    assert at_75 not in gaps.undisclosed_quid_pro_quo

    first = issue(finance, big)
    issue(finance, qpq)
    gaps = compliance_gaps(organization=org)
    assert list(gaps.unacknowledged) == []
    assert list(gaps.undisclosed_quid_pro_quo) == []

    # A voided receipt no longer acknowledges the gift.
    receipt_void(**finance, receipt=first, reason="Wrong donor name")
    assert list(compliance_gaps(organization=org).unacknowledged) == [big]
    # A year-end statement acknowledges it too.
    year_end_statements_start(**finance, year=TODAY.year)
    run = ReceiptRun.objects.get()
    year_end_statements_run(organization=org, run_id=run.pk)
    assert list(compliance_gaps(organization=org).unacknowledged) == []


# --- Numbers, immutability, corrections, voids ------------------------------------------------


def test_numbers_are_sequential_without_gaps_across_a_failed_issue(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    org = finance["organization"]
    donor = make_donor(fundraiser)
    gifts = [give(fundraiser, donor, general_fund, f"{n}0.00") for n in range(1, 4)]
    first = issue(finance, gifts[0])

    # A letter template that fails while rendering: the issue is rolled back, number included.
    ReceiptSettings.objects.filter(organization=org).update(
        letter_template='{% include "secret.html" %} {{ receipt.number }}'
    )
    with pytest.raises(ServiceError) as failure:
        issue(finance, gifts[1])
    assert failure.value.errors[0]["field"] == "letter_template"
    assert not TaxReceipt.objects.filter(donations=gifts[1]).exists()

    ReceiptSettings.objects.filter(organization=org).update(
        letter_template="<p>{{ receipt.number }}</p>"
    )
    second = issue(finance, gifts[1])
    third = issue(finance, gifts[2])
    assert [first.number, second.number, third.number] == [1, 2, 3]


def test_refuses_voided_and_already_receipted_donations(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund, cast: Any
) -> None:
    donor = make_donor(fundraiser)
    donation = give(fundraiser, donor, general_fund, "40.00")
    receipt = issue(finance, donation)
    with pytest.raises(ServiceError, match=f"already has receipt No. {receipt.number}"):
        issue(finance, donation)
    other = give(fundraiser, donor, general_fund, "41.00")
    gift_services.donation_void(**fundraiser, donation=other, reason="Bounced check")
    with pytest.raises(ServiceError, match="voided donation"):
        issue(finance, other)
    viewer = {**finance, "actor": cast["viewer"], "access": access_of(cast["viewer"])}
    with pytest.raises(PermissionDenied):
        issue(viewer, give(fundraiser, donor, general_fund, "42.00"))
    assert TaxReceipt.objects.count() == 1


def test_void_keeps_its_number_and_a_new_receipt_takes_the_next(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    donation = give(fundraiser, donor, general_fund, "90.00")
    receipt = issue(finance, donation)
    with pytest.raises(ServiceError) as missing:
        receipt_void(**finance, receipt=receipt, reason="  ")
    assert missing.value.errors[0]["field"] == "reason"
    receipt_void(**finance, receipt=receipt, reason="Sent to the wrong address")
    receipt.refresh_from_db()
    assert receipt.number == 1
    assert receipt.voided_at is not None
    assert receipt.void_reason == "Sent to the wrong address"
    with pytest.raises(ServiceError, match="already voided"):
        receipt_void(**finance, receipt=receipt, reason="again")
    again = issue(finance, donation)  # a voided receipt no longer counts
    assert again.number == 2


def test_issued_receipt_never_changes_and_a_correction_names_what_it_replaces(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    donation = give(fundraiser, donor, general_fund, "500.00")
    receipt = issue(finance, donation)
    html_before = receipt.content_html
    pdf_before = receipt_pdf_bytes(receipt=receipt)

    donation.refresh_from_db()
    gift_services.donation_update(
        **fundraiser,
        donation=donation,
        expected_version=donation.version,
        amount=Decimal("550.00"),
    )
    receipt.refresh_from_db()
    assert receipt.content_html == html_before
    assert receipt_pdf_bytes(receipt=receipt) == pdf_before
    assert "$500.00" in receipt_text(receipt)

    corrected = receipt_correct(**finance, receipt=receipt)
    assert corrected.kind == ReceiptKind.CORRECTION
    assert corrected.replaces == receipt
    assert corrected.number == receipt.number + 1
    text = receipt_text(corrected)
    assert f"replaces receipt No. {receipt.number}" in text
    assert "$550.00" in text
    with pytest.raises(ServiceError, match="already corrected"):
        receipt_correct(**finance, receipt=receipt)
    # The donation stands receipted by the correction.
    with pytest.raises(ServiceError, match=f"receipt No. {corrected.number}"):
        issue(finance, donation)


# --- Delivery ----------------------------------------------------------------------------------


def test_email_job_sends_the_pdf_and_records_status(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],
    general_fund: Fund,
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    donor = make_donor(fundraiser)
    receipt = issue(finance, give(fundraiser, donor, general_fund, "60.00"))
    with django_capture_on_commit_callbacks(execute=True):
        receipt_send(**finance, receipt=receipt)
    receipt.refresh_from_db()
    assert receipt.delivery_status == "pending"
    assert run_jobs() == 1

    receipt.refresh_from_db()
    assert receipt.delivery == "email"
    assert receipt.delivery_status == "sent"
    assert receipt.attempts == 1
    assert receipt.delivered_at is not None
    [message] = mailoutbox
    assert message.to == ["ana.reyes@example.org"]
    assert f"No. {receipt.number}" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"receipt-{receipt.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_email_failure_is_recorded_and_retried(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],
    general_fund: Fund,
    run_jobs: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    donor = make_donor(fundraiser)
    receipt = issue(finance, give(fundraiser, donor, general_fund, "60.00"))
    with django_capture_on_commit_callbacks(execute=True):
        receipt_send(**finance, receipt=receipt)
    run_jobs()
    receipt.refresh_from_db()
    assert receipt.attempts == 1
    assert receipt.delivery_status == "pending"  # more attempts to come
    assert receipt.delivery_error
    job = DBTaskResult.objects.get(task_path__endswith="receipt_email_deliver")
    assert job.status == "READY"  # queued again by the retry policy, later
    assert job.run_after is not None


def test_send_refuses_a_donor_without_email(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser, email="")
    receipt = issue(finance, give(fundraiser, donor, general_fund, "60.00"))
    with pytest.raises(ServiceError) as failure:
        receipt_send(**finance, receipt=receipt)
    assert failure.value.errors[0]["field"] == "to"


def test_printing_makes_one_pdf_with_every_letter(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    ana = make_donor(fundraiser)
    ben = make_donor(fundraiser, first="Ben", last="Okafor")
    receipts = [
        issue(finance, give(fundraiser, ana, general_fund, "10.00")),
        issue(finance, give(fundraiser, ben, general_fund, "20.00")),
    ]
    data = receipts_print(**finance, receipts=receipts)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    text = flat(" ".join(p.extract_text() for p in reader.pages))
    assert "Ana Reyes" in text
    assert "Ben Okafor" in text
    assert set(TaxReceipt.objects.values_list("delivery", flat=True)) == {"print"}


# --- Year-end statements -----------------------------------------------------------------------


def test_year_end_job_issues_one_statement_per_donor_with_progress(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],
    general_fund: Fund,
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana = make_donor(fundraiser)
    ben = make_donor(fundraiser, first="Ben", last="Okafor")
    make_donor(fundraiser, first="Cy", last="Nobody")  # gave nothing: no statement
    give(fundraiser, ana, general_fund, "100.00", date=THIS_YEAR_DAY)
    give(fundraiser, ana, general_fund, "50.00", date=TODAY)
    give(fundraiser, ben, general_fund, "700.00", method="stock", description="10 ACME shares")
    voided = give(fundraiser, ben, general_fund, "5.00")
    gift_services.donation_void(**fundraiser, donation=voided, reason="Duplicate")

    with django_capture_on_commit_callbacks(execute=True):
        run = year_end_statements_start(**finance, year=TODAY.year)
    assert run.status == RunStatus.QUEUED
    assert run_jobs() == 1
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.created, run.percent) == ("done", 2, 2, 2, 100)

    statements = {r.donor_id: r for r in TaxReceipt.objects.filter(kind=ReceiptKind.YEAR_END)}
    assert set(statements) == {ana.pk, ben.pk}
    assert statements[ana.pk].total_amount == Decimal("150.00")
    assert statements[ana.pk].donations.count() == 2
    assert statements[ben.pk].donations.count() == 1  # the voided gift is left out
    text = receipt_text(statements[ana.pk])
    assert f"Tax year: {TODAY.year}" in text
    assert "$150.00" in text
    assert "No goods or services were provided in exchange for these contributions." in text
    assert "10 ACME shares" in receipt_text(statements[ben.pk])

    # Running it again creates nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = year_end_statements_start(**finance, year=TODAY.year)
    run_jobs()
    again.refresh_from_db()
    assert (again.status, again.done, again.created) == ("done", 2, 0)
    assert TaxReceipt.objects.filter(kind=ReceiptKind.YEAR_END).count() == 2


def test_year_end_refuses_a_future_year(finance: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as failure:
        year_end_statements_start(**finance, year=TODAY.year + 1)
    assert failure.value.errors[0]["field"] == "year"
    assert not ReceiptRun.objects.exists()


# --- Honouring the donor's wishes, bulk email of a run, the print record -----------------------


def test_send_refuses_a_donor_who_asked_not_to_be_emailed(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],
    general_fund: Fund,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    donor = make_donor(fundraiser, no_email=True)
    receipt = issue(finance, give(fundraiser, donor, general_fund, "60.00"))
    for to in ("", "someone.else@example.org"):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError) as no:
            receipt_send(**finance, receipt=receipt, to=to)
        assert no.value.errors[0]["field"] == "to"
        assert "Ana Reyes asked not to be emailed" in no.value.message
        assert "print the receipt instead" in no.value.message
    receipt.refresh_from_db()
    assert (receipt.delivery, receipt.delivery_status) == ("", "not_sent")
    assert not DBTaskResult.objects.exists()


def _finished_run(finance: dict[str, Any], **options: Any) -> ReceiptRun:
    run = year_end_statements_start(**finance, year=TODAY.year, **options)
    return year_end_statements_run(organization=finance["organization"], run_id=run.pk)


def test_run_email_queues_only_the_emailable_statements_and_counts_the_rest(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],
    general_fund: Fund,
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    from ifm.audit.models import AuditEvent

    ana = make_donor(fundraiser)
    ben = make_donor(fundraiser, first="Ben", last="Okafor")
    quiet = make_donor(fundraiser, first="Cleo", last="Quiet", no_email=True)
    gone = make_donor(fundraiser, first="Dov", last="Late", is_deceased=True)
    nomail = make_donor(fundraiser, first="Eli", last="Paper", email="")
    for donor in (ana, ben, quiet, gone, nomail):
        give(fundraiser, donor, general_fund, "100.00")
    run = _finished_run(finance)
    assert run.created == 5
    statements = {r.donor_id: r for r in TaxReceipt.objects.filter(run=run)}
    # Ben's statement was corrected: the replaced one is not sent, nor is a voided one.
    replacement = receipt_correct(**finance, receipt=statements[ben.pk])
    assert replacement.run_id is None

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = year_end_statements_send(**finance, run=run)
    assert len(callbacks) == 1  # the jobs are queued after commit, together
    assert (sent.queued, sent.to_print, sent.already_emailed) == (1, 3, 0)
    assert sent.reasons == {"deceased": 1, "no_address": 1, "no_email": 1}
    jobs = list(DBTaskResult.objects.filter(task_path__endswith="receipt_email_deliver"))
    assert [j.args_kwargs["kwargs"]["receipt_id"] for j in jobs] == [statements[ana.pk].pk]
    assert jobs[0].args_kwargs["kwargs"]["organization_id"] == finance["organization"].pk

    rows = {r.donor_id: r for r in TaxReceipt.objects.filter(run=run)}
    assert (rows[ana.pk].delivery_status, rows[ana.pk].delivered_to) == (
        "pending",
        "ana.reyes@example.org",
    )
    for donor in (ben, quiet, gone, nomail):
        assert rows[donor.pk].delivery_status == "not_sent"

    assert run_jobs() == 1
    rows[ana.pk].refresh_from_db()
    assert rows[ana.pk].delivery_status == "sent"
    assert [m.to for m in mailoutbox] == [["ana.reyes@example.org"]]

    events = AuditEvent.objects.filter(organization=finance["organization"])
    summary = events.get(action="donors.receipt_run.email")
    assert summary.object_id == str(run.pk)
    assert summary.changes["queued"] == [rows[ana.pk].pk]
    assert summary.changes["to_print"] == {
        "deceased": [rows[gone.pk].pk],
        "no_address": [rows[nomail.pk].pk],
        "no_email": [rows[quiet.pk].pk],
    }
    send = events.get(action="donors.receipt.send")
    assert (send.object_id, send.changes["to"]) == (str(rows[ana.pk].pk), "ana.reyes@example.org")

    # Again: the emailed one is left alone, nothing new is queued.
    with django_capture_on_commit_callbacks(execute=True):
        again = year_end_statements_send(**finance, run=run)
    assert (again.queued, again.to_print, again.already_emailed) == (0, 3, 1)
    assert DBTaskResult.objects.ready().count() == 0

    from ifm.donors.receipts.selectors import run_statements_not_emailed

    assert {r.donor_id for r in run_statements_not_emailed(run)} == {quiet.pk, gone.pk, nomail.pk}


def test_run_email_refuses_an_unfinished_run_and_a_viewer(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund, cast: Any
) -> None:
    give(fundraiser, make_donor(fundraiser), general_fund, "10.00")
    run = year_end_statements_start(**finance, year=TODAY.year)
    with pytest.raises(ServiceError, match="still making its statements"):
        year_end_statements_send(**finance, run=run)
    year_end_statements_run(organization=finance["organization"], run_id=run.pk)
    viewer = {**finance, "actor": cast["viewer"], "access": access_of(cast["viewer"])}
    with pytest.raises(PermissionDenied):
        year_end_statements_send(**viewer, run=run)
    assert set(TaxReceipt.objects.values_list("delivery_status", flat=True)) == {"not_sent"}


def test_print_records_each_printed_receipt_in_the_audit_log(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    from ifm.audit.models import AuditEvent

    ana = make_donor(fundraiser)
    receipts = [issue(finance, give(fundraiser, ana, general_fund, f"{n}0.00")) for n in (1, 2, 3)]
    receipt_void(**finance, receipt=receipts[2], reason="Wrong gift")
    receipts_print(**finance, receipts=receipts)

    printed = AuditEvent.objects.filter(action="donors.receipt.print")
    summary = printed.get(object_id="")
    assert summary.changes["receipt_ids"] == [receipts[0].pk, receipts[1].pk]
    assert summary.changes["numbers"] == [receipts[0].number, receipts[1].number]
    each = list(printed.exclude(object_id=""))
    assert sorted(int(e.object_id) for e in each) == [receipts[0].pk, receipts[1].pk]
    assert {e.object_type for e in each} == {"donors.taxreceipt"}
    assert {e.actor_id for e in each} == {finance["actor"].pk}
