"""Done when: a kickoff email to the organizations of one phase renders every merge field, is
sent by a job, and is recorded; opted-out users are skipped."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.audit.models import AuditEvent
from ifm.conftest import make_user
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.support.comms import services
from ifm.support.comms.models import (
    EmailPreference,
    MessageTemplate,
    RecipientStatus,
    Send,
    SendRecipient,
    SendStatus,
)


def test_kickoff_to_a_phase_is_sent_by_a_job_and_recorded(
    staff: Any,
    pilot: dict[str, Any],
    cast: dict[str, Any],
    org_a: Any,
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    kickoff = MessageTemplate.objects.get(key="phase-kickoff")
    services.email_preference_set(user=cast["viewer"], announcements=False)
    plan = services.send_preview(actor=staff, template=kickoff, audience="phase", values=["pilot"])
    members = 6  # one user of each role in Alpha; Beta is in no phase
    assert (plan.total, plan.skipped, plan.problems) == (members, 1, [])
    assert plan.audience_label == "Phase: Pilot"
    assert plan.example is not None
    assert "{{" not in plan.example.body

    with django_capture_on_commit_callbacks(execute=True):
        send = services.send_start(
            actor=staff, template=kickoff, audience="phase", values=["pilot"]
        )
    send.refresh_from_db()
    assert send.status == SendStatus.QUEUED
    assert send.job_id
    assert not mailoutbox
    assert run_jobs() == 1

    send.refresh_from_db()
    assert (send.status, send.total, send.sent, send.skipped, send.failed) == (
        SendStatus.DONE,
        members,
        members - 1,
        1,
        0,
    )
    assert send.sent_by == staff
    assert send.finished_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email for k, u in cast.items() if u.email.endswith("@alpha.test") and k != "viewer"
    )
    for mail in mailoutbox:
        assert mail.subject == "IFM MVP Platform - Pilot Beginning Monday, May 4, 2026"
        for text in (mail.subject, mail.body):
            assert "{{" not in text
            assert "[" not in text.split("--")[0]  # no "[Date]" of the seed left
        assert "Dear Alpha Outreach," in mail.body
        assert "Training session: Wednesday, May 6, 2026" in mail.body
        assert "/communications/unsubscribe/" in mail.body
        assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with all_organizations():
        skipped = SendRecipient.objects.get(send=send, status=RecipientStatus.SKIPPED)
    assert skipped.email == cast["viewer"].email

    with all_organizations():  # the platform log
        event = AuditEvent.objects.get(action="comms.send")
        assert AuditEvent.objects.filter(action="comms.send_finished").exists()
    assert event.object_id == str(send.pk)
    assert event.changes["recipients"] == members
    assert event.changes["organizations"] == ["alpha"]

    # The job again (a retry) sends nothing twice.
    from ifm.support.comms.sending import send_run

    before = len(mailoutbox)
    send_run(send_id=send.pk)
    assert len(mailoutbox) == before


def test_a_send_with_a_field_without_value_is_refused_whole(
    staff: Any, pilot: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    kickoff = MessageTemplate.objects.get(key="phase-kickoff")
    # Beta is in no phase: its kickoff would go out with "[Date]" left in.
    with pytest.raises(ServiceError) as err:
        services.send_start(
            actor=staff, template=kickoff, audience="organizations", values=["alpha", "beta"]
        )
    assert "Beta Shelter: no value for Phase name, Kickoff date" in err.value.message
    assert not Send.objects.exists()


def test_a_maintenance_notice_reaches_users_who_opted_out(
    staff: Any, cast: dict[str, Any], org_a: Any, sent_all: Any
) -> None:
    from datetime import UTC, datetime

    from ifm.ops.models import MaintenanceMode

    MaintenanceMode.objects.update_or_create(
        pk=MaintenanceMode.SINGLETON_ID,
        defaults={
            "window_starts_at": datetime(2026, 5, 9, 22, 0, tzinfo=UTC),
            "window_ends_at": datetime(2026, 5, 9, 23, 30, tzinfo=UTC),
        },
    )
    EmailPreference.objects.create(user=cast["viewer"], announcements=False)
    notice = MessageTemplate.objects.get(key="maintenance-notice")
    mails = sent_all(
        lambda: services.send_start(
            actor=staff, template=notice, audience="organizations", values=["alpha"]
        )
    )
    assert cast["viewer"].email in {m.to[0] for m in mails}
    assert all("Saturday, May 9, 2026, 22:00 UTC" in m.subject for m in mails)
    assert all("unsubscribe" not in m.body and not m.extra_headers for m in mails)


def test_unknown_audience_values_and_non_staff_are_refused(
    staff: Any, cast: dict[str, Any], org_a: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    kickoff = MessageTemplate.objects.get(key="phase-kickoff")
    with pytest.raises(ServiceError, match="No such phase"):
        services.send_preview(actor=staff, template=kickoff, audience="phase", values=["nope"])
    with pytest.raises(ServiceError, match="No such audience"):
        services.send_preview(actor=staff, template=kickoff, audience="planets", values=["x"])
    with pytest.raises(ServiceError, match="Choose one"):
        services.send_preview(
            actor=staff, template=kickoff, audience="phase", values=["pilot", "limited-release"]
        )
    with pytest.raises(PermissionDenied):
        services.send_start(
            actor=cast["admin"], template=kickoff, audience="organizations", values=["alpha"]
        )
    with pytest.raises(PermissionDenied):
        services.template_create(actor=make_user("x@y.test"), name="N", subject="S", body="B")
