"""Import pages: upload, column mapping, dry run, commit and progress, the list of imports,
walked with the real NPSP template; bad files, bad rows, permissions and isolation."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.donors.imports.reading import read_table
from ifm.donors.models import (
    Donation,
    Donor,
    ImportMapping,
    ImportRun,
    ImportStatus,
    ImportUpload,
)

pytestmark = pytest.mark.django_db

# The NPSP data import template as Salesforce ships it (a byte-for-byte copy of the real file).
NPSP = Path(__file__).parent / "fixtures" / "NPSP_Data_Import_Template_csv.csv"


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/donors/imports/{rest}"


def _npsp_with_rows(rows: list[dict[str, str]]) -> bytes:
    """The NPSP template as it is (instructions, labels, API names), with data rows added."""
    text = NPSP.read_text(encoding="utf-8-sig")
    headers = next(r for r in csv.reader(io.StringIO(text)) if "Contact1 First Name" in r)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return text.rstrip("\r\n").encode() + b"\r\n" + out.getvalue().encode()


NPSP_ROWS = [
    {
        "Contact1 Salutation": "Ms.",
        "Contact1 First Name": "Ana",
        "Contact1 Last Name": "Reyes",
        "Contact1 Personal Email": "ana@example.org",
        "Home Street": "1 Main St",
        "Home City": "Cambridge",
        "Home State/Province": "MA",
        "Home Zip/Postal Code": "02139",
        "Home Country": "United States",
        "Donation Amount": "100.00",
        "Donation Date": "2026-01-15",
        "Payment Method": "Check",
        "Payment Check/Reference Number": "1001",
        "Campaign Name": "Spring appeal",
    },
    {
        "Contact1 First Name": "Ben",
        "Contact1 Last Name": "Okafor",
        "Contact1 Personal Email": "ben@example.org",
        "Home Zip/Postal Code": "10001",
        "Donation Amount": "1,250.50",
        "Donation Date": "01/20/2026",
        "Payment Method": "Credit Card",
    },
    {
        "Contact1 First Name": "Chen",
        "Contact1 Last Name": "Li",
        "Contact1 Personal Email": "chen@example.org",
        "Home Zip/Postal Code": "94110",
        "Donation Amount": "25",
        "Donation Date": "2026-02-01",
        "Payment Method": "cash",
    },
]


def _upload(client: Client, org: Any, kind: str, data: bytes, name: str) -> Any:
    return client.post(
        url(org, "new/"), {"kind": kind, "file": SimpleUploadedFile(name, data)}, follow=False
    )


def _preselected(page: Any) -> dict[str, str]:
    """The mapping form as the page proposes it: each select's preselected value."""
    form = page.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def _through_mapping(client: Client, org: Any, kind: str, data: bytes, name: str) -> str:
    """Upload, accept the proposed mapping; returns the dry run page's URL."""
    response = _upload(client, org, kind, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    saved = client.post(mapping_url, _preselected(page))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    return str(saved["Location"])


def _commit(client: Client, check_url: str, capture: Any, **extra: Any) -> Any:
    with capture(execute=True):
        return client.post(check_url.replace("/check/", "/commit/"), **extra)


def test_the_npsp_template_as_it_is_goes_through_the_wizard(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(cast["fundraising"])
    start = client.get(url(donors_org, "new/"))
    assert start.status_code == 200
    assert b'enctype="multipart/form-data"' in start.content
    response = _upload(client, donors_org, "donors", NPSP.read_bytes(), NPSP.name)
    assert response.status_code == 302
    mapping_page = client.get(response["Location"])
    content = mapping_page.content.decode()
    # The headers are the labels of line 5; the proposal is suggest_mapping's.
    assert "Contact1 First Name" in content
    assert "headers on row 5" in content
    proposed = _preselected(mapping_page)
    table = read_table(NPSP.read_bytes(), NPSP.name)
    first = table.headers.index("Contact1 First Name")
    assert proposed[f"column_{first}"] == "first_name"

    check_url = _through_mapping(client, donors_org, "donors", NPSP.read_bytes(), NPSP.name)
    check = client.get(check_url)
    assert check.status_code == 200
    assert check.context["result"].total == 0
    assert check.context["can_commit"]
    done = _commit(client, check_url, django_capture_on_commit_callbacks)
    assert done.status_code == 302
    run_jobs()
    page = client.get(done["Location"])
    assert page.status_code == 200
    assert page.context["run"].status == ImportStatus.DONE
    assert b"Imported" in page.content


def test_whole_wizard_imports_donors_then_donations_and_a_rerun_creates_nothing(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(cast["fundraising"])
    data = _npsp_with_rows(NPSP_ROWS)

    # Donors.
    check_url = _through_mapping(client, donors_org, "donors", data, "npsp.csv")
    assert ImportMapping.objects.filter(kind="donors").count() == 1  # remembered on continue
    check = client.get(check_url)
    assert check.status_code == 200
    result = check.context["result"]
    assert (result.total, result.new, result.matched, len(result.problems)) == (3, 3, 0, 0)
    assert b'id="commit-import" disabled' not in check.content
    assert Donor.objects.count() == 0  # the dry run wrote nothing

    response = _commit(client, check_url, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    run_url = response["Location"]
    assert ImportUpload.objects.get().data == b""  # the run has the file now
    queued = client.get(run_url)
    assert queued.status_code == 200
    assert b'hx-trigger="every 2s"' in queued.content
    assert b"Waiting for a worker" in queued.content
    assert b"<progress" in queued.content
    # While the job writes, the panel shows its phase and how far it is.
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status="running", phase="writing", done=1)
    running = client.get(run_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert "Writing" in running
    assert "1 of 3 rows" in running
    assert '<progress class="w-100" id="import-bar" max="3" value="1">' in running
    ImportRun.objects.filter(pk=run.pk).update(status="queued", phase="", done=0)

    assert run_jobs() == 1
    partial = client.get(run_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body  # only the panel
    assert "hx-trigger" not in body  # done: the polling stops
    assert "Imported" in body
    assert partial.context["run"].created_count == 3
    ana = Donor.objects.get(email="ana@example.org")
    assert (ana.first_name, ana.last_name, ana.postal_code, ana.city) == (
        "Ana",
        "Reyes",
        "02139",
        "Cambridge",
    )
    assert Donor.objects.count() == 3

    # Donations, from the same file.
    check_url = _through_mapping(client, donors_org, "donations", data, "npsp.csv")
    check = client.get(check_url)
    result = check.context["result"]
    assert (result.total, result.new, len(result.problems)) == (3, 3, 0)
    response = _commit(client, check_url, django_capture_on_commit_callbacks)
    run_url = response["Location"]
    run_jobs()
    page = client.get(run_url)
    assert page.context["run"].status == ImportStatus.DONE
    assert b'id="created-count">3<' in page.content
    gifts = {d.amount: d for d in Donation.objects.select_related("donor")}
    assert set(gifts) == {Decimal("100.00"), Decimal("1250.50"), Decimal("25.00")}
    assert gifts[Decimal("100.00")].donor == ana
    assert gifts[Decimal("100.00")].check_number == "1001"
    assert gifts[Decimal("1250.50")].method == "card"

    # The same file again: the dry run says so, and committing creates nothing.
    first_run = ImportRun.objects.get(kind="donations")
    check_url = _through_mapping(client, donors_org, "donations", data, "npsp.csv")
    check = client.get(check_url)
    assert (check.context["result"].new, check.context["result"].already_imported) == (0, 3)
    response = _commit(client, check_url, django_capture_on_commit_callbacks, follow=True)
    assert response.status_code == 200
    assert response.context["run"].pk == first_run.pk
    assert "imported before" in response.content.decode()
    assert run_jobs() == 0
    assert Donation.objects.count() == 3
    assert ImportRun.objects.filter(kind="donations").count() == 1

    # The list of imports: status, counts, who and when.
    listing = client.get(url(donors_org))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert text.count("npsp.csv") == 2
    assert "Alpha Fundraising" in text or str(cast["fundraising"]) in text
    assert "Done" in text


def _text(body: str) -> bytes:
    return (body.strip() + "\n").encode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (bytes(range(256)) * 4, "gifts.csv", "binary data"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "gifts.pdf", "not a CSV or XLSX file"),
        (b"First Name,Last Name\nAna,Reyes\n", "gifts.xls", "not a CSV or XLSX file"),
        ("First Name,Last Name\nAna,Reyes\nJosé,Núñez\n".encode("latin-1"), "l1.csv", "line 3"),
        (b'First Name,Last Name\nAna,"Reyes\n', "bad.csv", "malformed"),
        (b"PK\x03\x04not really a workbook", "gifts.xlsx", "cannot be opened"),
    ],
    ids=["binary", "pdf", "xls", "latin-1", "malformed", "broken-xlsx"],
)
def test_a_bad_file_is_an_error_on_the_form_and_writes_nothing(
    donors_org: Any, cast: dict[str, Any], data: bytes, name: str, message: str
) -> None:
    client = client_for(cast["fundraising"])
    response = _upload(client, donors_org, "donors", data, name)
    assert response.status_code == 422
    form = response.context["form"]
    assert any(message in e for e in form.errors["file"]), form.errors
    assert message in response.content.decode()
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert ImportUpload.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_no_file_or_no_kind_is_an_error_on_the_form(donors_org: Any, cast: dict[str, Any]) -> None:
    client = client_for(cast["fundraising"])
    response = client.post(url(donors_org, "new/"), {"kind": "donors"})
    assert response.status_code == 422
    assert "file" in response.context["form"].errors
    response = _upload(client, donors_org, "pets", b"Name,Kind\nRex,dog\n", "pets.csv")
    assert response.status_code == 422
    assert "kind" in response.context["form"].errors
    assert ImportUpload.objects.count() == 0


def test_a_bad_row_is_shown_with_its_row_and_column_and_commit_is_refused(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(cast["fundraising"])
    data = _text(
        """
External ID,First Name,Last Name,Email,Zip
C-1,Ana,Reyes,ana@example.org,02139
C-2,Ben,Okafor,not-an-email,10001
C-3,Chen,Li,chen@example.org,94110
"""
    )
    check_url = _through_mapping(client, donors_org, "donors", data, "donors.csv")
    check = client.get(check_url)
    assert check.status_code == 200
    body = check.content.decode()
    assert 'id="commit-import" disabled' in body
    problems = check.context["result"].problems
    assert [(p.row, p.column) for p in problems] == [(3, "Email")]
    assert '<td class="text-end">3</td>' in body
    assert "not an email address" in body
    assert 'id="count-problems">1<' in body

    refused = _commit(client, check_url, django_capture_on_commit_callbacks)
    assert refused.status_code == 422
    assert "nothing was imported" in refused.content.decode()
    assert run_jobs() == 0
    assert ImportRun.objects.count() == 0
    assert Donor.objects.count() == 0


def test_many_problems_are_paginated(donors_org: Any, cast: dict[str, Any]) -> None:
    client = client_for(cast["fundraising"])
    lines = ["First Name,Last Name,Email"] + [f"A{i},B{i},bad{i}" for i in range(60)]
    check_url = _through_mapping(client, donors_org, "donors", _text("\n".join(lines)), "x.csv")
    first = client.get(check_url)
    assert len(first.context["problems"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(check_url, {"page": 2})
    assert [p.row for p in second.context["problems"]] == list(range(52, 62))


def test_mapping_errors_and_the_remembered_mapping(donors_org: Any, cast: dict[str, Any]) -> None:
    client = client_for(cast["fundraising"])
    data = _text(
        """
Gift ID,Donor Email,Gift Amount,Gift date,Notes
G-1,ana@example.org,10.00,2026-01-15,hello
"""
    )
    response = _upload(client, donors_org, "donations", data, "gifts.csv")
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    proposed = _preselected(page)
    assert proposed == {
        "column_0": "external_id",
        "column_1": "email",
        "column_2": "amount",
        "column_3": "date",
        "column_4": "description",
    }
    assert "ana@example.org" in page.content.decode()  # a sample value of each column
    # No amount column: the service's message, nothing remembered.
    no_amount = client.post(mapping_url, {**proposed, "column_2": ""})
    assert no_amount.status_code == 422
    assert "Choose the column that holds amount." in no_amount.content.decode()
    # One field from two columns.
    twice = client.post(mapping_url, {**proposed, "column_4": "amount"})
    assert twice.status_code == 422
    assert "already comes from the column" in twice.content.decode()
    assert ImportMapping.objects.count() == 0

    chosen = {**proposed, "column_4": "designation"}
    assert client.post(mapping_url, chosen).status_code == 302
    # The next file with these headers gets the remembered choice.
    again = client.get(_upload(client, donors_org, "donations", data, "gifts2.csv")["Location"])
    assert _preselected(again)["column_4"] == "designation"


def test_a_run_that_fails_in_the_job_shows_its_errors(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The file was fine at the dry run; a period closed before the job ran."""
    from datetime import date

    from ifm.ledger.models import Period, PeriodStatus
    from ifm.ledger.periods.services import fiscal_year_ensure

    client = client_for(cast["fundraising"])
    data = _npsp_with_rows(NPSP_ROWS)
    check_url = _through_mapping(client, donors_org, "donors", data, "npsp.csv")
    _commit(client, check_url, django_capture_on_commit_callbacks)
    run_jobs()
    check_url = _through_mapping(client, donors_org, "donations", data, "npsp.csv")
    fiscal_year_ensure(organization=donors_org, on=date(2026, 2, 1))
    response = _commit(client, check_url, django_capture_on_commit_callbacks)
    Period.objects.filter(name="2026-02").update(status=PeriodStatus.CLOSED)
    run_jobs()
    page = client.get(response["Location"], headers={"HX-Request": "true"})
    body = page.content.decode()
    assert page.context["run"].status == ImportStatus.FAILED
    assert "hx-trigger" not in body
    assert "Nothing was imported" in body
    assert "closed period" in body
    assert "Donation Date" in body
    assert Donation.objects.count() == 0
    listing = client.get(url(donors_org)).content.decode()
    assert "Failed" in listing


def test_permissions_and_navigation(donors_org: Any, cast: dict[str, Any]) -> None:
    donors_page = client_for(cast["fundraising"]).get(f"/o/{donors_org.slug}/donors/")
    assert f'href="{url(donors_org)}"'.encode() in donors_page.content
    viewer_page = client_for(cast["viewer"]).get(f"/o/{donors_org.slug}/donors/")
    assert f'href="{url(donors_org)}"'.encode() not in viewer_page.content
    for path in ("", "new/"):
        assert client_for(cast["fundraising"]).get(url(donors_org, path)).status_code == 200
        assert client_for(cast["admin"]).get(url(donors_org, path)).status_code == 200
        for role in ("viewer", "finance", "staff"):
            assert client_for(cast[role]).get(url(donors_org, path)).status_code == 403
    with org_context(donors_org):
        upload = ImportUpload.objects.create(
            organization=donors_org, kind="donors", file_name="a.csv", data=b"Last Name,X\nLi,1\n"
        )
        run = ImportRun.objects.create(
            organization=donors_org, kind="donors", file_hash="0" * 64, status="done"
        )
    viewer = client_for(cast["viewer"])
    for path in (f"uploads/{upload.pk}/mapping/", f"uploads/{upload.pk}/check/", f"{run.pk}/"):
        assert viewer.get(url(donors_org, path)).status_code == 403
    assert viewer.post(url(donors_org, f"uploads/{upload.pk}/commit/")).status_code == 403
    response = _upload(viewer, donors_org, "donors", b"Last Name,X\nLi,1\n", "a.csv")
    assert response.status_code == 403
    assert ImportUpload.objects.count() == 1


def test_another_organizations_upload_and_run_are_404(
    donors_org: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    with org_context(org_b):
        upload = ImportUpload.objects.create(
            organization=org_b, kind="donors", file_name="b.csv", data=b"Last Name,X\nLi,1\n"
        )
        run = ImportRun.objects.create(
            organization=org_b, kind="donors", file_name="b.csv", file_hash="0" * 64, status="done"
        )
    client = client_for(cast["admin"])
    for path in (f"uploads/{upload.pk}/mapping/", f"uploads/{upload.pk}/check/", f"{run.pk}/"):
        assert client.get(url(donors_org, path)).status_code == 404
    assert client.post(url(donors_org, f"uploads/{upload.pk}/commit/")).status_code == 404
    assert client.post(url(donors_org, f"uploads/{upload.pk}/mapping/")).status_code == 404
    # B's run is not in A's list; B's own admin sees it in B.
    assert "b.csv" not in client.get(url(donors_org)).content.decode()
    other = client_for(cast["other_admin"])
    assert other.get(url(org_b, f"{run.pk}/")).status_code == 200


def test_the_wizard_says_already_imported_from_import_starts_word_not_the_clock(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(cast["fundraising"])
    data = _text("First Name,Last Name,Email\nAna,Reyes,ana@example.org\n")
    check_url = _through_mapping(client, donors_org, "donors", data, "donors.csv")
    first = _commit(client, check_url, django_capture_on_commit_callbacks, follow=True)
    assert "is queued" in first.content.decode()
    assert "imported before" not in first.content.decode()
    run = ImportRun.objects.get()
    run_jobs()
    # The first run's time says nothing: written by a web server whose clock runs ahead.
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() + timedelta(hours=1))

    check_url = _through_mapping(client, donors_org, "donors", data, "donors.csv")
    again = _commit(client, check_url, django_capture_on_commit_callbacks, follow=True)
    assert again.context["run"].pk == run.pk
    body = again.content.decode()
    assert f"This file was imported before (import {run.pk}, donors.csv)" in body
    assert "is queued" not in body
    assert run_jobs() == 0
    assert (ImportRun.objects.count(), Donor.objects.count()) == (1, 1)
    # Committing the same upload again goes to its run, said the same way.
    twice = _commit(client, check_url, django_capture_on_commit_callbacks, follow=True)
    assert "imported before" in twice.content.decode()


def test_the_dry_run_pages_show_the_result_kept_with_the_upload(
    donors_org: Any,
    cast: dict[str, Any],
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The dry run is made once, when the mapping is saved: the check page and its problem
    pages read it from the upload, not the file; saving the mapping again makes it again; the
    commit checks the file itself."""
    client = client_for(cast["fundraising"])
    lines = ["First Name,Last Name,Email"] + [f"A{i},B{i},bad{i}" for i in range(60)]
    check_url = _through_mapping(client, donors_org, "donors", _text("\n".join(lines)), "x.csv")
    upload = ImportUpload.objects.get()
    kept = upload.dry_run
    assert (kept["total"], len(kept["problems"]), kept["mapping"]) == (60, 60, upload.mapping)
    assert kept["problems"][0] == {
        "row": 2,
        "column": "Email",
        "field": "email",
        "message": "'bad0' is not an email address.",
        "name": "A0 B0",
    }

    # The file changes under the upload (no problems now): the pages still show what was kept.
    fixed = ["First Name,Last Name,Email"] + [f"A{i},B{i},a{i}@example.org" for i in range(60)]
    ImportUpload.objects.filter(pk=upload.pk).update(data=_text("\n".join(fixed)))
    first = client.get(check_url)
    assert first.status_code == 200
    assert (first.context["result"].total, len(first.context["result"].problems)) == (60, 60)
    assert 'id="count-problems">60<' in first.content.decode()
    assert 'id="commit-import" disabled' in first.content.decode()
    second = client.get(check_url, {"page": 2})
    assert [p.row for p in second.context["problems"]] == list(range(52, 62))
    assert "&#x27;bad59&#x27; is not an email address." in second.content.decode()
    ImportUpload.objects.filter(pk=upload.pk).update(dry_run={**kept, "total": 61})
    assert client.get(check_url).context["result"].total == 61  # read from the upload
    ImportUpload.objects.filter(pk=upload.pk).update(dry_run=kept)

    # Saving the mapping makes the dry run again, of the file as it is now.
    mapping_url = check_url.replace("/check/", "/mapping/")
    assert client.post(mapping_url, _preselected(client.get(mapping_url))).status_code == 302
    upload.refresh_from_db()
    assert (upload.dry_run["problems"], upload.dry_run["new"]) == ([], 60)
    page = client.get(check_url)
    assert 'id="count-problems">0<' in page.content.decode()
    assert page.context["can_commit"]

    # The kept result says the file is fine; the commit checks the file again and refuses.
    ImportUpload.objects.filter(pk=upload.pk).update(data=_text("\n".join(lines)))
    refused = _commit(client, check_url, django_capture_on_commit_callbacks)
    assert refused.status_code == 422
    assert len(refused.context["result"].problems) == 60
    assert ImportRun.objects.count() == 0

    # An upload whose mapping has no kept dry run (or one of another mapping) is checked, once.
    ImportUpload.objects.filter(pk=upload.pk).update(dry_run={})
    assert len(client.get(check_url).context["result"].problems) == 60
    upload.refresh_from_db()
    assert len(upload.dry_run["problems"]) == 60
    assert upload.dry_run["mapping"] == upload.mapping
