"""A module the organization has not enabled vanishes from the navigation, the dashboard (its
cards and its tiles), the search and the record panels, and comes back when enabled."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.donors.people.services import donor_create
from ifm.orgs import dashboard, panels, search
from ifm.orgs.modules import organization_modules_set
from ifm.tenancy import modules
from ifm.tenancy.models import Membership, Organization
from ifm.volunteers.people.services import volunteer_create, volunteer_link_donor


def _dashboard(client: Any, org: Organization) -> Any:
    response = client.get(reverse("orgs:dashboard", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    return response


def _tile_modules(response: Any) -> set[str]:
    return {t.key.split(".")[0] for s in response.context["sections"] for t in s.tiles}


def test_navigation_cards_and_tiles_follow_the_enabled_modules(
    cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["admin"])
    page = _dashboard(client, org_a)
    html = page.content.decode()
    assert 'id="nav-ledger"' in html
    assert 'href="/o/alpha/donors/"' in html
    assert {"donors", "ledger", "expenses"} <= _tile_modules(page)

    organization_modules_set(organization=org_a, module_keys=["expenses", "banking"])
    page = _dashboard(client, org_a)
    html = page.content.decode()
    for gone in ('id="nav-ledger"', 'href="/o/alpha/donors/"', 'id="nav-volunteers"'):
        assert gone not in html, gone
    assert "/o/alpha/reports/" not in html
    assert 'href="/o/alpha/expenses/"' in html
    assert 'id="nav-banking"' in html
    assert {c["title"] for c in page.context["cards"]} >= {"Expenses", "Members", "Settings"}
    assert not {c["title"] for c in page.context["cards"]} & {"Ledger", "Donors"}
    tile_modules = _tile_modules(page)
    assert not tile_modules & {"donors", "ledger", "volunteers", "reports"}
    assert "orgs" in tile_modules  # the organization's own tiles stay

    organization_modules_set(organization=org_a, module_keys=None)
    html = _dashboard(client, org_a).content.decode()
    assert 'id="nav-ledger"' in html
    assert 'href="/o/alpha/donors/"' in html


def test_every_tile_provider_and_search_provider_belongs_to_its_apps_module() -> None:
    """How a provider finds its module: by the app that holds its code."""
    found = {
        modules.module_for_code(provider).key  # type: ignore[union-attr]
        for section in dashboard.sections()
        for _, provider in section.providers
        if modules.module_for_code(provider)
    }
    assert found >= {"donors", "ledger", "expenses", "banking", "reports", "volunteers"}
    owners = {p.key: modules.module_for_code(p.find) for p in search.providers()}
    assert owners["donors"].key == "donors"  # type: ignore[union-attr]
    assert owners["journal"].key == "ledger"  # type: ignore[union-attr]
    assert modules.module_for_code("ifm.orgs.tiles") is None
    assert modules.module_for_code("ifm.volunteers.people.global_search").key == "volunteers"  # type: ignore[union-attr]


@pytest.fixture
def marigold(cast: dict[str, Any], org_a: Organization) -> Any:
    with org_context(org_a):
        access = Membership.objects.get(user=cast["admin"])
    args = {"organization": org_a, "actor": cast["admin"], "access": access}
    donor = donor_create(**args, first_name="Marigold", last_name="Quist", email="mq@example.org")
    volunteer = volunteer_create(**args, first_name="Marigold", last_name="Quist")
    volunteer_link_donor(**args, volunteer=volunteer, donor_id=donor.pk)
    return args | {"donor": donor}


def test_search_leaves_out_the_records_of_a_disabled_module(marigold: dict[str, Any]) -> None:
    org = marigold["organization"]
    args = {k: marigold[k] for k in ("organization", "actor", "access")}
    found = {g.key for g in search.search_run(**args, q="quist")}
    assert {"donors", "volunteers", "journal"} <= found

    organization_modules_set(organization=org, module_keys=["volunteers"])
    found = {g.key for g in search.search_run(**args, q="quist")}
    assert "volunteers" in found
    assert not found & {"donors", "donations", "journal", "expenses"}


def test_the_search_page_and_api_follow_it_too(
    marigold: dict[str, Any], cast: dict[str, Any]
) -> None:
    org = marigold["organization"]
    organization_modules_set(organization=org, module_keys=["ledger"])
    page = client_for(cast["admin"]).get(f"/o/{org.slug}/search/?q=quist")
    assert page.status_code == 200
    assert f"/o/{org.slug}/donors/{marigold['donor'].pk}/" not in page.content.decode()


def test_a_panel_of_a_disabled_module_is_left_out(
    marigold: dict[str, Any], cast: dict[str, Any]
) -> None:
    org = marigold["organization"]
    client = client_for(cast["admin"])
    url = f"/o/{org.slug}/donors/{marigold['donor'].pk}/"
    keys = [p.key for p in client.get(url).context["profile_panels"]]
    assert "volunteers.volunteer" in keys
    organization_modules_set(organization=org, module_keys=["donors"])
    keys = [p.key for p in client.get(url).context["profile_panels"]]
    assert "volunteers.volunteer" not in keys
    assert panels.providers("donor")  # still registered: only left out for this organization


def test_the_settings_page_and_api_show_the_enabled_modules_read_only(
    cast: dict[str, Any], org_a: Organization
) -> None:
    organization_modules_set(organization=org_a, module_keys=["ledger", "donors"])
    client = client_for(cast["admin"])
    page = client.get(reverse("orgs:org_settings", kwargs={"org_slug": org_a.slug}))
    assert page.status_code == 200
    states = {m.key: enabled for m, enabled in page.context["module_states"]}
    assert states == {k: k in {"ledger", "donors"} for k in modules.module_keys()}
    html = page.content.decode()
    section = html[html.index('id="modules"') :]
    assert "Donors, donations and receipts" in section
    assert "Not enabled" in section
    assert "<input" not in section[: section.index("</section>")]  # read-only: nothing to edit

    token = api_client_for(cast["admin"], org_a)
    body = token.get("/api/v1/organization/settings").json()
    assert body["enabled_modules"] == ["ledger", "donors"]
    # Sending the list back changes nothing: it is not a field of the settings' input.
    refused = send_json(
        token,
        "PATCH",
        "/api/v1/organization/settings",
        {"version": body["version"], "enabled_modules": ["ledger"]},
    )
    assert refused.status_code == 422
    org_a.refresh_from_db()
    assert org_a.enabled_modules == ["donors", "ledger"]
