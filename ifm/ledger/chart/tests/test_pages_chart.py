"""Chart of accounts, funds, programs and CSV import pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.ledger.models import Account, Fund, JournalEntry, Program
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "alpha", **kwargs})


@pytest.fixture
def finance(cast: dict[str, Any]) -> Any:
    return client_for(cast["finance"])


def test_chart_pages_render(finance: Any, org_a: Organization) -> None:
    with org_context(org_a):
        cash = Account.objects.get(number="1010")
        fund = Fund.objects.get(is_general=True)
        program = Program.objects.create(code="YM", name="Youth mentoring")
    for page in [
        url("ledger:ledger_chart"),
        url("ledger:ledger_account_create"),
        url("ledger:ledger_account_edit", account_id=cash.pk),
        url("ledger:ledger_funds"),
        url("ledger:ledger_fund_create"),
        url("ledger:ledger_fund_edit", fund_id=fund.pk),
        url("ledger:ledger_programs"),
        url("ledger:ledger_program_create"),
        url("ledger:ledger_program_edit", program_id=program.pk),
        url("ledger:ledger_import"),
    ]:
        assert finance.get(page).status_code == 200, page


def test_chart_is_a_tree_and_searchable(finance: Any, org_a: Organization) -> None:
    html = finance.get(url("ledger:ledger_chart")).content.decode()
    with org_context(org_a):
        cash = Account.objects.get(number="1010")
        parent = cash.parent
    assert parent is not None
    assert html.index(f'id="account-{parent.pk}"') < html.index(f'id="account-{cash.pk}"')
    assert "ledger-indent-1" in html
    found = finance.get(url("ledger:ledger_chart"), {"q": "1010"}).content.decode()
    assert f'id="account-{cash.pk}"' in found
    assert f'id="account-{parent.pk}"' in found  # its header stays, for context
    with org_context(org_a):
        assert not any(
            f'id="account-{a.pk}"' in found for a in Account.objects.filter(type="expense")
        )
    assert (
        "No account matches"
        in finance.get(url("ledger:ledger_chart"), {"q": "zzzz"}).content.decode()
    )


def test_viewer_sees_the_chart_but_cannot_change_it(
    cast: dict[str, Any], org_a: Organization
) -> None:
    viewer = client_for(cast["viewer"])
    html = viewer.get(url("ledger:ledger_chart")).content.decode()
    assert "Add account" not in html
    assert viewer.get(url("ledger:ledger_account_create")).status_code == 403
    assert (
        viewer.post(url("ledger:ledger_fund_create"), {"code": "X", "name": "X"}).status_code == 403
    )
    assert viewer.get(url("ledger:ledger_import")).status_code == 403


def test_add_and_edit_an_account(finance: Any, org_a: Organization) -> None:
    with org_context(org_a):
        header = Account.objects.get(number="1010").parent
    assert header is not None
    response = finance.post(
        url("ledger:ledger_account_create"),
        {"number": "1015", "name": "Petty cash", "type": "asset", "parent": header.pk},
    )
    assert response.status_code == 302
    with org_context(org_a):
        account = Account.objects.get(number="1015")
        assert account.parent_id == header.pk
    # A duplicate number is shown beside the field.
    response = finance.post(
        url("ledger:ledger_account_create"), {"number": "1015", "name": "Again", "type": "asset"}
    )
    assert response.status_code == 422
    assert "already an account numbered 1015" in response.content.decode()
    # Rename, renumber and deactivate.
    edit = url("ledger:ledger_account_edit", account_id=account.pk)
    form = {
        "number": "1016",
        "name": "Petty cash box",
        "parent": header.pk,
        "version": account.version,
        "net_asset_class": "",
        "description": "",
    }
    assert finance.post(edit, form).status_code == 302
    with org_context(org_a):
        account.refresh_from_db()
        assert (account.number, account.name, account.is_active) == (
            "1016",
            "Petty cash box",
            False,
        )
    # The same (now stale) version again: a conflict message, nothing overwritten.
    form["name"] = "Someone else's edit"
    response = finance.post(edit, form)
    assert response.status_code == 409
    assert "changed by" in response.content.decode()
    with org_context(org_a):
        account.refresh_from_db()
        assert account.name == "Petty cash box"


def test_add_and_edit_funds_and_programs(finance: Any, org_a: Organization) -> None:
    assert (
        finance.post(
            url("ledger:ledger_fund_create"),
            {
                "code": "YOUTH",
                "name": "Youth fund",
                "restriction": "purpose",
                "purpose": "Youth work",
            },
        ).status_code
        == 302
    )
    with org_context(org_a):
        fund = Fund.objects.get(code="YOUTH")
    assert "Youth fund" in finance.get(url("ledger:ledger_funds")).content.decode()
    response = finance.post(
        url("ledger:ledger_fund_edit", fund_id=fund.pk),
        {
            "code": "YOUTH",
            "name": "Youth fund 2",
            "restriction": "purpose",
            "purpose": "Youth work",
            "is_active": "on",
            "version": fund.version,
        },
    )
    assert response.status_code == 302
    with org_context(org_a):
        fund.refresh_from_db()
        assert fund.name == "Youth fund 2"
        general = Fund.objects.get(is_general=True)
    response = finance.post(
        url("ledger:ledger_fund_edit", fund_id=general.pk),
        {"code": "GEN", "name": "General", "restriction": "none", "version": general.version},
    )
    assert response.status_code == 422
    assert "cannot be deactivated" in response.content.decode()

    assert (
        finance.post(
            url("ledger:ledger_program_create"), {"code": "YM", "name": "Mentoring"}
        ).status_code
        == 302
    )
    with org_context(org_a):
        program = Program.objects.get(code="YM")
    assert "Mentoring" in finance.get(url("ledger:ledger_programs")).content.decode()
    finance.post(
        url("ledger:ledger_program_edit", program_id=program.pk),
        {"code": "YM", "name": "Youth mentoring", "is_active": "on", "version": program.version},
    )
    with org_context(org_a):
        program.refresh_from_db()
        assert program.name == "Youth mentoring"


def test_chart_import_dry_run_then_import(finance: Any, org_a: Organization) -> None:
    bad = (
        b"number,name,type,parent_number\n"
        b"9100,Special,expense,\n9101,,expense,9100\n9102,Odd,colour,\n"
    )
    response = finance.post(
        url("ledger:ledger_import"),
        {"kind": "chart", "action": "check", "chart-file": SimpleUploadedFile("c.csv", bad)},
    )
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "Row 3" in html
    assert "Row 4" in html
    good = (
        "number,name,type,parent_number\n9100,Special projects,expense,\n9110,Travel,expense,9100\n"
    )
    response = finance.post(
        url("ledger:ledger_import"),
        {
            "kind": "chart",
            "action": "check",
            "chart-file": SimpleUploadedFile("c.csv", good.encode()),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The file is fine" in html
    assert "2 accounts to add" in html
    with org_context(org_a):
        assert not Account.objects.filter(number="9100").exists()
    # "Import" sends the checked rows kept in the page.
    response = finance.post(
        url("ledger:ledger_import"), {"kind": "chart", "action": "import", "chart-content": good}
    )
    assert response.status_code == 302
    with org_context(org_a):
        assert Account.objects.get(number="9110").parent.number == "9100"  # type: ignore[union-attr]


def test_opening_balances_import(finance: Any, org_a: Organization) -> None:
    csv_text = "account_number,fund_code,debit,credit\n1010,GEN,500.00,0\n3010,GEN,0,500.00\n"
    check = finance.post(
        url("ledger:ledger_import"),
        {
            "kind": "opening",
            "action": "check",
            "opening-date": "2026-01-01",
            "opening-file": SimpleUploadedFile("o.csv", csv_text.encode()),
        },
    )
    html = check.content.decode()
    assert "The file is fine" in html, html[
        html.find("import-result") : html.find("import-result") + 800
    ]
    with org_context(org_a):
        assert JournalEntry.objects.count() == 0
    response = finance.post(
        url("ledger:ledger_import"),
        {
            "kind": "opening",
            "action": "import",
            "opening-date": "2026-01-01",
            "opening-content": csv_text,
        },
    )
    assert response.status_code == 302
    with org_context(org_a):
        entry = JournalEntry.objects.get()
        assert entry.source_type == "opening"
    missing = finance.post(
        url("ledger:ledger_import"),
        {"kind": "opening", "action": "check", "opening-date": "2026-01-01"},
    )
    assert "Choose a CSV file" in missing.content.decode()
