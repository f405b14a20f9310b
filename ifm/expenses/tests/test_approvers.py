"""Services behind the approvers' work: categories finance defines (plain names, default
function), cash-only payment accounts, check numbers, and bulk payment all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.core.errors import ServiceError
from ifm.expenses import categories, payments, selectors, services, workflow
from ifm.expenses.models import Expense, ExpenseCategory, Status
from ifm.expenses.tests.conftest import access, account, make_expense
from ifm.ledger.chart.selectors import cash_accounts
from ifm.ledger.journal.selectors import entries_for_source

pytestmark = pytest.mark.django_db


def category(org: Any, user: Any, name: str, number: str, function: str) -> ExpenseCategory:
    return categories.expense_category_create(
        organization=org,
        actor=user,
        access=access(user),
        name=name,
        account=account(number),
        default_function=function,
    )


def approved(org: Any, cast: dict[str, Any], amount: str = "50.00", **extra: Any) -> Expense:
    finance = cast["finance"]
    expense = make_expense(org, cast["staff"], amount=amount, submit=True, **extra)
    return workflow.expense_approve(
        organization=org, actor=finance, access=access(finance), expense=expense
    )


def pay_many(org: Any, user: Any, rows: list[dict[str, Any]], **extra: Any) -> list[Expense]:
    values: dict[str, Any] = {"paid_from": account("1010"), "date": date.today()}
    values.update(extra)
    return payments.expense_pay_many(
        organization=org, actor=user, access=access(user), payments=rows, **values
    )


# --- Cash accounts ---------------------------------------------------------------------------


def test_cash_accounts_are_the_cash_group_only(in_a: Any) -> None:
    numbers = list(cash_accounts(in_a).values_list("number", flat=True))
    assert numbers == ["1010", "1020", "1040", "1050", "1070"]
    # Not the header, not buildings, vehicles or accumulated depreciation.
    for other in ("1000", "1620", "1650", "1745", "1110"):
        assert other not in numbers
    assert list(selectors.payment_accounts().values_list("number", flat=True)) == numbers


def test_cash_accounts_follow_the_default_bank_in_a_renumbered_chart(in_a: Any) -> None:
    bank = account("1010")
    group = account("1000")
    type(bank).objects.filter(pk=group.pk).update(number="A100")
    type(bank).objects.filter(pk=bank.pk).update(number="A110")
    type(bank).objects.filter(number="1020").update(number="A120")
    numbers = set(cash_accounts(in_a).values_list("number", flat=True))
    assert {"A110", "A120"} <= numbers
    assert "1620" not in numbers


def test_paying_from_a_non_cash_asset_is_a_field_error(in_a: Any, cast: dict[str, Any]) -> None:
    expense = approved(in_a, cast)
    finance = cast["finance"]
    for bad in ("1620", "1745", "1110"):
        with pytest.raises(ServiceError) as err:
            payments.expense_pay(
                organization=in_a,
                actor=finance,
                access=access(finance),
                expense=expense,
                paid_from=account(bad),
                date=date.today(),
            )
        assert err.value.errors[0]["field"] == "paid_from_account_id"
        assert "cash or bank account" in err.value.message
    expense.refresh_from_db()
    assert expense.status == Status.APPROVED


# --- Categories --------------------------------------------------------------------------------


def test_a_category_sets_the_account_and_the_default_function(
    in_a: Any, cast: dict[str, Any]
) -> None:
    finance, staff = cast["finance"], cast["staff"]
    travel = category(in_a, finance, "Travel and mileage", "8310", "fundraising")
    expense = services.expense_create(
        organization=in_a,
        actor=staff,
        access=access(staff),
        kind="claim",
        payee="Sam",
        date=date.today(),
        amount="12.00",
        expense_category=travel.pk,
        fund=selectors.active_funds().get(is_general=True),
    )
    assert expense.category == account("8310")
    assert expense.function == "fundraising"  # no function given: the category's
    # Other: an account from the chart clears the category.
    updated = services.expense_update(
        organization=in_a,
        actor=staff,
        access=access(staff),
        expense=expense,
        expected_version=expense.version,
        category=account("8590"),
    )
    assert updated.expense_category is None
    assert updated.category == account("8590")
    # A category and a different account together are refused: the category decides.
    with pytest.raises(ServiceError) as err:
        services.expense_update(
            organization=in_a,
            actor=staff,
            access=access(staff),
            expense=updated,
            expected_version=updated.version,
            expense_category=travel.pk,
            category=account("8110"),
        )
    assert err.value.errors[0]["field"] == "category_id"


def test_submit_takes_the_function_from_the_category_and_approver_may_correct_it(
    in_a: Any, cast: dict[str, Any]
) -> None:
    finance, staff = cast["finance"], cast["staff"]
    supplies = category(in_a, finance, "Office supplies", "8110", "management")
    expense = make_expense(in_a, staff, expense_category=supplies, category=None, function="")
    assert expense.function == "management"
    # Finance remaps the category before submission: the submitted expense follows.
    categories.expense_category_update(
        organization=in_a,
        actor=finance,
        access=access(finance),
        category=supplies,
        expected_version=supplies.version,
        account=account("8170"),
    )
    expense = workflow.expense_submit(
        organization=in_a, actor=staff, access=access(staff), expense=expense
    )
    assert expense.category == account("8170")
    expense = workflow.expense_approve(
        organization=in_a,
        actor=finance,
        access=access(finance),
        expense=expense,
        function="program",
    )
    assert expense.status == Status.APPROVED
    entry = entries_for_source(source_type="expense", source_id=expense.pk).get()
    line = entry.lines.get(debit__gt=0)
    assert (line.account.number, line.function) == ("8170", "program")


def test_submit_without_a_function_or_category_names_the_function(
    in_a: Any, cast: dict[str, Any]
) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff, function="")
    with pytest.raises(ServiceError) as err:
        workflow.expense_submit(
            organization=in_a, actor=staff, access=access(staff), expense=expense
        )
    assert [e["field"] for e in err.value.errors] == ["function"]


def test_category_rules_and_permissions(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    supplies = category(in_a, finance, "Office supplies", "8110", "management")
    with pytest.raises(ServiceError, match="already a category named"):
        category(in_a, finance, "office SUPPLIES", "8110", "program")
    with pytest.raises(ServiceError) as err:
        category(in_a, finance, "Buildings", "1620", "program")  # not an expense account
    assert err.value.errors[0]["field"] == "account_id"
    with pytest.raises(ServiceError):
        category(in_a, finance, "Travel", "8300", "program")  # a header
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        category(in_a, cast["staff"], "Snacks", "8110", "program")
    # In use: deleting is refused (409), deactivating hides it from staff.
    make_expense(in_a, cast["staff"], expense_category=supplies, category=None)
    with pytest.raises(ServiceError) as err:
        categories.expense_category_delete(
            organization=in_a, actor=finance, access=access(finance), category=supplies
        )
    assert err.value.status == 409
    categories.expense_category_update(
        organization=in_a,
        actor=finance,
        access=access(finance),
        category=supplies,
        expected_version=supplies.version,
        is_active=False,
    )
    assert not selectors.active_categories().exists()
    unused = category(in_a, finance, "Unused", "8110", "program")
    categories.expense_category_delete(
        organization=in_a, actor=finance, access=access(finance), category=unused
    )
    assert not ExpenseCategory.objects.filter(pk=unused.pk).exists()


# --- Paying, one and many ------------------------------------------------------------------------


def test_single_pay_records_the_check_number(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    expense = approved(in_a, cast)
    paid = payments.expense_pay(
        organization=in_a,
        actor=finance,
        access=access(finance),
        expense=expense,
        paid_from=account("1010"),
        date=date.today(),
        check_number="1042",
    )
    assert (paid.status, paid.check_number) == (Status.PAID, "1042")
    assert "check 1042" in paid.payment_entry.memo  # type: ignore[union-attr]
    other = approved(in_a, cast, payee="Someone else")
    with pytest.raises(ServiceError, match="Check 1042 from 1010 already paid"):
        payments.expense_pay(
            organization=in_a,
            actor=finance,
            access=access(finance),
            expense=other,
            paid_from=account("1010"),
            date=date.today(),
            check_number="1042",
        )
    with pytest.raises(ServiceError) as err:
        payments.expense_pay(
            organization=in_a,
            actor=finance,
            access=access(finance),
            expense=other,
            paid_from=account("1010"),
            date=date.today(),
            check_number="<script>",
        )
    assert err.value.errors[0]["field"] == "check_number"


def test_bulk_pay_with_own_and_numbered_checks(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    one, two, three = (approved(in_a, cast, payee=f"Vendor {n}") for n in (1, 2, 3))
    done = pay_many(
        in_a,
        finance,
        [
            {"expense_id": one.pk},
            {"expense_id": two.pk, "check_number": "5000"},
            {"expense_id": three.pk},
        ],
        first_check_number="0998",
    )
    assert [(e.pk, e.check_number) for e in done] == [
        (one.pk, "0998"),
        (two.pk, "5000"),
        (three.pk, "0999"),
    ]
    for expense in (one, two, three):
        expense.refresh_from_db()
        assert expense.status == Status.PAID
        assert expense.paid_from == account("1010")
        assert entries_for_source(source_type="expense", source_id=expense.pk).count() == 2


def test_bulk_pay_is_all_or_nothing_and_names_the_row(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    good = approved(in_a, cast, payee="Good Vendor")
    waiting = make_expense(in_a, cast["staff"], submit=True)
    with pytest.raises(ServiceError) as err:
        pay_many(
            in_a,
            finance,
            [
                {"expense_id": good.pk, "check_number": "100"},
                {"expense_id": waiting.pk, "check_number": "101"},
            ],
        )
    assert err.value.message.startswith("Nothing was paid: 1 of 2 rows")
    assert err.value.errors == [
        {
            "field": "payments.1.expense_id",
            "message": f"Row 2 ({waiting.reference}): Only an approved expense can be paid; "
            "this one is submitted.",
        }
    ]
    good.refresh_from_db()
    assert (good.status, good.check_number) == (Status.APPROVED, "")
    assert entries_for_source(source_type="expense", source_id=good.pk).count() == 1


def test_bulk_pay_refuses_a_check_for_two_payees_twice_listed_and_bad_input(
    in_a: Any, cast: dict[str, Any]
) -> None:
    finance = cast["finance"]
    a = approved(in_a, cast, payee="Alpha Print")
    b = approved(in_a, cast, payee="Beta Foods")
    with pytest.raises(ServiceError) as err:
        pay_many(
            in_a,
            finance,
            [{"expense_id": a.pk, "check_number": "7"}, {"expense_id": b.pk, "check_number": "7"}],
        )
    assert err.value.errors[0]["field"] == "payments.1.check_number"
    assert "check 7 is already used in this batch" in err.value.errors[0]["message"]
    with pytest.raises(ServiceError, match="listed twice"):
        pay_many(in_a, finance, [{"expense_id": a.pk}, {"expense_id": a.pk}])
    with pytest.raises(ServiceError) as err:
        pay_many(in_a, finance, [{"expense_id": a.pk}], first_check_number="12a")
    assert err.value.errors[0]["field"] == "first_check_number"
    with pytest.raises(ServiceError) as err:
        pay_many(in_a, finance, [{"expense_id": a.pk}], paid_from=account("1650"))
    assert err.value.errors[0]["field"] == "paid_from_account_id"
    with pytest.raises(ServiceError, match="no such expense"):
        pay_many(in_a, finance, [{"expense_id": 987654321}])
    with pytest.raises(ServiceError, match="at least one"):
        pay_many(in_a, finance, [])
    # The same check may pay two bills of the same vendor.
    c = approved(in_a, cast, payee="Alpha Print")
    done = pay_many(
        in_a,
        finance,
        [{"expense_id": a.pk, "check_number": "8"}, {"expense_id": c.pk, "check_number": "8"}],
    )
    assert len(done) == 2
    assert Expense.objects.filter(status=Status.PAID).count() == 2


def test_bulk_pay_needs_the_pay_permission(in_a: Any, cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    expense = approved(in_a, cast)
    with pytest.raises(PermissionDenied):
        pay_many(in_a, cast["staff"], [{"expense_id": expense.pk}])


def test_tab_views_and_hidden_counts(in_a: Any, cast: dict[str, Any]) -> None:
    staff, finance = cast["staff"], cast["finance"]
    make_expense(in_a, staff)
    make_expense(in_a, staff, submit=True)
    approved(in_a, cast)
    fin = access(finance)
    assert selectors.default_view(fin) == "to_approve"
    assert selectors.default_view(access(staff)) == "mine"
    counts = selectors.hidden_counts(user=finance, access=fin)
    assert counts == {"all": 3, "mine": 0, "to_approve": 1, "to_pay": 1}
    statuses = {
        view: sorted(
            selectors.expense_list(user=finance, access=fin, view=view).values_list(
                "status", flat=True
            )
        )
        for view in selectors.VIEWS
    }
    assert statuses == {
        "to_approve": ["submitted"],
        "to_pay": ["approved"],
        "all": ["approved", "draft", "submitted"],
        "mine": [],
    }
    assert Decimal(selectors.totals(selectors.to_pay_list()).amount) == Decimal("50.00")
