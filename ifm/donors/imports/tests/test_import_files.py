"""Large import files: rows read as a stream, a large dry run checked by a job with
progress, and workbooks that unzip to too much refused before they are parsed."""

from __future__ import annotations

import io
import types
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.imports.reading import read_table
from ifm.donors.imports.tests.test_imports import DONORS_CSV
from ifm.donors.models import Donor, ImportRun, ImportStatus

pytestmark = pytest.mark.django_db


def _donors_csv(rows: int, bad_every: int = 0) -> bytes:
    lines = ["External ID,First Name,Last Name,Email"]
    for i in range(1, rows + 1):
        email = "not-an-email" if bad_every and i % bad_every == 0 else f"p{i}@example.org"
        lines.append(f"X-{i},Pat,Person{i},{email}")
    return ("\n".join(lines) + "\n").encode()


def _bomb(part_bytes: int) -> bytes:
    """An .xlsx-looking zip whose sheet part unzips to part_bytes (spaces compress ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * part_bytes)
    return out.getvalue()


def test_rows_are_read_as_a_stream_with_progress() -> None:
    table = read_table(_donors_csv(4500), "many.csv")
    assert table.count() == 4500
    seen: list[int] = []
    table.progress = seen.append
    numbers = [number for number, _record in table.records()]
    assert seen == [2000, 4000]
    assert (numbers[0], numbers[-1], len(numbers)) == (2, 4501, 4500)
    assert isinstance(table.records(), types.GeneratorType)  # a stream, not a list


def test_a_workbook_that_unzips_past_the_cap_is_refused_before_parsing(
    donors_org: Any, cast: dict[str, Any]
) -> None:
    bomb = _bomb(51 * 1024 * 1024)
    assert len(bomb) < 200 * 1024  # small on the wire
    with pytest.raises(ServiceError, match="unzips to 51 MB, more than the 50 MB"):
        read_table(bomb, "gifts.xlsx")
    with (
        override_settings(IMPORT_XLSX_MAX_MB=100),
        pytest.raises(ServiceError, match="compressed more than 200 to 1"),
    ):
        read_table(bomb, "gifts.xlsx")

    api = api_client_for(cast["fundraising"], donors_org)
    answer = api.post(
        "/api/v1/imports",
        {"kind": "donors", "file": SimpleUploadedFile("gifts.xlsx", bomb)},
    )
    assert_problem(answer, 422)
    assert "save it as CSV UTF-8" in answer.json()["detail"]
    page = client_for(cast["fundraising"]).post(
        f"/o/{donors_org.slug}/donors/imports/new/",
        {"kind": "donors", "file": SimpleUploadedFile("gifts.xlsx", bomb)},
    )
    assert page.status_code == 422
    assert b"more than the 50 MB" in page.content


@override_settings(IMPORT_INLINE_CHECK_KB=1)
def test_a_large_dry_run_is_a_job_that_reports_progress_and_keeps_its_result(
    donors_org: Any, cast: dict[str, Any], run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = _donors_csv(4500, bad_every=1000)
    api = api_client_for(cast["fundraising"], donors_org)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/api/v1/imports", {"kind": "donors", "file": SimpleUploadedFile("big.csv", data)}
        )
    assert answer.status_code == 202, answer.content
    queued = answer.json()
    assert (queued["status"], queued["dry_run"], queued["result"]) == ("queued", True, None)
    run = ImportRun.objects.get(pk=queued["id"])

    assert run_jobs() == 1
    body = api.get(f"/api/v1/imports/{run.pk}").json()
    assert (body["status"], body["total"], body["done"], body["percent"]) == (
        "done",
        4500,
        4500,
        100,
    )
    result = body["result"]
    assert (result["total"], result["new"]) == (4500, 4496)
    assert [p["row"] for p in result["problems"]] == [1001, 2001, 3001, 4001]
    assert result["headers"][:2] == ["External ID", "First Name"]
    run.refresh_from_db()
    assert bytes(run.data) == b""  # the file is not kept after its check
    assert Donor.objects.count() == 0  # a dry run writes nothing

    # A dry run does not make the file "imported"; a small file still answers at once.
    with django_capture_on_commit_callbacks(execute=True):
        commit = api.post(
            "/api/v1/imports",
            {"kind": "donors", "dry_run": "false", "file": SimpleUploadedFile("big.csv", data)},
        )
    assert commit.status_code == 202
    assert commit.json()["dry_run"] is False
    assert run_jobs() == 1
    failed = ImportRun.objects.get(pk=commit.json()["id"])
    assert failed.status == ImportStatus.FAILED  # the job found the four problems
    assert len(failed.errors) == 4
    with override_settings(IMPORT_INLINE_CHECK_KB=256):
        small = api.post(
            "/api/v1/imports", {"kind": "donors", "file": SimpleUploadedFile("d.csv", DONORS_CSV)}
        )
    assert (small.status_code, small.json()["new"]) == (200, 3)
