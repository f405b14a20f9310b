"""`ifm storage_check` on both backends: local disk and a real S3-compatible server. It names
each file a row refers to but storage lacks (and exits non-zero), and each stored file no row
refers to (an orphan)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from ifm.core.org_context import org_context
from ifm.expenses import records
from ifm.expenses.tests.conftest import PDF_BYTES, PNG_BYTES, access, make_expense
from ifm.ops.storage_audit import storage_check

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["disk", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    request.getfixturevalue("disk_storages" if request.param == "disk" else "s3_storages")
    return str(request.param)


@pytest.fixture
def stored(backend: str, org_a: Any, org_b: Any, cast: dict[str, Any]) -> dict[str, Any]:
    """An expense receipt of each organization (private storage) and a logo (default storage)."""
    receipts = []
    for org, user in ((org_a, cast["staff"]), (org_b, cast["other_admin"])):
        with org_context(org):
            receipts.append(
                records.receipt_add(
                    organization=org,
                    actor=user,
                    access=access(user),
                    expense=make_expense(org, user),
                    file=SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf"),
                )
            )
    org_a.logo.save("logo.png", ContentFile(PNG_BYTES), save=True)
    return {"receipts": receipts, "logo": org_a.logo.name}


def run(*args: str) -> str:
    """The command's output, and its failure message when it fails."""
    out = StringIO()
    try:
        call_command("storage_check", *args, stdout=out)
    except CommandError as failed:
        out.write(f"FAILED {failed}")
    return out.getvalue()


def test_all_present_passes(stored: dict[str, Any]) -> None:
    report = storage_check()
    assert report.ok
    assert report.referenced == {"default": 1, "private": 2}
    assert report.stored == {"default": 1, "private": 2}
    assert report.missing == []
    assert report.orphans == []
    assert "Storage check passed: 0 missing, 0 orphaned." in run()


def test_a_missing_file_is_named_and_fails(stored: dict[str, Any], backend: str) -> None:
    gone = stored["receipts"][1]
    storages["private"].delete(gone.file.name)
    report = storage_check()
    assert not report.ok
    assert [(alias, ref.model, ref.pk, ref.name) for alias, ref in report.missing] == [
        ("private", "expenses.Receipt", gone.pk, gone.file.name)
    ]
    output = run()
    assert f"MISSING private:{gone.file.name} (expenses.Receipt {gone.pk}, file)" in output
    assert "FAILED Storage check failed: 1 missing, 0 orphaned." in output
    # From the command line, the exit status says so.
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["ifm", "storage_check"])
    assert exited.value.code == 1


def test_an_orphan_is_listed_but_fails_only_when_strict(stored: dict[str, Any]) -> None:
    left = storages["private"].save("receipts/left-behind.pdf", ContentFile(PDF_BYTES))
    storages["default"].delete(stored["logo"])
    storages["default"].save("logos/old.png", ContentFile(PNG_BYTES))
    report = storage_check()
    assert sorted(report.orphans) == [("default", "logos/old.png"), ("private", left)]
    assert [ref.model for _, ref in report.missing] == ["tenancy.Organization"]
    storages["default"].save(stored["logo"], ContentFile(PNG_BYTES))
    assert storage_check().ok
    output = run()
    assert f"ORPHAN private:{left}" in output
    assert "ORPHAN default:logos/old.png" in output
    assert "Storage check passed: 0 missing, 2 orphaned." in output
    assert "FAILED Storage check failed: 0 missing, 2 orphaned." in run("--strict")
