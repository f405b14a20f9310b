"""Errors that services raise and both doors (pages and API) translate for people."""

from __future__ import annotations

from datetime import datetime


class ServiceError(Exception):
    """A rule of the business was broken; the message says what to fix."""

    status = 422

    def __init__(
        self, message: str, *, field: str | None = None, errors: list[dict[str, str]] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or ([{"field": field, "message": message}] if field else [])


class StorageFullError(ServiceError):
    """A file could not be written: the disk (or the quota) is full. Nothing was saved."""

    status = 507


class StorageUnavailableError(ServiceError):
    """A file could not be written: the object storage did not answer or refused. Nothing was
    saved; trying again later may work."""

    status = 503


class ConflictError(ServiceError):
    """The record changed since it was read: reload and try again."""

    status = 409

    def __init__(
        self,
        *,
        changed_by: str | None = None,
        changed_at: datetime | None = None,
        message: str | None = None,
    ):
        if message is None:
            who = changed_by or "someone else"
            when = f" at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else ""
            message = (
                f"This record was changed by {who}{when}: reload it and apply your change again."
            )
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
