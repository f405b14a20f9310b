"""The matching page and its actions as people use them: without JavaScript (links and forms)
and with the markup the keyboard script needs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ifm.audit.models import AuditEvent
from ifm.banking.matching.tests.factories import account, bank_line, cash_line, post
from ifm.banking.models import BankRule, BankTransaction, LineStatus, Match
from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.ledger.models import Account, JournalEntry
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)


def _url(org: Organization, name: str, **kwargs: Any) -> str:
    return reverse(f"banking:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def admin(cast: dict[str, Any]) -> Client:
    return client_for(cast["admin"])


def test_the_page_lists_unmatched_lines_and_suggests_for_the_selected_one_only(
    org_a: Organization, admin: Client
) -> None:
    bank = account(org_a)
    entry = post(org_a, D, "150.00", memo="Gift from Ana Reyes")
    first = bank_line(org_a, D, "150.00", "ANA REYES")
    second = bank_line(org_a, D - timedelta(days=1), "-12.00", "SERVICE CHARGE")
    done = bank_line(org_a, D - timedelta(days=2), "-5.00", "OLD")
    with org_context(org_a):
        done.status = LineStatus.MATCHED
        done.match = Match.objects.create(organization=org_a, bank_account=bank, cleared_on=D)
        done.save()
    response = admin.get(_url(org_a, "matching", bank_account_id=bank.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-line="{first.pk}"' in html
    assert f'data-line="{second.pk}"' in html
    assert f'data-line="{done.pk}"' not in html  # unmatched only, by default
    # The newest line is selected; its one suggestion is a form with the ledger line.
    assert 'aria-current="true"' in html
    assert f'name="journal_line_ids" value="{cash_line(org_a, entry).pk}"' in html
    assert 'aria-keyshortcuts="1 Enter"' in html
    assert "Confident" in html
    assert "banking/matching.js" in html
    # The selected line keeps no coloured text (contrast on the active item).
    selected = html.split('aria-current="true"')[1].split("</a>")[0]
    assert "text-danger" not in selected
    assert "text-body-secondary" not in selected


def test_selected_withdrawal_drops_its_colours(org_a: Organization, admin: Client) -> None:
    bank = account(org_a)
    line = bank_line(org_a, D, "-12.00", "SERVICE CHARGE", reference="77")
    other = bank_line(org_a, D - timedelta(days=3), "-9.00", "OTHER", reference="78")
    url = _url(org_a, "matching", bank_account_id=bank.pk)
    html = admin.get(f"{url}?line={line.pk}").content.decode()
    selected = html.split('aria-current="true"')[1].split("</a>")[0]
    assert "text-danger" not in selected
    assert "text-body-secondary" not in selected
    rest = html.split(f'data-line="{other.pk}"')[1].split("</a>")[0]
    assert "text-danger" in rest  # the others keep theirs
    assert "No unmatched ledger line" in html


def test_filters_search_and_keyset_pages(org_a: Organization, admin: Client) -> None:
    from ifm.banking.matching.views import page

    bank = account(org_a)
    lines = [
        bank_line(org_a, D - timedelta(days=i), f"{i + 1}.00", f"Payee {i}")
        for i in range(page.PAGE_SIZE + 5)
    ]
    url = _url(org_a, "matching", bank_account_id=bank.pk)
    first = admin.get(url).content.decode()
    assert first.count("data-line=") - first.count('id="selected-line"') == page.PAGE_SIZE
    assert "Older" in first
    assert "Newer" not in first
    older = first.split('href="?after=')[1].split('"')[0].replace("&amp;", "&")
    second = admin.get(f"{url}?after={older}").content.decode()
    assert f'data-line="{lines[-1].pk}"' in second
    assert "Newer" in second
    found = admin.get(f"{url}?q=Payee+7&status=unmatched").content.decode()
    assert f'data-line="{lines[7].pk}"' in found
    assert f'data-line="{lines[8].pk}"' not in found
    by_amount = admin.get(f"{url}?q=3.00").content.decode()
    assert f'data-line="{lines[2].pk}"' in by_amount
    assert admin.get(f"{url}?after=garbage").status_code == 200
    assert admin.get(f"{url}?line=99999999").status_code == 404
    assert admin.get(f"{url}?line=abc").status_code == 404
    csv = admin.get(_url(org_a, "matching_export_csv", bank_account_id=bank.pk))
    body = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.count("\n") == len(lines) + 1
    xlsx = admin.get(_url(org_a, "matching_export_xlsx", bank_account_id=bank.pk))
    assert xlsx.status_code == 200


def test_accept_a_suggestion_then_unmatch_with_a_reason(org_a: Organization, admin: Client) -> None:
    bank = account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "150.00")
    journal = cash_line(org_a, entry)
    response = admin.post(
        _url(org_a, "matching_match", bank_transaction_id=line.pk),
        {"journal_line_ids": [journal.pk], "via": "suggestion", "next": "/elsewhere/"},
    )
    assert response.status_code == 302
    with org_context(org_a):
        line.refresh_from_db()
        assert line.status == LineStatus.MATCHED
        assert line.match is not None
        assert line.match.via == "suggestion"
    page = admin.get(_url(org_a, "matching", bank_account_id=bank.pk) + f"?line={line.pk}")
    assert 'id="unmatch"' in page.content.decode()
    unmatch = _url(org_a, "matching_unmatch", bank_transaction_id=line.pk)
    assert admin.get(unmatch).status_code == 200
    refused = admin.post(unmatch, {"reason": "  "})
    assert refused.status_code == 422
    assert admin.post(unmatch, {"reason": "Wrong gift"}).status_code == 302
    with org_context(org_a):
        line.refresh_from_db()
        assert line.status == LineStatus.UNMATCHED
        event = AuditEvent.objects.filter(action="bank_match.unmatch").get()
        assert event.changes["reason"] == "Wrong gift"


def test_a_refused_match_says_why(org_a: Organization, admin: Client) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "149.00")
    response = admin.post(
        _url(org_a, "matching_match", bank_transaction_id=line.pk),
        {"journal_line_ids": [cash_line(org_a, entry).pk]},
        follow=True,
    )
    assert "differ by 1.00" in response.content.decode()
    bad = admin.post(
        _url(org_a, "matching_match", bank_transaction_id=line.pk), {"journal_line_ids": ["x"]}
    )
    assert bad.status_code == 302


def test_create_an_entry_from_a_line(org_a: Organization, admin: Client) -> None:
    account(org_a)
    line = bank_line(org_a, D, "-12.00", "SERVICE CHARGE")
    url = _url(org_a, "matching_create_entry", bank_transaction_id=line.pk)
    form = admin.get(url)
    assert form.status_code == 200
    assert "SERVICE CHARGE" in form.content.decode()
    with org_context(org_a):
        fees = Account.objects.get(number="8590")
    assert admin.post(url, {"account": "", "memo": "x"}).status_code == 422
    assert admin.post(url, {"account": fees.pk, "function": "management"}).status_code == 302
    with org_context(org_a):
        line.refresh_from_db()
        assert line.status == LineStatus.MATCHED
        entry = JournalEntry.objects.get(source_type="bank", source_id=str(line.pk))
        assert entry.memo == "SERVICE CHARGE"


def test_accept_all_confident_shows_the_count_first(org_a: Organization, admin: Client) -> None:
    bank = account(org_a)
    post(org_a, D, "150.00")
    post(org_a, D, "-20.00")
    bank_line(org_a, D, "150.00")
    bank_line(org_a, D, "-20.00")
    bank_line(org_a, D, "-99.00")
    url = _url(org_a, "matching_accept_confident", bank_account_id=bank.pk)
    page = admin.get(url).content.decode()
    assert "<strong>2</strong> bank lines" in page
    response = admin.post(url, follow=True)
    assert "Matched 2 bank lines." in response.content.decode()


def test_rules_pages_and_apply_now(org_a: Organization, admin: Client) -> None:
    bank = account(org_a)
    bank_line(org_a, D, "-12.00", "Monthly SERVICE CHARGE")
    assert "No rules yet" in admin.get(_url(org_a, "matching_rules")).content.decode()
    with org_context(org_a):
        fees = Account.objects.get(number="8590")
    new = _url(org_a, "matching_rule_new")
    assert admin.get(new).status_code == 200
    assert admin.post(new, {"name": "", "priority": 10, "direction": "any"}).status_code == 422
    response = admin.post(
        new,
        {
            "name": "Bank fees",
            "priority": 10,
            "is_active": "on",
            "payee_contains": "service charge",
            "direction": "out",
            "account": fees.pk,
        },
    )
    assert response.status_code == 302
    with org_context(org_a):
        rule = BankRule.objects.get()
    listing = admin.get(_url(org_a, "matching_rules")).content.decode()
    assert "Bank fees" in listing
    assert admin.get(_url(org_a, "matching_rules") + "?q=nothing").status_code == 200
    assert admin.get(_url(org_a, "matching_rules_csv")).status_code == 200
    edit = _url(org_a, "matching_rule_edit", rule_id=rule.pk)
    assert admin.get(edit).status_code == 200
    changed = admin.post(
        edit,
        {
            "name": "Bank fees",
            "priority": 5,
            "is_active": "on",
            "payee_contains": "service charge",
            "direction": "out",
            "account": fees.pk,
            "version": rule.version,
        },
    )
    assert changed.status_code == 302
    stale = admin.post(
        edit,
        {
            "name": "Bank fees",
            "priority": 6,
            "direction": "out",
            "payee_contains": "x",
            "account": fees.pk,
            "version": rule.version,
        },
    )
    assert stale.status_code == 422
    apply = _url(org_a, "matching_apply_rules", bank_account_id=bank.pk)
    assert "<strong>1</strong> unmatched bank line" in admin.get(apply).content.decode()
    done = admin.post(apply, follow=True).content.decode()
    assert "The rules created 1 entry." in done
    delete = _url(org_a, "matching_rule_delete", rule_id=rule.pk)
    assert admin.get(delete).status_code == 200
    assert admin.post(delete).status_code == 302
    with org_context(org_a):
        assert not BankRule.objects.exists()


def test_viewers_see_but_do_not_act(org_a: Organization, cast: dict[str, Any]) -> None:
    bank = account(org_a)
    line = bank_line(org_a, D, "150.00")
    viewer = client_for(cast["viewer"])
    page = viewer.get(_url(org_a, "matching", bank_account_id=bank.pk))
    assert page.status_code == 200
    assert "Accept all confident" not in page.content.decode()
    assert (
        viewer.post(_url(org_a, "matching_match", bank_transaction_id=line.pk)).status_code == 403
    )
    assert viewer.get(_url(org_a, "matching_rule_new")).status_code == 403
    staff = client_for(cast["staff"])
    assert staff.get(_url(org_a, "matching", bank_account_id=bank.pk)).status_code == 403


def test_another_organizations_account_is_not_found(
    org_a: Organization, org_b: Organization, admin: Client
) -> None:
    theirs = account(org_b)
    line = bank_line(org_b, D, "5.00")
    assert admin.get(_url(org_a, "matching", bank_account_id=theirs.pk)).status_code == 404
    assert admin.post(_url(org_a, "matching_match", bank_transaction_id=line.pk)).status_code == 404
    mine = account(org_a)
    url = _url(org_a, "matching", bank_account_id=mine.pk)
    assert admin.get(f"{url}?line={line.pk}").status_code == 404


def test_the_counts_above_the_list_are_exact_and_follow_each_match(
    org_a: Organization, admin: Client
) -> None:
    from ifm.banking.matching import selectors

    bank = account(org_a)
    lines = [bank_line(org_a, D - timedelta(days=i), f"-{i + 1}.00", f"LINE {i}") for i in range(4)]
    with org_context(org_a):
        assert selectors.status_counts(bank) == {"unmatched": 4, "matched": 0, "reconciled": 0}
        BankTransaction.objects.filter(pk=lines[0].pk).delete()
        assert selectors.status_counts(bank)["unmatched"] == 3
        assert selectors.unmatched_by_account() == [(bank, 3)]
    assert selectors.count_shown(12_345) == "12,345"
    html = admin.get(_url(org_a, "matching", bank_account_id=bank.pk)).content.decode()
    assert "3 unmatched" in html
