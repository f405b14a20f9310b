"""Every cell of the donor retention report opens the donors it counts: on a few donors in each
segment, each count's drill-down lists exactly that many donors (the very ones of its segment),
through the page and the API alike, and never another organization's."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.gifts import giving
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.tests.conftest import Give, make_donor, make_gift
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

YEAR = 2025
COUNTED = [*giving.RETENTION_SEGMENTS, "retention_rate"]
# What the rate's link opens: its numerator.
SEGMENT_OF = {**{s: s for s in giving.RETENTION_SEGMENTS}, "retention_rate": "retained"}


@pytest.fixture
def history(alpha: Organization, org_b: Organization, donor: Any, give: Give) -> dict[str, Any]:
    """Gifts from 2021 to 2025 so that 2025 has donors in every segment, and the years before
    it some too. In B, a donor who gave every year (never in A's figures)."""
    gifts = {
        "Newa": [2025],  # new in 2025
        "Newb": [2025],
        "Kept": [2024, 2025],  # retained in 2025 (new in 2024)
        "Loyal": [2021, 2022, 2023, 2024, 2025],  # retained every year
        "Back": [2022, 2025],  # recaptured in 2025 (lapsed in 2023)
        "Gone": [2023, 2024],  # lapsed in 2025, retained in 2024
        "Left": [2024],  # lapsed in 2025, new in 2024
        "Once": [2021, 2023],  # recaptured in 2023, lapsed in 2024
    }
    donors = {}
    for name, years in gifts.items():
        donors[name] = donor(name)
        for year in years:
            give(donors[name], date(year, 6, 15), "50.00")
    # A voided gift in 2025 leaves Gone lapsed.
    give(donors["Gone"], date(2025, 3, 1), "75.00", status="voided")
    with org_context(org_b):
        zed = make_donor(org_b, "Zed")
        for year in range(2021, 2026):
            make_gift(org_b, zed, date(year, 6, 15), "999.00")
    return donors


def _listed(client: Client, link: str) -> set[str]:
    """The first names of the donors a drill-down page lists (every one: they fit a page)."""
    page = client.get(link)
    assert page.status_code == 200, link
    text = page.content.decode()
    if 'id="drill-empty"' in text:
        return set()
    return set(re.findall(r'/donors/\d+/">(\w+) Tester</a>', text))


def _cell_links(text: str, row_key: str) -> list[str]:
    """The links of a table row's figure cells, in column order."""
    row = re.search(rf'<tr[^>]*id="row-{row_key}".*?</tr>', text, re.S)
    assert row, row_key
    return [
        html.unescape(link) for link in re.findall(r'<td[^>]*><a href="([^"]+)">', row.group(0))
    ]


@pytest.mark.parametrize("basis", ["calendar", "fiscal"])
def test_each_retention_cell_opens_exactly_the_donors_it_counts(
    history: dict[str, Any], cast: Any, basis: str
) -> None:
    org = history["Newa"].organization
    report = selectors.retention(org, year=YEAR, years=4, basis=basis)
    client = client_for(cast["fundraising"])
    retention = reverse("reports:retention", kwargs={"org_slug": org.slug})
    page = client.get(f"{retention}?year={YEAR}&years=4&basis={basis}").content.decode()
    api_client = api_client_for(cast["fundraising"], org)
    api = api_client.get(f"/api/v1/reports/retention?year={YEAR}&years=4&basis={basis}")
    assert api.status_code == 200
    api_rows = {row["key"]: row for row in api.json()["rows"]}

    for row in report.rows:
        assert set(row.links) == set(COUNTED), row.key
        # The page links every figure, in column order; the API gives the same links.
        assert _cell_links(page, row.key) == [row.links[c.key] for c in report.columns]
        assert api_rows[row.key]["links"] == row.links
        for column in COUNTED:
            link = row.links[column]
            query = parse_qs(urlsplit(link).query)
            assert query["segment"] == [SEGMENT_OF[column]]
            assert query["year"] == [row.key.removeprefix("year-")]
            listed = _listed(client, link)
            wanted = row.value(SEGMENT_OF[column])
            assert len(listed) == wanted, (row.key, column, listed)
            assert "Zed" not in listed
            # The API's drill-down, given the link's parameters, lists the same donors.
            found = api_client.get(f"/api/v1/reports/donors?{urlsplit(link).query}&limit=100")
            assert found.status_code == 200, found.content
            assert {d["name"].removesuffix(" Tester") for d in found.json()["items"]} == listed

    # The very donors of each segment of 2025 (July fiscal years hold the same June gifts).
    latest = report.row(f"year-{YEAR}")
    expected = {
        "donors": {"Newa", "Newb", "Kept", "Loyal", "Back"},
        "new": {"Newa", "Newb"},
        "retained": {"Kept", "Loyal"},
        "recaptured": {"Back"},
        "lapsed": {"Gone", "Left"},
    }
    for segment, names in expected.items():
        assert _listed(client, latest.links[segment]) == names, segment
        assert latest.value(segment) == len(names)
    assert latest.value("retention_rate") == 50  # retained 2 of 2024's 4 donors
    year_2023 = report.row("year-2023")
    assert _listed(client, year_2023.links["recaptured"]) == {"Once"}
    assert _listed(client, year_2023.links["lapsed"]) == {"Back"}  # gave in 2022 only


def test_the_api_drill_down_names_a_bad_parameter(history: dict[str, Any], cast: Any) -> None:
    api = api_client_for(cast["viewer"], history["Newa"].organization)
    for query, field in (
        ("report=nope", "report"),
        ("report=retention&year=2025&segment=loyal", "segment"),
        ("report=retention&year=abc", "year"),
        ("report=range&from=2025-02-30&to=2025-03-01", "from"),
        ("report=campaign&campaign=999999", "campaign"),
        # Digits that are not ASCII ("²") are not a number either.
        ("report=retention&year=%C2%B2", "year"),
        ("report=campaign&appeal=%C2%B2", "appeal"),
    ):
        response = api.get(f"/api/v1/reports/donors?{query}")
        assert_problem(response, 422)
        assert response.json()["errors"][0]["field"] == field, query
    assert_problem(
        api_client_for(cast["volunteer_coordinator"], history["Newa"].organization).get(
            "/api/v1/reports/donors?report=retention&year=2025"
        ),
        403,
    )
