"""The send job's work: each waiting recipient rendered and emailed (or skipped, or failed
with the reason), the send's counts kept up to date for its progress page.

Each recipient's row is written as soon as its email is handed over, outside any long
transaction, so a retry after a crash sends only to those still waiting.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.org_context import all_organizations
from ifm.support.comms import registry, rendering
from ifm.support.comms.merge import MergeError
from ifm.support.comms.models import RecipientStatus, Send, SendRecipient, SendStatus
from ifm.support.comms.selectors import opted_out

COUNT_EVERY = 10


def _context(send: Send) -> registry.SendContext:
    sender = send.sent_by
    name = (sender.full_name or sender.email) if sender is not None else "IFM"
    return registry.SendContext(
        sender_name=name, message=send.message, today=timezone.localdate(send.created_at)
    )


def _refresh_counts(send: Send) -> None:
    counts = dict(
        SendRecipient.objects.filter(send=send)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    send.sent = counts.get(RecipientStatus.SENT, 0)
    send.skipped = counts.get(RecipientStatus.SKIPPED, 0)
    send.failed = counts.get(RecipientStatus.FAILED, 0)
    Send.objects.filter(pk=send.pk).update(sent=send.sent, skipped=send.skipped, failed=send.failed)


def _message(send: Send, recipient: SendRecipient, org_values: dict[str, Any]) -> EmailMessage:
    rendered = rendering.render(
        subject=send.subject, body=send.body, org_values=org_values, user=recipient.user
    )
    body = (
        rendered.body.rstrip("\n")
        + "\n"
        + rendering.footer(
            organization=recipient.organization,
            user=recipient.user,
            service_notice=send.service_notice,
        )
    )
    headers = {}
    if not send.service_notice:
        # RFC 8058 one-click unsubscribe: mail programs POST to the link themselves.
        headers = {
            "List-Unsubscribe": f"<{rendering.unsubscribe_url(recipient.user)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return EmailMessage(subject=rendered.subject, body=body, to=[recipient.email], headers=headers)


def send_run(*, send_id: int) -> dict[str, int]:
    """Email every waiting recipient of the send; returns the counts."""
    with all_organizations():
        with transaction.atomic():
            send = Send.objects.select_for_update().get(pk=send_id)
            if send.status == SendStatus.DONE:
                return {"sent": send.sent, "skipped": send.skipped, "failed": send.failed}
            send.status = SendStatus.RUNNING
            send.started_at = send.started_at or timezone.now()
            send.save(update_fields=["status", "started_at"])
        context = _context(send)
        waiting = list(
            SendRecipient.objects.filter(send=send, status=RecipientStatus.PENDING)
            .select_related("organization", "user")
            .order_by("id")
        )
        out = opted_out([r.user_id for r in waiting if r.user_id]) if waiting else set()
        values: dict[int, dict[str, Any]] = {}
        with get_connection() as connection:
            for n, recipient in enumerate(waiting, 1):
                status, reason = RecipientStatus.SENT, ""
                if recipient.user is None:
                    status, reason = RecipientStatus.FAILED, "The user was deleted."
                elif not send.service_notice and recipient.user_id in out:
                    status, reason = RecipientStatus.SKIPPED, "Opted out of announcements."
                else:
                    org = recipient.organization
                    if org.pk not in values:
                        values[org.pk] = rendering.organization_values(
                            org, send.subject, send.body, context
                        )
                    try:
                        message = _message(send, recipient, values[org.pk])
                        message.connection = connection
                        message.send()
                    except MergeError as exc:
                        status, reason = RecipientStatus.FAILED, exc.message
                    except (
                        Exception
                    ) as exc:  # a refused address or a mail server error fails one recipient
                        status, reason = RecipientStatus.FAILED, f"{type(exc).__name__}: {exc}"
                SendRecipient.objects.filter(pk=recipient.pk).update(
                    status=status,
                    reason=reason[:500],
                    sent_at=timezone.now() if status == RecipientStatus.SENT else None,
                )
                if n % COUNT_EVERY == 0:
                    _refresh_counts(send)
        _refresh_counts(send)
        send.status = SendStatus.DONE
        send.finished_at = timezone.now()
        send.save(update_fields=["status", "finished_at"])
        audit_record(
            action="comms.send_finished",
            actor=None,
            actor_label="background job",
            obj=send,
            changes={
                "total": send.total,
                "sent": send.sent,
                "skipped": send.skipped,
                "failed": send.failed,
            },
        )
    return {"sent": send.sent, "skipped": send.skipped, "failed": send.failed}


def send_mark_failed(*, send_id: int, message: str) -> None:
    """The job gave up (its last attempt failed): the send says so, with the reason."""
    Send.objects.filter(pk=send_id).exclude(status=SendStatus.DONE).update(
        status=SendStatus.FAILED, error=message[:500], finished_at=timezone.now()
    )
