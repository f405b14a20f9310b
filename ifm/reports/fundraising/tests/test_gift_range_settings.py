"""The organization's own gift ranges: saved by those who manage the books (page and API, with
the version read), used by the gift range report when a request names none, never by another
organization's report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.models import GiftRangeSettings
from ifm.reports.fundraising.services import gift_ranges_save
from ifm.reports.fundraising.tests.conftest import Give
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

YEAR = date.today().year
SETTINGS = "/api/v1/reports/gift-range/settings"


def _who(org: Organization, user: Any) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(organization=org, user=user)
    return {"organization": org, "actor": user, "access": access}


def _labels(body: dict[str, Any]) -> list[str]:
    return [row["label"] for row in body["rows"] if row["kind"] == "line"]


@pytest.fixture
def giving(alpha: Organization, donor: Any, give: Give) -> Organization:
    """Ann gave 150.00 and Bob 1,500.00 this year."""
    give(donor("Ann"), date(YEAR, 1, 5), "150.00")
    give(donor("Bob"), date(YEAR, 1, 6), "1500.00")
    return alpha


def test_saved_ranges_are_used_when_the_request_names_none(giving: Organization, cast: Any) -> None:
    api = api_client_for(cast["viewer"], giving)
    period = f"from={YEAR}-01-01&to={YEAR}-12-31"
    standard = api.get(f"/api/v1/reports/gift-range?{period}").json()
    assert len(_labels(standard)) == len(selectors.DEFAULT_RANGES)

    saved = gift_ranges_save(
        **_who(giving, cast["finance"]), ranges="1000, 100", expected_version=None
    )

    assert saved is not None
    assert saved.starts == ["1000.00", "100.00", "0.01"]
    body = api.get(f"/api/v1/reports/gift-range?{period}").json()
    assert _labels(body) == ["1,000.00 and more", "100.00 to 999.99", "0.01 to 99.99"]
    assert [row["values"]["donors"] for row in body["rows"][:3]] == ["1", "1", "0"]
    # A request that names ranges gets those.
    asked = api.get(f"/api/v1/reports/gift-range?{period}&ranges=500").json()
    assert _labels(asked) == ["500.00 and more", "0.01 to 499.99"]
    # The page shows the saved ranges in its filter and uses them.
    page = client_for(cast["viewer"]).get(
        reverse("reports:gift_range", kwargs={"org_slug": "alpha"})
    )
    html = page.content.decode()
    assert 'value="1000, 100"' in html
    assert "100.00 to 999.99" in html
    with org_context(giving):
        event = AuditEvent.objects.get(action="gift_ranges.save")
    assert event.changes["starts"]["after"] == ["1000.00", "100.00", "0.01"]


def test_a_change_needs_the_version_read_and_empty_goes_back_to_the_standard(
    giving: Organization, cast: Any
) -> None:
    who = _who(giving, cast["admin"])
    saved = gift_ranges_save(**who, ranges=["250"], expected_version=None)
    assert saved is not None
    with pytest.raises(ConflictError):
        gift_ranges_save(**who, ranges="50", expected_version=None)
    changed = gift_ranges_save(**who, ranges="50", expected_version=saved.version)
    assert changed is not None
    with pytest.raises(ConflictError):
        gift_ranges_save(**who, ranges="75", expected_version=saved.version)  # stale
    with pytest.raises(ServiceError) as bad:
        gift_ranges_save(**who, ranges="50, lots", expected_version=changed.version)
    assert bad.value.errors[0]["field"] == "ranges"

    assert gift_ranges_save(**who, ranges=" ", expected_version=changed.version) is None

    with org_context(giving):
        assert not GiftRangeSettings.objects.exists()
        assert selectors.standard_ranges() == selectors.DEFAULT_RANGES


def test_the_settings_page_saves_for_those_who_manage_the_books(
    giving: Organization, cast: Any
) -> None:
    url = reverse("reports:gift_range_settings", kwargs={"org_slug": "alpha"})
    report = reverse("reports:gift_range", kwargs={"org_slug": "alpha"})
    finance = client_for(cast["finance"])
    assert 'id="gift-range-settings"' in finance.get(report).content.decode()
    assert finance.get(url).status_code == 200

    refused = finance.post(url, {"ranges": "100, many", "version": ""})
    assert refused.status_code == 422
    assert "is not an amount" in refused.content.decode()
    response = finance.post(url, {"ranges": "2500, 250", "version": ""})
    assert response.status_code == 302
    with org_context(giving):
        saved = GiftRangeSettings.objects.get()
    assert saved.lows == (Decimal("2500.00"), Decimal("250.00"), Decimal("0.01"))
    # A form read before that save is stale.
    stale = finance.post(url, {"ranges": "10", "version": ""})
    assert stale.status_code == 409
    assert 'value="2500, 250"' in finance.get(url).content.decode()

    for role in ("fundraising", "viewer"):
        client = client_for(cast[role])
        assert client.get(url).status_code == 403
        assert client.post(url, {"ranges": "1"}).status_code == 403
        assert 'id="gift-range-settings"' not in client.get(report).content.decode()


def test_the_api_reads_for_the_fundraising_roles_and_saves_for_ledger_managers(
    giving: Organization, cast: Any
) -> None:
    viewer = api_client_for(cast["viewer"], giving)
    assert viewer.get(SETTINGS).json() == {
        "ranges": [str(low) for low in selectors.DEFAULT_RANGES],
        "own": False,
        "version": None,
    }
    assert_problem(send_json(viewer, "PUT", SETTINGS, {"ranges": ["100"]}), 403)
    assert_problem(
        send_json(api_client_for(cast["fundraising"], giving), "PUT", SETTINGS, {"ranges": []}),
        403,
    )

    finance = api_client_for(cast["finance"], giving)
    body = send_json(finance, "PUT", SETTINGS, {"ranges": ["5000", "$500"]}).json()
    assert body == {"ranges": ["5000.00", "500.00", "0.01"], "own": True, "version": 1}
    assert_problem(send_json(finance, "PUT", SETTINGS, {"ranges": ["10"]}), 409)
    problem = assert_problem(
        send_json(finance, "PUT", SETTINGS, {"ranges": ["ten"], "version": 1}), 422
    )
    assert problem["errors"][0]["field"] == "ranges"
    assert_problem(send_json(finance, "PUT", SETTINGS, {"ranges": ["1"] * 21}), 422)
    back = send_json(finance, "PUT", SETTINGS, {"ranges": [], "version": 1}).json()
    assert back["own"] is False


def test_another_organizations_ranges_are_not_used(
    giving: Organization, org_b: Organization, cast: Any
) -> None:
    gift_ranges_save(**_who(org_b, cast["other_admin"]), ranges="7", expected_version=None)

    api = api_client_for(cast["viewer"], giving)
    assert api.get(SETTINGS).json()["own"] is False
    body = api.get(f"/api/v1/reports/gift-range?from={YEAR}-01-01&to={YEAR}-12-31").json()
    assert len(_labels(body)) == len(selectors.DEFAULT_RANGES)
    beta = api_client_for(cast["other_admin"], org_b)
    assert beta.get(SETTINGS).json()["ranges"] == ["7.00", "0.01"]
