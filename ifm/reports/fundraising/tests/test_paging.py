"""The LYBUNT and SYBUNT pages show their donors a hundred at a time, with the totals of all of
them; their files and the API keep every donor."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for
from ifm.donors.imports.services import import_start
from ifm.donors.imports.tasks import import_commit_job
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.reports.fundraising.views import ROWS_PER_PAGE
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

YEAR = date.today().year
DONORS = ROWS_PER_PAGE + 5


def _import(org: Organization, kind: str, data: str) -> None:
    admin = Membership.objects.get(organization=org, role="admin")
    _result, run, _ = import_start(
        organization=org,
        actor=admin.user,
        access=admin,
        kind=kind,
        data=data.encode(),
        filename=f"{kind}.csv",
        dry_run=False,
    )
    assert run is not None
    import_commit_job.call(organization_id=org.pk, run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.errors


@pytest.fixture
def many(alpha: Organization) -> Organization:
    """DONORS donors who each gave last year (donor i gave i + 1 dollars), none this year."""
    fiscal_year_ensure(organization=alpha, on=date(YEAR - 1, 6, 1))
    donors = "".join(f"C{i},Donor{i:03d},Paged,d{i}@example.org\n" for i in range(DONORS))
    _import(alpha, "donors", "LGL Constituent ID,First Name,Last Name,Email\n" + donors)
    gifts = "".join(f"G{i},C{i},{i + 1}.00,{YEAR - 1}-06-01,Cash,GEN\n" for i in range(DONORS))
    _import(
        alpha,
        "donations",
        "LGL Gift ID,LGL Constituent ID,Gift Amount,Gift date,Payment type,Fund\n" + gifts,
    )
    return alpha


@pytest.mark.parametrize("kind", ["lybunt", "sybunt"])
def test_a_page_of_donors_with_the_totals_of_all(many: Organization, cast: Any, kind: str) -> None:
    client = client_for(cast["fundraising"])
    url = reverse(f"reports:{kind}", kwargs={"org_slug": many.slug})
    total = sum(range(1, DONORS + 1))
    first = client.get(url).content.decode()
    assert first.count('id="row-donor-') == ROWS_PER_PAGE
    assert f"All {DONORS} {kind.upper()} donors" in first
    assert f"{total:,}.00" in first
    assert "Page 1 of 2" in first
    # The largest giver of last year first: donor DONORS - 1 on page 1, donor 0 on page 2.
    assert f"Donor{DONORS - 1:03d}" in first
    assert "Donor000 " not in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count('id="row-donor-') == DONORS - ROWS_PER_PAGE
    assert f"All {DONORS} {kind.upper()} donors" in second
    assert "Donor000 " in second

    exported: Any = client.get(url + "export.csv?page=2")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert sum(1 for r in rows if r and r[0].startswith("Donor")) == DONORS
    api = api_client_for(cast["fundraising"], many)
    body = api.get(f"/api/v1/reports/{kind}?year={YEAR}").json()
    assert len([r for r in body["rows"] if r.get("donor_id")]) == DONORS
