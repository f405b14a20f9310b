"""The dashboard's financial results: for the roles that read the statements, with charts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ifm.conftest import client_for
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "finance", "viewer"])
def test_financial_results_on_the_dashboard(posted: Organization, cast: Any, role: str) -> None:
    html = client_for(cast[role]).get(reverse("orgs:dashboard", kwargs={"org_slug": "alpha"}))
    text = html.content.decode()
    assert 'id="section-reports"' in text
    assert 'data-tile="reports.change_in_net_assets"' in text
    assert 'id="chart-dashboard-revenue-expenses"' in text
    assert 'id="chart-dashboard-expenses-by-function-table"' in text
    assert "750.00" in text  # revenue less expenses
    assert reverse("reports:activities", kwargs={"org_slug": "alpha"}) in text


@pytest.mark.parametrize("role", ["fundraising", "staff"])
def test_not_for_roles_without_the_statements(posted: Organization, cast: Any, role: str) -> None:
    html = client_for(cast[role]).get(reverse("orgs:dashboard", kwargs={"org_slug": "alpha"}))
    assert 'id="section-reports"' not in html.content.decode()
