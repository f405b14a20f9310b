"""Backups in S3-compatible object storage, against the suite's real S3 server (moto's)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import boto3
import pytest
from django.core.management import call_command

from ifm.ops.backups.destinations import destination_for
from ifm.ops.backups.files import BackupError
from ifm.ops.backups.services import backup_create, backup_prune

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket for backups, reached the way production reaches it: by the environment."""
    monkeypatch.setenv("BACKUP_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"ifm-backups-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return f"s3://{name}/nightly"


def test_backup_to_object_storage_and_verify_from_there(org_a: Any, bucket: str) -> None:
    result = backup_create(destination=destination_for(bucket))
    assert result.location == f"{bucket}/"
    names = destination_for(bucket).names()
    assert f"{result.name}.manifest.json" in names
    assert result.manifest["file"] in names
    assert result.manifest["files_archive"]["file"] in names
    out = io.StringIO()
    call_command("restore", "--verify", f"{bucket}/{result.manifest['file']}", stdout=out)
    assert "Verified: all" in out.getvalue()
    out = io.StringIO()
    call_command("restore", "--verify", "latest", "--from", bucket, stdout=out)
    assert result.name in out.getvalue()
    assert backup_prune(destination=destination_for(bucket)) == []


def test_a_missing_bucket_is_a_clear_error(org_a: Any, bucket: str) -> None:
    with pytest.raises(BackupError, match="Object storage s3://no-such-bucket/x/"):
        backup_create(destination=destination_for("s3://no-such-bucket/x"))


def test_stored_files_in_one_bucket_backed_up_to_another(
    org_a: Any, bucket: str, s3_storages: dict[str, Any]
) -> None:
    from django.core.files.base import ContentFile

    org_a.logo.save("logo.png", ContentFile(b"\x89PNG not really"), save=True)
    result = backup_create(destination=destination_for(bucket))
    assert [(f["storage"], f["name"]) for f in result.manifest["files"]] == [
        ("default", org_a.logo.name)
    ]
    out = io.StringIO()
    call_command("restore", "--verify", "latest", "--from", bucket, stdout=out)
    assert "tables and 1 stored files are identical" in out.getvalue()
