"""`ifm support_inbound_email < message.eml`: open a ticket from one raw email (RFC 822) read
from standard input, or add it to the ticket it answers, as the mail server's delivery pipe
would run it. A message that cannot be taken is refused with the reason on standard error and
exit status 1."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifm.support.inbound import InboundRefused, receive


class Command(BaseCommand):
    help = "Open a support ticket (or answer one) from a raw email read from standard input."
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        source = getattr(stdin, "buffer", stdin)
        raw = source.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            received = receive(raw)
        except InboundRefused as exc:
            raise CommandError(f"Refused: {exc}") from None
        ticket = received.ticket
        where = f"{ticket.organization.slug}{ticket.reference}"
        if received.reply is not None:
            self.stdout.write(f"Added a reply to ticket {where}.")
        else:
            self.stdout.write(f"Opened ticket {where} for {ticket.requester_email}.")
