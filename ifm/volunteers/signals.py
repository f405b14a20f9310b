"""What happened to a sign-up, sent once the transaction that did it commits, so the emails
(confirmation, waitlist notice, promotion) go out only for what was saved.

Receivers get `signup` (a SignUp) and `organization`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

# A new sign-up: confirmed or waitlisted (signup.status says which).
signup_placed = Signal()
# A waitlisted sign-up was confirmed because a place opened.
signup_promoted = Signal()
# A sign-up was cancelled (by the volunteer or by staff).
signup_cancelled = Signal()


def send_after_commit(signal: Signal, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
