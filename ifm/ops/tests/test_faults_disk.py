"""Faults survived: the disk is full when an uploaded document is written. The person gets a
clear answer (507 from the API, the form again with the message on the page), and no row is
left pointing at a file that is not there.

The disk is real: the private storage of the test writes each new file through a symlink to
/dev/full, where the kernel refuses every write with ENOSPC, as a full file system does.
"""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.storage import PrivateStorage
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.expenses.models import Expense, Receipt
from ifm.expenses.tests.conftest import PDF_BYTES, account, general_fund
from ifm.volunteers.models import Qualification
from ifm.volunteers.tests import factories as vf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)"),
]


class FullDiskStorage(PrivateStorage):
    """Private storage on a disk with no room left: every file it creates is /dev/full."""

    def __init__(self, root: Path):
        super().__init__(location=str(root), allow_overwrite=True)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_symlink():
            target.symlink_to("/dev/full")
        return name


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FullDiskStorage:
    storage = FullDiskStorage(tmp_path)
    probe = os.open(storage.path(storage.get_available_name("probe")), os.O_WRONLY)
    try:
        with pytest.raises(OSError, match="No space left") as refused:
            os.write(probe, b"x")
    finally:
        os.close(probe)
    assert refused.value.errno == errno.ENOSPC  # the disk really is full
    for model, name in ((Receipt, "file"), (Qualification, "document")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return storage


def test_an_expense_receipt_on_a_full_disk_is_refused_with_507_and_saves_nothing(
    in_org_a: Any, cast: dict[str, Any], full_disk: FullDiskStorage
) -> None:
    staff = api_client_for(cast["staff"], in_org_a)
    created = send_json(
        staff,
        "POST",
        "/api/v1/expenses",
        {
            "kind": "claim",
            "payee": "Dana Staff",
            "date": date.today().isoformat(),
            "function": "management",
            "amount": "80.25",
            "category_id": account("8110").pk,
            "fund_id": general_fund().pk,
            "description": "Printer paper",
        },
    )
    assert created.status_code == 201, created.content
    expense_id = created.json()["id"]
    response = staff.post(
        f"/api/v1/expenses/{expense_id}/receipts",
        {"file": SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    problem = assert_problem(response, 507)
    assert "no disk space left" in problem["detail"]
    assert "Nothing was saved" in problem["detail"]
    assert problem["errors"][0]["field"] == "file"
    assert not Receipt.objects.exists()
    assert Expense.objects.get(pk=expense_id).version == created.json()["version"]


def test_a_qualification_document_on_a_full_disk_is_refused_and_saves_nothing(
    org_a: Any, cast: dict[str, Any], full_disk: FullDiskStorage
) -> None:
    kind = vf.qualification_type(org_a, "First aid")
    volunteer = vf.volunteer(org_a)
    client = client_for(cast["volunteer_coordinator"])
    url = reverse(
        "volunteers:qualification_new",
        kwargs={"org_slug": org_a.slug, "volunteer_id": volunteer.pk},
    )
    response = client.post(
        url,
        {
            "type": kind.pk,
            "issued_on": "2026-01-05",
            "document": SimpleUploadedFile("card.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "no disk space left" in response.content.decode()
    with org_context(org_a):
        assert not Qualification.objects.exists()
