"""The hours pages: the list with filters and its exports, the approval queue (one, many,
reject with a reason), logging and correcting, the reports page and its exports, the hourly
value, and the milestones panel."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.volunteers.hours import services
from ifm.volunteers.models import HoursEntry
from ifm.volunteers.tests import factories as vf

DAY = date.today() - timedelta(days=1)


def _text(response: Any) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def url(org: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"volunteers:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def coordinator(cast: dict[str, Any]) -> Client:
    return client_for(cast["volunteer_coordinator"])


def _entry(org: Any, who: Any, hours: str, **kw: Any) -> HoursEntry:
    entry = vf.hours_entry(org, who, hours)
    with org_context(org):
        HoursEntry.objects.filter(pk=entry.pk).update(**kw)
        entry.refresh_from_db()
    return entry


def test_the_list_filters_and_exports(org_a: Any, coordinator: Client) -> None:
    ann = vf.volunteer(org_a, first_name="Ann", last_name="Annson")
    ben = vf.volunteer(org_a, first_name="Ben", last_name="Benson")
    _entry(org_a, ann, "3", status="approved", description="Sorting")
    _entry(org_a, ben, "1", description="=HYPERLINK()")
    page = coordinator.get(url(org_a, "hours_list"), {"status": "approved"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<td>Annson, Ann</td>" in text
    assert "<td>Benson, Ben</td>" not in text
    found = coordinator.get(url(org_a, "hours_list"), {"q": "benson"}).content.decode()
    assert "<td>Benson, Ben</td>" in found
    assert "<td>Annson, Ann</td>" not in found

    csv_text = _text(coordinator.get(url(org_a, "hours_export_csv")))
    lines = csv_text.splitlines()
    assert lines[0].startswith("Id,Date,Volunteer")
    assert len(lines) == 3
    assert "'=HYPERLINK()" in csv_text  # a formula is neutralized
    book = load_workbook(
        io.BytesIO(coordinator.get(url(org_a, "hours_export_xlsx"), {"status": "approved"}).content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][2] == "Annson, Ann"
    assert rows[1][5] == 3
    assert len(rows) == 2


def test_the_queue_approves_one_many_and_rejects_with_a_reason(
    org_a: Any, coordinator: Client
) -> None:
    person = vf.volunteer(org_a, first_name="Cat", last_name="Catson")
    a, b, c, d = (vf.hours_entry(org_a, person, h) for h in ("1", "2", "3", "4"))
    queue = coordinator.get(url(org_a, "hours_queue"))
    assert queue.status_code == 200
    assert "Catson, Cat" in queue.content.decode()
    assert coordinator.post(url(org_a, "hours_approve", hours_id=a.pk)).status_code == 302
    coordinator.post(url(org_a, "hours_queue_approve"), {"entry_ids": [str(b.pk), str(c.pk)]})
    coordinator.post(url(org_a, "hours_reject", hours_id=d.pk), {"reason": ""})
    with org_context(org_a):
        assert HoursEntry.objects.get(pk=d.pk).status == "pending"
    coordinator.post(url(org_a, "hours_reject", hours_id=d.pk), {"reason": "Wrong day"})
    with org_context(org_a):
        statuses = dict(HoursEntry.objects.values_list("pk", "status"))
        reason = HoursEntry.objects.get(pk=d.pk).rejection_reason
    assert statuses == {a.pk: "approved", b.pk: "approved", c.pk: "approved", d.pk: "rejected"}
    assert reason == "Wrong day"
    assert "Nothing waits" in coordinator.get(url(org_a, "hours_queue")).content.decode()


def test_staff_see_hours_but_cannot_approve(org_a: Any, cast: dict[str, Any]) -> None:
    entry = vf.hours_entry(org_a)
    staff = client_for(cast["staff"])
    assert staff.get(url(org_a, "hours_list")).status_code == 200
    assert staff.get(url(org_a, "hours_queue")).status_code == 403
    staff.post(url(org_a, "hours_approve", hours_id=entry.pk))
    with org_context(org_a):
        assert HoursEntry.objects.get(pk=entry.pk).status == "pending"
    assert staff.get(url(org_a, "hours_new")).status_code == 403


def test_logging_and_correcting_hours(org_a: Any, coordinator: Client) -> None:
    person = vf.volunteer(org_a)
    form = coordinator.get(url(org_a, "hours_new"), {"volunteer": str(person.pk)})
    assert form.status_code == 200
    bad = coordinator.post(
        url(org_a, "hours_new"), {"volunteer": person.pk, "date": DAY.isoformat(), "hours": "25"}
    )
    assert bad.status_code == 422
    made = coordinator.post(
        url(org_a, "hours_new"),
        {"volunteer": person.pk, "date": DAY.isoformat(), "hours": "2.5", "description": "Cans"},
    )
    assert made.status_code == 302
    with org_context(org_a):
        entry = HoursEntry.objects.get(volunteer=person)
    assert (entry.hours, entry.status, entry.description) == (Decimal("2.50"), "pending", "Cans")
    edit = url(org_a, "hours_edit", hours_id=entry.pk)
    assert coordinator.get(edit).status_code == 200
    saved = coordinator.post(
        edit, {"date": DAY.isoformat(), "hours": "3", "description": "", "version": entry.version}
    )
    assert saved.status_code == 302
    stale = coordinator.post(
        edit, {"date": DAY.isoformat(), "hours": "4", "description": "", "version": entry.version}
    )
    assert stale.status_code == 409
    with org_context(org_a):
        assert HoursEntry.objects.get(pk=entry.pk).hours == Decimal("3.00")


def test_the_reports_page_and_its_exports(org_a: Any, coordinator: Client) -> None:
    opp = vf.opportunity(org_a, title="Pantry")
    ann = vf.volunteer(org_a, first_name="Ann", last_name="Annson")
    _entry(org_a, ann, "3", status="approved", opportunity=opp, date=date(2025, 1, 10))
    _entry(org_a, ann, "2", status="approved", date=date(2025, 2, 10))
    _entry(org_a, ann, "9", status="pending", date=date(2025, 2, 11))
    period = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
    page = coordinator.get(url(org_a, "hours_reports"), period)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="figure-hours">5.00<' in text
    assert "173.95" in text  # 5 h at the national 34.79
    assert "<svg" in text
    assert "2025-01: 3.00 h" in text
    csv_text = _text(coordinator.get(url(org_a, "hours_report_opportunities_csv"), period))
    assert "Pantry,3.00,1,1,104.37" in csv_text
    assert "No opportunity,2.00,1,1,69.58" in csv_text
    assert "Total,5.00,2,,173.95" in csv_text
    book = load_workbook(
        io.BytesIO(coordinator.get(url(org_a, "hours_report_months_xlsx"), period).content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["2025-01", "2025-02", "2025-03", "Total"]
    assert rows[-1][1] == 5


def test_the_reports_page_without_a_period_shows_this_year_so_far(
    org_a: Any, coordinator: Client
) -> None:
    ann = vf.volunteer(org_a, first_name="Ann", last_name="Annson")
    _entry(org_a, ann, "3", status="approved", date=services.org_today(org_a))
    for name in ("hours_reports", "hours_report_volunteers_csv"):
        page = coordinator.get(url(org_a, name))
        assert page.status_code == 200, name
    assert (
        'id="figure-hours">3.00<' in coordinator.get(url(org_a, "hours_reports")).content.decode()
    )


def test_the_hourly_value_page_and_a_stale_version(org_a: Any, coordinator: Client) -> None:
    page = url(org_a, "hours_settings")
    assert coordinator.get(page).status_code == 200
    with org_context(org_a):
        version = services.settings_for(org_a).version
    assert coordinator.post(page, {"hourly_value": "30", "version": version}).status_code == 302
    assert coordinator.post(page, {"hourly_value": "31", "version": version}).status_code == 409
    with org_context(org_a):
        assert services.settings_for(org_a).hourly_value == Decimal("30.00")


def test_the_milestones_panel_on_the_volunteer_page(org_a: Any, coordinator: Client) -> None:
    person = vf.volunteer(org_a)
    for _ in range(3):
        _entry(org_a, person, "10", status="approved")
    _entry(org_a, person, "7", status="pending")
    html = coordinator.get(url(org_a, "volunteer_detail", volunteer_id=person.pk)).content.decode()
    assert "30.00" in html
    assert "25 h" in html
    assert "20.00 h to the 50-hour milestone" in html
