"""Year-end runs at volume: statements rendered by a pool of processes are the very PDFs the
single-receipt path makes, and a run that stops part-way resumes without a gap or a duplicate."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.donors.conftest import access_of
from ifm.donors.models import Donation, ReceiptRun, RunStatus, TaxReceipt
from ifm.donors.receipts import year_end
from ifm.donors.receipts.issue import receipt_issue
from ifm.donors.receipts.pdf import html_to_pdf, letter_document
from ifm.donors.receipts.services import year_end_statements_start
from ifm.donors.receipts.tests.test_receipts import (
    TODAY,
    flat,
    give,
    make_donor,
    pdf_text,
)
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

NAMES = [("Ana", "Reyes"), ("Ben", "Okafor"), ("Chloe", "Martin"), ("Dev", "Patel"), ("Eve", "Ng")]


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(year_end, "CHUNK", 2)  # several chunks from a few donors


@pytest.fixture
def finance(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["finance"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


def _donors(fundraiser: dict[str, Any], fund: Fund) -> list[Any]:
    donors = []
    for i, (first, last) in enumerate(NAMES):
        donor = make_donor(fundraiser, first, last)
        for amount in ("25.00", f"{100 + i}.50"):
            give(fundraiser, donor, fund, amount, date=TODAY)
        donors.append(donor)
    return donors


def _stored(receipt: TaxReceipt) -> bytes:
    with receipt.pdf.open("rb") as handle:
        return handle.read()


def test_statements_from_render_processes_are_the_single_receipt_pdfs(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    _donors(fundraiser, general_fund)
    run = year_end_statements_start(**finance, year=TODAY.year)
    seen: list[tuple[int, int]] = []
    year_end.year_end_statements_run(
        organization=finance["organization"],
        run_id=run.pk,
        processes=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]
    statements = list(TaxReceipt.objects.filter(run=run).order_by("number"))
    assert len(statements) == 5
    for receipt in statements:
        made_here = html_to_pdf(
            letter_document([receipt.content_html], title=f"Receipt {receipt.number}")
        )
        stored = _stored(receipt)
        assert flat(pdf_text(stored)) == flat(pdf_text(made_here))
        assert stored == made_here
        assert f"No. {receipt.number}" in flat(pdf_text(stored))


def test_a_receipt_issued_between_chunks_renumbers_the_letters_rendered_ahead(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    """The next chunk's letters are rendered while the previous one is kept, with the numbers
    that would follow; a single receipt issued between the chunks takes one of them, so those
    letters are made again with the numbers they do get."""
    donors = _donors(fundraiser, general_fund)
    gift = Donation.objects.filter(donor=donors[4]).order_by("pk").first()
    assert gift is not None
    run = year_end_statements_start(**finance, year=TODAY.year)
    singles: list[TaxReceipt] = []

    def issue_between(done: int, total: int) -> None:
        if done == 2:
            singles.append(receipt_issue(**finance, donation=gift))

    year_end.year_end_statements_run(
        organization=finance["organization"], run_id=run.pk, processes=2, progress=issue_between
    )
    statements = list(TaxReceipt.objects.filter(run=run).order_by("number"))
    numbers = [r.number for r in statements] + [singles[0].number]
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + 6))
    assert singles[0].number == statements[1].number + 1  # taken between the chunks
    for receipt in statements:
        stored = _stored(receipt)
        assert f"No. {receipt.number}" in flat(pdf_text(stored))
        assert receipt.content_data["receipt"]["number"] == receipt.number
        assert stored == html_to_pdf(
            letter_document([receipt.content_html], title=f"Receipt {receipt.number}")
        )


def test_a_run_stopped_part_way_resumes_without_gap_or_duplicate(
    fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donors = _donors(fundraiser, general_fund)
    run = year_end_statements_start(**finance, year=TODAY.year)

    def crash(done: int, total: int) -> None:
        if done == 4:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        year_end.year_end_statements_run(
            organization=finance["organization"], run_id=run.pk, processes=1, progress=crash
        )
    stopped = ReceiptRun.objects.get(pk=run.pk)
    assert stopped.status == RunStatus.FAILED
    assert TaxReceipt.objects.filter(run=run).count() == 4  # two chunks committed

    again = year_end.year_end_statements_run(organization=finance["organization"], run_id=run.pk)
    # The resumed run reports every statement it issued, as an uninterrupted run would.
    assert (again.status, again.done, again.total, again.created) == (RunStatus.DONE, 5, 5, 5)
    statements = TaxReceipt.objects.filter(run=run)
    numbers = sorted(statements.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert sorted(statements.values_list("donor_id", flat=True)) == sorted(d.pk for d in donors)
