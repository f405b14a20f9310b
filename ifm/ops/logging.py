"""Structured (JSON) logs, each line carrying the request id of the request that wrote it."""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("ifm_request_id", default="-")

# Paths that carry a secret: whoever reads the log could use the link.
_SECRET_PATHS = re.compile(
    r"(/accounts/(?:password/reset/key|invitation|confirm-email)/)[^/\s'\"?#]+"
)
REDACTED = "[redacted]"


def redact_secret_paths(text: str) -> str:
    """The text with the secret of password-reset, invitation and email-confirmation links
    replaced: "/accounts/invitation/<token>/" -> "/accounts/invitation/[redacted]/"."""
    return _SECRET_PATHS.sub(lambda m: m[1] + REDACTED, text) if "/accounts/" in text else text


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact_secret_paths(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                if not isinstance(value, int | float | bool | None):
                    value = redact_secret_paths(str(value))
                data[key] = value
        if record.exc_info:
            data["exc"] = redact_secret_paths(self.formatException(record.exc_info))
        return json.dumps(data, default=str)
