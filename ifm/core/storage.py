"""Where private files are kept: the "private" storage of settings.STORAGES.

Donation receipts carry donors' names and addresses, expense receipts carry whatever the
vendor printed: no URL serves these files. People get them only through views and API
operations that check their permission (`donors.view`, or that they may see the expense); a view
then streams the file, or (object storage) redirects to a signed link that expires within
STORAGE_URL_EXPIRE_SECONDS.

On local disk (STORAGE_BACKEND=filesystem) the private storage is `PrivateStorage`, rooted at
settings.PRIVATE_MEDIA_ROOT outside the web root; with STORAGE_BACKEND=s3 it is a private
S3-compatible bucket (django-storages). Code never names a path: it reads and writes through
the field's storage, which is `private_storage()`.

Files written inside a transaction should go through `ifm.core.files`, so a rollback removes them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.utils import clean_name, safe_join

PRIVATE_ALIAS = "private"


class PrivateStorage(FileSystemStorage):
    """A file system storage rooted at PRIVATE_MEDIA_ROOT (read when used, so tests may move it)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("base_url", None)
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self) -> str:
        given = getattr(self, "_location", None)
        return str(self._value_or_setting(given, settings.PRIVATE_MEDIA_ROOT))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL: serve them through a view that checks access.")


class ConfiguredPrivateStorage(Storage):
    """The private storage as settings.STORAGES configures it *now*.

    A model field takes its storage once, when the model class is built; this stand-in passes
    each call on to `storages["private"]`, so a change of STORAGES (a test switching to the S3
    server, a deployment's environment) reaches every field without a migration."""

    @property
    def backend(self) -> Storage:
        return storages[PRIVATE_ALIAS]

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        return self.backend.open(name, mode)

    def _save(self, name: str, content: File[Any]) -> str:
        return self.backend.save(name, content)

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return self.backend.open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return self.backend.save(name, content, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self.backend.get_valid_name(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return self.backend.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.backend.generate_filename(filename)

    def path(self, name: str) -> str:
        return self.backend.path(name)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def exists(self, name: str) -> bool:
        return self.backend.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.backend.listdir(path)

    def size(self, name: str) -> int:
        return self.backend.size(name)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL: serve them through a view that checks access.")

    def get_accessed_time(self, name: str) -> datetime:
        return self.backend.get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.backend.get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.backend.get_modified_time(name)


def private_storage() -> Storage:
    """The storage for a FileField: `models.FileField(storage=private_storage, ...)`."""
    return ConfiguredPrivateStorage()


def _backend(storage: Storage) -> Storage:
    return storage.backend if isinstance(storage, ConfiguredPrivateStorage) else storage


def signs_urls(storage: Storage) -> bool:
    """Whether files of `storage` can be handed out as signed, expiring links (object storage)."""
    backend = _backend(storage)
    return bool(getattr(backend, "querystring_auth", False)) and hasattr(backend, "bucket")


def signed_download_url(
    storage: Storage, name: str, *, filename: str, content_type: str, as_attachment: bool = True
) -> str | None:
    """A link to the stored file `name` that expires after STORAGE_URL_EXPIRE_SECONDS, answered
    with this type and file name; None when the storage has no such links (local disk), and the
    caller streams the file instead. Call it only after the access check."""
    backend = _backend(storage)
    if not signs_urls(backend):
        return None
    disposition = "attachment" if as_attachment else "inline"
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "_")
    parameters = {
        "ResponseContentType": content_type,
        "ResponseContentDisposition": (
            f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        ),
        "ResponseCacheControl": "private, no-store",
    }
    url: str = backend.url(  # type: ignore[call-arg]
        name, parameters=parameters, expire=settings.STORAGE_URL_EXPIRE_SECONDS
    )
    return url


def read_head(storage: Storage, name: str, size: int = 8) -> bytes:
    """The first `size` bytes of a stored file (to judge its type from its content) without
    fetching the rest from object storage. FileNotFoundError when it is not there."""
    backend = _backend(storage)
    if signs_urls(backend):
        key = safe_join(backend.location, clean_name(name))  # type: ignore[attr-defined]
        client = backend.connection.meta.client  # type: ignore[attr-defined]
        try:
            answer = client.get_object(
                Bucket=backend.bucket_name,  # type: ignore[attr-defined]
                Key=key,
                Range=f"bytes=0-{size - 1}",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(name) from exc
            raise
        return bytes(answer["Body"].read())[:size]
    with backend.open(name, "rb") as handle:
        return bytes(handle.read(size))


def walk(storage: Storage, top: str = "") -> Iterator[str]:
    """Every stored file's name under `top`, through the storage API (disk or bucket)."""
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for file_name in files:
        yield f"{top}/{file_name}" if top else file_name
    for directory in directories:
        yield from walk(storage, f"{top}/{directory}" if top else directory)
