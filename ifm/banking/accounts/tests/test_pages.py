"""Bank account and column profile pages: who sees what, forms and their refusals, lists with
search, filters and exports, and another organization's ids as 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ifm.banking.accounts.tests.conftest import account
from ifm.banking.accounts.views import ACCOUNT_SORTS, LINE_SORTS
from ifm.banking.models import BankAccount, BankTransaction, CsvProfile, Statement
from ifm.banking.tests.factories import bank_account as other_org_account
from ifm.banking.tests.factories import csv_profile as other_org_profile
from ifm.conftest import client_for

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"banking:{name}", kwargs={"org_slug": "alpha", **kwargs})


@pytest.fixture
def finance_client(in_a: Any, cast: dict[str, Any]) -> Client:
    return client_for(cast["finance"])


@pytest.fixture
def viewer_client(in_a: Any, cast: dict[str, Any]) -> Client:
    return client_for(cast["viewer"])


def _lines(bank_account: BankAccount, rows: list[tuple[str, str, str, str]]) -> None:
    statement = Statement.objects.create(
        organization=bank_account.organization,
        bank_account=bank_account,
        format="ofx",
        filename="march.ofx",
        sha256="0" * 64,
        line_count=len(rows),
        imported_count=len(rows),
    )
    for n, (day, amount, payee, status) in enumerate(rows):
        BankTransaction.objects.create(
            organization=bank_account.organization,
            bank_account=bank_account,
            statement=statement,
            date=date.fromisoformat(day),
            amount=Decimal(amount),
            payee=payee,
            status=status,
            identity=f"h:{n}",
        )


ROWS = [
    ("2026-03-02", "-4.50", "Corner Coffee", "unmatched"),
    ("2026-03-03", "1250.00", "Sunday deposit", "unmatched"),
    ("2026-03-04", "-900.00", "Rent", "matched"),
]


def test_the_list_shows_unmatched_lines_per_account_and_exports(
    viewer_client: Client, checking: BankAccount
) -> None:
    _lines(checking, ROWS)
    page = viewer_client.get(url("account_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Checking" in text
    assert "••••6789" in text
    assert f'{url("account_detail", bank_account_id=checking.pk)}?status=unmatched">2<' in text
    assert "New bank account" not in text  # a viewer adds none
    assert (
        viewer_client.get(url("account_list"), {"q": "nothing like it"}).content.count(b"Checking")
        == 0
    )
    csv = viewer_client.get(url("account_export_csv"))
    body = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Checking" in body
    assert ",2," in body
    xlsx = viewer_client.get(url("account_export_xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_account_page_lists_statements_and_filters_lines(
    viewer_client: Client, checking: BankAccount
) -> None:
    _lines(checking, ROWS)
    detail = url("account_detail", bank_account_id=checking.pk)
    text = viewer_client.get(detail).content.decode()
    assert "march.ofx" in text
    assert "Corner Coffee" in text
    assert "Rent" in text
    unmatched = viewer_client.get(detail, {"status": "unmatched"}).content.decode()
    assert "Corner Coffee" in unmatched
    assert "Rent</td>" not in unmatched
    found = viewer_client.get(detail, {"q": "1250"}).content.decode()
    assert "Sunday deposit" in found
    assert "Corner Coffee" not in found
    partial = viewer_client.get(detail, {"status": "matched"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<section id="line-results"')
    lines_csv = viewer_client.get(
        url("account_lines_csv", bank_account_id=checking.pk), {"status": "unmatched"}
    )
    body = b"".join(lines_csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Corner Coffee" in body
    assert "Rent" not in body
    assert "-4.50" in body
    xlsx = viewer_client.get(url("account_lines_xlsx", bank_account_id=checking.pk))
    assert xlsx.status_code == 200


def test_a_viewer_may_not_add_edit_archive_or_delete(
    viewer_client: Client, checking: BankAccount
) -> None:
    assert viewer_client.get(url("account_new")).status_code == 403
    assert viewer_client.get(url("account_edit", bank_account_id=checking.pk)).status_code == 403
    for name in ("account_archive", "account_delete"):
        assert viewer_client.post(url(name, bank_account_id=checking.pk)).status_code == 403
    assert BankAccount.objects.filter(pk=checking.pk, is_archived=False).exists()
    assert viewer_client.get(url("profile_new")).status_code == 403
    assert viewer_client.get(url("profile_list")).status_code == 200


def test_adding_an_account_with_errors_beside_the_fields(finance_client: Client) -> None:
    refused = finance_client.post(
        url("account_new"),
        {"name": "Checking", "ledger_account": account("1010").pk, "account_number": "none"},
    )
    assert refused.status_code == 422
    assert "at least its last digits" in refused.content.decode()
    made = finance_client.post(
        url("account_new"),
        {"name": "Checking", "ledger_account": account("1010").pk, "account_number": "12-3456"},
    )
    assert made.status_code == 302
    created = BankAccount.objects.get()
    assert made["Location"] == url("account_detail", bank_account_id=created.pk)
    assert created.account_last_digits == "3456"


def test_editing_with_a_stale_version_is_a_conflict(
    finance_client: Client, checking: BankAccount
) -> None:
    edit = url("account_edit", bank_account_id=checking.pk)
    form = {"name": "Main", "ledger_account": account("1010").pk, "version": 1}
    assert finance_client.post(edit, form).status_code == 302
    stale = finance_client.post(edit, {**form, "name": "Stale"})
    assert stale.status_code == 409
    assert "Reload the bank account" in stale.content.decode()
    assert BankAccount.objects.get().name == "Main"


def test_archive_and_delete(finance_client: Client, checking: BankAccount) -> None:
    _lines(checking, ROWS[:1])
    finance_client.post(url("account_delete", bank_account_id=checking.pk))
    assert BankAccount.objects.filter(pk=checking.pk).exists()
    finance_client.post(url("account_archive", bank_account_id=checking.pk))
    assert BankAccount.objects.get().is_archived
    link = f'href="{url("account_detail", bank_account_id=checking.pk)}"'.encode()
    assert link not in finance_client.get(url("account_list")).content
    assert link in finance_client.get(url("account_list"), {"archived": "yes"}).content
    empty = BankAccount.objects.create(
        organization=checking.organization,
        name="Empty",
        ledger_account=account("1020"),
        default_fund=checking.default_fund,
        currency="USD",
    )
    gone = finance_client.post(url("account_delete", bank_account_id=empty.pk))
    assert gone.status_code == 302
    assert not BankAccount.objects.filter(pk=empty.pk).exists()


def test_column_profile_pages(finance_client: Client) -> None:
    assert b"No column profiles yet" in finance_client.get(url("profile_list")).content
    form = {"name": "Chase", "date_column": "Date", "date_format": "%m/%d/%Y"}
    refused = finance_client.post(url("profile_new"), form)
    assert refused.status_code == 422
    assert b"withdrawal and deposit" in refused.content
    assert (
        finance_client.post(url("profile_new"), {**form, "amount_column": "Amount"}).status_code
        == 302
    )
    profile = CsvProfile.objects.get()
    edit = url("profile_edit", profile_id=profile.pk)
    assert finance_client.get(edit).status_code == 200
    saved = finance_client.post(
        edit, {**form, "amount_column": "Amount", "decimal_comma": "on", "version": 1}
    )
    assert saved.status_code == 302
    assert CsvProfile.objects.get().decimal_comma


def test_another_organizations_ids_are_404(
    finance_client: Client, checking: BankAccount, org_b: Any
) -> None:
    theirs = other_org_account(org_b)
    profile = other_org_profile(org_b)
    for name in ("account_detail", "account_edit", "account_lines_csv"):
        assert finance_client.get(url(name, bank_account_id=theirs.pk)).status_code == 404
    for name in ("account_archive", "account_delete"):
        assert finance_client.post(url(name, bank_account_id=theirs.pk)).status_code == 404
    assert finance_client.get(url("profile_edit", profile_id=profile.pk)).status_code == 404


def test_the_lists_sort_by_each_column_both_ways(
    viewer_client: Client, checking: BankAccount
) -> None:
    _lines(checking, ROWS)
    detail = url("account_detail", bank_account_id=checking.pk)
    for page, options in ((url("account_list"), ACCOUNT_SORTS), (detail, LINE_SORTS)):
        for key in options.columns:
            for param in (key, f"-{key}"):
                response = viewer_client.get(page, {"sort": param})
                assert response.status_code == 200, (page, param)
                assert 'aria-sort="' in response.content.decode()
        for junk in ("password", "-", "x" * 300, "__class__"):
            assert viewer_client.get(page, {"sort": junk}).status_code == 200
    by_amount = viewer_client.get(detail, {"sort": "-amount"}).content.decode()
    assert (
        by_amount.index("Sunday deposit")
        < by_amount.index("Corner Coffee")
        < by_amount.index("Rent")
    )
