"""The onboarding checklist follows the organization's real data, item by item, and records who
signed off the manual items; another organization's data never counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ifm.banking.models import Reconciliation
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.models import Account
from ifm.rollout import services
from ifm.rollout.onboarding import checklist
from ifm.tenancy.models import Membership
from ifm.tenancy.tests.tenant_factories import FACTORIES


def _state(org: Any) -> dict[str, bool]:
    return {item.key: item.done for item in checklist(org).items}


def test_a_new_organization_has_everything_to_do(org_a: Any) -> None:
    result = checklist(org_a)
    assert [i.key for i in result.items] == [
        "users_invited",
        "users_signed_in",
        "chart_of_accounts",
        "opening_balances",
        "donors_imported",
        "first_donation",
        "first_receipt",
        "first_reconciliation",
        "training",
        "data_migration",
    ]
    assert result.done == 0
    assert result.percent == 0


def test_items_follow_the_data(cast: dict[str, Any], org_a: Any, org_b: Any) -> None:
    state = _state(org_a)
    assert state["users_invited"]  # the cast has a member of each role
    assert not state["users_signed_in"]
    for user in [u for k, u in cast.items() if k not in {"other_admin", "outsider"}]:
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    assert _state(org_a)["users_signed_in"]

    with org_context(org_a):
        account = Account.objects.get(number="1010")
        account.name = "Operating checking"
        account.updated_by = cast["admin"]
        account.save()
    FACTORIES["donors.taxreceipt"](org_a)  # a donor, a donation and its receipt
    FACTORIES["donors.importrun"](org_a)
    rec = FACTORIES["banking.reconciliation"](org_a)
    state = _state(org_a)
    assert state["chart_of_accounts"]
    assert state["donors_imported"]
    assert state["first_donation"]
    assert state["first_receipt"]
    assert not state["first_reconciliation"]  # begun, not finished
    with org_context(org_a):
        Reconciliation.objects.filter(pk=rec.pk).update(
            status=Reconciliation.Status.FINISHED, finished_at=timezone.now()
        )
    assert _state(org_a)["first_reconciliation"]

    # B has none of it.
    assert not any(_state(org_b).values())


def test_opening_balances_are_an_opening_entry(org_a: Any) -> None:
    from datetime import date
    from decimal import Decimal

    from ifm.ledger.journal.posting import LineInput, post_entry
    from ifm.ledger.models import Fund, SourceType

    with org_context(org_a):
        fund = Fund.objects.get(is_general=True)
        post_entry(
            organization=org_a,
            actor=None,
            date=date.today(),
            source_type=SourceType.OPENING,
            lines=[
                LineInput(Account.objects.get(number="1010"), fund, debit=Decimal("500.00")),
                LineInput(Account.objects.get(number="3010"), fund, credit=Decimal("500.00")),
            ],
        )
    item = next(i for i in checklist(org_a).items if i.key == "opening_balances")
    assert item.done
    assert date.today().isoformat() in item.detail


def test_manual_items_record_who_and_when(cast: dict[str, Any], org_a: Any, staff: Any) -> None:
    admin = cast["admin"]
    with org_context(org_a):
        access = Membership.objects.get(organization=org_a, user=admin)
        finance_access = Membership.objects.get(organization=org_a, user=cast["finance"])
    services.onboarding_sign_off(
        organization=org_a, item="data_migration", actor=admin, access=access, note="Checked"
    )
    services.onboarding_sign_off(organization=org_a, item="training", actor=staff)
    items = {i.key: i for i in checklist(org_a).items}
    assert items["data_migration"].done
    signoff = items["data_migration"].signoff
    assert signoff is not None
    assert signoff.done_by == admin
    assert "Checked" in items["data_migration"].detail
    assert items["training"].detail.startswith("by Rollout Staff on ")

    services.onboarding_sign_off(organization=org_a, item="training", actor=staff, done=False)
    assert not _state(org_a)["training"]

    finance = cast["finance"]
    with pytest.raises(PermissionDenied):
        services.onboarding_sign_off(
            organization=org_a,
            item="training",
            actor=finance,
            access=finance_access,
        )
    with pytest.raises(ServiceError, match="Unknown item"):
        services.onboarding_sign_off(organization=org_a, item="party", actor=staff)
