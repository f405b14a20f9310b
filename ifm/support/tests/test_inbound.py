"""Email to the support address: a real-looking raw message with a screenshot opens a ticket;
strangers and malformed messages are refused with a reason, never a crash."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ifm.core.org_context import org_context
from ifm.support.inbound import InboundRefused, ticket_from_email
from ifm.support.models import Source, Ticket, TicketAttachment
from ifm.support.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


def raw_message(sender: str, *, to: str = "support@infocusministries.org") -> bytes:
    image = base64.encodebytes(png_bytes()).decode()
    return f"""Return-Path: <{sender}>
Received: from mail.alpha.test (mail.alpha.test [203.0.113.7])
\tby mx.infocusministries.org with ESMTPS id 4F2a; Mon, 7 Dec 2026 09:14:02 -0800
Message-ID: <CAF3a9x=Yb2@mail.alpha.test>
Date: Mon, 7 Dec 2026 09:13:58 -0800
From: "Sam Staff" <{sender}>
To: IFM Support <{to}>
Subject: =?UTF-8?Q?Receipts_won=E2=80=99t_print?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="000000000000b1c2d3"

--000000000000b1c2d3
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Hello,

When I click Print on a receipt the PDF is blank. Screenshot attached.

Thanks,
Sam

--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"

<div>Hello,</div><div>When I click Print on a receipt the PDF is blank.</div>

--000000000000a1b2c3--

--000000000000b1c2d3
Content-Type: image/png; name="blank-receipt.png"
Content-Disposition: attachment; filename="blank-receipt.png"
Content-Transfer-Encoding: base64

{image}
--000000000000b1c2d3
Content-Type: application/x-msdownload; name="invoice.exe"
Content-Disposition: attachment; filename="invoice.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA

--000000000000b1c2d3--
""".replace("\n", "\r\n").encode()


def test_a_members_email_with_a_screenshot_opens_a_ticket(
    org_a: Any, cast: dict[str, Any], sent: Any
) -> None:
    mails = sent(lambda: ticket_from_email(raw_message("Staff@Alpha.test")))
    ticket = sent.result
    assert ticket.organization_id == org_a.pk
    assert ticket.requester == cast["staff"]
    assert ticket.source == Source.EMAIL
    assert ticket.subject == "Receipts won\u2019t print"
    assert ticket.description.startswith("Hello,\n\nWhen I click Print on a receipt")
    assert "(Attachments not kept, not images: invoice.exe)" in ticket.description
    with org_context(org_a):
        shots = list(TicketAttachment.objects.filter(ticket=ticket))
    assert [(s.original_name, s.content_type) for s in shots] == [
        ("blank-receipt.png", "image/png")
    ]
    assert [m.to for m in mails] == [["staff@alpha.test"]]


def test_a_plus_tag_picks_the_organization_of_a_member_of_several(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    from ifm.accounts.services import membership_set
    from ifm.tenancy.roles import Role

    membership_set(organization=org_b, user=cast["staff"], role=Role.STAFF)
    tagged = ticket_from_email(
        raw_message("staff@alpha.test", to="support+beta@infocusministries.org")
    )
    assert tagged.organization_id == org_b.pk
    untagged = ticket_from_email(raw_message("staff@alpha.test"))
    assert untagged.organization_id == org_a.pk


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"\x00\xff\xfe garbage without headers", "no email headers"),
        (b"From: nobody\r\nSubject: hi\r\n\r\nbody", "no sender"),
        (b"From: stranger@example.org\r\nSubject: hi\r\n\r\nHelp", "not a member"),
        (b"From: staff@alpha.test\r\nSubject: hi\r\n\r\n   ", "no text"),
        (
            b"From: staff@alpha.test\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
            b"Content-Type: text/plain; charset=bogus-charset\r\n\r\n\xff\xfe\r\n--x",
            "",
        ),
    ],
)
def test_malformed_or_unknown_messages_are_refused_without_a_crash(
    org_a: Any, cast: dict[str, Any], raw: bytes, reason: str
) -> None:
    if not reason:
        # A message the lenient parser still reads (an unknown charset) is a ticket like any.
        assert ticket_from_email(raw).organization_id == org_a.pk
        return
    with pytest.raises(InboundRefused, match=reason):
        ticket_from_email(raw)
    with org_context(org_a):
        assert not Ticket.objects.exists()


def test_the_command_reads_standard_input_and_refuses_clearly(
    org_a: Any, cast: dict[str, Any]
) -> None:
    out = io.StringIO()
    call_command(
        "support_inbound_email", stdin=io.BytesIO(raw_message("staff@alpha.test")), stdout=out
    )
    assert out.getvalue().startswith("Opened ticket alpha#1 for staff@alpha.test")
    with pytest.raises(CommandError, match=r"Refused: stranger@example\.org is not a member"):
        call_command(
            "support_inbound_email",
            stdin=io.BytesIO(b"From: stranger@example.org\r\nSubject: x\r\n\r\nhello"),
        )
