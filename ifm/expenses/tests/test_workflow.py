"""The approval workflow through the services, with the ledger entries it posts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.expenses import payments, services, workflow
from ifm.expenses.models import Expense, ExpenseApproval, ExpenseEvent, Status
from ifm.expenses.services import StateError
from ifm.expenses.tests.conftest import access, account, general_fund, make_expense
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.journal.selectors import entries_for_source

pytestmark = pytest.mark.django_db


def _lines(entry: Any) -> list[tuple[str, str, str, Decimal, Decimal, str]]:
    return sorted(
        (
            line.account.number,
            line.fund.code,
            line.function,
            line.debit,
            line.credit,
            str(line.program_id),
        )
        for line in entry.lines.select_related("account", "fund")
    )


def test_create_submit_approve_pay_posts_liability_then_payment(
    in_a: Any, cast: dict[str, Any], django_capture_on_commit_callbacks: Any, run_jobs: Any
) -> None:
    from django.apps import apps

    staff, finance = cast["staff"], cast["finance"]
    program = apps.get_model("ledger", "Program").objects.create(code="YOUTH", name="Youth")
    restricted = apps.get_model("ledger", "Fund").objects.create(
        code="R1", name="Grant", restriction="purpose", purpose="Youth"
    )
    with django_capture_on_commit_callbacks(execute=True):
        expense = make_expense(
            in_a, staff, amount="240.00", fund=restricted, program=program, function="program"
        )
        assert expense.status == Status.DRAFT
        expense = workflow.expense_submit(
            organization=in_a, actor=staff, access=access(staff), expense=expense
        )
    assert expense.status == Status.SUBMITTED
    assert not entries_for_source(source_type="expense", source_id=expense.pk).exists()
    run_jobs()
    to_approvers = [m for m in mail.outbox if "to approve" in m.subject]
    assert len(to_approvers) == 1
    assert set(to_approvers[0].to) == {"admin@alpha.test", "finance@alpha.test"}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        expense = workflow.expense_approve(
            organization=in_a, actor=finance, access=access(finance), expense=expense
        )
    assert expense.status == Status.APPROVED
    liability = expense.liability_entry
    assert liability is not None
    assert liability.source_type == "expense"
    assert liability.source_id == str(expense.pk)
    assert _lines(liability) == [
        ("2010", "R1", "", Decimal("0.00"), Decimal("240.00"), "None"),
        ("8110", "R1", "program", Decimal("240.00"), Decimal("0.00"), str(program.pk)),
    ]
    run_jobs()
    assert [m.to for m in mail.outbox] == [["staff@alpha.test"]]
    assert "Approved" in mail.outbox[0].subject
    mail.outbox.clear()

    bank = account("1010")
    with django_capture_on_commit_callbacks(execute=True):
        expense = payments.expense_pay(
            organization=in_a,
            actor=finance,
            access=access(finance),
            expense=expense,
            paid_from=bank.pk,
            date=date.today(),
        )
    assert expense.status == Status.PAID
    payment = expense.payment_entry
    assert payment is not None
    assert _lines(payment) == [
        ("1010", "R1", "", Decimal("0.00"), Decimal("240.00"), "None"),
        ("2010", "R1", "", Decimal("240.00"), Decimal("0.00"), "None"),
    ]
    assert list(entries_for_source(source_type="expense", source_id=expense.pk)) == [
        liability,
        payment,
    ]
    run_jobs()
    assert [m.to for m in mail.outbox] == [["staff@alpha.test"]]
    assert "Paid" in mail.outbox[0].subject

    tb = trial_balance(as_of=date.today(), fund_id=restricted.pk)
    by_number = {row.number: row for row in tb.rows}
    assert by_number["8110"].debit == Decimal("240.00")
    assert by_number["1010"].credit == Decimal("240.00")
    assert "2010" not in by_number or by_number["2010"].debit == by_number["2010"].credit == 0
    assert tb.total_debit == tb.total_credit

    history = list(
        ExpenseEvent.objects.filter(expense=expense).values_list("from_status", "to_status")
    )
    assert history == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "paid"),
    ]
    actions = set(
        AuditEvent.objects.filter(
            object_type="expenses.expense", object_id=str(expense.pk)
        ).values_list("action", flat=True)
    )
    assert {"expense.create", "expense.submit", "expense.approve", "expense.pay"} <= actions


def test_reject_and_withdraw_post_nothing(
    in_a: Any, cast: dict[str, Any], django_capture_on_commit_callbacks: Any, run_jobs: Any
) -> None:
    staff, admin = cast["staff"], cast["admin"]
    rejected = make_expense(in_a, staff, submit=True)
    withdrawn = make_expense(in_a, staff, submit=True)
    run_jobs()
    mail.outbox.clear()
    with pytest.raises(ServiceError) as err:
        workflow.expense_reject(
            organization=in_a, actor=admin, access=access(admin), expense=rejected, reason="  "
        )
    assert err.value.errors[0]["field"] == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        rejected = workflow.expense_reject(
            organization=in_a,
            actor=admin,
            access=access(admin),
            expense=rejected,
            reason="No receipt and not in the budget.",
        )
        withdrawn = workflow.expense_withdraw(
            organization=in_a, actor=staff, access=access(staff), expense=withdrawn
        )
    assert rejected.status == Status.REJECTED
    assert rejected.rejected_reason == "No receipt and not in the budget."
    assert withdrawn.status == Status.WITHDRAWN
    for e in (rejected, withdrawn):
        assert not entries_for_source(source_type="expense", source_id=e.pk).exists()
        assert e.liability_entry_id is None
    run_jobs()
    assert [(m.to, m.subject.split(":")[0]) for m in mail.outbox] == [
        (["staff@alpha.test"], "Rejected")
    ]
    assert "not in the budget" in mail.outbox[0].body
    # Neither can be approved or paid afterwards.
    for e in (rejected, withdrawn):
        with pytest.raises(StateError):
            workflow.expense_approve(
                organization=in_a, actor=admin, access=access(admin), expense=e
            )
    assert trial_balance(as_of=date.today()).rows == []


def test_nobody_approves_their_own_expense(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    expense = make_expense(in_a, finance, submit=True)
    with pytest.raises(PermissionDenied, match="your own expense"):
        workflow.expense_approve(
            organization=in_a, actor=finance, access=access(finance), expense=expense
        )
    expense.refresh_from_db()
    assert expense.status == Status.SUBMITTED
    assert not ExpenseApproval.objects.exists()


def test_roles_without_approve_permission_are_refused(in_a: Any, cast: dict[str, Any]) -> None:
    expense = make_expense(in_a, cast["staff"], submit=True)
    for role in ("fundraising", "volunteer_coordinator", "viewer"):
        user = cast[role]
        with pytest.raises(PermissionDenied):
            workflow.expense_approve(
                organization=in_a, actor=user, access=access(user), expense=expense
            )
    with pytest.raises(PermissionDenied):
        make_expense(in_a, cast["viewer"])


def test_two_step_above_threshold(
    in_a: Any, cast: dict[str, Any], django_capture_on_commit_callbacks: Any, run_jobs: Any
) -> None:
    staff, finance, admin = cast["staff"], cast["finance"], cast["admin"]
    expense = make_expense(in_a, staff, amount="1000.01", submit=True)
    run_jobs()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        expense = workflow.expense_approve(
            organization=in_a, actor=finance, access=access(finance), expense=expense
        )
    assert expense.status == Status.SUBMITTED
    assert not entries_for_source(source_type="expense", source_id=expense.pk).exists()
    run_jobs()
    assert [m.to for m in mail.outbox] == [["admin@alpha.test"]]  # the admins, for step 2
    # The same person twice is refused; so is finance as second approver.
    with pytest.raises(PermissionDenied, match="different admin"):
        workflow.expense_approve(
            organization=in_a, actor=finance, access=access(finance), expense=expense
        )
    other_finance = _member(in_a, "finance2@alpha.test", "finance")
    with pytest.raises(PermissionDenied, match="must come from an admin"):
        workflow.expense_approve(
            organization=in_a, actor=other_finance, access=access(other_finance), expense=expense
        )
    assert ExpenseApproval.objects.filter(expense=expense).count() == 1
    expense = workflow.expense_approve(
        organization=in_a, actor=admin, access=access(admin), expense=expense
    )
    assert expense.status == Status.APPROVED
    assert [a.step for a in ExpenseApproval.objects.filter(expense=expense)] == [1, 2]
    assert entries_for_source(source_type="expense", source_id=expense.pk).count() == 1


def test_at_threshold_one_approval_suffices(in_a: Any, cast: dict[str, Any]) -> None:
    expense = make_expense(in_a, cast["staff"], amount="1000.00", submit=True)
    expense = workflow.expense_approve(
        organization=in_a, actor=cast["finance"], access=access(cast["finance"]), expense=expense
    )
    assert expense.status == Status.APPROVED


def test_threshold_setting_changes_the_rule(in_a: Any, cast: dict[str, Any]) -> None:
    admin, finance = cast["admin"], cast["finance"]
    with pytest.raises(PermissionDenied):
        services.expense_settings_update(
            organization=in_a,
            actor=finance,
            access=access(finance),
            two_step_threshold="50",
            expected_version=1,
        )
    row = services.expense_settings_update(
        organization=in_a,
        actor=admin,
        access=access(admin),
        two_step_threshold="50.00",
        expected_version=1,
    )
    assert row.two_step_threshold == Decimal("50.00")
    with pytest.raises(ConflictError):
        services.expense_settings_update(
            organization=in_a,
            actor=admin,
            access=access(admin),
            two_step_threshold="60",
            expected_version=1,
        )
    expense = make_expense(in_a, cast["staff"], amount="50.01", submit=True)
    expense = workflow.expense_approve(
        organization=in_a, actor=finance, access=access(finance), expense=expense
    )
    assert expense.status == Status.SUBMITTED


def test_wrong_transitions_are_409(in_a: Any, cast: dict[str, Any]) -> None:
    staff, finance = cast["staff"], cast["finance"]
    draft = make_expense(in_a, staff)
    with pytest.raises(StateError, match="Only an approved expense can be paid") as err:
        payments.expense_pay(
            organization=in_a,
            actor=finance,
            access=access(finance),
            expense=draft,
            paid_from=account("1010"),
            date=date.today(),
        )
    assert err.value.status == 409
    with pytest.raises(StateError):
        workflow.expense_withdraw(
            organization=in_a, actor=staff, access=access(staff), expense=draft
        )
    submitted = workflow.expense_submit(
        organization=in_a, actor=staff, access=access(staff), expense=draft
    )
    with pytest.raises(StateError):
        workflow.expense_submit(
            organization=in_a, actor=staff, access=access(staff), expense=submitted
        )
    with pytest.raises(StateError, match="Only a draft can be edited"):
        services.expense_update(
            organization=in_a,
            actor=staff,
            access=access(staff),
            expense=submitted,
            expected_version=submitted.version,
            payee="Changed",
        )


def test_pay_needs_an_asset_account(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    expense = make_expense(in_a, cast["staff"], submit=True)
    expense = workflow.expense_approve(
        organization=in_a, actor=finance, access=access(finance), expense=expense
    )
    for bad in (account("8110").pk, account("1000").pk, 99999999):
        with pytest.raises(ServiceError) as err:
            payments.expense_pay(
                organization=in_a,
                actor=finance,
                access=access(finance),
                expense=expense,
                paid_from=bad,
                date=date.today(),
            )
        assert err.value.errors[0]["field"] == "paid_from_account_id"
    expense.refresh_from_db()
    assert expense.status == Status.APPROVED
    assert entries_for_source(source_type="expense", source_id=expense.pk).count() == 1


def test_draft_validation_and_stale_version(in_a: Any, cast: dict[str, Any]) -> None:
    staff = cast["staff"]
    with pytest.raises(ServiceError) as err:
        make_expense(in_a, staff, amount="-3", category="8100", payee=" ", function="x")
    fields = {e["field"] for e in err.value.errors}
    assert fields == {"amount", "category_id", "payee", "function"}
    assert not Expense.objects.exists()
    incomplete = services.expense_create(
        organization=in_a,
        actor=staff,
        access=access(staff),
        kind="bill",
        payee="Acme Printing",
        date=date.today(),
        function="fundraising",
    )
    with pytest.raises(ServiceError) as err:
        workflow.expense_submit(
            organization=in_a, actor=staff, access=access(staff), expense=incomplete
        )
    assert {e["field"] for e in err.value.errors} == {"amount", "category_id", "fund_id"}
    updated = services.expense_update(
        organization=in_a,
        actor=staff,
        access=access(staff),
        expense=incomplete,
        expected_version=1,
        amount="99.99",
    )
    assert updated.version == 2
    with pytest.raises(ConflictError):
        services.expense_update(
            organization=in_a,
            actor=staff,
            access=access(staff),
            expense=incomplete,
            expected_version=1,
            amount="5.00",
        )
    incomplete.refresh_from_db()
    assert incomplete.amount == Decimal("99.99")
    # Someone else may not edit the draft.
    with pytest.raises(PermissionDenied):
        services.expense_update(
            organization=in_a,
            actor=cast["admin"],
            access=access(cast["admin"]),
            expense=incomplete,
            expected_version=2,
            amount="1.00",
        )


def test_other_organizations_category_and_fund_are_refused(
    org_b: Any, in_a: Any, cast: dict[str, Any]
) -> None:
    from ifm.core.org_context import org_context

    with org_context(org_b):
        theirs_account = account("8110").pk
        theirs_fund = general_fund().pk
    with pytest.raises(ServiceError) as err:
        make_expense(in_a, cast["staff"], category=theirs_account, fund=theirs_fund)
    assert {e["field"] for e in err.value.errors} == {"category_id", "fund_id"}


def test_bulk_approve_is_all_or_nothing(in_a: Any, cast: dict[str, Any]) -> None:
    staff, finance = cast["staff"], cast["finance"]
    one = make_expense(in_a, staff, submit=True)
    two = make_expense(in_a, staff, amount="20.00", submit=True)
    own = make_expense(in_a, finance, submit=True)
    with pytest.raises(ServiceError) as err:
        workflow.expense_approve_many(
            organization=in_a,
            actor=finance,
            access=access(finance),
            expense_ids=[one.pk, own.pk, two.pk],
        )
    assert err.value.errors == [
        {"field": "expense_ids.1", "message": f"EXP-{own.pk}: You cannot approve your own expense."}
    ]
    assert set(Expense.objects.values_list("status", flat=True)) == {"submitted"}
    assert not ExpenseApproval.objects.exists()
    assert not entries_for_source(source_type="expense", source_id=one.pk).exists()

    done = workflow.expense_approve_many(
        organization=in_a, actor=finance, access=access(finance), expense_ids=[one.pk, two.pk]
    )
    assert [e.status for e in done] == ["approved", "approved"]
    for e in (one, two):
        assert entries_for_source(source_type="expense", source_id=e.pk).count() == 1


def test_closed_period_blocks_approval_and_nothing_changes(in_a: Any, cast: dict[str, Any]) -> None:
    from ifm.ledger.periods.selectors import period_for
    from ifm.ledger.periods.services import books_close_through

    admin, finance = cast["admin"], cast["finance"]
    expense = make_expense(in_a, cast["staff"], submit=True)
    period = period_for(date.today())
    assert period is not None
    books_close_through(organization=in_a, actor=admin, access=access(admin), period=period)
    with pytest.raises(ServiceError, match="closed"):
        workflow.expense_approve(
            organization=in_a, actor=finance, access=access(finance), expense=expense
        )
    expense.refresh_from_db()
    assert expense.status == Status.SUBMITTED
    assert not ExpenseApproval.objects.exists()


def _member(org: Any, email: str, role: str) -> Any:
    from ifm.accounts.services import membership_set
    from ifm.conftest import make_user

    user = make_user(email)
    membership_set(organization=org, user=user, role=role)
    return user


def test_clean_values_reports_every_field_in_order_and_lets_blanks_through(
    in_a: Any, cast: dict[str, Any]
) -> None:
    with pytest.raises(ServiceError) as err:
        services.clean_values(
            {
                "program": 999999,
                "fund": 999999,
                "category": "4010",
                "amount": "-3",
                "description": "x" * 2001,
                "function": "parties",
                "date": "2020-01-01",
                "payee": "y" * 201,
                "kind": "loan",
            }
        )
    assert [e["field"] for e in err.value.errors] == [
        "kind",
        "payee",
        "date",
        "function",
        "description",
        "amount",
        "category_id",
        "fund_id",
        "program_id",
    ]
    assert str(err.value).startswith(
        "The expense has errors: Choose a claim or a bill.; At most 200 characters.; "
        "Give a date as YYYY-MM-DD.; "
    )
    cleaned = services.clean_values(
        {"kind": "bill", "payee": "  Acme \n Printing ", "amount": "", "fund": None}
    )
    assert cleaned == {"kind": "bill", "payee": "Acme Printing", "amount": None, "fund": None}
    assert services.clean_values({}) == {}
