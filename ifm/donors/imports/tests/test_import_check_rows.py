"""The dry run, row by row: every problem in the order the rows and their columns give them,
and what each good row becomes (a new donor, a match, the same as an earlier row; a gift with
its donor, fund, method and values)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from ifm.donors.gifts.services import appeal_create, campaign_create
from ifm.donors.imports.check import CheckResult, import_check
from ifm.donors.imports.reading import read_table
from ifm.donors.merge import donor_merge
from ifm.donors.models import ImportKey, ImportRun
from ifm.donors.people.services import donor_create
from ifm.ledger.models import Fund, Period, PeriodStatus
from ifm.ledger.periods.services import fiscal_year_ensure

pytestmark = pytest.mark.django_db


def _check(
    fundraiser: dict[str, Any], kind: str, header: list[str], rows: list[dict[str, str]]
) -> CheckResult:
    """The dry run of a file with `header` (each column named as its field) and `rows`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    table = read_table(out.getvalue().encode(), f"{kind}.csv")
    return import_check(
        organization=fundraiser["organization"],
        kind=kind,
        table=table,
        mapping={name: name for name in header},
    )


def _imported(fundraiser: dict[str, Any], kind: str, key: str, object_id: int) -> None:
    """A key as an earlier import of the organization left it."""
    org = fundraiser["organization"]
    run = ImportRun.objects.create(organization=org, kind=kind, file_hash="0" * 64, status="done")
    ImportKey.objects.create(organization=org, kind=kind, key=key, object_id=object_id, run=run)


def _problems(result: CheckResult) -> list[tuple[int, str, str, str]]:
    return [(p.row, p.column, p.field, p.message) for p in result.problems]


def _key(key: str) -> str:
    """An external id's key as it is; a key made from the row's values as `row` (and its
    #n when the file repeats the row), as those hash database ids."""
    return key if key.startswith("ext:") else re.sub(r"^row:[0-9a-f]{40}", "row", key)


DONOR_HEADER = [
    "external_id", "first_name", "last_name", "organization_name", "email", "phone",
    "email_2", "mobile_phone", "city", "postal_code", "country", "no_mail",
]  # fmt: skip
DONOR_ROWS = [
    {"external_id": "C-1", "first_name": "Ana", "last_name": "Reyes",
     "email": "ana@example.org", "postal_code": "02139"},
    {"external_id": "C-1", "first_name": "Ana", "last_name": "Reyes",
     "email": "ana@example.org", "postal_code": "02139"},
    {"email": "nobody@example.org"},
    {"organization_name": "Acme", "country": "Canada", "no_mail": "yes"},
    {"first_name": "Bo", "last_name": "Fr", "country": "fr"},
    {"first_name": "Cy", "last_name": "Na", "country": "Narnia", "no_mail": "maybe"},
    {"first_name": "Di", "last_name": "Ed", "email": "not-an-email", "email_2": "bad@",
     "mobile_phone": "12"},
    {"first_name": "F" * 101, "last_name": "Long"},
    {"first_name": "Old", "last_name": "Friend", "email": "OLD@example.org"},
    {"first_name": "Pat", "last_name": "Kim", "postal_code": "60601"},
    {"first_name": "Vic", "last_name": "Tor", "phone": "555 222 3333"},
    {"first_name": "Gus", "last_name": "Ho", "email": "gus@example.org", "phone": "555-111-2222",
     "email_2": "gus@work.example", "mobile_phone": "555-999-0000"},
    {"first_name": "Gus", "last_name": "Ho", "email_2": "gus@example.org"},
    {"first_name": "Jo", "last_name": "Li"},
    {"first_name": "Jo", "last_name": "Li"},
    {"phone": "555-777-8888"},
    {"external_id": "C-7", "first_name": "Al", "last_name": "Ready"},
    {"first_name": "Mo", "last_name": "Ra", "email_2": "mo@example.org",
     "mobile_phone": "555-777-8888", "city": "Cambridge"},
]  # fmt: skip


def test_donor_rows(fundraiser: dict[str, Any]) -> None:
    old = donor_create(**fundraiser, first_name="Old", last_name="Friend", email="old@example.org")
    pat = donor_create(**fundraiser, first_name="Pat", last_name="Kim", postal_code="60601")
    vic = donor_create(**fundraiser, first_name="Vic", last_name="Tor", phone="555-222-3333")
    who = {old.pk: "old", pat.pk: "pat", vic.pk: "vic"}
    _imported(fundraiser, "donors", "ext:C-7", old.pk)

    result = _check(fundraiser, "donors", DONOR_HEADER, DONOR_ROWS)

    assert _problems(result) == DONOR_PROBLEMS
    assert (result.total, result.new, result.matched, result.already_imported) == (18, 7, 5, 1)
    assert [
        (r["row"], _key(r["key"]), who.get(r.get("match") or 0), r.get("same_as"))
        for r in result.rows
    ] == [
        (2, "ext:C-1", None, None),
        (3, "ext:C-1", None, 0),  # the same external id: the same donor as row 2
        (5, "row", None, None),
        (6, "row", None, None),
        (10, "row", "old", None),  # by email
        (11, "row", "pat", None),  # by name and postal code
        (12, "row", "vic", None),  # by phone
        (13, "row", None, None),
        (14, "row", None, 7),  # row 14's second email is row 13's email
        (15, "row", None, None),
        (16, "row#2", None, None),  # the same values again: a second key
        (19, "row", None, None),
    ]
    gus = result.rows[7]
    assert (gus["emails"], gus["phones"]) == (
        [("gus@work.example", "other")],
        [("555-999-0000", "mobile")],
    )
    assert [r["emails"] + r["phones"] for i, r in enumerate(result.rows) if i != 7] == [[]] * 11
    assert [
        (v["kind"], v.get("country"), v["email"], v["phone"], v["no_mail"])
        for v in (r["values"] for r in result.rows)
    ] == [
        ("individual", None, "ana@example.org", "", False),
        ("individual", None, "ana@example.org", "", False),
        ("organization", "CA", "", "", True),
        ("individual", "FR", "", "", False),
        ("individual", None, "OLD@example.org", "", False),
        ("individual", None, "", "", False),
        ("individual", None, "", "555 222 3333", False),
        ("individual", None, "gus@example.org", "555-111-2222", False),
        ("individual", None, "gus@example.org", "", False),
        ("individual", None, "", "", False),
        ("individual", None, "", "", False),
        ("individual", None, "mo@example.org", "555-777-8888", False),
    ]


NO_NAME = "A donor needs a first or last name, or an organization name."
DONOR_PROBLEMS = [
    (4, "last_name", "last_name", NO_NAME),
    (7, "no_mail", "no_mail", "'maybe' is not yes or no."),
    (7, "country", "country", "'Narnia' is not a two-letter country code."),
    (8, "email", "email", "'not-an-email' is not an email address."),
    (8, "email_2", "email_2", "'bad@' is not an email address."),
    (8, "mobile_phone", "mobile_phone", "'12' is not a phone number (at least 7 digits)."),
    (9, "first_name", "first_name", "Longer than 100 characters."),
    (17, "last_name", "last_name", NO_NAME),
]


DONATION_HEADER = [
    "external_id", "donor_external_id", "email", "first_name", "last_name", "postal_code",
    "amount", "date", "method", "check_number", "fund", "description", "goods_services_value",
    "goods_services_description", "deductible_amount", "campaign", "appeal", "anonymous",
    "designation",
]  # fmt: skip
ANA = {"donor_external_id": "C-1"}
DONATION_ROWS = [
    {"external_id": "G-1", **ANA, "amount": "100.00", "date": "2026-01-15", "method": "check",
     "check_number": "1001", "campaign": "Spring", "appeal": "Letter", "designation": "Library"},
    {"external_id": "G-2", "email": "ana@example.org", "amount": "50", "date": "2026-01-16",
     "method": "card", "check_number": "R-9", "fund": "youth", "deductible_amount": "40",
     "anonymous": "yes"},
    {"external_id": "G-3", "first_name": "Pat", "last_name": "Kim", "postal_code": "60601",
     "amount": "25", "date": "2026-01-17", "method": "cash", "fund": "Youth program",
     "goods_services_value": "5", "campaign": "spring"},
    {"external_id": "G-4", "email": "gone@example.org", "amount": "10", "date": "2026-01-18"},
    {"external_id": "G-5", "method": "barter", "fund": "NOPE"},
    {"external_id": "G-6", "donor_external_id": "C-404", "amount": "0", "date": "2026-13-45",
     "goods_services_value": "-1", "anonymous": "maybe"},
    {"external_id": "G-7", **ANA, "amount": "abc", "date": "2025-12-10", "method": "in_kind"},
    {"external_id": "G-8", **ANA, "amount": "10", "date": "2031-01-01",
     "deductible_amount": "-2"},
    {"external_id": "G-9", **ANA, "amount": "10", "date": "2026-01-15",
     "goods_services_value": "20"},
    {"external_id": "G-9", **ANA, "amount": "10", "date": "2026-01-15",
     "deductible_amount": "11"},
    {"external_id": "G-10", **ANA, "amount": "10", "date": "2026-01-15", "method": "stock",
     "description": "10 shares", "goods_services_description": "x" * 2001,
     "designation": "D" * 501},
    {**ANA, "amount": "12", "date": "2026-01-20", "method": "cash"},
    {**ANA, "amount": "12", "date": "2026-01-20", "method": "cash"},
    {"external_id": "G-11", **ANA, "amount": "7", "date": "2026-01-21"},
    {"last_name": "Kim", "postal_code": "60601", "amount": "5", "date": "2026-01-22"},
]  # fmt: skip
DONATION_PROBLEMS = [
    (6, "amount", "amount", "The amount is missing."),
    (6, "date", "date", "The date is missing."),
    (6, "fund", "fund", "No active fund 'NOPE' (give a fund's code or name)."),
    (
        6,
        "method",
        "method",
        "'barter' is not a payment method "
        "(cash, check, card, bank transfer, online, in-kind, stock).",
    ),
    (
        6,
        "donor_external_id",
        "donor_external_id",
        "The row does not say who gave (no donor id, email or name).",
    ),
    (7, "amount", "amount", "The amount must be above zero (it is 0.00)."),
    (7, "date", "date", "'2026-13-45' is not a date (no such day)."),
    (
        7,
        "goods_services_value",
        "goods_services_value",
        "The goods or services value cannot be negative.",
    ),
    (7, "anonymous", "anonymous", "'maybe' is not yes or no."),
    (
        7,
        "donor_external_id",
        "donor_external_id",
        "No donor matches 'C-404': import the donors first, or correct the row.",
    ),
    (8, "amount", "amount", "'abc' is not an amount."),
    (8, "date", "date", "2025-12-10 is in a closed period."),
    (8, "description", "description", "Describe what was given (in-kind and stock gifts)."),
    (
        9,
        "date",
        "date",
        "2031-01-01 would start FY2031, which is more than one year away from the fiscal years "
        "on record. Open fiscal years: FY2025, FY2026. A date in FY2027 starts that year.",
    ),
    (
        9,
        "deductible_amount",
        "deductible_amount",
        "The deductible amount -2.00 is not between 0 and the amount 10.00.",
    ),
    (
        10,
        "goods_services_value",
        "goods_services_value",
        "The goods or services value 20.00 is above the amount 10.00.",
    ),
    (
        11,
        "deductible_amount",
        "deductible_amount",
        "The deductible amount 11.00 is not between 0 and the amount 10.00.",
    ),
    (11, "external_id", "external_id", "The gift id 'G-9' is in the file twice."),
    # Found once the row is otherwise good: noted, and the row is still planned.
    (
        12,
        "goods_services_description",
        "goods_services_description",
        "Longer than 2000 characters.",
    ),
    (12, "designation", "designation", "Longer than 500 characters."),
    (
        16,
        "donor_external_id",
        "donor_external_id",
        "No donor matches 'Kim': import the donors first, or correct the row.",
    ),
]
GIFT_ROW_KEYS = [
    "row", "key", "donor_id", "date", "amount", "method", "check_number", "reference", "fund",
    "description", "goods_services_value", "goods_services_description", "campaign",
    "campaign_id", "appeal", "appeal_id", "designation", "anonymous",
]  # fmt: skip
GOODS = "Goods or services pr"  # the start of GOODS_DEFAULT_DESCRIPTION


def test_donation_rows(fundraiser: dict[str, Any], general_fund: Fund, youth_fund: Fund) -> None:
    org = fundraiser["organization"]
    fiscal_year_ensure(organization=org, on=date(2026, 1, 1))
    fiscal_year_ensure(organization=org, on=date(2025, 12, 1))
    Period.objects.filter(name="2025-12").update(status=PeriodStatus.CLOSED)
    ana = donor_create(**fundraiser, first_name="Ana", last_name="Reyes", email="ana@example.org")
    kim = donor_create(**fundraiser, first_name="Pat", last_name="Kim", postal_code="60601")
    gone = donor_create(**fundraiser, first_name="Gone", last_name="Away", email="gone@example.org")
    kept = donor_create(**fundraiser, first_name="Kept", last_name="Here")
    donor_merge(**fundraiser, keep=kept, merge=gone)
    spring = campaign_create(**fundraiser, name="Spring")
    letter = appeal_create(**fundraiser, name="Letter")
    _imported(fundraiser, "donors", "ext:C-1", ana.pk)
    _imported(fundraiser, "donations", "ext:G-11", 1)
    who = {ana.pk: "ana", kim.pk: "kim", kept.pk: "kept"}

    result = _check(fundraiser, "donations", DONATION_HEADER, DONATION_ROWS)

    assert _problems(result) == DONATION_PROBLEMS
    assert (result.total, result.new, result.matched, result.already_imported) == (15, 7, 0, 1)
    assert [
        (
            r["row"],
            _key(r["key"]),
            who[r["donor_id"]],
            r["date"],
            r["amount"],
            r["method"],
            r["check_number"],
            r["reference"],
            r["fund"].code,
            r["description"],
            r["goods_services_value"],
            r["goods_services_description"][:20],
            r["campaign"],
            r["campaign_id"] == spring.pk,
            r["appeal"],
            r["appeal_id"] == letter.pk,
            r["designation"][:5],
            r["anonymous"],
        )
        for r in result.rows
    ] == [
        (2, "ext:G-1", "ana", date(2026, 1, 15), D("100.00"), "check", "1001", "", "GEN", "",
         D("0.00"), "", "Spring", True, "Letter", True, "Libra", False),
        (3, "ext:G-2", "ana", date(2026, 1, 16), D("50.00"), "card", "", "R-9", "YOUTH", "",
         D("10.00"), GOODS, "", False, "", False, "", True),
        (4, "ext:G-3", "kim", date(2026, 1, 17), D("25.00"), "cash", "", "", "YOUTH", "",
         D("5.00"), GOODS, "spring", True, "", False, "", False),
        (5, "ext:G-4", "kept", date(2026, 1, 18), D("10.00"), "cash", "", "", "GEN", "",
         D("0.00"), "", "", False, "", False, "", False),
        (12, "ext:G-10", "ana", date(2026, 1, 15), D("10.00"), "stock", "", "", "GEN",
         "10 shares", D("0.00"), "x" * 20, "", False, "", False, "DDDDD", False),
        (13, "row", "ana", date(2026, 1, 20), D("12.00"), "cash", "", "", "GEN", "", D("0.00"),
         "", "", False, "", False, "", False),
        (14, "row#2", "ana", date(2026, 1, 20), D("12.00"), "cash", "", "", "GEN", "",
         D("0.00"), "", "", False, "", False, "", False),
    ]  # fmt: skip
    assert sorted(result.rows[0]) == sorted(GIFT_ROW_KEYS)
