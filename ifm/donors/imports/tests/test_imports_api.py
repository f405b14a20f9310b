"""/api/v1/imports: dry run, queued import and its progress, with real tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.imports.tests.test_imports import DONORS_CSV
from ifm.donors.models import Donor, ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(donors_org: Any, cast: dict[str, Any]) -> Client:
    return api_client_for(cast["fundraising"], donors_org)


def _post(client: Client, data: bytes, name: str = "donors.csv", **fields: Any) -> Any:
    return client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **fields},
    )


def test_dry_run_then_import_then_progress(
    client: Client, donors_org: Any, run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _post(client, DONORS_CSV, kind="donors")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["run_id"] is None
    assert (body["total"], body["new"], body["problems"]) == (3, 3, [])
    assert body["mapping"]["last_name"] == "Last Name"

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            DONORS_CSV,
            kind="donors",
            dry_run="false",
            mapping=json.dumps({"first_name": "First Name", "last_name": "Last Name"}),
        )
    assert response.status_code == 200, response.content
    run_id = response.json()["run_id"]
    assert run_id
    queued = client.get(f"/api/v1/imports/{run_id}").json()
    assert (queued["status"], queued["done"], queued["total"]) == ("queued", 0, 3)
    run_jobs()
    done = client.get(f"/api/v1/imports/{run_id}").json()
    assert (done["status"], done["done"], done["percent"], done["created_count"]) == (
        "done",
        3,
        100,
        3,
    )
    with org_context(donors_org):
        # Only the mapped columns were imported.
        assert set(Donor.objects.values_list("email", flat=True)) == {""}
        assert ImportRun.objects.get().mapping == {
            "first_name": "First Name",
            "last_name": "Last Name",
        }


def test_problems_and_bad_files(client: Client) -> None:
    problem = assert_problem(
        _post(client, "Prénom,Nom\nJosé,N\n".encode("latin-1"), kind="donors"), 422
    )
    assert problem["errors"][0]["field"] == "file"
    problem = assert_problem(_post(client, b"%PDF-1.4 xx", name="x.pdf", kind="donors"), 422)
    assert "not a CSV or XLSX" in problem["detail"]
    problem = assert_problem(_post(client, DONORS_CSV, kind="donors", mapping="[1]"), 422)
    assert problem["errors"][0]["field"] == "mapping"
    problem = assert_problem(_post(client, DONORS_CSV, kind="pets"), 422)
    assert client.post("/api/v1/imports", {"kind": "donors"}).status_code == 422
    gifts = b"Email,Amount,Date\nnobody@example.org,10.001,2026-01-01\n"
    body = _post(client, gifts, kind="donations").json()
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(2, "Amount"), (2, "Email")]


def test_permissions_and_isolation(donors_org: Any, org_b: Any, cast: dict[str, Any]) -> None:
    viewer = api_client_for(cast["viewer"], donors_org)
    assert_problem(_post(viewer, DONORS_CSV, kind="donors"), 403)
    with org_context(donors_org):
        run = ImportRun.objects.create(kind="donors", file_hash="x" * 64)
    other = api_client_for(cast["other_admin"], org_b)
    assert_problem(other.get(f"/api/v1/imports/{run.pk}"), 404)


def test_the_same_file_again_answers_its_earlier_run(
    client: Client, donors_org: Any, run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dry = _post(client, DONORS_CSV, kind="donors").json()
    assert (dry["run_id"], dry["file_already_imported"]) == (None, False)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, DONORS_CSV, kind="donors", dry_run="false").json()
    assert first["run_id"]
    assert first["file_already_imported"] is False
    run_jobs()
    with django_capture_on_commit_callbacks(execute=True):
        again = _post(client, DONORS_CSV, kind="donors", dry_run="false").json()
    assert (again["run_id"], again["file_already_imported"]) == (first["run_id"], True)
    assert (again["new"], again["already_imported"]) == (0, 3)
    assert run_jobs() == 0
    with org_context(donors_org):
        assert (ImportRun.objects.count(), Donor.objects.count()) == (1, 3)
