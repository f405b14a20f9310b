"""Expense receipts in object storage (STORAGE_BACKEND=s3): written to a real S3-compatible
server, private to the bucket's owner, still there when the web process's local disk is gone,
and handed out only after the access check, through a signed link that expires."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.expenses import records
from ifm.expenses.models import Receipt
from ifm.expenses.tests.conftest import PDF_BYTES, PNG_BYTES, access, make_expense

pytestmark = pytest.mark.django_db


def fetch(url: str) -> tuple[int, bytes, Message]:
    """GET `url` from outside the app, as a browser following the redirect would."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310  # the test server
            return answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(), refused.headers


def add_receipt(org: Any, user: Any, content: bytes = PDF_BYTES, name: str = "scan.pdf") -> Any:
    expense = make_expense(org, user)
    return records.receipt_add(
        organization=org,
        actor=user,
        access=access(user),
        expense=expense,
        file=SimpleUploadedFile(name, content, "application/octet-stream"),
    )


def page_link(org: Any, receipt: Any) -> str:
    return f"/o/{org.slug}/expenses/receipts/{receipt.pk}/"


def test_a_receipt_is_written_to_the_bucket_and_survives_losing_the_local_disk(
    in_a: Any, cast: dict[str, Any], org_b: Any, s3_storages: dict[str, Any]
) -> None:
    staff = cast["staff"]
    receipt = add_receipt(in_a, staff)
    key = f"private/{receipt.file.name}"
    stored = s3_storages["client"].get_object(Bucket=s3_storages["bucket"], Key=key)
    assert stored["Body"].read() == PDF_BYTES

    # The web process's disk is wiped (a restarted dyno): nothing of the file was ever there.
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        assert not any(p.is_file() for p in root.rglob("*")) if root.exists() else True
        shutil.rmtree(root, ignore_errors=True)

    # The page hands it out after the access check, as a signed link to the bucket.
    download = client_for(staff).get(page_link(in_a, receipt))
    assert download.status_code == 302
    assert download["Cache-Control"] == "private, no-store"
    link = download["Location"]
    assert link.startswith(f"{s3_storages['endpoint']}/{s3_storages['bucket']}/{key}?")
    status, body, headers = fetch(link)
    assert status == 200
    assert body == PDF_BYTES
    assert headers["Content-Type"] == "application/pdf"  # judged from the content
    assert headers["Content-Disposition"].startswith('attachment; filename="scan.pdf"')

    # The API streams it, after the same check.
    api = api_client_for(staff, in_a)
    streamed = api.get(f"/api/v1/expenses/{receipt.expense_id}/receipts/{receipt.pk}")
    assert streamed.status_code == 200
    assert b"".join(streamed) == PDF_BYTES

    # Someone with no right to it, or from another organization, gets no link at all.
    assert client_for(cast["fundraising"]).get(page_link(in_a, receipt)).status_code == 404
    theirs = client_for(cast["other_admin"]).get(page_link(org_b, receipt))
    assert theirs.status_code == 404
    assert "Location" not in theirs
    assert_problem(
        api_client_for(cast["other_admin"], org_b).get(
            f"/api/v1/expenses/{receipt.expense_id}/receipts/{receipt.pk}"
        ),
        404,
    )


def test_a_stored_receipt_is_private_and_its_link_is_short_lived(
    in_a: Any, cast: dict[str, Any], s3_storages: dict[str, Any], settings: Any
) -> None:
    staff = cast["staff"]
    receipt = add_receipt(in_a, staff, PNG_BYTES, "photo.png")
    key = f"private/{receipt.file.name}"
    # No public ACL: an anonymous request to the bucket is refused.
    status, _, _ = fetch(f"{s3_storages['endpoint']}/{s3_storages['bucket']}/{key}")
    assert status == 403
    grants = s3_storages["client"].get_object_acl(Bucket=s3_storages["bucket"], Key=key)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers / AuthUsers

    before = datetime.now(UTC).replace(microsecond=0)
    link = client_for(staff).get(page_link(in_a, receipt))["Location"]
    query = parse_qs(urlsplit(link).query)
    # Signed (SigV4) for STORAGE_URL_EXPIRE_SECONDS (60 by default) from now, no longer.
    assert settings.STORAGE_URL_EXPIRE_SECONDS == 60
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Signature"][0]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert 0 <= (signed_at - before).total_seconds() < 5
    assert fetch(link)[1] == PNG_BYTES

    # The lifetime follows the setting.
    settings.STORAGE_URL_EXPIRE_SECONDS = 5
    again = client_for(staff).get(page_link(in_a, receipt))["Location"]
    assert parse_qs(urlsplit(again).query)["X-Amz-Expires"] == ["5"]


def test_a_missing_object_is_a_404_not_a_broken_link(
    in_a: Any, cast: dict[str, Any], s3_storages: dict[str, Any]
) -> None:
    staff = cast["staff"]
    receipt = add_receipt(in_a, staff)
    s3_storages["client"].delete_object(
        Bucket=s3_storages["bucket"], Key=f"private/{receipt.file.name}"
    )
    assert client_for(staff).get(page_link(in_a, receipt)).status_code == 404


class Boom(Exception):
    pass


def test_a_rolled_back_upload_leaves_no_object_in_the_bucket(
    in_a: Any, cast: dict[str, Any], s3_storages: dict[str, Any]
) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff)

    def upload_then_fail() -> None:
        with transaction.atomic():
            records.receipt_add(
                organization=in_a,
                actor=staff,
                access=access(staff),
                expense=expense,
                file=SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf"),
            )
            raise Boom

    with pytest.raises(Boom):
        upload_then_fail()
    assert not Receipt.objects.exists()
    listed = s3_storages["client"].list_objects_v2(Bucket=s3_storages["bucket"])
    assert listed.get("KeyCount", 0) == 0


def test_storage_that_refuses_the_upload_is_a_503_and_saves_nothing(
    in_a: Any, cast: dict[str, Any], s3_storages: dict[str, Any]
) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff)
    # The bucket is gone (deleted, or the keys lost their rights): the server refuses the write.
    s3_storages["client"].delete_bucket(Bucket=s3_storages["bucket"])
    response = api_client_for(staff, in_a).post(
        f"/api/v1/expenses/{expense.pk}/receipts",
        {"file": SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    problem = assert_problem(response, 503)
    assert "the file storage is not available" in problem["detail"]
    assert problem["errors"][0]["field"] == "file"
    assert not Receipt.objects.exists()
