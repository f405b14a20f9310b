"""The fundraising reports through their pages, files and API: the roles that may see them,
the donors behind a figure, "save as donor list", and never another organization's donors."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.models import DonorList, DonorListMember
from ifm.reports.fundraising.tests.conftest import Give, make_donor, make_gift
from ifm.reports.fundraising.urls import ROUTES
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

YEAR = date.today().year
API = ["lybunt", "sybunt", "retention", "gift-range", "campaigns", "top-donors", "monthly-giving"]


def _url(name: str, slug: str = "alpha") -> str:
    return reverse(f"reports:{name}", kwargs={"org_slug": slug})


@pytest.fixture
def lapsed(alpha: Organization, org_b: Organization, donor: Any, give: Give) -> dict[str, Any]:
    """In A: Ann gave last year only, Bob in both years; in B: Zed gave last year only."""
    ann, bob = donor("Ann"), donor("Bob")
    give(ann, date(YEAR - 1, 3, 1), "120.00")
    give(bob, date(YEAR - 1, 3, 1), "80.00")
    give(bob, date(YEAR, 1, 2), "80.00")
    with org_context(org_b):
        zed = make_donor(org_b, "Zed")
        make_gift(org_b, zed, date(YEAR - 1, 3, 1), "999.00")
    return {"ann": ann, "bob": bob, "zed": zed}


@pytest.mark.parametrize("role", ["admin", "finance", "fundraising", "viewer"])
def test_the_roles_with_fundraising_reports_see_each_of_them(
    lapsed: dict[str, Any], cast: Any, role: str
) -> None:
    client = client_for(cast[role])
    home = client.get(_url("home")).content.decode()
    api = api_client_for(cast[role], lapsed["ann"].organization)
    for name in ROUTES:
        assert _url(name) in home
        response = client.get(_url(name))
        assert response.status_code == 200, name
        assert client.get(_url(f"{name}_csv")).status_code == 200
        assert client.get(_url(f"{name}_xlsx")).status_code == 200
    for path in API:
        assert api.get(f"/api/v1/reports/{path}").status_code == 200, path


def test_a_volunteer_coordinator_sees_none_of_them(lapsed: dict[str, Any], cast: Any) -> None:
    client = client_for(cast["volunteer_coordinator"])
    for name in ROUTES:
        assert client.get(_url(name)).status_code == 403
    assert client.get(_url("fundraising_donors") + "?report=lybunt&year=2025").status_code == 403
    api = api_client_for(cast["volunteer_coordinator"], lapsed["ann"].organization)
    for path in API:
        assert_problem(api.get(f"/api/v1/reports/{path}"), 403)


def test_lybunt_api_lists_this_organizations_donors_only(lapsed: dict[str, Any], cast: Any) -> None:
    api = api_client_for(cast["fundraising"], lapsed["ann"].organization)
    body = api.get(f"/api/v1/reports/lybunt?year={YEAR}&basis=calendar").json()
    donors = [row["donor_id"] for row in body["rows"] if row["donor_id"]]
    assert donors == [lapsed["ann"].pk]
    assert body["rows"][0]["values"] == {"prior_total": "120.00", "lifetime_total": "120.00"}
    assert body["totals"]["donors"] == "1.00"
    assert body["rows"][0]["href"].endswith(f"/donors/{lapsed['ann'].pk}/")
    sybunt = api.get("/api/v1/reports/sybunt").json()
    assert [r["donor_id"] for r in sybunt["rows"] if r["donor_id"]] == [lapsed["ann"].pk]
    page = client_for(cast["fundraising"]).get(_url("lybunt")).content.decode()
    assert "Ann Tester" in page
    assert "Zed" not in page
    assert "Save as donor list" in page
    assert_problem(api.get("/api/v1/reports/lybunt?basis=lunar"), 422)
    assert_problem(api.get("/api/v1/reports/retention?years=50"), 422)
    assert_problem(api.get("/api/v1/reports/gift-range?ranges=1,x"), 422)


def test_the_donors_behind_a_figure(lapsed: dict[str, Any], cast: Any) -> None:
    client = client_for(cast["viewer"])
    drill = _url("fundraising_donors")
    html = client.get(f"{drill}?report=lybunt&year={YEAR}").content.decode()
    assert "Ann Tester" in html
    assert "Bob Tester" not in html
    assert "Zed" not in html
    html = client.get(f"{drill}?report=retention&year={YEAR}&segment=retained").content.decode()
    assert "Bob Tester" in html
    assert "Ann Tester" not in html
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(f"{_url('fundraising_donors_csv')}?report=sybunt&year={YEAR}")
                ).decode()
            )
        )
    )
    assert len(rows) == 2
    assert rows[1][0] == lapsed["ann"].reference
    for bad in (
        "report=nope",
        "report=lybunt&year=abc",
        "report=lybunt&year=%C2%B2",
        "report=range&from=x&to=y",
    ):
        assert client.get(f"{drill}?{bad}").status_code == 400
    assert client.get(f"{drill}?report=campaign&campaign=999999").status_code == 400


def test_save_as_donor_list_holds_exactly_the_lybunt_donors(
    lapsed: dict[str, Any], cast: Any
) -> None:
    org = lapsed["ann"].organization
    client = client_for(cast["fundraising"])
    response = client.post(
        _url("lybunt_save_list"), {"year": YEAR, "basis": "calendar", "name": "Call them"}
    )
    assert response.status_code == 302
    with org_context(org):
        saved = DonorList.objects.get()
        assert saved.name == "Call them"
        assert saved.criteria == {"report": "lybunt", "year": YEAR, "basis": "calendar"}
        members = set(DonorListMember.objects.values_list("donor_id", flat=True))
    assert members == {lapsed["ann"].pk}
    detail = client.get(response["Location"]).content.decode()
    assert "Ann Tester" in detail

    api = api_client_for(cast["fundraising"], org)
    made = send_json(api, "POST", "/api/v1/reports/sybunt/save-list", {"year": YEAR})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["donor_ids"] == [lapsed["ann"].pk]
    assert body["name"] == f"SYBUNT {YEAR}"
    listed = api.get("/api/v1/donor-lists").json()
    assert {item["size"] for item in listed["items"]} == {1}
    assert api.get(f"/api/v1/donor-lists/{body['id']}").json()["donor_ids"] == [lapsed["ann"].pk]
    assert api.delete(f"/api/v1/donor-lists/{body['id']}").status_code == 204
    assert_problem(api.get(f"/api/v1/donor-lists/{body['id']}"), 404)


def test_saving_a_list_needs_the_permission_to_edit_donors(
    lapsed: dict[str, Any], cast: Any
) -> None:
    org = lapsed["ann"].organization
    viewer = client_for(cast["viewer"])
    assert "Save as donor list" not in viewer.get(_url("lybunt")).content.decode()
    assert viewer.post(_url("lybunt_save_list"), {"year": YEAR}).status_code == 403
    api = api_client_for(cast["viewer"], org)
    assert_problem(send_json(api, "POST", "/api/v1/reports/lybunt/save-list", {}), 403)
    with org_context(org):
        assert not DonorList.objects.exists()


def test_another_organizations_list_is_not_found(
    lapsed: dict[str, Any], cast: Any, org_b: Organization
) -> None:
    other = api_client_for(cast["other_admin"], org_b)
    made = send_json(other, "POST", "/api/v1/reports/lybunt/save-list", {"year": YEAR})
    assert made.json()["donor_ids"] == [lapsed["zed"].pk]
    list_id = made.json()["id"]
    api = api_client_for(cast["admin"], lapsed["ann"].organization)
    assert_problem(api.get(f"/api/v1/donor-lists/{list_id}"), 404)
    assert_problem(api.delete(f"/api/v1/donor-lists/{list_id}"), 404)
    page = reverse(
        "donors:donor_list_detail", kwargs={"org_slug": "alpha", "donorlist_id": list_id}
    )
    assert client_for(cast["admin"]).get(page).status_code == 404


def test_every_fundraising_report_has_a_pdf(lapsed: dict[str, Any], cast: Any) -> None:
    client = client_for(cast["viewer"])
    for name in ROUTES:
        response = client.get(_url(f"{name}_pdf"), {"year": YEAR} if "ybunt" in name else {})
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Alpha" in text, name  # the organization's name, in the header
        assert "Page 1 of" in text, name
        assert "Zed" not in text, name
    lybunt = client.get(_url("lybunt_pdf"), {"year": YEAR})
    assert "Ann Tester" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(lybunt.content)).pages
    )


def test_the_api_lists_the_donors_behind_a_figure(lapsed: dict[str, Any], cast: Any) -> None:
    api = api_client_for(cast["viewer"], lapsed["ann"].organization)
    body = api.get(f"/api/v1/reports/lybunt?year={YEAR}").json()
    total = next(row for row in body["rows"] if row["key"] == "total")
    query = total["href"].partition("?")[2]
    found = api.get(f"/api/v1/reports/donors?{query}").json()
    assert [d["id"] for d in found["items"]] == [lapsed["ann"].pk]
    assert found["items"][0]["name"] == "Ann Tester"
    sybunt = api.get(f"/api/v1/reports/donors?report=sybunt&year={YEAR}").json()
    assert [d["id"] for d in sybunt["items"]] == [lapsed["ann"].pk]  # never B's Zed
