"""The report pages: charts beside the table, the period switched over HTMX with the URL kept,
and a print button."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ifm.conftest import client_for
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund, Restriction
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def _url(name: str, slug: str = "alpha") -> str:
    return reverse(f"reports:{name}", kwargs={"org_slug": slug})


def _table(html: str) -> str:
    start = html.index('<table class="table')
    return html[start : html.index("</table>", start)]


def test_statement_pages_draw_their_charts_with_tables(posted: Organization, cast: Any) -> None:
    client = client_for(cast["viewer"])
    activities = client.get(_url("activities")).content.decode()
    assert 'id="chart-revenue-expenses"' in activities
    assert 'id="chart-expenses-by-function"' in activities
    assert 'id="chart-expenses-by-function-table"' in activities
    assert "<td>300.00</td>" in activities  # program services, in the chart's table
    assert "<style" not in activities.split('id="report-body"')[1]
    position = client.get(_url("financial_position")).content.decode()
    assert 'id="chart-net-assets"' in position
    functional = client.get(_url("functional_expenses")).content.decode()
    assert 'id="chart-expenses-by-function"' in functional
    assert 'id="report-print"' in activities
    assert "reports/reports.js" in activities


def test_a_statement_of_one_class_draws_that_class_s_charts(
    posted: Organization, cast: Any
) -> None:
    youth = Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE)
    post_entry(
        organization=posted,
        actor=cast["admin"],
        date=date.today(),
        lines=[
            LineInput(acct("1010"), youth, debit=Decimal("400.00")),
            LineInput(acct("4015"), youth, credit=Decimal("400.00")),
        ],
    )
    client = client_for(cast["viewer"])
    without = client.get(_url("activities"), {"net_asset_class": "without"}).content.decode()
    assert "Revenue and expenses by month, without donor restrictions" in without
    assert 'id="chart-expenses-by-function"' in without
    with_ = client.get(_url("activities"), {"net_asset_class": "with"}).content.decode()
    assert "Revenue and releases by month, with donor restrictions" in with_
    assert 'id="chart-expenses-by-function"' not in with_  # every expense is in "without"
    position = client.get(_url("financial_position"), {"net_asset_class": "without"})
    html = position.content.decode()
    assert "Net assets without donor restrictions at month-end" in html
    chart = html[html.index('id="chart-net-assets-table"') :]
    head = chart[: chart.index("</thead>")]
    assert "Without donor restrictions" in head
    assert "With donor restrictions" not in head
    assert "Total" not in head
    pdf = client.get(_url("activities_pdf"), {"net_asset_class": "with"}).content
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Revenue and releases by month, with donor restrictions" in text
    assert "Expenses by function" not in text


def test_htmx_switch_answers_the_part_below_the_filters(posted: Organization, cast: Any) -> None:
    client = client_for(cast["finance"])
    query = {"date_from": "2000-01-01", "compare": "prior_year"}
    whole = client.get(_url("activities"), query)
    part = client.get(_url("activities"), query, HTTP_HX_REQUEST="true")
    assert "HX-Request" in part["Vary"]
    html = part.content.decode()
    assert html.lstrip().startswith('<div id="report-body">')
    assert "<nav" not in html
    assert "<form" not in html
    assert 'id="report-period" hx-swap-oob="true">2000-01-01 to' in html
    # The same figures as the whole page at the same URL, export links with the same filters.
    assert _table(html) == _table(whole.content.decode())
    assert "750.00" in _table(html)
    assert f"{_url('activities_pdf')}?date_from=2000-01-01&amp;compare=prior_year" in html
    restore = client.get(
        _url("activities"), query, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<nav" in restore.content.decode()


def test_the_filter_form_switches_with_htmx_and_pushes_the_url(
    posted: Organization, cast: Any
) -> None:
    html = client_for(cast["finance"]).get(_url("activities")).content.decode()
    assert 'hx-target="#report-body"' in html
    assert 'hx-push-url="true"' in html


def test_a_bad_date_says_what_to_fix_in_the_swapped_part(posted: Organization, cast: Any) -> None:
    part = client_for(cast["finance"]).get(
        _url("activities"), {"date_from": "2026-13-45"}, HTTP_HX_REQUEST="true"
    )
    assert part.status_code == 200
    assert 'id="report-form-errors"' in part.content.decode()
