"""Background jobs every app may use."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email(
    *, to: list[str], subject: str, body: str, attachments: list[tuple[str, str, str]] | None = None
) -> int:
    """Send one email from the worker. attachments: (filename, base64 content, mimetype)."""
    import base64

    message = EmailMessage(subject=subject, body=body, to=to)
    for filename, content_b64, mimetype in attachments or []:
        message.attach(filename, base64.b64decode(content_b64), mimetype)
    return message.send()


def send_email_after_commit(*, to: list[str], subject: str, body: str) -> None:
    """Queue an email once the current transaction commits (nothing is sent for a rolled-back change)."""
    from django.db import transaction

    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))
