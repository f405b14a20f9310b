"""Answers by email: our emails name their ticket (subject and a signed Message-ID); a reply from
the requester (or an admin of the organization, or platform staff answering our email) lands on
that ticket with its screenshot and without the quoted text; other senders and references never
reach another organization's ticket; a closed ticket's answer opens a new one."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import call_command

from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.support import emails, services
from ifm.support.inbound import InboundRefused, receive, strip_quoted
from ifm.support.models import Source, Status, Ticket, TicketAttachment, TicketMessage
from ifm.support.tests.conftest import member, png_bytes

pytestmark = pytest.mark.django_db


def reply_message(
    sender: str,
    subject: str,
    *,
    in_reply_to: str = "",
    text: str = "Thanks, that worked for the first batch.\nBut batch 2 still fails.",
    image: bool = True,
) -> bytes:
    """A reply as Gmail sends it: text and HTML, the quoted message below "On ... wrote:"
    (wrapped over two lines), and a screenshot."""
    threading = f"In-Reply-To: {in_reply_to}\nReferences: <older@mail.alpha.test> {in_reply_to}\n"
    png = base64.encodebytes(png_bytes()).decode()
    shot = f"""--outer
Content-Type: image/png; name="batch-2.png"
Content-Disposition: attachment; filename="batch-2.png"
Content-Transfer-Encoding: base64

{png}"""
    return f"""Return-Path: <{sender}>
Received: from mail.alpha.test (mail.alpha.test [203.0.113.7])
\tby mx.infocusministries.org with ESMTPS id 9Zq1; Tue, 8 Dec 2026 10:20:11 -0800
Message-ID: <CAF3a9x=reply42@mail.alpha.test>
Date: Tue, 8 Dec 2026 10:20:07 -0800
From: "Sam Staff" <{sender}>
To: IFM Support <support@infocusministries.org>
Subject: {subject}
{threading if in_reply_to else ""}MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{text}

On Mon, Dec 7, 2026 at 9:14 AM IFM Support <support@infocusministries.=
org>
wrote:

> IFM support replied to your request #1:
>
> Please try the import again.
>

--inner
Content-Type: text/html; charset="UTF-8"

<div>{text}</div><div class=3D"gmail_quote">On Mon ... wrote:<blockquote>old</blockquote></div>

--inner--

{shot if image else ""}
--outer--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def asked(org_a: Any, cast: dict[str, Any], staff: Any, sent: Any, settings: Any) -> Any:
    """staff@alpha.test's ticket alpha#1, answered by the desk (now waiting on the customer);
    the emails of it so far on `asked.mails`."""
    settings.SUPPORT_ON_CALL = {1: ["desk@ifm.test"]}
    mails = sent(
        lambda: services.ticket_open(
            **member(org_a, cast["staff"]), subject="Import fails", description="Row 3."
        )
    )
    ticket = sent.result
    mails += sent(
        lambda: services.ticket_staff_reply(
            actor=staff, ticket=ticket, body="Please try the import again.", status="waiting"
        )
    )
    with org_context(ticket.organization_id):
        ticket.refresh_from_db()
    ticket.mails = mails
    return ticket


def messages_of(ticket: Ticket) -> list[tuple[bool, str]]:
    with org_context(ticket.organization_id):
        return [(m.from_staff, m.body) for m in TicketMessage.objects.filter(ticket=ticket)]


def test_our_emails_carry_the_reference_and_a_signed_message_id(asked: Ticket) -> None:
    opened, replied = asked.mails  # type: ignore[attr-defined]
    for mail in (opened, replied):
        assert mail.subject.startswith("[IFM support alpha#1] ")
        thread = emails.thread_of(mail.extra_headers["Message-ID"])
        assert thread == emails.Thread("alpha", 1, emails.TO_CUSTOMER)
        assert mail.extra_headers["References"] == "<ticket.alpha.1@infocusministries.org>"
    assert opened.extra_headers["Message-ID"] != replied.extra_headers["Message-ID"]
    # The signature is checked: a changed ticket number or audience is not ours.
    forged = replied.extra_headers["Message-ID"].replace(".alpha.1.c.", ".alpha.2.c.")
    assert emails.thread_of(forged) is None
    assert emails.thread_of(forged.replace(".alpha.2.c.", ".alpha.1.s.")) is None
    assert emails.thread_of("<CAF3a9x=reply42@mail.alpha.test>") is None


def test_the_requesters_answer_lands_on_the_ticket_with_its_screenshot_and_no_quote(
    asked: Ticket, sent: Any
) -> None:
    notice = asked.mails[1]  # type: ignore[attr-defined]
    raw = reply_message(
        "Staff@Alpha.test",
        f"Re: {notice.subject}",
        in_reply_to=notice.extra_headers["Message-ID"],
    )
    mails = sent(lambda: receive(raw))
    received = sent.result
    assert received.ticket.pk == asked.pk
    assert received.reply is not None
    assert messages_of(asked)[-1] == (
        False,
        "Thanks, that worked for the first batch.\nBut batch 2 still fails.",
    )
    with org_context(asked.organization_id):
        asked.refresh_from_db()
    assert asked.status == Status.OPEN  # no longer waiting on the customer
    with org_context(asked.organization_id):
        shots = list(TicketAttachment.objects.filter(message=received.reply))
    assert [s.original_name for s in shots] == ["batch-2.png"]
    # The on-call hears of it, by an email that platform staff may answer in turn.
    assert [m.to for m in mails] == [["desk@ifm.test"]]
    thread = emails.thread_of(mails[0].extra_headers["Message-ID"])
    assert thread is not None
    assert thread.audience == emails.TO_STAFF
    with org_context(asked.organization_id):
        assert Ticket.objects.count() == 1


def test_the_subject_alone_finds_the_ticket_and_a_resolved_one_opens_again(
    asked: Ticket, staff: Any, org_a: Any
) -> None:
    services.ticket_set_status(actor=staff, ticket=asked, status="resolved")
    out = io.StringIO()
    raw = reply_message("staff@alpha.test", "RE: [IFM support alpha#1] New reply", image=False)
    call_command("support_inbound_email", stdin=io.BytesIO(raw), stdout=out)
    assert out.getvalue().strip() == "Added a reply to ticket alpha#1."
    with org_context(asked.organization_id):
        asked.refresh_from_db()
    assert asked.status == Status.OPEN
    assert asked.resolved_at is None


def test_an_admin_of_the_organization_may_answer_another_member_may_not(
    asked: Ticket, cast: dict[str, Any], org_a: Any
) -> None:
    subject = "Re: [IFM support alpha#1] New reply: Import fails"
    by_admin = receive(reply_message("admin@alpha.test", subject, text="Admin here: noted."))
    assert by_admin.ticket.pk == asked.pk
    assert messages_of(asked)[-1] == (False, "Admin here: noted.")
    # A member who may not see the ticket: their message is a new ticket of their own.
    other = receive(reply_message("viewer@alpha.test", subject, text="Me too."))
    assert other.reply is None
    assert other.ticket.pk != asked.pk
    assert (other.ticket.requester, other.ticket.subject) == (
        cast["viewer"],
        "New reply: Import fails",
    )
    assert messages_of(asked)[-1] == (False, "Admin here: noted.")


def test_a_reference_to_another_organizations_ticket_is_not_followed(
    asked: Ticket, cast: dict[str, Any], org_b: Any
) -> None:
    # Beta's admin names alpha#1 (by subject, and by a Message-ID of ours they somehow have).
    notice = asked.mails[1]  # type: ignore[attr-defined]
    raw = reply_message(
        "admin@beta.test",
        f"Re: {notice.subject}",
        in_reply_to=notice.extra_headers["Message-ID"],
        text="Is this yours?",
    )
    received = receive(raw)
    assert received.reply is None
    assert received.ticket.organization_id == org_b.pk
    assert received.ticket.source == Source.EMAIL
    assert len(messages_of(asked)) == 1
    # A stranger: refused, as for any message, and nothing written.
    with pytest.raises(InboundRefused, match="not a member"):
        receive(reply_message("stranger@example.org", f"Re: {notice.subject}"))
    assert len(messages_of(asked)) == 1


def test_an_answer_to_a_closed_ticket_opens_a_new_one_that_names_it(
    asked: Ticket, staff: Any, cast: dict[str, Any]
) -> None:
    services.ticket_set_status(actor=staff, ticket=asked, status="closed")
    received = receive(
        reply_message("staff@alpha.test", "Re: [IFM support alpha#1] New reply: Import fails")
    )
    assert received.reply is None
    new = received.ticket
    assert new.number == 2
    assert new.subject == "New reply: Import fails"
    assert new.description.startswith("Follows up ticket alpha#1 (closed): ")
    assert "Thanks, that worked for the first batch." in new.description
    assert f"/o/alpha/support/{asked.pk}/" in new.description
    assert "wrote:" not in new.description
    with org_context(new.organization_id):
        assert TicketAttachment.objects.filter(ticket=new).count() == 1


def test_platform_staff_answer_by_email_only_in_reply_to_our_email_to_them(
    asked: Ticket, staff: Any, cast: dict[str, Any], sent: Any
) -> None:
    # The customer answers; the on-call's notice is what staff reply to.
    customer = reply_message("staff@alpha.test", "Re: [IFM support alpha#1] New reply")
    to_desk = sent(lambda: receive(customer))[0]
    subject = f"Re: {to_desk.subject}"
    # A From line alone (anyone can write one) is refused, as is our email to the customer.
    with pytest.raises(InboundRefused, match="platform staff"):
        receive(reply_message("desk@ifm.test", subject, text="Fixed."))
    customer_id = asked.mails[1].extra_headers["Message-ID"]  # type: ignore[attr-defined]
    with pytest.raises(InboundRefused, match="platform staff"):
        receive(reply_message("desk@ifm.test", subject, in_reply_to=customer_id, text="Fixed."))
    mails = sent(
        lambda: receive(
            reply_message(
                "desk@ifm.test",
                subject,
                in_reply_to=to_desk.extra_headers["Message-ID"],
                text="Fixed: batch 2 imports now.",
            )
        )
    )
    assert messages_of(asked)[-1] == (True, "Fixed: batch 2 imports now.")
    assert [m.to for m in mails] == [["staff@alpha.test"]]
    assert "Fixed: batch 2 imports now." in mails[0].body


def test_a_staff_member_of_no_organization_with_a_forged_reference_writes_nothing(
    asked: Ticket,
) -> None:
    make_user("intruder@ifm.test", is_platform_staff=True)
    forged = f"<0123456789abcdef.alpha.1.s.{'0' * 20}@infocusministries.org>"
    with pytest.raises(InboundRefused):
        receive(reply_message("intruder@ifm.test", "Re: hello", in_reply_to=forged))
    assert len(messages_of(asked)) == 1


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Yes.\n\nOn Mon, 7 Dec 2026 at 09:14, IFM <s@i.org> wrote:\n> old\n> older", "Yes."),
        ("Yes.\nOn Mon, Dec 7, 2026 at 9:14 AM IFM Support <s@i.\norg> wrote:\n\n> old", "Yes."),
        ("Yes.\n\n-----Original Message-----\nFrom: IFM\nSent: Monday\n\nold", "Yes."),
        ("Yes.\n\nFrom: IFM Support <s@i.org>\nSent: Monday, December 7\nSubject: x", "Yes."),
        ("Yes.\n> quoted\n> lines\n", "Yes."),
        ("> only a quote\n> nothing new", "> only a quote\n> nothing new"),
        ("On second thought it works.\nThanks", "On second thought it works.\nThanks"),
    ],
)
def test_quoted_text_is_stripped(text: str, kept: str) -> None:
    assert strip_quoted(text) == kept
