"""Sending an alert: by email to ALERT_EMAILS and as Slack-compatible JSON to
ALERT_WEBHOOK_URL (Slack's and Mattermost's incoming webhooks read `text`; the other fields
are for receivers that want the details). Either may be unset; a failed delivery is logged
and kept on the alert, never raised into the evaluation."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from ifm.ops.models import Alert

log = logging.getLogger("ifm.ops")
WEBHOOK_TIMEOUT_SECONDS = 5


def message(alert: Alert, kind: str) -> tuple[str, str]:
    """(subject, body) of one delivery; `kind` is firing, still firing or resolved."""
    subject = f"[IFM {alert.severity}] {kind.upper()}: {alert.rule} ({alert.key})"
    body = alert.summary
    if kind == "resolved" and alert.resolved_at is not None:
        body = f"Resolved at {alert.resolved_at:%Y-%m-%d %H:%M} UTC. Was: {alert.summary}"
    else:
        body += f"\nOpen since {alert.opened_at:%Y-%m-%d %H:%M} UTC."
    return subject, body


def payload(alert: Alert, kind: str) -> dict[str, Any]:
    subject, body = message(alert, kind)
    return {
        "text": f"*{subject}*\n{body}",
        "alert": {
            "key": alert.key,
            "rule": alert.rule,
            "severity": alert.severity,
            "status": "resolved" if kind == "resolved" else "firing",
            "summary": alert.summary,
            "value": alert.value,
            "opened_at": alert.opened_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


def deliver(alert: Alert, kind: str) -> str:
    """Send by every configured channel; returns the errors ("" when all went)."""
    errors = []
    recipients = list(getattr(settings, "ALERT_EMAILS", []))
    if recipients:
        subject, body = message(alert, kind)
        try:
            send_mail(subject, body, None, recipients)
        except Exception as exc:
            log.warning("Could not email alert %s: %s", alert.key, exc)
            errors.append(f"email: {exc.__class__.__name__}: {exc}")
    url = getattr(settings, "ALERT_WEBHOOK_URL", "")
    if url:
        data = json.dumps(payload(alert, kind)).encode()
        request = urllib.request.Request(  # noqa: S310 (the operator's own URL, http or https)
            url, data=data, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as answer:  # noqa: S310
                answer.read()
        except Exception as exc:
            log.warning("Could not post alert %s to the webhook: %s", alert.key, exc)
            errors.append(f"webhook: {exc.__class__.__name__}: {exc}")
    return "; ".join(errors)
