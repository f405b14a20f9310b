"""An expense attachment belongs to the transaction that adds it: rolled back, no file is left
on disk; committed, the file stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ifm.core.org_context import org_context
from ifm.expenses import records
from ifm.expenses.models import Receipt
from ifm.expenses.tests.conftest import PDF_BYTES, access, make_expense

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def files_on_disk() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def add(org: Any, user: Any, expense: Any, name: str = "r.pdf") -> Receipt:
    return records.receipt_add(
        organization=org,
        actor=user,
        access=access(user),
        expense=expense,
        file=SimpleUploadedFile(name, PDF_BYTES, "application/pdf"),
    )


def test_a_rolled_back_upload_leaves_no_file(in_a: Any, cast: dict[str, Any]) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff)

    def add_then_fail() -> None:
        with transaction.atomic():
            receipt = add(in_a, staff, expense)
            assert Path(receipt.file.path).read_bytes() == PDF_BYTES
            raise Boom

    with pytest.raises(Boom):
        add_then_fail()
    assert not Receipt.objects.filter(expense=expense).exists()
    assert files_on_disk() == []

    kept = add(in_a, staff, expense, "kept.pdf")
    assert files_on_disk() == [Path(kept.file.path)]


def test_every_upload_of_a_rolled_back_transaction_is_removed(
    in_a: Any, cast: dict[str, Any]
) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff)

    def add_two_then_fail() -> None:
        with transaction.atomic():
            add(in_a, staff, expense, "one.pdf")
            add(in_a, staff, expense, "two.pdf")
            assert len(files_on_disk()) == 2
            raise Boom

    with pytest.raises(Boom):
        add_two_then_fail()
    assert files_on_disk() == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_upload_keeps_its_file(
    org_a: Any, cast: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "committed"
    staff = cast["staff"]
    with org_context(org_a):
        receipt = add(org_a, staff, make_expense(org_a, staff))
        path = Path(receipt.file.path)
    assert files_on_disk() == [path]
    assert path.read_bytes() == PDF_BYTES
