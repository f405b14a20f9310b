"""The two doors of a kinder import: the dry run page and /api/v1/imports offer the valid rows
on request and the rejected rows as a file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.imports.mapping import ERROR_COLUMN
from ifm.donors.imports.tests.test_import_valid_rows import MIXED_DONORS, _body, _csv_rows
from ifm.donors.imports.tests.test_pages_imports import _commit, _through_mapping
from ifm.donors.models import Donor, ImportRun

pytestmark = pytest.mark.django_db


def test_the_dry_run_page_names_donors_and_imports_the_valid_rows_on_request(
    donors_org: Any, cast: dict[str, Any], run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast["fundraising"])
    check_url = _through_mapping(client, donors_org, "donors", MIXED_DONORS, "m.csv")
    page = client.get(check_url)
    body = page.content.decode()
    assert '<td class="text-break">Bad Email</td>' in body
    assert 'id="commit-import" disabled' in body  # all or nothing: the whole file cannot go
    assert 'id="commit-valid"' in body
    assert "Import the 2 valid rows only" in body

    rejected = client.get(check_url.replace("/check/", "/rejected.csv"))
    assert rejected.status_code == 200
    rows = _csv_rows(_body(rejected))
    assert rows[0][-1] == ERROR_COLUMN
    assert [r[0] for r in rows[1:]] == ["M-2", "M-4"]
    assert client.get(check_url.replace("/check/", "/rejected.xlsx")).status_code == 200

    # No choice made: all or nothing, refused.
    refused = _commit(client, check_url, django_capture_on_commit_callbacks)
    assert refused.status_code == 422
    assert run_jobs() == 0

    done = _commit(
        client, check_url, django_capture_on_commit_callbacks, data={"mode": "valid_only"}
    )
    assert done.status_code == 302
    assert run_jobs() == 1
    assert sorted(Donor.objects.values_list("last_name", flat=True)) == ["Li", "Reyes"]
    run_page = client.get(done["Location"])
    assert 'id="rejected-rows"' in run_page.content.decode()
    run_rejected = client.get(done["Location"] + "rejected.csv")
    assert [r[0] for r in _csv_rows(_body(run_rejected))[1:]] == ["M-2", "M-4"]


def test_another_organizations_rejected_rows_are_a_404(
    donors_org: Any, cast: dict[str, Any], run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast["fundraising"])
    check_url = _through_mapping(client, donors_org, "donors", MIXED_DONORS, "m.csv")
    done = _commit(
        client, check_url, django_capture_on_commit_callbacks, data={"mode": "valid_only"}
    )
    run_jobs()
    other = client_for(cast["other_admin"])
    theirs = done["Location"].replace(f"/o/{donors_org.slug}/", "/o/beta/")
    assert other.get(theirs + "rejected.csv").status_code == 404


def _post(client: Client, path: str, data: bytes, **fields: Any) -> Any:
    return client.post(
        path, {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv"), **fields}
    )


def test_the_api_imports_the_valid_rows_and_serves_the_rejected_ones(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
    org_b: Any,
) -> None:
    client = api_client_for(cast["fundraising"], donors_org)
    dry = _post(client, "/api/v1/imports", MIXED_DONORS, kind="donors").json()
    assert dry["problems"][0]["name"] == "Bad Email"

    all_or_nothing = _post(client, "/api/v1/imports", MIXED_DONORS, kind="donors", dry_run="false")
    assert all_or_nothing.json()["run_id"] is None

    checked = _post(client, "/api/v1/imports/rejected", MIXED_DONORS, kind="donors")
    assert checked.status_code == 200
    assert [r[0] for r in _csv_rows(_body(checked))[1:]] == ["M-2", "M-4"]
    assert Donor.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        queued = _post(
            client,
            "/api/v1/imports",
            MIXED_DONORS,
            kind="donors",
            dry_run="false",
            valid_only="true",
        )
    run_id = queued.json()["run_id"]
    assert run_id
    run_jobs()
    run = client.get(f"/api/v1/imports/{run_id}").json()
    assert (run["status"], run["created_count"], run["valid_only"], run["rejected_rows"]) == (
        "done",
        2,
        True,
        2,
    )
    xlsx = client.get(f"/api/v1/imports/{run_id}/rejected", {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    other = api_client_for(cast["other_admin"], org_b)
    assert_problem(other.get(f"/api/v1/imports/{run_id}/rejected"), 404)


def test_the_api_refuses_rejected_rows_of_a_run_that_left_none_out(
    donors_org: Any, cast: dict[str, Any], run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client_for(cast["fundraising"], donors_org)
    good = b"First Name,Last Name\nAna,Reyes\n"
    with django_capture_on_commit_callbacks(execute=True):
        queued = _post(
            client,
            "/api/v1/imports",
            good,
            kind="donors",
            dry_run="false",
            mapping=json.dumps({"first_name": "First Name", "last_name": "Last Name"}),
        )
    run_jobs()
    run_id = queued.json()["run_id"]
    assert_problem(client.get(f"/api/v1/imports/{run_id}/rejected"), 409)
    with org_context(donors_org):
        assert ImportRun.objects.get(pk=run_id).valid_only is False
