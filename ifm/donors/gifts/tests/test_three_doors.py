"""One posting rule, three doors: the same gift recorded through the donation page, the API
and a file import gives the same journal lines (accounts, fund, amounts and memos)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.donors.imports.services import import_start
from ifm.donors.models import Donation, ImportStatus
from ifm.donors.people.services import donor_create
from ifm.ledger.models import Fund, JournalEntry, Restriction
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()

# (method as the page and API name it, as an import file names it, fund code, description)
CASES = [
    ("check", "Check", "GENERAL", ""),
    ("card", "Credit Card", "YOUTH", ""),
    ("in_kind", "In-Kind", "GENERAL", "Two boxes of books"),
]


def _lines(donation: Donation) -> list[tuple[str, str, Decimal, Decimal, str]]:
    entry = JournalEntry.objects.get(source_type="donation", source_id=str(donation.pk))
    return sorted(
        (ln.account.number, ln.fund.code, ln.debit, ln.credit, ln.memo)
        for ln in entry.lines.select_related("account", "fund")
    )


@pytest.mark.parametrize(("method", "file_method", "fund_code", "description"), CASES)
def test_the_same_gift_posts_the_same_lines_through_every_door(
    donors_org: Organization,
    cast: dict[str, Any],
    fundraiser: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    run_jobs: Any,
    method: str,
    file_method: str,
    fund_code: str,
    description: str,
) -> None:
    general = Fund.objects.get(is_general=True)
    Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE, purpose="Y")
    fund = general if fund_code == "GENERAL" else Fund.objects.get(code=fund_code)
    donor = donor_create(**fundraiser, first_name="Ann", last_name="Lee", email="ann@example.org")
    amount = "125.50"

    # The page.
    page = client_for(cast["fundraising"]).post(
        f"/o/{donors_org.slug}/donors/donations/new/",
        {
            "donor": str(donor.pk),
            "donor_text": donor.name,
            "amount": amount,
            "date": TODAY.isoformat(),
            "method": method,
            "fund": str(fund.pk),
            "description": description,
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    by_page = Donation.objects.get()

    # The API.
    api = send_json(
        api_client_for(cast["fundraising"], donors_org),
        "POST",
        "/api/v1/donations",
        {
            "donor_id": donor.pk,
            "amount": amount,
            "date": TODAY.isoformat(),
            "method": method,
            "fund_id": fund.pk,
            "description": description,
        },
    )
    assert api.status_code == 201, api.content
    by_api = Donation.objects.get(pk=api.json()["id"])

    # The import.
    csv = (
        "Email,Amount,Gift Date,Payment Method,Fund,Description\n"
        f"ann@example.org,{amount},{TODAY.isoformat()},{file_method},{fund.code},{description}\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        result, run, _earlier = import_start(
            **fundraiser, kind="donations", data=csv, filename="gift.csv", dry_run=False
        )
    assert result is not None
    assert result.problems == []
    assert run is not None
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.errors
    by_import = Donation.objects.exclude(pk__in=[by_page.pk, by_api.pk]).get()

    assert by_page.method == by_api.method == by_import.method == method
    expected = _lines(by_page)
    assert len(expected) == 2
    assert sum(line[2] for line in expected) == Decimal(amount)
    assert all(line[4] == "Gift from Ann Lee" for line in expected)
    assert _lines(by_api) == expected
    assert _lines(by_import) == expected
