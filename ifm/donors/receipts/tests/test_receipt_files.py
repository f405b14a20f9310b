"""A receipt's PDF belongs to the transaction that issues it: rolled back, no file is left on
disk; committed, the file stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from ifm.core.org_context import org_context
from ifm.donors.models import TaxReceipt
from ifm.donors.receipts.tests.test_receipts import give, issue, make_donor
from ifm.ledger.models import Fund

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def private_root(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path / "private"


@pytest.fixture
def finance(donors_org: Any, cast: dict[str, Any]) -> dict[str, Any]:
    from ifm.donors.conftest import access_of

    user = cast["finance"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


def test_a_rolled_back_issue_leaves_no_pdf_on_disk(
    private_root: Path, fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    gift = give(fundraiser, donor, general_fund, "100.00")

    def issue_then_fail() -> None:
        with transaction.atomic():
            receipt = issue(finance, gift)
            # Written at once, so the rest of the transaction can read it...
            assert Path(receipt.pdf.path).read_bytes().startswith(b"%PDF")
            raise Boom  # ...and then something later in the same transaction fails.

    with pytest.raises(Boom):
        issue_then_fail()
    assert not TaxReceipt.objects.filter(donations=gift).exists()
    assert files_under(private_root) == []

    # The next issue works and keeps its file.
    kept = issue(finance, gift)
    assert files_under(private_root) == [Path(kept.pdf.path)]


def test_a_rolled_back_savepoint_removes_only_its_own_file(
    private_root: Path, fundraiser: dict[str, Any], finance: dict[str, Any], general_fund: Fund
) -> None:
    donor = make_donor(fundraiser)
    first, second = (give(fundraiser, donor, general_fund, a) for a in ("10.00", "20.00"))

    def issue_then_fail() -> None:
        with transaction.atomic():
            issue(finance, second)
            raise Boom

    with transaction.atomic():
        kept = issue(finance, first)
        with pytest.raises(Boom):
            issue_then_fail()
    assert files_under(private_root) == [Path(kept.pdf.path)]


@pytest.mark.django_db(transaction=True)
def test_a_committed_issue_keeps_its_pdf(
    private_root: Path, org_a: Any, cast: dict[str, Any]
) -> None:
    from ifm.donors.conftest import access_of

    with org_context(org_a):
        fundraising, finance_user = cast["fundraising"], cast["finance"]
        ctx = {"organization": org_a, "actor": fundraising, "access": access_of(fundraising)}
        fin = {"organization": org_a, "actor": finance_user, "access": access_of(finance_user)}
        fund = Fund.objects.get(is_general=True)
        gift = give(ctx, make_donor(ctx), fund, "50.00")
        receipt = issue(fin, gift)
        path = Path(receipt.pdf.path)
    assert files_under(private_root) == [path]
    assert path.read_bytes().startswith(b"%PDF")
