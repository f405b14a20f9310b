"""Where private files are kept: settings.PRIVATE_MEDIA_ROOT, outside the web root.

Donation receipts carry donors' names and addresses, expense receipts carry whatever the
vendor printed: no URL serves these files. People get them only through views and API
operations that check their permission (`donors.view`, or that they may see the expense).

Files written inside a transaction should go through `ifm.core.files`, so a rollback removes them.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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


def private_storage() -> PrivateStorage:
    """The storage for a FileField: `models.FileField(storage=private_storage, ...)`."""
    return PrivateStorage()
