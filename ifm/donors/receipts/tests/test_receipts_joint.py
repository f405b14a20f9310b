"""Joint household receipts: single-gift receipts and year-end statements issued to a household
(its name, its shared address), covering its members' gifts; numbering stays gapless."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.core.errors import ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.models import ReceiptKind, ReceiptRun, TaxReceipt
from ifm.donors.people import households as household_services
from ifm.donors.receipts.issue import receipt_correct, receipt_issue
from ifm.donors.receipts.services import year_end_statements_start
from ifm.donors.receipts.tests.test_receipts import (
    THIS_YEAR_DAY,
    TODAY,
    finance,  # noqa: F401 (a fixture)
    give,
    make_donor,
    receipt_text,
)
from ifm.donors.receipts.year_end import year_end_statements_run
from ifm.ledger.models import Fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def smiths(fundraiser: dict[str, Any]) -> dict[str, Any]:
    john = make_donor(fundraiser, first="John", last="Smith")
    jane = make_donor(fundraiser, first="Jane", last="Smith", address_line1="")
    household = household_services.household_create(
        **fundraiser,
        name="The Smith Family",
        members=[john, jane],
        address_line1="7 Maple Court",
        city="Springfield",
        state="IL",
        postal_code="62704",
    )
    return {"john": john, "jane": jane, "household": household}


def test_joint_year_end_statement_covers_the_members_gifts(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],  # noqa: F811
    general_fund: Fund,
    smiths: dict[str, Any],
) -> None:
    john, jane, household = smiths["john"], smiths["jane"], smiths["household"]
    solo = make_donor(fundraiser, first="Ana", last="Reyes")
    give(fundraiser, john, general_fund, "100.00", date=THIS_YEAR_DAY)
    give(
        fundraiser,
        jane,
        general_fund,
        "250.00",
        goods_services_value=Decimal("40.00"),
        goods_services_description="Gala dinner",
    )
    give(fundraiser, jane, general_fund, "25.00", method="cash")
    give(fundraiser, solo, general_fund, "60.00")

    run = year_end_statements_start(**finance, year=TODAY.year, joint=True)
    assert run.joint
    year_end_statements_run(organization=finance["organization"], run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.total, run.created) == ("done", 2, 2)

    statements = list(TaxReceipt.objects.filter(kind=ReceiptKind.YEAR_END).order_by("number"))
    assert len(statements) == 2
    joint = next(r for r in statements if r.household_id == household.pk)
    alone = next(r for r in statements if r.household_id is None)
    assert alone.donor_id == solo.pk
    assert alone.total_amount == Decimal("60.00")
    # One statement for the household: the sum of its members' gifts.
    assert joint.donations.count() == 3
    assert {d.donor_id for d in joint.donations.all()} == {john.pk, jane.pk}
    assert joint.total_amount == Decimal("375.00")
    assert joint.deductible_amount == Decimal("335.00")
    assert joint.content_data["donor"]["name"] == "The Smith Family"
    assert joint.content_data["donor"]["members"] == ["John Smith", "Jane Smith"]
    text = receipt_text(joint)
    assert "The Smith Family" in text
    assert "7 Maple Court" in text
    assert "Dear The Smith Family" in text
    assert "$375.00" in text
    assert "Gala dinner" in text  # the wording module's goods-and-services statement
    # Gapless numbers.
    assert sorted(r.number for r in statements) == [1, 2]

    # Run again, joint or not: no member gets a second statement for the same gifts.
    again = year_end_statements_start(**finance, year=TODAY.year, joint=False)
    year_end_statements_run(organization=finance["organization"], run_id=again.pk)
    again.refresh_from_db()
    assert again.created == 0
    assert TaxReceipt.objects.count() == 2

    # A correction of the joint statement stays joint.
    corrected = receipt_correct(**finance, receipt=joint)
    assert corrected.household_id == household.pk
    assert corrected.total_amount == Decimal("375.00")
    assert corrected.number == 3


def test_joint_single_receipt_is_addressed_to_the_household(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],  # noqa: F811
    general_fund: Fund,
    smiths: dict[str, Any],
) -> None:
    gift = give(fundraiser, smiths["jane"], general_fund, "80.00")
    receipt = receipt_issue(**finance, donation=gift, joint=True)
    assert receipt.household_id == smiths["household"].pk
    assert receipt.donor_id == smiths["jane"].pk
    assert receipt.kind == ReceiptKind.SINGLE
    text = receipt_text(receipt)
    assert "The Smith Family" in text
    assert "7 Maple Court" in text
    assert "No goods or services were provided" in text


def test_a_joint_receipt_for_a_donor_of_no_household_is_refused(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],  # noqa: F811
    general_fund: Fund,
) -> None:
    ana = make_donor(fundraiser)
    gift = give(fundraiser, ana, general_fund, "30.00")
    with pytest.raises(ServiceError) as exc:
        receipt_issue(**finance, donation=gift, joint=True)
    assert exc.value.errors[0]["field"] == "joint"
    assert "not in a household" in exc.value.message
    assert not TaxReceipt.objects.exists()
    # The number was not used: the next receipt is No. 1.
    assert receipt_issue(**finance, donation=gift).number == 1


# --- API -----------------------------------------------------------------------------------------


@pytest.fixture
def api(donors_org: Any, cast: dict[str, Any]) -> Client:
    return api_client_for(cast["finance"], donors_org)


def test_api_joint_flags(
    api: Client,
    fundraiser: dict[str, Any],
    general_fund: Fund,
    smiths: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana = make_donor(fundraiser)
    lonely = give(fundraiser, ana, general_fund, "20.00")
    response = api.post(f"/api/v1/donations/{lonely.pk}/receipt?joint=true")
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "joint"
    assert not TaxReceipt.objects.exists()

    gift = give(fundraiser, smiths["john"], general_fund, "45.00")
    response = api.post(f"/api/v1/donations/{gift.pk}/receipt?joint=true")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["household_id"] == smiths["household"].pk
    assert body["number"] == 1

    response = api.post(f"/api/v1/receipts/year-end?year={TODAY.year}&joint=true")
    assert response.status_code == 202, response.content
    assert response.json()["joint"] is True
    assert ReceiptRun.objects.get(pk=response.json()["id"]).joint


def test_joint_letter_names_the_members_under_the_household(
    fundraiser: dict[str, Any],
    finance: dict[str, Any],  # noqa: F811
    general_fund: Fund,
    smiths: dict[str, Any],
) -> None:
    gift = give(fundraiser, smiths["john"], general_fund, "120.00")
    receipt = receipt_issue(**finance, donation=gift, joint=True)
    assert receipt.content_data["donor"]["members_display"] == "John Smith and Jane Smith"
    text = receipt_text(receipt)
    assert "The Smith Family John Smith and Jane Smith 7 Maple Court" in text
    assert "No goods or services were provided in exchange for this contribution." in text

    # A receipt to the donor alone names no members.
    alone = receipt_issue(
        **finance, donation=give(fundraiser, smiths["jane"], general_fund, "5.00")
    )
    assert "John Smith and Jane Smith" not in receipt_text(alone)


def test_a_second_start_while_a_run_is_in_progress(
    finance: dict[str, Any],  # noqa: F811
) -> None:
    """The same kind hands back the run in progress; the other kind is refused until it ends."""
    from ifm.core.errors import ConflictError

    run = year_end_statements_start(**finance, year=TODAY.year, joint=True)
    assert year_end_statements_start(**finance, year=TODAY.year, joint=True) == run
    with pytest.raises(ConflictError, match="one per household"):
        year_end_statements_start(**finance, year=TODAY.year, joint=False)
    assert ReceiptRun.objects.count() == 1
    year_end_statements_run(organization=finance["organization"], run_id=run.pk)
    other = year_end_statements_start(**finance, year=TODAY.year, joint=False)
    assert other != run
    assert not other.joint
