"""The import pages with a file over IMPORT_INLINE_CHECK_KB: its dry run is the same job as the
API's (import_start decides), the check page follows its progress with htmx, then shows the
counts and problems and lets the commit proceed; a small file is still checked in the request.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.imports.tests.test_import_files import _donors_csv
from ifm.donors.imports.tests.test_pages_imports import _preselected, _upload
from ifm.donors.models import Donor, ImportRun, ImportStatus, ImportUpload

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _map(client: Client, org: Any, data: bytes, name: str, capture: Any) -> tuple[str, Any]:
    """Upload, look at the columns, save the proposed mapping (running what it queues at
    commit); returns the check page's URL and the mapping page."""
    uploaded = _upload(client, org, "donors", data, name)
    assert uploaded.status_code == 302, uploaded.content.decode()[:2000]
    mapping_url = uploaded["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    with capture(execute=True):
        saved = client.post(mapping_url, _preselected(page))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    return str(saved["Location"]), page


def test_a_large_file_is_checked_by_a_job_whose_progress_the_page_follows(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_INLINE_CHECK_KB = 1
    client = client_for(cast["fundraising"])
    data = _donors_csv(4500, bad_every=1000)
    check_url, mapping = _map(
        client, donors_org, data, "big.csv", django_capture_on_commit_callbacks
    )
    assert "a large file whose rows are counted in the dry run" in mapping.content.decode()

    # The mapping step queued the dry-run job: nothing checked in the request, nothing written.
    run = ImportRun.objects.get()
    assert (run.dry_run, run.status, run.total) == (True, ImportStatus.QUEUED, 0)
    upload = ImportUpload.objects.get()
    assert upload.dry_run == {"mapping": upload.mapping, "run_id": run.pk}
    assert Donor.objects.count() == 0

    page = client.get(check_url)
    assert page.status_code == 200
    assert page.templates[0].name == "donors/imports/checking.html"
    body = page.content.decode()
    assert f'hx-get="{check_url}" hx-trigger="every 2s"' in body
    assert "Waiting for a worker to check the file" in body
    assert 'id="commit-import"' not in body  # no commit before the result

    # The polled panel shows the job's progress, alone (not the whole page).
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, total=4500, done=2000)
    panel = client.get(check_url, headers=HTMX)
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "<html" not in text
    assert "2,000 of 4,500 rows checked" in text
    assert 'max="4500" value="2000"' in text
    assert 'hx-trigger="every 2s"' in text
    assert "HX-Request" in panel["Vary"]
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.QUEUED, total=0, done=0)

    assert run_jobs() == 1
    # The next poll sends the browser to the full page, which shows the result.
    over = client.get(check_url, headers=HTMX)
    assert (over.status_code, over["HX-Redirect"]) == (200, check_url)
    result_page = client.get(check_url)
    assert result_page.templates[0].name == "donors/imports/check.html"
    result = result_page.context["result"]
    assert (result.total, result.new) == (4500, 4496)
    assert [(p.row, p.column) for p in result.problems] == [
        (1001, "Email"),
        (2001, "Email"),
        (3001, "Email"),
        (4001, "Email"),
    ]
    content = result_page.content.decode()
    assert 'id="count-problems">4<' in content
    assert "&#x27;not-an-email&#x27; is not an email address." in content
    assert 'id="commit-import" disabled' in content
    # The result is kept with the upload: the pages no longer ask the run.
    upload.refresh_from_db()
    assert "run_id" not in upload.dry_run
    assert (upload.dry_run["total"], len(upload.dry_run["problems"])) == (4500, 4)
    ImportRun.objects.filter(pk=run.pk).delete()
    assert client.get(check_url).context["result"].total == 4500
    assert Donor.objects.count() == 0


def test_a_large_clean_file_is_checked_by_the_job_then_committed(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_INLINE_CHECK_KB = 1
    client = client_for(cast["fundraising"])
    check_url, _ = _map(
        client, donors_org, _donors_csv(2500), "clean.csv", django_capture_on_commit_callbacks
    )
    assert client.get(check_url).context["run"].status == ImportStatus.QUEUED
    assert run_jobs() == 1
    page = client.get(check_url)
    assert (page.context["result"].new, page.context["can_commit"]) == (2500, True)
    assert "Commit the import (2,500 to create)" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(check_url.replace("/check/", "/commit/"))
    assert committed.status_code == 302
    run = ImportRun.objects.get(dry_run=False)
    assert committed["Location"].endswith(f"/imports/{run.pk}/")
    # A check page left polling in another tab follows the commit with the whole page.
    assert client.get(check_url, headers=HTMX)["HX-Redirect"] == committed["Location"]
    assert run_jobs() == 1
    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 2500)
    assert Donor.objects.count() == 2500


def test_a_large_file_the_job_cannot_read_says_why_and_writes_nothing(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The read-through that finds a malformed line is the job's for a large file: the page
    tells what the job found, with the line."""
    settings.IMPORT_INLINE_CHECK_KB = 1
    client = client_for(cast["fundraising"])
    data = _donors_csv(2000) + b'X-9999,"Pat"x,Bad,bad@example.org\n'
    check_url, _ = _map(client, donors_org, data, "broken.csv", django_capture_on_commit_callbacks)
    assert run_jobs() == 1
    # The last poll of the panel sends the browser to the page, which says why.
    assert client.get(check_url, headers=HTMX)["HX-Redirect"] == check_url
    page = client.get(check_url)
    assert page.status_code == 200
    assert page.context["run"].status == ImportStatus.FAILED
    body = page.content.decode()
    assert "The check stopped" in body
    assert "The CSV file is malformed on line 2002" in body
    assert 'hx-trigger="every 2s"' not in body
    assert 'id="commit-import"' not in body
    assert Donor.objects.count() == 0

    # Within the first rows the mapping page shows, it is refused at once, as before.
    early = _donors_csv(30).replace(b"X-20,Pat", b'X-20,"Pat"x')
    uploaded = _upload(client, donors_org, "donors", early, "early.csv")
    refused = client.get(uploaded["Location"], follow=True)
    assert "The CSV file is malformed on line 21" in refused.content.decode()


def test_a_small_file_is_still_checked_in_the_request(
    donors_org: Any,
    cast: dict[str, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_INLINE_CHECK_KB = 256
    client = client_for(cast["fundraising"])
    check_url, mapping = _map(
        client,
        donors_org,
        _donors_csv(40, bad_every=20),
        "s.csv",
        django_capture_on_commit_callbacks,
    )
    assert "40 rows of data" in mapping.content.decode()
    assert ImportRun.objects.count() == 0  # no job
    page = client.get(check_url)
    assert page.templates[0].name == "donors/imports/check.html"
    assert [p.row for p in page.context["result"].problems] == [21, 41]
    # An htmx request for the page (an old poll) is sent to the full page.
    assert client.get(check_url, headers=HTMX)["HX-Redirect"] == check_url


def test_a_large_file_that_is_obviously_not_csv_is_refused_in_the_request(
    donors_org: Any, cast: dict[str, Any], settings: Any
) -> None:
    """The read-through moves to the job for a large file; what the first bytes or the whole
    file's encoding tell is still refused at once, on the page and on the API."""
    settings.IMPORT_INLINE_CHECK_KB = 1
    latin = _donors_csv(200) + "José,Núñez,x,y\n".encode("latin-1")
    one_column = b"\n".join(b"just text without separators %d" % i for i in range(200))
    client = client_for(cast["fundraising"])
    api = api_client_for(cast["fundraising"], donors_org)
    for data, message in ((latin, "is not UTF-8 text"), (one_column, "no separators")):
        page = _upload(client, donors_org, "donors", data, "x.csv")
        assert page.status_code == 422
        assert message in page.content.decode()
        answer = api.post(
            "/api/v1/imports", {"kind": "donors", "file": SimpleUploadedFile("x.csv", data)}
        )
        assert_problem(answer, 422)
        assert message in answer.json()["detail"]
    assert (ImportUpload.objects.count(), ImportRun.objects.count()) == (0, 0)
