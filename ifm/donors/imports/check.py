"""The dry run of an import: every problem with its row and column, the rows to create.
Writes nothing; `import_check` is the entry point, `check_table` the part the jobs share."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ifm.core.org_context import org_context
from ifm.donors import normalize
from ifm.donors.imports.mapping import (
    GOODS_DEFAULT_DESCRIPTION,
    KIND_DONORS,
    clean_mapping,
    normalize_header,
)
from ifm.donors.imports.reading import Table
from ifm.donors.imports.values import (
    ValueProblem,
    parse_bool,
    parse_date,
    parse_method,
    parse_money,
)
from ifm.donors.models import Appeal, Campaign, Donor, DonorEmail, DonorPhone, ImportKey
from ifm.ledger.models import Fund, Period, PeriodStatus
from ifm.ledger.periods.fiscal_years import PostingCalendar, posting_calendar
from ifm.tenancy.models import Organization


@dataclass
class Problem:
    row: int
    column: str
    field: str
    message: str
    name: str = ""  # who the row is about, as the file names them, so a person finds the row

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "name": self.name,
        }


TAG_MAX_CHARS = 60
MAX_TAGS = 50


@dataclass
class CheckResult:
    """What a dry run found. `rows` are the cleaned rows, ready for the commit."""

    kind: str
    total: int
    problems: list[Problem] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    new: int = 0
    already_imported: int = 0
    matched: int = 0

    def summary(self) -> dict[str, Any]:
        """The counts and problems (JSON), without the rows: what pages and the API show."""
        return {
            "kind": self.kind,
            "total": self.total,
            "new": self.new,
            "already_imported": self.already_imported,
            "matched_existing_donors": self.matched,
            "problems": [p.as_dict() for p in self.problems],
        }

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> CheckResult:
        """A result read back from `summary()` (kept with an upload): counts and problems."""
        return cls(
            kind=summary["kind"],
            total=summary["total"],
            new=summary["new"],
            already_imported=summary["already_imported"],
            matched=summary["matched_existing_donors"],
            problems=[Problem(**p) for p in summary["problems"]],
        )


# --- The dry run ---------------------------------------------------------------------------------

_COUNTRIES = {
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "usa": "US",
    "us": "US",
    "canada": "CA",
    "unitedkingdom": "GB",
    "uk": "GB",
    "mexico": "MX",
}


def _row_key(values: Sequence[Any]) -> str:
    text = "\x1f".join(str(v) for v in values)
    return "row:" + hashlib.sha256(text.encode()).hexdigest()[:40]


class _Rows:
    """Helper for one row: read a mapped field, note a problem against its column."""

    def __init__(self, result: CheckResult, mapping: dict[str, str]):
        self.result = result
        self.mapping = mapping
        self.number = 0
        self.record: dict[str, str] = {}
        self.ok = True

    def start(self, number: int, record: dict[str, str]) -> None:
        self.number, self.record, self.ok = number, record, True

    def get(self, name: str) -> str:
        column = self.mapping.get(name)
        return (self.record.get(column) or "").strip() if column else ""

    def problem(self, name: str, message: str) -> None:
        self.ok = False
        self.result.problems.append(
            Problem(self.number, self.mapping.get(name, ""), name, message, self.who())
        )

    def who(self) -> str:
        """The donor the row names: first and last name, else the organization, else the
        email or the donor's id in the file (cut to 120 characters)."""
        person = " ".join(p for p in (self.get("first_name"), self.get("last_name")) if p)
        return (
            person
            or self.get("organization_name")
            or self.get("email")
            or self.get("donor_external_id")
            or self.get("external_id")
        )[:120]

    def tags(self) -> list[str]:
        """The row's tags: "Board; Volunteer" or "Board, Volunteer", each once (compared
        without case), at most MAX_TAGS of at most 60 characters each."""
        names: list[str] = []
        for raw in re.split(r"[;,]", self.get("tags")):
            name = " ".join(raw.split())
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        too_long = [n for n in names if len(n) > TAG_MAX_CHARS]
        if too_long:
            shown = too_long[0][:40]
            self.problem("tags", f"The tag {shown!r} is longer than {TAG_MAX_CHARS} characters.")
        if len(names) > MAX_TAGS:
            self.problem("tags", f"At most {MAX_TAGS} tags per donor (the row has {len(names)}).")
        return names

    def money(self, name: str) -> Decimal | None:
        text = self.get(name)
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueProblem as exc:
            self.problem(name, str(exc))
            return None

    def flag(self, name: str) -> bool:
        try:
            return parse_bool(self.get(name))
        except ValueProblem as exc:
            self.problem(name, str(exc))
            return False

    def text(self, name: str, limit: int) -> str:
        value = self.get(name)
        if len(value) > limit:
            self.problem(name, f"Longer than {limit} characters.")
        return value[:limit]


def _existing_keys(kind: str, keys: Iterable[str]) -> dict[str, int]:

    out: dict[str, int] = {}
    wanted = list(dict.fromkeys(keys))
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        out.update(
            ImportKey.objects.filter(kind=kind, key__in=chunk).values_list("key", "object_id")
        )
    return out


def _check_donors(table: Table, mapping: dict[str, str], result: CheckResult) -> None:
    rows = _Rows(result, mapping)
    seen_keys: dict[str, int] = {}
    planned: list[dict[str, Any]] = []
    for number, record in table.records():
        rows.start(number, record)
        values = _donor_values(rows)
        emails, phones = _secondary_contacts(rows, values)
        tags = rows.tags()
        key = _donor_key(rows.get("external_id"), values, seen_keys)
        if not rows.ok:
            continue
        norm = normalize.donor_fields(
            values, emails=[e for e, _label in emails], phones=[p for p, _label in phones]
        )
        planned.append(
            {
                "row": number,
                "key": key,
                "values": values,
                "norm": norm,
                "emails": emails,
                "phones": phones,
                "tags": tags,
            }
        )
    _match_donors(planned, result)


def _donor_values(rows: _Rows) -> dict[str, Any]:
    """The row's donor fields, checked: its kind from the names it gives, its country code,
    its email."""
    values: dict[str, Any] = {
        "first_name": rows.text("first_name", 100),
        "last_name": rows.text("last_name", 100),
        "organization_name": rows.text("organization_name", 200),
        "salutation": rows.text("salutation", 200),
        "email": rows.text("email", 254),
        "phone": rows.text("phone", 40),
        "address_line1": rows.text("address_line1", 200),
        "address_line2": rows.text("address_line2", 200),
        "city": rows.text("city", 100),
        "state": rows.text("state", 50),
        "postal_code": rows.text("postal_code", 20),
        "no_email": rows.flag("no_email"),
        "no_mail": rows.flag("no_mail"),
        "no_phone": rows.flag("no_phone"),
        "is_deceased": rows.flag("is_deceased"),
    }
    if values["first_name"] or values["last_name"]:
        values["kind"] = "individual"
    elif values["organization_name"]:
        values["kind"] = "organization"
    else:
        rows.problem(
            "last_name" if "last_name" in rows.mapping else "organization_name",
            "A donor needs a first or last name, or an organization name.",
        )
    country = rows.get("country")
    if country:
        values["country"] = _country_code(rows, country)
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            rows.problem("email", f"{values['email']!r} is not an email address.")
    return values


def _country_code(rows: _Rows, country: str) -> str:
    """The two-letter code of a country the row names ("Canada", "usa", "fr"); US, with a
    problem, when it names none."""
    code = _COUNTRIES.get(re.sub(r"[^a-z]", "", country.lower()))
    if code is None and len(country) == 2 and country.isalpha():
        code = country.upper()
    if code is None:
        rows.problem("country", f"{country!r} is not a two-letter country code.")
    return code or "US"


def _donor_key(external: str, values: dict[str, Any], seen_keys: dict[str, int]) -> str:
    """The row's import key: its external id, else a hash of its values (#2, #3... for the
    same values again in the file)."""
    key = f"ext:{external}" if external else _row_key(sorted(values.items()))
    if key in seen_keys:
        key = f"{key}#{seen_keys[key] + 1}" if not external else key
    seen_keys[key] = seen_keys.get(key, 0) + 1
    return key


def _match_donors(planned: list[dict[str, Any]], result: CheckResult) -> None:
    """Count the planned donors imported before; mark each other one as an existing donor's
    match, the same as an earlier row of the file, or new; those go to `result.rows`."""
    done = _existing_keys("donors", (p["key"] for p in planned))
    by_email, by_name, by_phone, _keys = _donor_index()
    in_file: dict[tuple[str, str], int] = {}  # (what, normalized value) -> index in result.rows
    for p in planned:
        if p["key"] in done:
            result.already_imported += 1
            continue
        emails_norm = [normalize.email(e) for e, _label in p["emails"]]
        match = _existing_donor(p, emails_norm, by_email, by_name, by_phone)
        if match is not None:
            p["match"] = match
            result.matched += 1
        else:
            first = _same_in_file(p["norm"], emails_norm, in_file, len(result.rows))
            if first is not None:
                p["same_as"] = first
                result.matched += 1
            else:
                result.new += 1
        result.rows.append(p)


def _existing_donor(
    p: dict[str, Any],
    emails_norm: list[str],
    by_email: dict[str, int],
    by_name: dict[str, int],
    by_phone: dict[str, int],
) -> int | None:
    """The organization's donor a planned row matches (the lowest id), if any."""
    # The criteria of selectors.donor_duplicates (same normalized email, phone, or name
    # and postal code), against an index of the organization's donors built once.
    norm = p["norm"]
    names = {
        n
        for n in (
            normalize.name(p["values"]["first_name"], p["values"]["last_name"]),
            normalize.name(p["values"]["organization_name"]),
        )
        if n
    }
    found = [
        by_email.get(norm["email_norm"]) if norm["email_norm"] else None,
        *(by_email.get(e) for e in emails_norm),
        by_phone.get(norm["phone_norm"]) if norm["phone_norm"] else None,
        *(by_phone.get(normalize.phone(x)) for x, _label in p["phones"]),
        *(by_name.get(f"{n}|{norm['postal_norm']}") for n in names if norm["postal_norm"]),
    ]
    matches = sorted(pk for pk in found if pk)
    return matches[0] if matches else None


def _same_in_file(
    norm: dict[str, str], emails_norm: list[str], in_file: dict[tuple[str, str], int], index: int
) -> int | None:
    """The index of an earlier row of the file for the same person (two rows make one
    donor); else None, and the row at `index` is the one later rows are compared with."""
    probes = [
        ("e", norm["email_norm"]),
        *(("e", e) for e in emails_norm),
        ("n", norm["name_norm"] + "|" + norm["postal_norm"]),
    ]
    first = next(
        (in_file[probe] for probe in probes if probe[1] and probe[1] != "|" and probe in in_file),
        None,
    )
    if first is None:
        for probe in probes:
            if probe[1] and probe[1] != "|" and not probe[1].endswith("|"):
                in_file.setdefault(probe, index)
    return first


# The mapped fields that hold further emails and phones, and the label each one gets when
# its column's header does not say (_contact_label).
SECONDARY_EMAILS = {"email_2": "other"}
SECONDARY_PHONES = {"phone_2": "other", "mobile_phone": "mobile"}


def _contact_label(header: str, default: str) -> str:
    """The label a column's contacts get: "Work Phone" work, "Cell" mobile, "Home Email" home."""
    text = normalize_header(header)
    for label, words in (
        ("mobile", ("mobile", "cell")),
        ("work", ("work", "business", "office")),
        ("home", ("home", "personal")),
    ):
        if any(w in text for w in words):
            return label
    return default


def _secondary_contacts(
    rows: _Rows, values: dict[str, Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The row's further emails and phones as (value, label), each checked (a problem names
    the row and column); the first of them fills an empty primary email or phone in `values`.
    A value the row gives twice is one contact."""
    emails: list[tuple[str, str]] = []
    for name, default in SECONDARY_EMAILS.items():
        text = rows.text(name, 254)
        if not text:
            continue
        try:
            validate_email(text)
        except ValidationError:
            rows.problem(name, f"{text!r} is not an email address.")
            continue
        emails.append((text, _contact_label(rows.mapping[name], default)))
    phones: list[tuple[str, str]] = []
    for name, default in SECONDARY_PHONES.items():
        text = rows.text(name, 40)
        if not text:
            continue
        if not normalize.phone(text):
            rows.problem(name, f"{text!r} is not a phone number (at least 7 digits).")
            continue
        phones.append((text, _contact_label(rows.mapping[name], default)))
    if not values["email"] and emails:
        values["email"] = emails.pop(0)[0]
    if not values["phone"] and phones:
        values["phone"] = phones.pop(0)[0]

    def once(items: list[tuple[str, str]], primary: str, norm: Any) -> list[tuple[str, str]]:
        seen = {norm(primary)} - {""}
        out = []
        for value, label in items:
            if norm(value) not in seen:
                seen.add(norm(value))
                out.append((value, label))
        return out

    return (
        once(emails, values["email"], normalize.email),
        once(phones, values["phone"], normalize.phone),
    )


def _donor_index() -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """Existing donors by normalized email, name|postal and phone, and imported donor keys."""

    by_email: dict[str, int] = {}
    by_name: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    rows = (
        Donor.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "email_norm", "name_norm", "postal_norm", "phone_norm")
    )
    for pk, e, n, z, p in rows.iterator(chunk_size=10000):
        if e:
            by_email.setdefault(e, pk)
        if n and z:
            by_name.setdefault(f"{n}|{z}", pk)
        if p:
            by_phone.setdefault(p, pk)
    # Secondary emails and phones match too (a primary one wins where both would).
    for e, pk in DonorEmail.objects.filter(
        is_primary=False, donor__merged_into__isnull=True
    ).values_list("email_norm", "donor_id"):
        by_email.setdefault(e, pk)
    for p, pk in DonorPhone.objects.filter(
        is_primary=False, donor__merged_into__isnull=True
    ).values_list("phone_norm", "donor_id"):
        if p:
            by_phone.setdefault(p, pk)
    keys = dict(ImportKey.objects.filter(kind="donors").values_list("key", "object_id"))
    return by_email, by_name, by_phone, keys


@dataclass
class _GiftLookups:
    """What a donation file's rows are checked against, read once: the active funds (by code
    and by name), the closed periods and fiscal years, the donors (by email, name|postal and
    imported key, a merged one leading to the donor kept), campaigns and appeals."""

    funds_by_code: dict[str, Fund]
    funds_by_name: dict[str, Fund]
    general: Fund | None
    closed: list[tuple[date, date]]
    fiscal_years: PostingCalendar
    by_email: dict[str, int]
    by_name: dict[str, int]
    donor_keys: dict[str, int]
    merged: dict[int, int]
    campaigns: dict[str, int]
    appeals: dict[str, int]
    # Why a date cannot take a gift (None: it can), by date: a file of 100,000 gifts has a few
    # hundred dates, and the fiscal-year rules cost about half of a row's check.
    date_problems: dict[date, str | None] = field(default_factory=dict)

    def date_problem(self, on: date) -> str | None:
        if on not in self.date_problems:
            if any(start <= on <= end for start, end in self.closed):
                self.date_problems[on] = f"{on} is in a closed period."
            else:
                self.date_problems[on] = self.fiscal_years.problem(on)
        return self.date_problems[on]

    @classmethod
    def load(cls, organization: Organization) -> _GiftLookups:
        funds_by_code = {f.code.lower(): f for f in Fund.objects.filter(is_active=True)}
        closed = list(
            Period.objects.filter(status=PeriodStatus.CLOSED).values_list("start_date", "end_date")
        )
        fiscal_years = posting_calendar(organization=organization)  # the ledger's date rules
        by_email, by_name, _by_phone, donor_keys = _donor_index()
        merged = dict(
            Donor.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")
        )
        return cls(
            funds_by_code=funds_by_code,
            funds_by_name={f.name.lower(): f for f in funds_by_code.values()},
            general=next((f for f in funds_by_code.values() if f.is_general), None),
            closed=closed,
            fiscal_years=fiscal_years,
            by_email=by_email,
            by_name=by_name,
            donor_keys=donor_keys,
            merged=merged,
            campaigns={c.name.lower(): c.pk for c in Campaign.objects.all()},
            appeals={a.name.lower(): a.pk for a in Appeal.objects.all()},
        )


def _check_donations(
    table: Table, mapping: dict[str, str], result: CheckResult, organization: Organization
) -> None:
    lookups = _GiftLookups.load(organization)
    # The column a problem about the row's donor names: the first of them the file has.
    donor_column = next(
        (
            f
            for f in ("donor_external_id", "email", "last_name", "organization_name")
            if f in mapping
        ),
        "donor_external_id",
    )
    rows = _Rows(result, mapping)
    seen_keys: dict[str, int] = {}
    planned: list[dict[str, Any]] = []
    for number, record in table.records():
        rows.start(number, record)
        gift = _check_gift(rows, lookups, donor_column, seen_keys)
        if gift is not None:
            planned.append(gift)
    done = _existing_keys("donations", (p["key"] for p in planned))
    for p in planned:
        if p["key"] in done:
            result.already_imported += 1
        else:
            result.new += 1
            result.rows.append(p)


def _check_gift(
    rows: _Rows, lookups: _GiftLookups, donor_column: str, seen_keys: dict[str, int]
) -> dict[str, Any] | None:
    """The row's gift, ready for the commit; None when it has a problem (each one noted
    against its column, in the order of the checks)."""
    amount = _gift_amount(rows)
    on = _gift_date(rows, lookups)
    fund = _gift_fund(rows, lookups)
    check_number = rows.text("check_number", 30)
    method = "cash"
    try:
        method = parse_method(rows.get("method"), has_check_number=bool(check_number))
    except ValueProblem as exc:
        rows.problem("method", str(exc))
    goods = _goods_value(rows, amount)
    anonymous = rows.flag("anonymous")
    description = rows.text("description", 2000)
    if method in ("in_kind", "stock") and not description:
        rows.problem("description", "Describe what was given (in-kind and stock gifts).")
    donor_id = _gift_donor(rows, lookups, donor_column)
    campaign = rows.text("campaign", 200)
    appeal = rows.text("appeal", 200)
    natural = [donor_id, on, amount, check_number, fund.pk if fund else "", description]
    key = _gift_key(rows, natural, seen_keys)
    if not rows.ok:
        return None
    assert amount is not None
    assert on is not None
    assert fund is not None
    assert donor_id
    return {
        "row": rows.number,
        "key": key,
        "donor_id": donor_id,
        "date": on,
        "amount": amount,
        "method": method,
        # The donation services keep check numbers for checks only; another method's
        # reference number (LGL's "Check/Reference No.") goes to the notes.
        "check_number": check_number if method == "check" else "",
        "reference": check_number if method != "check" else "",
        "fund": fund,
        "description": description,
        "goods_services_value": goods or Decimal("0.00"),
        "goods_services_description": rows.text("goods_services_description", 2000)
        or (GOODS_DEFAULT_DESCRIPTION if goods else ""),
        "campaign": campaign,
        "campaign_id": lookups.campaigns.get(campaign.lower()) if campaign else None,
        "appeal": appeal,
        "appeal_id": lookups.appeals.get(appeal.lower()) if appeal else None,
        "designation": rows.text("designation", 500),
        "anonymous": anonymous,
    }


def _gift_amount(rows: _Rows) -> Decimal | None:
    if not rows.get("amount"):
        rows.problem("amount", "The amount is missing.")
        return None
    amount = rows.money("amount")
    if amount is not None and amount <= 0:
        rows.problem("amount", f"The amount must be above zero (it is {amount}).")
        return None
    return amount


def _gift_date(rows: _Rows, lookups: _GiftLookups) -> date | None:
    """The gift's date; a problem when it is in a closed period or a fiscal year the ledger
    would not post to (the date is still returned, for the row's key)."""
    if not rows.get("date"):
        rows.problem("date", "The date is missing.")
        return None
    try:
        on = parse_date(rows.get("date"))
    except ValueProblem as exc:
        rows.problem("date", str(exc))
        return None
    if (refused := lookups.date_problem(on)) is not None:
        rows.problem("date", refused)
    return on


def _gift_fund(rows: _Rows, lookups: _GiftLookups) -> Fund | None:
    """The active fund the row names by code or name; the general fund when it names none."""
    fund_text = rows.get("fund")
    fund = (
        (
            lookups.funds_by_code.get(fund_text.lower())
            or lookups.funds_by_name.get(fund_text.lower())
        )
        if fund_text
        else lookups.general
    )
    if fund is None:
        rows.problem(
            "fund",
            f"No active fund {fund_text!r} (give a fund's code or name)."
            if fund_text
            else "The organization has no general fund.",
        )
    return fund


def _goods_value(rows: _Rows, amount: Decimal | None) -> Decimal | None:
    """The value of the goods or services the donor received: as given, or the amount less
    the deductible amount given; each checked against the amount."""
    goods = rows.money("goods_services_value")
    deductible = rows.money("deductible_amount")
    if goods is not None and goods < 0:
        rows.problem("goods_services_value", "The goods or services value cannot be negative.")
    if amount is None:
        return goods
    if deductible is not None:
        if deductible < 0 or deductible > amount:
            rows.problem(
                "deductible_amount",
                f"The deductible amount {deductible} is not between 0 and the amount {amount}.",
            )
        elif goods is None:
            goods = amount - deductible
    if goods is not None and goods > amount:
        rows.problem(
            "goods_services_value",
            f"The goods or services value {goods} is above the amount {amount}.",
        )
    return goods


def _gift_donor(rows: _Rows, lookups: _GiftLookups, donor_column: str) -> int | None:
    """The id of the donor who gave: by the donor's imported id, else by email, else by name
    and postal code; a merged donor's gift goes to the donor kept."""
    donor_id: int | None = None
    external = rows.get("donor_external_id")
    if external:
        donor_id = lookups.donor_keys.get(f"ext:{external}")
    if donor_id is None:
        e = normalize.email(rows.get("email"))
        n = normalize.name(rows.get("first_name"), rows.get("last_name")) or normalize.name(
            rows.get("organization_name")
        )
        z = normalize.postal(rows.get("postal_code"))
        donor_id = (lookups.by_email.get(e) if e else None) or (
            lookups.by_name.get(f"{n}|{z}") if n and z else None
        )
    donor_id = lookups.merged.get(donor_id, donor_id) if donor_id else None
    if donor_id is None:
        shown = (
            external or rows.get("email") or rows.get("last_name") or rows.get("organization_name")
        )
        rows.problem(
            donor_column,
            f"No donor matches {shown!r}: import the donors first, or correct the row."
            if shown
            else "The row does not say who gave (no donor id, email or name).",
        )
    return donor_id


def _gift_key(rows: _Rows, natural: list[Any], seen_keys: dict[str, int]) -> str:
    """The row's import key: its gift id (a problem when the file has it twice), else a hash
    of its values (#2, #3... for the same values again)."""
    gift_id = rows.get("external_id")
    key = f"ext:{gift_id}" if gift_id else _row_key(natural)
    count = seen_keys.get(key, 0)
    seen_keys[key] = count + 1
    if count:
        if gift_id:
            rows.problem("external_id", f"The gift id {gift_id!r} is in the file twice.")
        else:
            key = f"{key}#{count + 1}"
    return key


def check_table(
    *, organization: Organization, table: Table, mapping: dict[str, str], result: CheckResult
) -> None:
    """Check every row of `table` under a cleaned `mapping` into `result` (the caller's
    organization context is active)."""
    if result.kind == KIND_DONORS:
        _check_donors(table, mapping, result)
    else:
        _check_donations(table, mapping, result, organization)


def import_check(
    *, organization: Organization, kind: str, table: Table, mapping: dict[str, str]
) -> CheckResult:
    """The dry run: every problem with its row and column; the rows to create. Writes nothing."""
    mapping = clean_mapping(kind, mapping, table.headers)
    result = CheckResult(kind=kind, total=table.count())
    with org_context(organization):
        check_table(organization=organization, table=table, mapping=mapping, result=result)
    return result
