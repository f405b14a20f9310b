"""The demo step and the sweep job, through the job system."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from ifm.core.org_context import org_context
from ifm.orgs.demo import DemoContext
from ifm.support import demo, services
from ifm.support.models import Status, Ticket, TicketRating
from ifm.support.tests.conftest import member

pytestmark = pytest.mark.django_db


def test_the_demo_step_makes_each_state_the_desk_shows(org_a: Any, cast: dict[str, Any]) -> None:
    ctx = DemoContext(organization=org_a, users=cast, today=date.today())
    with org_context(org_a):
        summary = demo.seed(ctx)
        statuses = sorted(Ticket.objects.values_list("status", flat=True))
        assert TicketRating.objects.get().score == 5
    assert summary.startswith("5 tickets")
    # The fifth is the duplicate merged (and so closed) into the critical one.
    assert statuses == sorted(
        [Status.RESOLVED, Status.WAITING, Status.NEW, Status.NEW, Status.CLOSED]
    )


def test_the_sweep_runs_as_a_job(
    org_a: Any, cast: dict[str, Any], staff: Any, run_jobs: Any, settings: Any, mailoutbox: Any
) -> None:
    settings.SUPPORT_ON_CALL = {1: ["tier1@ifm.test"], 2: [], 3: []}
    old = timezone.now() - timedelta(days=9)
    ticket = services.ticket_open(
        **member(org_a, cast["staff"]), subject="s", description="d", now=old
    )
    services.ticket_staff_reply(actor=staff, ticket=ticket, body="done", now=old)
    services.ticket_set_status(actor=staff, ticket=ticket, status="resolved", now=old)
    out = io.StringIO()
    call_command("support_sweep", stdout=out)
    assert out.getvalue().startswith("Queued the support sweep")
    assert run_jobs() >= 1
    with org_context(org_a):
        assert Ticket.objects.get().status == Status.CLOSED
