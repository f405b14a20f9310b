"""Importing volunteers from a CSV or XLSX file, with the donor import's conventions: upload,
map the columns to fields (suggested from the headers), a dry run that reports every problem by
row and field, then a commit that creates every row or none.

The dry run and the commit run the same code: each row goes through `volunteer_create` (the
service the pages and the API use, so an imported volunteer obeys every rule they do) in a
savepoint of one transaction; the dry run always rolls that transaction back, the commit rolls
it back as soon as any row was refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.tabular import MAX_FILE_BYTES, TabularError, iter_rows, read_upload
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import VolunteerImport, VolunteerStatus
from ifm.volunteers.people import services as people

MAX_ROWS = 5000
MAX_FILE = 10 * 1024 * 1024
MAX_ERRORS_KEPT = 500

# field -> (label, header names that suggest it, normalized)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_name": ("First name", ("first name", "firstname", "first", "given name")),
    "last_name": ("Last name", ("last name", "lastname", "last", "surname", "family name")),
    "email": ("Email", ("email", "e mail", "email address")),
    "phone": ("Phone", ("phone", "telephone", "mobile", "cell", "phone number")),
    "address_line1": ("Address", ("address", "address 1", "address line 1", "street")),
    "address_line2": ("Address (line 2)", ("address 2", "address line 2")),
    "city": ("City", ("city", "town")),
    "state": ("State", ("state", "province", "region")),
    "postal_code": ("Postal code", ("postal code", "zip", "zip code", "postcode")),
    "country": ("Country", ("country", "country code")),
    "emergency_contact_name": ("Emergency contact", ("emergency contact", "emergency name")),
    "emergency_contact_phone": ("Emergency phone", ("emergency phone", "emergency contact phone")),
    "skills": ("Skills", ("skills",)),
    "interests": ("Interests", ("interests",)),
    "availability": ("Availability", ("availability", "available")),
    "date_of_birth": ("Date of birth", ("date of birth", "birth date", "birthday", "dob")),
    "guardian_name": ("Parent or guardian", ("guardian", "guardian name", "parent")),
    "guardian_email": ("Guardian's email", ("guardian email", "parent email")),
    "guardian_consent": ("Guardian's consent", ("guardian consent", "consent", "parent consent")),
    "status": ("Status", ("status",)),
    "notes": ("Notes", ("notes", "comments")),
}
REQUIRED = ("first_name",)
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


def _norm_header(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).split())


def _upload_of(data: bytes, filename: str) -> Any:
    return read_upload(data, filename, max_bytes=MAX_FILE, fallback_encoding="cp1252")


def headers_of(data: bytes, filename: str) -> list[str]:
    """The first row that is not empty (the column titles)."""
    for _, cells in iter_rows(_upload_of(data, filename), max_rows=MAX_ROWS + 1):
        if any(cells):
            return [c.strip() for c in cells]
    raise TabularError("The file has no rows.")


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """field -> column title, for each field whose usual title a column has."""
    by_norm = {_norm_header(h): h for h in headers if h}
    out: dict[str, str] = {}
    for field, (_, names) in FIELDS.items():
        for name in names:
            if name in by_norm and by_norm[name] not in out.values():
                out[field] = by_norm[name]
                break
    return out


def clean_mapping(mapping: dict[str, Any], headers: list[str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    errors = []
    for field, column in mapping.items():
        if field not in FIELDS:
            errors.append({"field": field, "message": "Not a field of a volunteer."})
        elif column:
            if column not in headers:
                errors.append({"field": field, "message": f"The file has no column {column!r}."})
            else:
                cleaned[field] = str(column)
    for field in REQUIRED:
        if field not in cleaned:
            errors.append(
                {
                    "field": field,
                    "message": f"Choose the column of the {FIELDS[field][0].lower()}.",
                }
            )
    used = list(cleaned.values())
    for column in {c for c in used if used.count(c) > 1}:
        errors.append({"field": "", "message": f"The column {column!r} is chosen twice."})
    if errors:
        raise ServiceError(errors[0]["message"], errors=errors)
    return cleaned


# --- Reading a row -------------------------------------------------------------------------------


def _date(text: str) -> date | str:
    """YYYY-MM-DD or M/D/YYYY; the text itself when it is neither (the service then names it)."""
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return value


def _row_fields(mapping: dict[str, str], index: dict[str, int], cells: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field, column in mapping.items():
        i = index[column]
        text = cells[i].strip() if i < len(cells) else ""
        if field == "date_of_birth":
            fields[field] = _date(text) if text else None
        elif field == "guardian_consent":
            fields[field] = text.lower() in YES if text.lower() in YES | NO else text
        elif field == "status":
            low = text.lower()
            fields[field] = low or VolunteerStatus.ACTIVE.value
        elif field == "country":
            fields[field] = text or "US"
        else:
            fields[field] = text
    return fields


class _Refused(Exception):
    """Rolls back the import's transaction (a dry run, or a commit with refused rows)."""


def _run(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    row: VolunteerImport,
    allow_duplicates: bool,
    commit: bool,
) -> dict[str, Any]:
    """Every row through volunteer_create; {"rows", "created", "errors"}. Written only when
    `commit` and no row was refused."""
    upload = _upload_of(bytes(row.data), row.file_name)
    mapping = row.mapping.get("columns", {})
    result: dict[str, Any] = {"rows": 0, "created": 0, "errors": []}
    try:
        with transaction.atomic():
            index: dict[str, int] | None = None
            for number, cells in iter_rows(upload, max_rows=MAX_ROWS + 1):
                if not any(c.strip() for c in cells):
                    continue
                if index is None:
                    index = {h.strip(): i for i, h in enumerate(cells) if h.strip()}
                    continue
                result["rows"] += 1
                fields = _row_fields(mapping, index, cells)
                try:
                    with transaction.atomic():
                        people.volunteer_create(
                            organization=organization,
                            actor=actor,
                            access=access,
                            confirm_duplicate=allow_duplicates,
                            **fields,
                        )
                except ServiceError as exc:
                    for err in exc.errors or [{"field": "", "message": exc.message}]:
                        if len(result["errors"]) < MAX_ERRORS_KEPT:
                            result["errors"].append(
                                {
                                    "row": number,
                                    "field": err.get("field") or "",
                                    "message": err["message"],
                                }
                            )
                    result.setdefault("refused_rows", 0)
                    result["refused_rows"] += 1
                else:
                    result["created"] += 1
            if not commit or result["errors"]:
                raise _Refused
    except _Refused:
        pass
    if result["rows"] == 0:
        raise ServiceError("The file has no rows below its column titles.", field="file")
    return result


# --- The wizard's steps --------------------------------------------------------------------------


@org_service("volunteers.manage")
def volunteer_import_upload(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    file_name: str,
    data: bytes,
) -> VolunteerImport:
    """Keep the file and suggest a mapping from its column titles."""
    if len(data) > MAX_FILE:
        raise ServiceError(
            f"The file is larger than {MAX_FILE // (1024 * 1024)} MB: split it.", field="file"
        )
    assert MAX_FILE <= MAX_FILE_BYTES
    headers = headers_of(data, file_name)
    row = VolunteerImport.objects.create(
        organization=organization,
        file_name=(file_name or "volunteers.csv")[:255],
        data=data,
        mapping={"headers": headers, "columns": suggest_mapping(headers)},
        created_by=actor,
    )
    audit_record(
        action="volunteer.import_upload",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"file": row.file_name, "bytes": len(data)},
    )
    return row


@org_service("volunteers.manage")
def volunteer_import_check(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    row: VolunteerImport,
    columns: dict[str, Any],
    allow_duplicates: bool = False,
) -> VolunteerImport:
    """Save the mapping and run the dry run: nothing is written but the import's own record."""
    row = VolunteerImport.objects.select_for_update().get(pk=row.pk)
    if row.status == "done":
        raise ServiceError("This file was imported already.")
    mapping = clean_mapping(columns, row.mapping.get("headers", []))
    row.mapping = {**row.mapping, "columns": mapping, "allow_duplicates": bool(allow_duplicates)}
    row.save(update_fields=["mapping"])
    result = _run(
        organization=organization,
        actor=actor,
        access=access,
        row=row,
        allow_duplicates=bool(allow_duplicates),
        commit=False,
    )
    row.dry_run = result
    row.errors = result["errors"]
    row.status = "checked"
    row.save(update_fields=["dry_run", "errors", "status"])
    return row


@org_service("volunteers.manage")
def volunteer_import_commit(
    *, organization: Organization, actor: User, access: Access, row: VolunteerImport
) -> VolunteerImport:
    """Create every row, or none: a refused row leaves the organization as it was."""
    row = VolunteerImport.objects.select_for_update().get(pk=row.pk)
    if row.status == "done":
        raise ServiceError("This file was imported already.")
    if row.status != "checked":
        raise ServiceError("Check the file first (the dry run).")
    result = _run(
        organization=organization,
        actor=actor,
        access=access,
        row=row,
        allow_duplicates=bool(row.mapping.get("allow_duplicates")),
        commit=True,
    )
    if result["errors"]:
        raise ServiceError(
            f"{result.get('refused_rows', 0)} row(s) were refused: nothing was imported. "
            "Correct the file and upload it again."
        )
    row.status = "done"
    row.created_count = result["created"]
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "created_count", "finished_at"])
    audit_record(
        action="volunteer.import_commit",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"file": row.file_name, "created": row.created_count},
    )
    return row
