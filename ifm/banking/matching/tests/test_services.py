"""Matching services: what a match must add up to and what it refuses, unmatching with a
reason, entries from bank lines, accepting confident suggestions, rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.banking.matching import rules, services
from ifm.banking.matching.tests.factories import (
    account,
    bank_line,
    cash_line,
    post,
)
from ifm.banking.models import (
    BankRule,
    BankTransaction,
    LineStatus,
    Match,
    MatchLine,
    Reconciliation,
)
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine, Program
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)


@pytest.fixture
def who(org_a: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    return {"organization": org_a, "actor": cast["admin"]}


def _reload(org: Organization, line: BankTransaction) -> BankTransaction:
    with org_context(org):
        return BankTransaction.objects.get(pk=line.pk)


def test_match_one_to_one_sets_cleared_on_and_status(org_a: Organization, who: dict) -> None:
    account(org_a)
    entry = post(org_a, D - timedelta(days=3), "150.00")
    line = bank_line(org_a, D, "150.00")
    match = services.match_lines(
        **who, bank_lines=[line], journal_line_ids=[cash_line(org_a, entry).pk]
    )
    assert match.cleared_on == D
    assert match.via == "manual"
    line = _reload(org_a, line)
    assert line.status == LineStatus.MATCHED
    assert line.match_id == match.pk
    with org_context(org_a):
        event = AuditEvent.objects.get(action="bank_match.create")
        assert event.changes["amount"] == "150.00"


def test_many_bank_lines_to_one_ledger_line_clear_on_the_latest(
    org_a: Organization, who: dict
) -> None:
    account(org_a)
    entry = post(org_a, D, "-1000.00", other="1020")
    a = bank_line(org_a, D, "-600.00")
    b = bank_line(org_a, D + timedelta(days=2), "-400.00")
    match = services.match_lines(
        **who, bank_lines=[a, b], journal_line_ids=[cash_line(org_a, entry).pk]
    )
    assert match.cleared_on == D + timedelta(days=2)
    assert _reload(org_a, a).match_id == _reload(org_a, b).match_id == match.pk


def test_one_deposit_to_several_entries(org_a: Organization, who: dict) -> None:
    account(org_a)
    gifts = [post(org_a, D, amount) for amount in ("50.00", "30.00", "20.00")]
    line = bank_line(org_a, D, "100.00")
    ids = [cash_line(org_a, g).pk for g in gifts]
    match = services.match_lines(**who, bank_lines=[line], journal_line_ids=ids)
    with org_context(org_a):
        assert sorted(
            MatchLine.objects.filter(match=match).values_list("journal_line_id", flat=True)
        ) == sorted(ids)


def test_the_sums_must_agree(org_a: Organization, who: dict) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "-150.00")
    with pytest.raises(ServiceError, match=r"differ by 300\.00"):
        services.match_lines(
            **who, bank_lines=[line], journal_line_ids=[cash_line(org_a, entry).pk]
        )
    assert _reload(org_a, line).status == LineStatus.UNMATCHED


def test_only_lines_of_the_cash_account(org_a: Organization, who: dict) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    with org_context(org_a):
        revenue = JournalLine.objects.get(entry=entry, account__number="4010")
    line = bank_line(org_a, D, "-150.00")
    with pytest.raises(ServiceError) as caught:
        services.match_lines(**who, bank_lines=[line], journal_line_ids=[revenue.pk])
    assert caught.value.errors[0]["field"] == "journal_line_ids.0"
    assert "is not on 1010" in caught.value.errors[0]["message"]


def test_nothing_matched_twice(org_a: Organization, who: dict) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    first = bank_line(org_a, D, "150.00")
    second = bank_line(org_a, D, "150.00")
    journal = cash_line(org_a, entry).pk
    services.match_lines(**who, bank_lines=[first], journal_line_ids=[journal])
    with pytest.raises(ConflictError, match="already matched"):
        services.match_lines(**who, bank_lines=[second], journal_line_ids=[journal])
    with pytest.raises(ConflictError, match="already matched"):
        services.match_lines(**who, bank_lines=[first], journal_line_ids=[journal])


def test_other_organizations_lines_are_unknown(
    org_a: Organization, org_b: Organization, who: dict
) -> None:
    account(org_a)
    account(org_b)
    theirs = post(org_b, D, "150.00")
    line = bank_line(org_a, D, "150.00")
    with pytest.raises(ServiceError, match="No ledger line"):
        services.match_lines(
            **who, bank_lines=[line], journal_line_ids=[cash_line(org_b, theirs).pk]
        )


def test_bad_ids_and_empty_lists(org_a: Organization, who: dict) -> None:
    account(org_a)
    line = bank_line(org_a, D, "150.00")
    with pytest.raises(ServiceError, match="at least one"):
        services.match_lines(**who, bank_lines=[line], journal_line_ids=[])
    with pytest.raises(ServiceError, match="whole numbers"):
        services.match_lines(**who, bank_lines=[line], journal_line_ids=["x"])  # type: ignore[list-item]


def test_lines_of_two_bank_accounts_are_refused(org_a: Organization, who: dict) -> None:
    from ifm.banking.tests.factories import bank_account

    account(org_a)
    payroll = bank_account(org_a, name="Payroll", number="1020")
    a = bank_line(org_a, D, "10.00")
    b = bank_line(org_a, D, "10.00", bank=payroll)
    with pytest.raises(ServiceError, match="one bank account"):
        services.match_lines(**who, bank_lines=[a, b], journal_line_ids=[1])


def test_permission_is_checked(org_a: Organization, cast: dict[str, Any]) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "150.00")
    for role in ("viewer", "staff", "fundraising"):
        with pytest.raises(PermissionDenied):
            services.match_lines(
                organization=org_a,
                actor=cast[role],
                bank_lines=[line],
                journal_line_ids=[cash_line(org_a, entry).pk],
            )
    services.match_lines(
        organization=org_a,
        actor=cast["finance"],
        bank_lines=[line],
        journal_line_ids=[cash_line(org_a, entry).pk],
    )


def test_unmatch_needs_a_reason_and_is_audited(org_a: Organization, who: dict) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "150.00")
    services.match_lines(**who, bank_lines=[line], journal_line_ids=[cash_line(org_a, entry).pk])
    with pytest.raises(ServiceError) as caught:
        services.unmatch(**who, bank_line=line, reason="   ")
    assert caught.value.errors[0]["field"] == "reason"
    services.unmatch(**who, bank_line=line, reason="Wrong deposit")
    line = _reload(org_a, line)
    assert line.status == LineStatus.UNMATCHED
    assert line.match_id is None
    with org_context(org_a):
        assert not Match.objects.exists()
        assert not MatchLine.objects.exists()
        event = AuditEvent.objects.get(action="bank_match.unmatch")
        assert event.changes["reason"] == "Wrong deposit"
    with pytest.raises(ConflictError, match="not matched"):
        services.unmatch(**who, bank_line=line, reason="again")
    # The ledger line is free again.
    services.match_lines(**who, bank_lines=[line], journal_line_ids=[cash_line(org_a, entry).pk])


def test_reconciled_lines_cannot_be_unmatched(org_a: Organization, who: dict) -> None:
    bank = account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "150.00")
    services.match_lines(**who, bank_lines=[line], journal_line_ids=[cash_line(org_a, entry).pk])
    with org_context(org_a):
        done = Reconciliation.objects.create(
            organization=org_a,
            bank_account=bank,
            statement_date=D,
            statement_balance=Decimal("150.00"),
        )
        BankTransaction.objects.filter(pk=line.pk).update(
            reconciliation=done, status=LineStatus.RECONCILED
        )
    with pytest.raises(ConflictError, match="reconciliation"):
        services.unmatch(**who, bank_line=line, reason="oops")
    assert _reload(org_a, line).status == LineStatus.RECONCILED


def test_create_entry_from_a_withdrawal_and_a_deposit(org_a: Organization, who: dict) -> None:
    bank = account(org_a)
    with org_context(org_a):
        fees = Account.objects.get(number="8590")
        interest = Account.objects.get(number="5310")
        program = Program.objects.create(code="P1", name="Meals")
    fee = bank_line(org_a, D, "-12.50", "SERVICE CHARGE", reference="SC1")
    match = services.create_entry_from_line(
        **who, bank_line=fee, account=fees, program=program, function="management"
    )
    assert match.via == "created"
    assert match.cleared_on == D
    with org_context(org_a):
        entry = JournalEntry.objects.get(source_type="bank", source_id=str(fee.pk))
        assert entry.date == D
        assert entry.memo == "SERVICE CHARGE"
        assert entry.reference == "SC1"
        lines = {ln.account.number: ln for ln in entry.lines.select_related("account")}
        assert lines["1010"].credit == Decimal("12.50")
        assert lines["8590"].debit == Decimal("12.50")
        assert lines["8590"].program_id == program.pk
        assert lines["8590"].fund_id == bank.default_fund_id
    paid = bank_line(org_a, D, "3.21", "INTEREST")
    services.create_entry_from_line(
        **who, bank_line=paid, account=interest.pk, memo="March interest"
    )
    with org_context(org_a):
        entry = JournalEntry.objects.get(source_type="bank", source_id=str(paid.pk))
        assert entry.memo == "March interest"
        assert entry.lines.get(account__number="1010").debit == Decimal("3.21")
    assert _reload(org_a, paid).status == LineStatus.MATCHED


def test_create_entry_refusals(org_a: Organization, org_b: Organization, who: dict) -> None:
    account(org_a)
    account(org_b)
    line = bank_line(org_a, D, "-12.50")
    with org_context(org_a):
        cash = Account.objects.get(number="1010")
        header = Account.objects.get(number="8500")
    with org_context(org_b):
        theirs = Account.objects.get(number="8590")
        their_fund = Fund.objects.get(is_general=True)
    for bad, field in ((cash, "account_id"), (header, "account_id"), (theirs, "account_id")):
        with pytest.raises(ServiceError) as caught:
            services.create_entry_from_line(**who, bank_line=line, account=bad)
        assert caught.value.errors[0]["field"] == field
    with org_context(org_a):
        fees = Account.objects.get(number="8590")
    with pytest.raises(ServiceError) as caught:
        services.create_entry_from_line(**who, bank_line=line, account=fees, fund=their_fund)
    assert caught.value.errors[0]["field"] == "fund_id"
    with org_context(org_a):
        assert not JournalEntry.objects.filter(source_type="bank").exists()


def test_accept_confident_matches_only_the_sure_ones(org_a: Organization, who: dict) -> None:
    bank = account(org_a)
    sure = post(org_a, D, "150.00")
    post(org_a, D, "80.00")
    post(org_a, D - timedelta(days=1), "80.00")
    a = bank_line(org_a, D, "150.00")
    b = bank_line(org_a, D, "80.00")  # two ledger lines could be it
    c = bank_line(org_a, D, "9.99")  # nothing in the books
    with org_context(org_a):
        assert services.confident_count(bank) == 1
    assert services.accept_confident(**who, bank_account=bank) == 1
    assert _reload(org_a, a).status == LineStatus.MATCHED
    assert _reload(org_a, b).status == LineStatus.UNMATCHED
    assert _reload(org_a, c).status == LineStatus.UNMATCHED
    with org_context(org_a):
        assert MatchLine.objects.get().journal_line_id == cash_line(org_a, sure).pk
        assert Match.objects.get().via == "suggestion"
    assert services.accept_confident(**who, bank_account=bank) == 0


def _rule(who: dict, **values: Any) -> BankRule:
    with org_context(who["organization"]):
        fees = Account.objects.get(number="8590")
    return rules.bank_rule_create(**who, **{"account": fees, **values})


def test_rules_first_by_priority_with_direction_and_amount_range(
    org_a: Organization, who: dict
) -> None:
    bank = account(org_a)
    with org_context(org_a):
        interest = Account.objects.get(number="5310")
        misc = Account.objects.get(number="5490")
    _rule(
        who,
        name="Small fees",
        payee_contains="charge",
        direction="out",
        amount_max="20.00",
        priority=10,
    )
    _rule(who, name="Any charge", payee_contains="CHARGE", priority=20, memo="Charges")
    rules.bank_rule_create(
        **who, name="Interest", account=interest, payee_contains="interest", direction="in"
    )
    rules.bank_rule_create(
        **who, name="Big deposits", account=misc, direction="in", amount_min="1000", priority=5
    )
    small = bank_line(org_a, D, "-12.00", "Service Charge")
    big = bank_line(org_a, D, "-45.00", "Wire charge")
    refund = bank_line(org_a, D, "5.00", "Charge refund")  # a deposit: "Small fees" is out only
    paid = bank_line(org_a, D, "2.10", "INTEREST PAID")
    nothing = bank_line(org_a, D, "-7.00", "Coffee")
    huge = bank_line(org_a, D, "1500.00", "Interest on a grant")  # priority 5 wins
    with org_context(org_a):
        assert rules.rules_preview(bank) == 5
    assert rules.rules_apply(**who, bank_account=bank) == 5
    with org_context(org_a):

        def via(line: BankTransaction) -> str:
            match = Match.objects.get(bank_lines=_reload(org_a, line))
            return match.rule.name if match.rule else ""

        assert via(small) == "Small fees"
        assert via(big) == "Any charge"
        assert via(refund) == "Any charge"
        assert via(paid) == "Interest"
        assert via(huge) == "Big deposits"
        entry = JournalEntry.objects.get(source_id=str(big.pk), source_type="bank")
        assert entry.memo == "Charges"
    assert _reload(org_a, nothing).status == LineStatus.UNMATCHED
    assert rules.rules_apply(**who, bank_account=bank) == 0


def test_rules_leave_confidently_suggested_lines_alone(org_a: Organization, who: dict) -> None:
    bank = account(org_a)
    post(org_a, D, "-12.00", memo="Service charge booked by hand")
    line = bank_line(org_a, D, "-12.00", "SERVICE CHARGE")
    _rule(who, name="Fees", payee_contains="service charge")
    assert rules.rules_apply(**who, bank_account=bank) == 0
    assert _reload(org_a, line).status == LineStatus.UNMATCHED


def test_rule_inactive_or_for_another_account_does_not_run(org_a: Organization, who: dict) -> None:
    from ifm.banking.tests.factories import bank_account

    bank = account(org_a)
    payroll = bank_account(org_a, name="Payroll", number="1020")
    bank_line(org_a, D, "-12.00", "SERVICE CHARGE")
    _rule(who, name="Off", payee_contains="service", is_active=False)
    _rule(who, name="Payroll only", payee_contains="service", bank_account=payroll)
    assert rules.rules_apply(**who, bank_account=bank) == 0


def test_rule_checks(org_a: Organization, org_b: Organization, who: dict) -> None:
    account(org_a)
    account(org_b)
    with pytest.raises(ServiceError) as caught:
        _rule(who, name="", payee_contains="x")
    assert caught.value.errors[0]["field"] == "name"
    with pytest.raises(ServiceError, match="Say which lines"):
        _rule(who, name="Everything")
    with pytest.raises(ServiceError) as caught:
        _rule(who, name="Range", amount_min="50", amount_max="10")
    assert caught.value.errors[0]["field"] == "amount_max"
    with pytest.raises(ServiceError) as caught:
        _rule(who, name="Bad amount", amount_min="-5")
    assert caught.value.errors[0]["field"] == "amount_min"
    with org_context(org_b):
        theirs = Account.objects.get(number="8590")
    with pytest.raises(ServiceError) as caught:
        rules.bank_rule_create(**who, name="Theirs", account=theirs, payee_contains="x")
    assert caught.value.errors[0]["field"] == "account_id"
    rule = _rule(who, name="Fees", payee_contains="fee")
    with pytest.raises(ServiceError, match="already a rule"):
        _rule(who, name="FEES", payee_contains="fee")
    read = rule.version
    changed = rules.bank_rule_update(**who, rule=rule, expected_version=read, priority=1)
    assert changed.priority == 1
    assert changed.version == read + 1
    with pytest.raises(ConflictError):
        rules.bank_rule_update(**who, rule=rule, expected_version=read, priority=2)
    rules.bank_rule_delete(**who, rule=changed)
    with org_context(org_a):
        assert not BankRule.objects.exists()
        assert AuditEvent.objects.filter(action__startswith="bank_rule.").count() == 3


def test_a_rule_that_cannot_post_skips_the_line(org_a: Organization, who: dict) -> None:
    bank = account(org_a)
    rule = _rule(who, name="Fees", payee_contains="fee")
    bank_line(org_a, D, "-3.00", "FEE")
    with org_context(org_a):
        Account.objects.filter(pk=rule.account_id).update(is_active=False)
    result = rules.rules_run(**who, bank_account=bank)
    assert result.created == 0
    assert len(result.skipped) == 1
    assert "inactive" in result.skipped[0] or "account" in result.skipped[0]
