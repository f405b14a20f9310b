"""A kinder import: the valid rows on request (all or nothing stays the default), the rejected
rows as a file to correct and import again, the donor's name beside each problem, and tags."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from ifm.core.errors import ConflictError, ServiceError
from ifm.donors.imports.mapping import ERROR_COLUMN, clean_mapping
from ifm.donors.imports.reading import read_table
from ifm.donors.imports.rejected import rejected_response, rejected_rows
from ifm.donors.imports.services import import_rejected, import_start
from ifm.donors.imports.tasks import import_run_rejected
from ifm.donors.imports.tests.test_imports import DONORS_CSV
from ifm.donors.models import (
    Donation,
    Donor,
    ImportKey,
    ImportRun,
    ImportStatus,
    Tag,
)
from ifm.donors.people.services import donor_create
from ifm.ledger.models import JournalEntry

FIXTURES = Path(__file__).parent / "fixtures"
NPSP = FIXTURES / "NPSP_Data_Import_Template_csv.csv"

pytestmark = pytest.mark.django_db

MIXED_DONORS = (
    b"External ID,First Name,Last Name,Email,Tags\n"
    b"M-1,Ana,Reyes,ana@example.org,Board; Volunteer\n"
    b"M-2,Bad,Email,not-an-email,Board\n"
    b"M-3,Chen,Li,chen@example.org,\n"
    b"M-4,,,,Volunteer\n"
)


@pytest.fixture
def start(fundraiser: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Any:
    def run(**kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return import_start(**fundraiser, **kwargs)

    return run


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(
            part if isinstance(part, bytes) else part.encode()
            for part in response.streaming_content
        )
    return bytes(response.content)


def test_all_or_nothing_stays_the_default(start: Any, run_jobs: Any) -> None:
    result, run, _ = start(kind="donors", data=MIXED_DONORS, filename="m.csv", dry_run=False)
    assert run is None
    assert {p.row for p in result.problems} == {3, 5}
    assert run_jobs() == 0
    assert Donor.objects.count() == 0


def test_valid_only_writes_exactly_the_valid_rows(start: Any, run_jobs: Any) -> None:
    _result, run, _ = start(
        kind="donors", data=MIXED_DONORS, filename="m.csv", dry_run=False, valid_only=True
    )
    assert run is not None
    assert run.valid_only
    assert run_jobs() == 1
    run.refresh_from_db()
    assert (run.status, run.created_count, run.rejected_rows) == (ImportStatus.DONE, 2, 2)
    assert sorted(Donor.objects.values_list("last_name", flat=True)) == ["Li", "Reyes"]
    assert sorted(ImportKey.objects.values_list("key", flat=True)) == ["ext:M-1", "ext:M-3"]
    assert {e["row"] for e in run.errors} == {3, 5}
    assert run.data  # kept for the rejected rows


def test_a_problem_names_the_donor_beside_its_row(start: Any) -> None:
    result, _run, _ = start(kind="donors", data=MIXED_DONORS, filename="m.csv")
    names = {p.row: p.name for p in result.problems}
    # Row 5 has no name (that is its problem): its id in the file says which row it is.
    assert names == {3: "Bad Email", 5: "M-4"}
    assert result.summary()["problems"][0]["name"] == "Bad Email"


def test_rejected_rows_round_trip_and_the_error_column_is_ignored(
    start: Any, run_jobs: Any, fundraiser: dict[str, Any]
) -> None:
    _result, run, _ = start(
        kind="donors", data=MIXED_DONORS, filename="m.csv", dry_run=False, valid_only=True
    )
    run_jobs()
    run.refresh_from_db()
    rejected = import_run_rejected(access=fundraiser["access"], run=run)
    assert rejected.header == [
        "External ID",
        "First Name",
        "Last Name",
        "Email",
        "Tags",
        ERROR_COLUMN,
    ]
    assert [r[0] for r in rejected.rows] == ["M-2", "M-4"]
    assert "Email: 'not-an-email' is not an email address." in rejected.rows[0][-1]

    # As the person downloads it, corrects it and uploads it again, error column and all.
    rows = _csv_rows(_body(rejected_response(rejected, filename="m.csv", fmt="csv")))
    rows[1][3] = "bad@example.org"
    rows[2][1], rows[2][2] = "Dana", "Moss"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    fixed = out.getvalue().encode()

    result, second, _ = start(kind="donors", data=fixed, filename="m-rejected.csv", dry_run=False)
    assert result.problems == []
    assert ERROR_COLUMN not in second.mapping.values()
    run_jobs()
    second.refresh_from_db()
    assert (second.status, second.created_count) == (ImportStatus.DONE, 2)
    assert sorted(Donor.objects.values_list("last_name", flat=True)) == [
        "Email",
        "Li",
        "Moss",
        "Reyes",
    ]
    # The error column fed nothing: no donor's fields hold its text.
    assert not Donor.objects.filter(search_text__contains="not an email").exists()


def test_the_error_column_is_never_imported_even_when_mapped() -> None:
    mapping = clean_mapping(
        "donors", {"last_name": "Last", "salutation": ERROR_COLUMN}, ["Last", ERROR_COLUMN]
    )
    assert mapping == {"last_name": "Last"}


def test_rejected_rows_as_xlsx_read_back(start: Any) -> None:
    result, _run, _ = start(kind="donors", data=MIXED_DONORS, filename="m.csv")
    rejected = rejected_rows(data=MIXED_DONORS, filename="m.csv", problems=result.problems)
    data = _body(rejected_response(rejected, filename="m.csv", fmt="xlsx"))
    table = read_table(data, "m-rejected.xlsx")
    assert table.headers[-1] == ERROR_COLUMN
    assert [row[0] for row in table.rows] == ["M-2", "M-4"]


def test_a_run_without_rejected_rows_has_nothing_to_download(
    start: Any, run_jobs: Any, fundraiser: dict[str, Any]
) -> None:
    _result, run, _ = start(kind="donors", data=DONORS_CSV, filename="d.csv", dry_run=False)
    run_jobs()
    run.refresh_from_db()
    with pytest.raises(ConflictError):
        import_run_rejected(access=fundraiser["access"], run=run)


def test_a_file_with_no_valid_row_imports_nothing(start: Any, run_jobs: Any) -> None:
    bad = b"First Name,Last Name,Email\nA,B,nope\nC,D,nada\n"
    with pytest.raises(ServiceError, match="No row of the file is valid"):
        start(kind="donors", data=bad, filename="bad.csv", dry_run=False, valid_only=True)
    assert ImportRun.objects.filter(dry_run=False).count() == 0


def test_valid_only_donations_post_only_the_valid_gifts(
    start: Any, run_jobs: Any, general_fund: Any
) -> None:
    start(kind="donors", data=DONORS_CSV, filename="d.csv", dry_run=False)
    run_jobs()
    entries_before = JournalEntry.objects.count()
    gifts = (
        b"Gift ID,LGL Constituent ID,Gift Amount,Gift date\n"
        b"G-1,C-1,100.00,2026-01-15\n"
        b"G-2,C-404,50.00,2026-01-16\n"
        b"G-3,C-2,-5,2026-01-17\n"
        b"G-4,C-3,25.00,2026-01-18\n"
    )
    result, run, _ = start(
        kind="donations", data=gifts, filename="g.csv", dry_run=False, valid_only=True
    )
    assert {p.row for p in result.problems} == {3, 4}
    run_jobs()
    run.refresh_from_db()
    assert (run.status, run.created_count, run.rejected_rows) == (ImportStatus.DONE, 2, 2)
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [25, 100]
    assert JournalEntry.objects.count() == entries_before + 2
    assert {p.name for p in result.problems} == {"C-404", "C-2"}


def test_tags_column_creates_missing_tags_once_and_tags_matched_donors(
    start: Any, run_jobs: Any, fundraiser: dict[str, Any]
) -> None:
    Tag.objects.create(organization=fundraiser["organization"], name="Volunteer")
    existing = donor_create(**fundraiser, first_name="Eve", last_name="Stone", email="eve@x.org")
    data = (
        b"First Name,Last Name,Email,Tags\n"
        b"Ana,Reyes,ana@example.org,Board; volunteer\n"
        b'Ben,Okafor,ben@example.org,"board, Major donor ,Board"\n'
        b"Eve,Stone,eve@x.org,Major Donor\n"
    )
    result, run, _ = start(kind="donors", data=data, filename="t.csv", dry_run=False)
    assert result.problems == []
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert sorted(Tag.objects.values_list("name", flat=True)) == [
        "Board",
        "Major donor",
        "Volunteer",
    ]

    def tags_of(last_name: str) -> list[str]:
        donor = Donor.objects.get(last_name=last_name)
        return sorted(donor.tags.values_list("name", flat=True))

    assert tags_of("Reyes") == ["Board", "Volunteer"]
    assert tags_of("Okafor") == ["Board", "Major donor"]
    assert tags_of("Stone") == ["Major donor"]  # the existing donor it matched
    assert Donor.objects.get(last_name="Stone").pk == existing.pk


def test_a_tag_too_long_is_a_problem_of_its_row(start: Any) -> None:
    data = b"Last Name,Tags\nReyes," + b"x" * 61 + b"\n"
    result, _run, _ = start(kind="donors", data=data, filename="t.csv")
    assert [(p.row, p.field) for p in result.problems] == [(2, "tags")]


def _npsp_with_rows(rows: list[dict[str, str]]) -> bytes:
    """The NPSP import template as it is, with data rows written under its two header lines."""
    data = NPSP.read_bytes()
    headers = read_table(data, NPSP.name).headers
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return data.rstrip(b"\r\n") + b"\r\n" + out.getvalue().encode()


def test_npsp_template_with_a_bad_row_imports_the_valid_ones_and_round_trips(
    start: Any, run_jobs: Any, fundraiser: dict[str, Any]
) -> None:
    data = _npsp_with_rows(
        [
            {"Contact1 First Name": "Ana", "Contact1 Last Name": "Reyes",
             "Contact1 Personal Email": "ana@example.org", "Home City": "Boston"},
            {"Contact1 First Name": "Bo", "Contact1 Last Name": "Hale",
             "Contact1 Personal Email": "bo-at-example"},
        ]
    )  # fmt: skip
    result, run, _ = start(
        kind="donors", data=data, filename=NPSP.name, dry_run=False, valid_only=True
    )
    assert [(p.row, p.name) for p in result.problems] == [(8, "Bo Hale")]
    run_jobs()
    run.refresh_from_db()
    assert (run.created_count, run.rejected_rows) == (1, 1)
    assert Donor.objects.get().last_name == "Reyes"

    rejected = import_run_rejected(access=fundraiser["access"], run=run)
    assert rejected.header[1] == "Contact1 First Name"
    rows = _csv_rows(_body(rejected_response(rejected, filename=NPSP.name, fmt="csv")))
    email_at = rows[0].index("Contact1 Personal Email")
    rows[1][email_at] = "bo@example.org"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    result, _again, _ = start(
        kind="donors", data=out.getvalue().encode(), filename="fixed.csv", dry_run=False
    )
    assert result.problems == []
    run_jobs()
    assert sorted(Donor.objects.values_list("last_name", flat=True)) == ["Hale", "Reyes"]


def test_import_rejected_checks_a_file_and_writes_nothing(fundraiser: dict[str, Any]) -> None:
    rejected = import_rejected(**fundraiser, kind="donors", data=MIXED_DONORS, filename="m.csv")
    assert [r[0] for r in rejected.rows] == ["M-2", "M-4"]
    assert Donor.objects.count() == 0
