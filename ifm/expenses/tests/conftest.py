from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.expenses import services, workflow
from ifm.expenses.models import Expense
from ifm.tenancy.models import Membership, Organization

# Real, tiny files of each allowed kind.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
JPEG_BYTES = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c"
    "140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27"
    "393d38323c2e333432ffc0000b080001000101011100ffc4001400010000000000000000000000000000"
    "0009ffc40014100100000000000000000000000000000000ffda0008010100003f00d2cf20ffd9"
)
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def in_a(org_a: Organization, cast: dict[str, Any]) -> Iterator[Organization]:
    with org_context(org_a):
        yield org_a


def access(user: Any) -> Membership:
    return Membership.objects.get(user=user)


def account(number: str) -> Any:
    from django.apps import apps

    return apps.get_model("ledger", "Account").objects.get(number=number)


def general_fund() -> Any:
    from ifm.ledger.chart.selectors import general_fund as gf

    return gf()


def make_expense(
    org: Organization,
    user: Any,
    *,
    amount: str = "125.50",
    category: Any = "8110",
    submit: bool = False,
    **extra: Any,
) -> Expense:
    values: dict[str, Any] = {
        "kind": "claim",
        "payee": user.get_full_name() if hasattr(user, "get_full_name") else "Payee",
        "date": date.today(),
        "function": "program",
        "amount": Decimal(amount),
        "category": account(category) if isinstance(category, str) else category,
        "fund": general_fund(),
        "description": "Office supplies",
    }
    values["payee"] = values["payee"] or "Payee"
    values.update(extra)
    expense = services.expense_create(organization=org, actor=user, access=access(user), **values)
    if submit:
        expense = workflow.expense_submit(
            organization=org, actor=user, access=access(user), expense=expense
        )
    return expense
