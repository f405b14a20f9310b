"""An email backend whose every send fails, for tests of what a failed send leaves behind."""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("The mail server refused the connection.")
