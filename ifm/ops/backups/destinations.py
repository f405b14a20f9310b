"""Where backups are kept: a directory, or a bucket of S3-compatible object storage.

Both offer the same five operations on flat file names, so the backup, restore and retention
code never knows which one it has. `destination_for("s3://bucket/prefix")` gives the object
storage one (boto3, with the endpoint and credentials of the environment: BACKUP_S3_ENDPOINT_URL
or AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION); anything
else is a directory.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from typing import Any, Protocol


class DestinationError(Exception):
    """The destination cannot be read or written."""


class Destination(Protocol):
    location: str

    def put(self, name: str, source: Path) -> None: ...

    def get(self, name: str, target: Path) -> None: ...

    def names(self) -> list[str]: ...

    def delete(self, name: str) -> None: ...

    def size(self, name: str) -> int: ...


class LocalDirectory:
    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser().resolve()
        self.location = str(self.path)

    def put(self, name: str, source: Path) -> None:
        # A backup holds every organization's data: readable by its owner only.
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = self.path / f".{name}.partial"
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        # Copy then rename: a reader never sees half a file under the final name.
        shutil.copyfile(source, partial)
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        partial.replace(self.path / name)

    def get(self, name: str, target: Path) -> None:
        try:
            shutil.copyfile(self.path / name, target)
        except FileNotFoundError:
            raise DestinationError(f"{self.path / name} does not exist.") from None

    def names(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if p.is_file())

    def delete(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)

    def size(self, name: str) -> int:
        return (self.path / name).stat().st_size


class S3Bucket:
    """A prefix in a bucket; needs boto3 (installed with django-storages' s3 extra)."""

    def __init__(self, url: str):
        rest = url.removeprefix("s3://")
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise DestinationError(f"{url!r} names no bucket: use s3://bucket/prefix.")
        try:
            boto3: Any = importlib.import_module("boto3")
        except ImportError:
            raise DestinationError(
                "Backups to object storage need the boto3 package, which is not installed."
            ) from None
        endpoint = os.environ.get("BACKUP_S3_ENDPOINT_URL") or os.environ.get("AWS_S3_ENDPOINT_URL")
        self.client = boto3.client("s3", endpoint_url=endpoint or None)
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.location = f"s3://{bucket}/{self.prefix}"

    def _call(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # botocore raises many types; each becomes one clear error
            raise DestinationError(f"Object storage {self.location}: {what} failed: {exc}") from exc

    def put(self, name: str, source: Path) -> None:
        self._call("upload", self.client.upload_file, str(source), self.bucket, self.prefix + name)

    def get(self, name: str, target: Path) -> None:
        self._call(
            f"download of {name}",
            self.client.download_file,
            self.bucket,
            self.prefix + name,
            str(target),
        )

    def names(self) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        found: list[str] = []
        pages = self._call(
            "listing", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix))
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if name and "/" not in name:
                    found.append(name)
        return sorted(found)

    def delete(self, name: str) -> None:
        self._call("delete", self.client.delete_object, Bucket=self.bucket, Key=self.prefix + name)

    def size(self, name: str) -> int:
        head = self._call(
            "head", self.client.head_object, Bucket=self.bucket, Key=self.prefix + name
        )
        return int(head["ContentLength"])


def destination_for(location: str | Path) -> Destination:
    text = str(location)
    if text.startswith("s3://"):
        return S3Bucket(text)
    return LocalDirectory(text)


def split_backup_path(text: str) -> tuple[Destination, str]:
    """`dir/ifm-...pgdump`, `dir/ifm-...manifest.json` or `s3://bucket/prefix/ifm-...`: the
    destination and the backup's base name (without extension)."""
    if text.startswith("s3://"):
        head, _, name = text.rstrip("/").rpartition("/")
        return S3Bucket(head), base_name(name)
    path = Path(text).expanduser()
    return LocalDirectory(path.parent), base_name(path.name)


def base_name(file_name: str) -> str:
    """`ifm-20260101T020000Z.pgdump.enc` -> `ifm-20260101T020000Z`."""
    return file_name.split(".", 1)[0]
