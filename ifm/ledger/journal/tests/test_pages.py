"""The ledger pages, through the Django test client, as the cast's users."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import (
    Account,
    Fund,
    JournalEntry,
    JournalLine,
    Period,
    PeriodStatus,
    Restriction,
    SourceType,
)
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "alpha", **kwargs})


def account(number: str) -> Account:
    return Account.objects.get(number=number)


def general() -> Fund:
    return Fund.objects.get(is_general=True)


def post(
    org: Organization, amount: str = "100.00", on: date | None = None, **kw: Any
) -> JournalEntry:
    with org_context(org):
        return post_entry(
            organization=org,
            actor=None,
            date=on or timezone.localdate(),
            lines=[
                LineInput(account("1010"), general(), debit=Decimal(amount)),
                LineInput(account("4010"), general(), credit=Decimal(amount)),
            ],
            **kw,
        )


def entry_form(lines: list[dict[str, str]], **header: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": header.get("date", timezone.localdate().isoformat()),
        "memo": header.get("memo", "Correction"),
        "reference": header.get("reference", "ADJ-1"),
        "line": [str(i) for i in range(len(lines))],
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"{key}_{i}"] = value
    return data


@pytest.fixture
def finance(cast: dict[str, Any]) -> Any:
    return client_for(cast["finance"])


@pytest.fixture
def viewer(cast: dict[str, Any]) -> Any:
    return client_for(cast["viewer"])


@pytest.fixture
def ids(org_a: Organization) -> dict[str, int]:
    with org_context(org_a):
        return {
            "cash": account("1010").pk,
            "revenue": account("4010").pk,
            "general": general().pk,
            "header": Account.objects.filter(children__isnull=False).first().pk,  # type: ignore[union-attr]
        }


# --- Who sees what -----------------------------------------------------------------------------


def test_every_page_renders_for_finance(finance: Any, org_a: Organization) -> None:
    entry = post(org_a)
    with org_context(org_a):
        cash = account("1010")
    pages = [
        url("ledger:ledger_home"),
        url("ledger:ledger_entries"),
        url("ledger:ledger_entry_create"),
        url("ledger:ledger_entry_detail", entry_id=entry.pk),
        url("ledger:ledger_trial_balance"),
        url("ledger:ledger_fund_balances"),
        url("ledger:ledger_periods"),
        url("ledger:ledger_account", account_id=cash.pk),
    ]
    for page in pages:
        response = finance.get(page)
        assert response.status_code == 200, page
        assert b"Ledger" in response.content  # the navigation dropdown
    detail = finance.get(url("ledger:ledger_entry_detail", entry_id=entry.pk)).content.decode()
    assert "Reverse JE-" in detail


def test_viewer_reads_the_ledger_but_may_not_post(
    viewer: Any, org_a: Organization, ids: dict[str, int]
) -> None:
    entry = post(org_a)
    for page in (
        "ledger:ledger_entries",
        "ledger:ledger_trial_balance",
        "ledger:ledger_fund_balances",
        "ledger:ledger_periods",
    ):
        assert viewer.get(url(page)).status_code == 200
    detail = viewer.get(url("ledger:ledger_entry_detail", entry_id=entry.pk)).content.decode()
    assert "reverse-form" not in detail
    assert "New journal entry" not in viewer.get(url("ledger:ledger_entries")).content.decode()
    assert viewer.get(url("ledger:ledger_entry_create")).status_code == 403
    balanced = entry_form(
        [
            {"account": str(ids["cash"]), "fund": str(ids["general"]), "debit": "5.00"},
            {"account": str(ids["revenue"]), "fund": str(ids["general"]), "credit": "5.00"},
        ]
    )
    assert viewer.post(url("ledger:ledger_entry_create"), balanced).status_code == 403
    assert viewer.post(url("ledger:ledger_entry_reverse", entry_id=entry.pk), {}).status_code == 403
    with org_context(org_a):
        period = Period.objects.first()
        assert period is not None
        assert JournalEntry.objects.count() == 1
    assert viewer.post(url("ledger:ledger_period_close", period_id=period.pk)).status_code == 403
    periods_page = viewer.get(url("ledger:ledger_periods")).content.decode()
    assert "Year-end close" not in periods_page


def test_staff_without_ledger_view_gets_403(cast: dict[str, Any]) -> None:
    staff = client_for(cast["staff"])
    assert staff.get(url("ledger:ledger_entries")).status_code == 403
    assert 'id="nav-ledger"' not in staff.get(url("orgs:dashboard")).content.decode()


# --- Manual journal entry --------------------------------------------------------------------


def test_posts_a_balanced_entry(finance: Any, org_a: Organization, ids: dict[str, int]) -> None:
    form = entry_form(
        [
            {
                "account": str(ids["cash"]),
                "fund": str(ids["general"]),
                "debit": "1,250.00",
                "memo": "in",
            },
            {
                "account": str(ids["revenue"]),
                "fund": str(ids["general"]),
                "credit": "1250",
                "function": "program",
            },
        ],
        memo="Cash gift",
    )
    response = finance.post(url("ledger:ledger_entry_create"), form)
    assert response.status_code == 302
    with org_context(org_a):
        entry = JournalEntry.objects.get()
        assert response["Location"] == url("ledger:ledger_entry_detail", entry_id=entry.pk)
        assert entry.memo == "Cash gift"
        assert entry.reference == "ADJ-1"
        assert entry.source_type == SourceType.MANUAL
        lines = list(
            entry.lines.order_by("id").values_list(
                "account_id", "debit", "credit", "function", "memo"
            )
        )
    assert lines == [
        (ids["cash"], Decimal("1250.00"), Decimal("0.00"), "", "in"),
        (ids["revenue"], Decimal("0.00"), Decimal("1250.00"), "program", ""),
    ]
    page = finance.get(response["Location"]).content.decode()
    assert "Posted JE-1" in page
    assert "1,250.00" in page


def test_refuses_an_unbalanced_entry_and_keeps_what_was_typed(
    finance: Any, org_a: Organization, ids: dict[str, int]
) -> None:
    form = entry_form(
        [
            {"account": str(ids["cash"]), "fund": str(ids["general"]), "debit": "100.00"},
            {"account": str(ids["revenue"]), "fund": str(ids["general"]), "credit": "90.00"},
        ],
        memo="Typed memo",
    )
    response = finance.post(url("ledger:ledger_entry_create"), form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "does not balance" in page
    assert "nothing was saved" in page
    assert 'value="Typed memo"' in page
    assert 'value="90.00"' in page
    assert 'id="save-entry" disabled' in page
    with org_context(org_a):
        assert JournalEntry.objects.count() == 0
        assert JournalLine.objects.count() == 0


def test_line_errors_appear_beside_their_line(
    finance: Any, org_a: Organization, ids: dict[str, int]
) -> None:
    form = entry_form(
        [
            {"account": str(ids["cash"]), "fund": str(ids["general"]), "debit": "10.00"},
            {"account": str(ids["header"]), "fund": str(ids["general"]), "credit": "10.00"},
            {"account_text": "nonsense", "fund": str(ids["general"]), "debit": "abc"},
        ]
    )
    response = finance.post(url("ledger:ledger_entry_create"), form)
    assert response.status_code == 422
    page = response.content.decode()
    # The bad amount is caught before the service is asked; the line shows it.
    line2 = page[page.index('id="line-2"') :]
    assert "Not an amount." in line2
    assert 'value="nonsense"' in line2
    # Without the bad line, the service reports the header account beside line 1.
    del form["account_text_2"], form["fund_2"], form["debit_2"]
    form["line"] = ["0", "1"]
    page = finance.post(url("ledger:ledger_entry_create"), form).content.decode()
    line1 = page[page.index('id="line-1"') : page.index("</fieldset>", page.index('id="line-1"'))]
    assert "is a header: post to one of its sub-accounts" in line1
    assert "is-invalid" in line1
    with org_context(org_a):
        assert JournalEntry.objects.count() == 0


def test_typed_account_number_and_fund_code_work_without_the_picker(
    finance: Any, org_a: Organization
) -> None:
    form = entry_form(
        [
            {"account_text": "1010", "fund_text": "GEN General fund", "debit": "7.50"},
            {"account_text": "4010 anything", "fund_text": "GEN", "credit": "7.50"},
        ]
    )
    assert finance.post(url("ledger:ledger_entry_create"), form).status_code == 302
    with org_context(org_a):
        assert sorted(JournalLine.objects.values_list("account__number", flat=True)) == [
            "1010",
            "4010",
        ]


def test_funds_that_differ_get_interfund_lines(
    finance: Any, org_a: Organization, ids: dict[str, int]
) -> None:
    with org_context(org_a):
        youth = Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE)
    form = entry_form(
        [
            {"account": str(ids["cash"]), "fund": str(ids["general"]), "debit": "40.00"},
            {"account": str(ids["revenue"]), "fund": str(youth.pk), "credit": "40.00"},
        ]
    )
    balance = finance.post(
        url("ledger:ledger_entry_balance"), form, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Balanced" in balance
    assert "due-to / due-from" in balance
    assert finance.post(url("ledger:ledger_entry_create"), form).status_code == 302
    with org_context(org_a):
        assert JournalLine.objects.count() == 4


def test_a_closed_period_error_shows_beside_the_date(
    finance: Any, org_a: Organization, ids: dict[str, int]
) -> None:
    today = timezone.localdate()
    with org_context(org_a):
        Period.objects.filter(start_date__lte=today, end_date__gte=today).update(
            status=PeriodStatus.CLOSED
        )
    form = entry_form(
        [
            {"account": str(ids["cash"]), "fund": str(ids["general"]), "debit": "1.00"},
            {"account": str(ids["revenue"]), "fund": str(ids["general"]), "credit": "1.00"},
        ]
    )
    response = finance.post(url("ledger:ledger_entry_create"), form)
    assert response.status_code == 422
    page = response.content.decode()
    date_field = page[page.index('name="date"') : page.index('name="reference"')]
    assert "is closed" in date_field


# --- htmx fragments ----------------------------------------------------------------------------


def test_balance_fragment(finance: Any, ids: dict[str, int]) -> None:
    lines = [
        {"account": str(ids["cash"]), "fund": str(ids["general"]), "debit": "30"},
        {"account": str(ids["revenue"]), "fund": str(ids["general"]), "credit": "20"},
    ]
    response = finance.post(
        url("ledger:ledger_entry_balance"), entry_form(lines), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="entry-balance"')
    assert "Debits exceed credits by 10.00" in html
    assert 'id="save-entry" disabled' in html
    lines[1]["credit"] = "30.00"
    html = finance.post(url("ledger:ledger_entry_balance"), entry_form(lines)).content.decode()
    assert "Balanced" in html
    assert 'id="save-entry" disabled' not in html
    lines[1]["credit"] = "x"
    html = finance.post(url("ledger:ledger_entry_balance"), entry_form(lines)).content.decode()
    assert "Fix the amounts" in html


def test_line_fragment_takes_the_next_key(finance: Any) -> None:
    response = finance.get(
        url("ledger:ledger_entry_line"), {"line": ["0", "1", "4"]}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="line-5"' in html
    assert 'name="account_text_5"' in html
    assert 'value="GEN General fund"' in html  # new lines start in the general fund


def test_pickers_return_matching_options(
    finance: Any, org_a: Organization, ids: dict[str, int]
) -> None:
    html = finance.get(
        url("ledger:ledger_pick_accounts"), {"account_text_3": "1010"}
    ).content.decode()
    assert f'data-id="{ids["cash"]}"' in html
    assert f'data-id="{ids["revenue"]}"' not in html
    assert f'data-id="{ids["header"]}"' not in html  # headers take no postings
    html = finance.get(url("ledger:ledger_pick_accounts"), {"q": "cash"}).content.decode()
    assert f'data-id="{ids["cash"]}"' in html
    html = finance.get(url("ledger:ledger_pick_funds"), {"fund_text_0": "gen"}).content.decode()
    assert f'data-id="{ids["general"]}"' in html
    assert "<option" in finance.get(url("ledger:ledger_pick_funds")).content.decode()


def test_pickers_never_show_another_organizations_rows(
    cast: dict[str, Any], org_b: Organization
) -> None:
    with org_context(org_b):
        theirs = Account.objects.get(number="1010").pk
    html = (
        client_for(cast["finance"])
        .get(url("ledger:ledger_pick_accounts"), {"q": "1010"})
        .content.decode()
    )
    assert f'data-id="{theirs}"' not in html


# --- Journal, detail, reversal ----------------------------------------------------------------


def test_journal_filters_paginate_and_export(finance: Any, org_a: Organization) -> None:
    today = timezone.localdate()
    post(org_a, "10.00", memo="Rent for March", reference="R-1")
    post(org_a, "20.00", memo="Zed pledge", reference="G-9")
    html = finance.get(url("ledger:ledger_entries"), {"q": "rent"}).content.decode()
    assert "Rent for March" in html
    assert "Zed pledge" not in html
    html = finance.get(url("ledger:ledger_entries"), {"q": "JE-2"}).content.decode()
    assert "Zed pledge" in html
    assert "Rent for March" not in html
    html = finance.get(
        url("ledger:ledger_entries"), {"date_from": (today + timedelta(days=1)).isoformat()}
    ).content.decode()
    assert "No entries match these filters" in html
    html = finance.get(url("ledger:ledger_entries"), {"source_type": "donation"}).content.decode()
    assert "No entries match" in html
    partial = finance.get(
        url("ledger:ledger_entries"), {"q": "zed"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<section id="entry-results"')
    bad = finance.get(url("ledger:ledger_entries"), {"date_from": "not-a-date"})
    assert bad.status_code == 200
    assert "Some filters were not understood" in bad.content.decode()

    export = finance.get(url("ledger:ledger_entries_csv"), {"q": "zed"})
    rows = list(
        csv.reader(io.StringIO(b"".join(export.streaming_content).decode().lstrip("\ufeff")))
    )
    assert rows[0][:3] == ["Date", "Entry", "Memo"]
    assert [(r[1], r[6], r[11], r[12]) for r in rows[1:]] == [
        ("JE-2", "1010", "20.00", "0.00"),
        ("JE-2", "4010", "0.00", "20.00"),
    ]
    xlsx = finance.get(url("ledger:ledger_entries_xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_journal_paginates(finance: Any, org_a: Organization) -> None:
    for _ in range(52):
        post(org_a, "1.00")
    html = finance.get(url("ledger:ledger_entries")).content.decode()
    assert "Page 1 of 2" in html
    assert "JE-52" in html
    assert "JE-1<" not in html
    html = finance.get(url("ledger:ledger_entries"), {"page": 2}).content.decode()
    assert "JE-1<" in html


def test_reverse_via_the_page(finance: Any, org_a: Organization) -> None:
    entry = post(org_a, "35.00", reference="X-1")
    response = finance.post(
        url("ledger:ledger_entry_reverse", entry_id=entry.pk), {"date": "", "memo": "Posted twice"}
    )
    assert response.status_code == 302
    with org_context(org_a):
        reversal = JournalEntry.objects.get(reverses=entry)
        assert reversal.memo == "Posted twice"
        assert reversal.source_type == SourceType.REVERSAL
        assert sorted(reversal.lines.values_list("debit", "credit")) == [
            (Decimal("0.00"), Decimal("35.00")),
            (Decimal("35.00"), Decimal("0.00")),
        ]
    assert response["Location"] == url("ledger:ledger_entry_detail", entry_id=reversal.pk)
    # Linked both ways; the source of the reversal links to the original.
    original = finance.get(url("ledger:ledger_entry_detail", entry_id=entry.pk)).content.decode()
    assert "Reversed by" in original
    assert f"entry_id={reversal.pk}" not in original
    assert url("ledger:ledger_entry_detail", entry_id=reversal.pk) in original
    assert "reverse-form" not in original
    page = finance.get(url("ledger:ledger_entry_detail", entry_id=reversal.pk)).content.decode()
    assert f"reversal:{entry.pk}</code></a>" in page
    assert url("ledger:ledger_entry_detail", entry_id=entry.pk) in page
    # Reversing again is refused with the message.
    again = finance.post(url("ledger:ledger_entry_reverse", entry_id=entry.pk), {})
    assert again.status_code == 422
    assert "already been reversed" in again.content.decode()


def test_a_source_without_a_page_shows_as_text(finance: Any, org_a: Organization) -> None:
    entry = post(org_a, source_type=SourceType.DONATION, source_id="77")
    page = finance.get(url("ledger:ledger_entry_detail", entry_id=entry.pk)).content.decode()
    assert "<code>donation:77</code>" in page


def test_another_organizations_entry_is_404(cast: dict[str, Any], org_b: Organization) -> None:
    theirs = post(org_b)
    client = client_for(cast["finance"])
    assert client.get(url("ledger:ledger_entry_detail", entry_id=theirs.pk)).status_code == 404
    assert client.post(url("ledger:ledger_entry_reverse", entry_id=theirs.pk)).status_code == 404
