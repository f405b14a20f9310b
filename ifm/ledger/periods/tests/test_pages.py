"""The periods page, through the Django test client, as the cast's users."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.ledger.journal.tests.test_pages import post, url
from ifm.ledger.models import FiscalYear, Period, PeriodStatus
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(cast: dict[str, Any]) -> Any:
    return client_for(cast["finance"])


# --- Periods -------------------------------------------------------------------------------------


def test_close_and_reopen_a_period_via_the_page(finance: Any, org_a: Organization) -> None:
    with org_context(org_a):
        period = Period.objects.order_by("start_date").first()
        assert period is not None
    response = finance.post(url("ledger:ledger_period_close", period_id=period.pk))
    assert response.status_code == 302
    page = finance.get(response["Location"]).content.decode()
    assert f"Closed {period.name}" in page
    with org_context(org_a):
        period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    # Closing again: the service's message is shown.
    page = finance.post(
        url("ledger:ledger_period_close", period_id=period.pk), follow=True
    ).content.decode()
    assert "already closed" in page
    # Reopening needs a reason.
    page = finance.post(
        url("ledger:ledger_period_reopen", period_id=period.pk), {"reason": " "}, follow=True
    ).content.decode()
    assert "Say why the period is reopened." in page
    with org_context(org_a):
        period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    finance.post(
        url("ledger:ledger_period_reopen", period_id=period.pk), {"reason": "Late invoice"}
    )
    with org_context(org_a):
        period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN


def test_year_end_close_via_the_page(finance: Any, org_a: Organization) -> None:
    last_year = date(timezone.localdate().year - 1, 1, 1)  # ended, so it can be closed
    post(org_a, "60.00", on=last_year)
    with org_context(org_a):
        fy = FiscalYear.objects.get(start_date=last_year)
    periods_page = finance.get(url("ledger:ledger_periods")).content.decode()
    assert "moves every revenue and expense balance" in periods_page
    response = finance.post(
        url("ledger:ledger_fiscal_year_close", fiscal_year_id=fy.pk), follow=True
    )
    page = response.content.decode()
    assert f"Closed {fy.name} with the closing entry" in page
    with org_context(org_a):
        fy.refresh_from_db()
        assert fy.status == PeriodStatus.CLOSED
        assert fy.closing_entry is not None
    page = finance.post(
        url("ledger:ledger_fiscal_year_close", fiscal_year_id=fy.pk), follow=True
    ).content.decode()
    assert "already closed" in page


def test_get_on_action_urls_is_405(finance: Any, org_a: Organization) -> None:
    entry = post(org_a)
    with org_context(org_a):
        period = Period.objects.first()
        assert period is not None
    assert finance.get(url("ledger:ledger_entry_reverse", entry_id=entry.pk)).status_code == 405
    assert finance.get(url("ledger:ledger_period_close", period_id=period.pk)).status_code == 405
