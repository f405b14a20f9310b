"""A client generated from /api/v1/openapi.json walks the donation flow: the contract holds.

openapi-python-client (a maintained generator, httpx and attrs) writes a package from the
document the app serves; the test imports it and creates a donor, records a gift, issues the
receipt and downloads its PDF using only the generated functions and models, over an httpx
transport mounted on Django's WSGI handler with a real API token. A document a generator
misreads (a dropped operation, an untyped model, a response left out) fails here.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from django.db import transaction
from django.test import Client

from ifm.core.tests.api_helpers import InTestWSGIApp, make_api_token

PACKAGE = "ifm_generated_client"

# The document is right to say application/pdf, image/jpeg and image/png; the generator only
# turns application/octet-stream into its File type, so it is told they are bytes too.
GENERATOR_CONFIG = f"""\
package_name_override: {PACKAGE}
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
  image/jpeg: application/octet-stream
  image/png: application/octet-stream
"""


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[ModuleType]:
    """The client package generated from the app's own document, importable."""
    # Outside any test's transaction: roll back whatever the request writes (its request
    # count among them), so no later test finds rows it did not make.
    with django_db_blocker.unblock(), transaction.atomic():
        response = Client().get("/api/v1/openapi.json")
        transaction.set_rollback(True)
    assert response.status_code == 200
    work = tmp_path_factory.mktemp("client")
    (work / "openapi.json").write_bytes(response.content)
    (work / "config.yml").write_text(GENERATOR_CONFIG)
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [
            str(generator),
            "generate",
            "--path",
            str(work / "openapi.json"),
            "--config",
            str(work / "config.yml"),
            "--meta",
            "none",
            "--output-path",
            str(work / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Every operation and response made it into the client: no "Warning(s) encountered".
    assert "Warning" not in output, output
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def api(
    generated: ModuleType, cast: dict[str, Any], org_a: Any, settings: Any, tmp_path: Path
) -> Any:
    """The generated client, authenticated as A's admin, talking to the app in this test."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    token = make_api_token(cast["admin"], org_a)
    return generated.AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=InTestWSGIApp())},
    )


def test_generated_client_walks_donor_gift_receipt_pdf(api: Any) -> None:
    models = _module("models")
    donor_create = _module("api.donors.donor_create")
    donation_record = _module("api.donors.donation_record")
    fund_list = _module("api.ledger.fund_list")
    receipt_issue = _module("api.receipts.receipt_issue")
    receipt_pdf = _module("api.receipts.receipt_pdf")
    donor_get = _module("api.donors.donor_get")

    donor = donor_create.sync(
        client=api,
        body=models.DonorIn(first_name="Ana", last_name="Reyes", email="ana@example.org"),
        idempotency_key="walk-donor-1",
    )
    assert isinstance(donor, models.DonorOut), donor
    assert (donor.name, donor.version) == ("Ana Reyes", 1)

    funds = fund_list.sync(client=api, active=True)
    assert isinstance(funds, models.PagedFundOut), funds
    general = next(fund for fund in funds.items if fund.is_general)

    gift = models.DonationIn(
        donor_id=donor.id,
        amount="150.00",
        date=date.today(),
        method=models.Method.CHECK,
        fund_id=general.id,
        check_number="1001",
    )
    donation = donation_record.sync(client=api, body=gift, idempotency_key="walk-gift-1")
    assert isinstance(donation, models.DonationOut), donation
    assert (donation.donor_id, donation.amount) == (donor.id, "150.00")

    receipt = receipt_issue.sync(donation.id, client=api)
    assert isinstance(receipt, models.TaxReceiptOut), receipt
    assert receipt.donation_ids == [donation.id]
    assert (receipt.total_amount, receipt.deductible_amount) == ("150.00", "150.00")

    pdf = receipt_pdf.sync_detailed(receipt.id, client=api)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert isinstance(pdf.parsed, _module("types").File)
    assert pdf.parsed.payload.read().startswith(b"%PDF")

    after = donor_get.sync(donor.id, client=api)
    assert isinstance(after, models.DonorOut)
    assert (after.giving.gift_count, after.giving.lifetime_total) == (1, "150.00")


def test_generated_client_reads_problems_as_typed_models(api: Any) -> None:
    models = _module("models")
    donor_create = _module("api.donors.donor_create")
    donation_record = _module("api.donors.donation_record")
    donor = donor_create.sync(client=api, body=models.DonorIn(last_name="Lee"))
    assert isinstance(donor, models.DonorOut), donor
    bad = models.DonationIn(
        donor_id=donor.id, amount="0", date=date.today(), method=models.Method.CASH, fund_id=1
    )
    problem = donation_record.sync(client=api, body=bad)
    assert isinstance(problem, models.ProblemOut), problem
    assert problem.status == 422
    assert "amount" in [error.field for error in problem.errors]


def test_generated_journal_line_is_one_typed_model(api: Any) -> None:
    # The "debit or credit" rule must not cost the line its other fields in the client.
    models = _module("models")
    account_create = _module("api.ledger.account_create")
    fund_list = _module("api.ledger.fund_list")
    journal_entry_create = _module("api.ledger.journal_entry_create")
    cash, income = (
        account_create.sync(client=api, body=models.AccountIn(number=n, name=n, type_=kind))
        for n, kind in (("1090", models.AccountType.ASSET), ("4990", models.AccountType.REVENUE))
    )
    assert isinstance(cash, models.AccountOut), cash
    assert isinstance(income, models.AccountOut), income
    funds = fund_list.sync(client=api)
    fund = next(fund for fund in funds.items if fund.is_general)

    def entry(*lines: Any) -> Any:
        body = models.JournalEntryIn(date=date.today(), memo="Generated client", lines=list(lines))
        return journal_entry_create.sync(client=api, body=body)

    posted = entry(
        models.JournalLineIn(account_id=cash.id, fund_id=fund.id, debit="75.00"),
        models.JournalLineIn(account_id=income.id, fund_id=fund.id, credit="75.00"),
    )
    assert isinstance(posted, models.JournalEntryOut), posted
    assert [(line.account_id, line.debit, line.credit) for line in posted.lines] == [
        (cash.id, "75.00", "0.00"),
        (income.id, "0.00", "75.00"),
    ]
    both = entry(
        models.JournalLineIn(account_id=cash.id, fund_id=fund.id, debit="5", credit="5"),
        models.JournalLineIn(account_id=income.id, fund_id=fund.id, credit="0"),
    )
    assert isinstance(both, models.ProblemOut), both
    assert both.status == 422
