"""The retention and campaign charts on their pages hold the report's numbers: the chart's
table (read by screen readers) has the same figures as the report's API; the PDF draws them."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for
from ifm.donors.models import Campaign
from ifm.reports.fundraising.tests.conftest import Give
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

YEAR = date.today().year


def _chart_table(html: str, key: str) -> list[list[str]]:
    """The rows (label, then figures) of the chart's hidden table."""
    match = re.search(
        rf'<table class="visually-hidden" id="chart-{key}-table">(.*?)</table>', html, re.S
    )
    assert match, f"no chart {key}"
    body = match.group(1).split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _shown(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def test_retention_chart_holds_the_retention_rate_of_each_year(
    alpha: Organization, donor: Any, give: Give, cast: Any
) -> None:
    ann, bob, cy = donor("Ann"), donor("Bob"), donor("Cy")
    for year in (YEAR - 2, YEAR - 1, YEAR):
        give(ann, date(year, 2, 1), "10.00")
    give(bob, date(YEAR - 2, 2, 1), "10.00")
    give(bob, date(YEAR - 1, 2, 1), "10.00")
    give(cy, date(YEAR - 2, 2, 1), "10.00")
    query = {"year": str(YEAR), "years": "3", "basis": "calendar"}
    html = (
        client_for(cast["fundraising"])
        .get(reverse("reports:retention", kwargs={"org_slug": "alpha"}), query)
        .content.decode()
    )
    assert 'id="chart-retention-trend"' in html
    assert "<svg" in html
    body = (
        api_client_for(cast["fundraising"], alpha)
        .get(f"/api/v1/reports/retention?year={YEAR}&years=3&basis=calendar")
        .json()
    )
    expected = [[row["label"], _shown(row["values"]["retention_rate"])] for row in body["rows"]]
    assert _chart_table(html, "retention-trend") == expected
    # 2 of 3 donors kept, then 1 of 2
    assert [row[1] for row in expected[1:]] == ["66.67", "50.00"]


def test_campaign_chart_shows_raised_against_goal(
    alpha: Organization, donor: Any, give: Give, cast: Any
) -> None:
    spring = Campaign.objects.create(organization=alpha, name="Spring", goal=Decimal("1000.00"))
    gala = Campaign.objects.create(organization=alpha, name="Gala", goal=Decimal("2500.00"))
    Campaign.objects.create(organization=alpha, name="No goal")
    ann = donor("Ann")
    give(ann, date(YEAR, 1, 5), "650.00", campaign=spring)
    give(ann, date(YEAR, 1, 6), "3000.00", campaign=gala)
    html = (
        client_for(cast["viewer"])
        .get(reverse("reports:campaign_giving", kwargs={"org_slug": "alpha"}))
        .content.decode()
    )
    body = api_client_for(cast["viewer"], alpha).get("/api/v1/reports/campaigns").json()
    expected = [
        [
            row["label"],
            _shown(row["values"]["total"]),
            _shown(row["values"]["goal"]),
            f"{round(Decimal(row['values']['percent_of_goal']))}%",
        ]
        for row in body["rows"]
        if (row["key"] or "").startswith("campaign-") and row["values"].get("goal")
    ]
    table = _chart_table(html, "campaign-progress")
    assert sorted(table) == sorted(expected)
    assert sorted(table) == [
        ["Gala", "3,000.00", "2,500.00", "120%"],
        ["Spring", "650.00", "1,000.00", "65%"],
    ]


def test_the_pdf_draws_the_campaign_chart(
    alpha: Organization, donor: Any, give: Give, cast: Any
) -> None:
    client = client_for(cast["viewer"])
    url = reverse("reports:campaign_giving_pdf", kwargs={"org_slug": "alpha"})
    spring = Campaign.objects.create(organization=alpha, name="Spring")
    give(donor("Ann"), date(YEAR, 1, 5), "650.00", campaign=spring)
    without_goal = PdfReader(io.BytesIO(client.get(url).content)).pages[0].extract_text()
    assert "Campaigns: raised against goal" not in without_goal
    spring.goal = Decimal("1000.00")
    spring.save()
    pdf = PdfReader(io.BytesIO(client.get(url).content))
    text = pdf.pages[0].extract_text()
    assert "Campaigns: raised against goal" in text
    assert text.index("Campaigns: raised against goal") < text.index("Spring")
    assert "Page 1 of 1" in text
    painted = pdf.pages[0].get_contents().get_data()  # type: ignore[union-attr]
    assert b"0.184314 0.435294 0.858824 rg" in painted  # the bar, in the chart's first color


def test_no_chart_without_data(alpha: Organization, cast: Any) -> None:
    client = client_for(cast["viewer"])
    for name, key in (("retention", "retention-trend"), ("campaign_giving", "campaign-progress")):
        html = client.get(reverse(f"reports:{name}", kwargs={"org_slug": "alpha"})).content.decode()
        assert f'id="chart-{key}"' not in html
