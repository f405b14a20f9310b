"""The settings page: currency as an ISO 4217 select, the time zone as a filterable select
grouped by region, human labels, no internal version number; the server refuses the rest."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.orgs.currencies import CURRENCIES
from ifm.orgs.tests.test_settings_page import _form
from ifm.orgs.time_zones import time_zone_choices
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_the_page_offers_iso_currencies_and_grouped_time_zones(
    cast: dict[str, Any], org_a: Organization
) -> None:
    html = client_for(cast["admin"]).get("/o/alpha/settings/").content.decode()
    assert '<select name="currency"' in html
    assert '<option value="USD" selected>USD · US Dollar</option>' in html
    assert '<option value="EUR">EUR · Euro</option>' in html
    assert '<optgroup label="America">' in html
    assert '<optgroup label="Europe">' in html
    assert "New York (UTC-0" in html
    assert 'data-tz-select="true"' in html
    assert 'id="id_time_zone_filter"' in html
    assert "orgs/settings.js" in html
    assert "Street address" in html
    assert "Type a city, country or UTC offset" in html
    assert "Version" not in html


def test_the_lists_are_iso_and_complete() -> None:
    assert {"USD", "CAD", "EUR", "GBP", "MXN", "JPY", "XOF"} <= set(CURRENCIES)
    assert not {"XXX", "XTS", "XAU", "BOV"} & set(CURRENCIES)
    zones = {zone for _, group in time_zone_choices() for zone, _ in group}
    import zoneinfo

    assert zones == zoneinfo.available_timezones()


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "ABC"), ("currency", "US"), ("time_zone", "Mars/Olympus"), ("time_zone", "")],
)
def test_the_server_refuses_what_is_not_in_the_lists(
    cast: dict[str, Any], org_a: Organization, field: str, value: str
) -> None:
    response = client_for(cast["admin"]).post("/o/alpha/settings/", _form(org_a, **{field: value}))
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    org = Organization.objects.get(pk=org_a.pk)
    assert (org.currency, org.time_zone, org.version) == (
        org_a.currency,
        org_a.time_zone,
        org_a.version,
    )


def test_a_lower_case_code_and_a_european_zone_are_saved(
    cast: dict[str, Any], org_a: Organization
) -> None:
    response = client_for(cast["admin"]).post(
        "/o/alpha/settings/", _form(org_a, currency="eur", time_zone="Europe/Lisbon")
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=org_a.pk)
    assert (org.currency, org.time_zone) == ("EUR", "Europe/Lisbon")
