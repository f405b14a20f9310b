"""The storage settings come from the environment: STORAGE_BACKEND=s3 and the bucket's variables
reach a real S3-compatible server from a fresh `ifm` process; a bad value stops start-up."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from ifm.conftest import S3_TEST_CREDENTIALS
from ifm.core.tests.test_settings import run_ifm

PROBE = (
    "from django.core.files.base import ContentFile\n"
    "from django.core.files.storage import storages\n"
    "private = storages['private']\n"
    "name = private.save('probe/hello.txt', ContentFile(b'kept'))\n"
    "print(type(private).__name__, private.location, name, private.open(name).read())\n"
    "print(type(storages['default']).__name__, storages['default'].location)\n"
)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"STORAGE_BACKEND": "dropbox"}, "STORAGE_BACKEND='dropbox' must be filesystem or s3"),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs STORAGE_S3_BUCKET"),
        ({"STORAGE_URL_EXPIRE_SECONDS": "0"}, "STORAGE_URL_EXPIRE_SECONDS=0 is below"),
    ],
)
def test_a_bad_storage_setting_stops_start(tmp_path: Path, env: dict[str, str], named: str) -> None:
    result = run_ifm(tmp_path, "check", **env)
    assert result.returncode != 0
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_the_environment_puts_files_in_the_bucket(tmp_path: Path, s3_endpoint: str) -> None:
    bucket = f"ifm-env-{uuid.uuid4().hex[:12]}"
    client: Any = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_TEST_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_TEST_CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=bucket)
    result = run_ifm(
        tmp_path,
        "shell",
        "-c",
        PROBE,
        STORAGE_BACKEND="s3",
        STORAGE_S3_BUCKET=bucket,
        STORAGE_S3_ENDPOINT_URL=s3_endpoint,
        STORAGE_S3_REGION="us-east-1",
        STORAGE_S3_ACCESS_KEY_ID=S3_TEST_CREDENTIALS["access_key"],
        STORAGE_S3_SECRET_ACCESS_KEY=S3_TEST_CREDENTIALS["secret_key"],
        STORAGE_S3_PREFIX="ifm",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "S3Storage ifm/private probe/hello.txt b'kept'",
        "S3Storage ifm/media",
    ]
    stored = client.get_object(Bucket=bucket, Key="ifm/private/probe/hello.txt")
    assert stored["Body"].read() == b"kept"
    assert not any(tmp_path.rglob("hello.txt"))  # nothing on the local disk


def test_local_disk_is_the_default(tmp_path: Path) -> None:
    result = run_ifm(tmp_path, "shell", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        f"PrivateStorage {tmp_path / 'private'} probe/hello.txt b'kept'",
        f"FileSystemStorage {tmp_path / 'media'}",
    ]
