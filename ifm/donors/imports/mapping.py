"""Which column of an imported file feeds which field: the known header names of other donor
systems, the mapping a person chose (checked), and the one each organization last used."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.donors.models import ImportMapping
from ifm.tenancy.models import Organization

KIND_DONORS = "donors"
KIND_DONATIONS = "donations"
KINDS = (KIND_DONORS, KIND_DONATIONS)


def normalize_header(title: str) -> str:
    """'Contact1 First Name' and 'NPSP__CONTACT1_FIRSTNAME__C' both become 'contact1firstname'."""
    text = title.strip().lower()
    text = re.sub(r"^npsp__", "", text)
    text = re.sub(r"__c$", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


# target field -> header names it is known by, best first (compared normalized).
DONOR_FIELDS: dict[str, list[str]] = {
    "external_id": [
        "External ID",
        "External Identifier",
        "LGL Constituent ID",
        "Constituent ID",
        "donor_id",
        "Donor ID",
        "Contact ID",
        "Contact1 Id",
    ],
    "first_name": ["First Name", "Contact1 First Name", "First", "Given Name", "first_name"],
    "last_name": [
        "Last Name",
        "Contact1 Last Name",
        "Last",
        "Surname",
        "Family Name",
        "last_name",
    ],
    "organization_name": [
        "Organization Name",
        "Organization",
        "Company",
        "Company Name",
        "Account1 Name",
        "Org Name",
        "Organization name",
    ],
    "salutation": ["Salutation", "Contact1 Salutation", "Addressee", "Greeting", "Prefix"],
    "email": [
        "Email",
        "Email Address",
        "E-mail",
        "Contact1 Personal Email",
        "Contact1 Preferred Email",
        "Contact1 Work Email",
        "Primary Email",
        "email",
    ],
    "phone": [
        "Phone",
        "Phone Number",
        "Contact1 Home Phone",
        "Contact1 Mobile Phone",
        "Contact1 Preferred Phone",
        "Home Phone",
        "Mobile Phone",
        "Primary Phone",
    ],
    # Further emails and phones become the donor's secondary contacts (labelled after their
    # column: "Work Phone" a work phone). After email and phone: those take their column first.
    "email_2": [
        "Email 2",
        "Secondary Email",
        "Alternate Email",
        "Other Email",
        "Work Email",
        "Home Email",
        "Personal Email",
        "Contact1 Work Email",
        "Contact1 Alternate Email",
        "npe01__AlternateEmail__c",
        "npe01__WorkEmail__c",
        "npe01__HomeEmail__c",
    ],
    "phone_2": [
        "Phone 2",
        "Secondary Phone",
        "Work Phone",
        "Business Phone",
        "Other Phone",
        "Home Phone",
        "Contact1 Work Phone",
        "Contact1 Other Phone",
        "npe01__WorkPhone__c",
        "business_phone",
        "home_phone",
    ],
    "mobile_phone": [
        "Mobile Phone",
        "Mobile",
        "Cell Phone",
        "Cell",
        "Contact1 Mobile Phone",
        "MobilePhone",
        "mobile_phone",
    ],
    "address_line1": [
        "Address",
        "Street",
        "Street Address",
        "Address Line 1",
        "Address 1",
        "Home Street",
        "Account1 Street",
        "address",
    ],
    "address_line2": ["Address Line 2", "Address 2", "Supplemental Address 1", "address2"],
    "city": ["City", "Home City", "Account1 City", "Town"],
    "state": [
        "State",
        "State/Province",
        "Province",
        "Home State/Province",
        "Account1 State/Province",
        "Region",
    ],
    "postal_code": [
        "Postal Code",
        "Zip",
        "ZIP Code",
        "Zip/Postal Code",
        "Home Zip/Postal Code",
        "Account1 Zip/Postal Code",
        "Postcode",
    ],
    "country": ["Country", "Home Country", "Account1 Country"],
    "no_email": ["No Email", "Do Not Email", "Email Opt Out"],
    "no_mail": ["No Mail", "Do Not Mail"],
    "no_phone": ["No Phone", "Do Not Phone", "Do Not Call"],
    "is_deceased": ["Deceased", "Is Deceased"],
    # "Board; Volunteer": each name a tag of the donor, made in the organization if new.
    "tags": ["Tags", "Tag", "Groups", "Constituent Groups", "Categories", "Keywords"],
}

DONATION_FIELDS: dict[str, list[str]] = {
    "external_id": [
        "Gift ID",
        "LGL Gift ID",
        "Donation ID",
        "Contribution ID",
        "gift_id",
        "Transaction ID",
        "Invoice ID",
    ],
    "donor_external_id": [
        "LGL Constituent ID",
        "External Identifier",
        "Donor External ID",
        "donor_id",
        "Donor ID",
        "Constituent ID",
        "Contact ID",
    ],
    "email": [
        "Email",
        "Donor Email",
        "Email Address",
        "Contact1 Personal Email",
        "Contact1 Preferred Email",
        "Contact1 Work Email",
    ],
    "first_name": ["First Name", "Contact1 First Name", "first_name"],
    "last_name": ["Last Name", "Contact1 Last Name", "last_name"],
    "organization_name": ["Organization Name", "Organization", "Company", "Account1 Name"],
    "postal_code": ["Postal Code", "Zip", "ZIP Code", "Home Zip/Postal Code", "Zip/Postal Code"],
    "amount": [
        "Amount",
        "Gift Amount",
        "Donation Amount",
        "Total Amount",
        "amount",
        "Gift Amt",
    ],
    "date": ["Date", "Gift Date", "Gift date", "Donation Date", "Receive Date", "gift_date"],
    "method": [
        "Method",
        "Payment Method",
        "Payment type",
        "Payment Instrument",
        "gift_type",
        "Gift Type",
    ],
    "check_number": [
        "Check Number",
        "Check/Reference No.",
        "Payment Check/Reference Number",
        "Check No",
        "reference",
        "Reference",
    ],
    "fund": ["Fund", "Financial Type", "gl_code", "GL Code", "Fund Code", "Designation Fund"],
    "description": ["Description", "Donation Description", "Gift Note", "Note", "Notes"],
    "goods_services_value": [
        "Goods Value",
        "Non-deductible Amount",
        "fmv",
        "Fair Market Value",
        "Goods and Services Value",
    ],
    "goods_services_description": ["Goods Description", "Goods and Services Description"],
    "deductible_amount": ["Deductible amount", "Deductible Amount", "Tax Deductible Amount"],
    "campaign": ["Campaign", "Campaign Name", "campaign"],
    "appeal": ["Appeal", "solicit_code", "Solicitation", "Appeal Code"],
    "anonymous": ["Anonymous", "Anonymous gift?", "Anonymous Gift", "Is Anonymous"],
    "designation": ["Designation"],
}

FIELDS = {KIND_DONORS: DONOR_FIELDS, KIND_DONATIONS: DONATION_FIELDS}

FIELD_LABELS: dict[str, str] = {
    "external_id": "External id",
    "donor_external_id": "Donor external id",
    "first_name": "First name",
    "last_name": "Last name",
    "organization_name": "Organization name",
    "salutation": "Salutation",
    "email": "Email",
    "phone": "Phone",
    "email_2": "Second email",
    "phone_2": "Second phone",
    "mobile_phone": "Mobile phone",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "Postal code",
    "country": "Country",
    "no_email": "No email",
    "no_mail": "No mail",
    "no_phone": "No phone",
    "is_deceased": "Deceased",
    "tags": "Tags (separated by ; or ,)",
    "amount": "Amount",
    "date": "Date",
    "method": "Method",
    "check_number": "Check number",
    "fund": "Fund (code or name)",
    "description": "Description",
    "goods_services_value": "Goods or services value",
    "goods_services_description": "Goods or services description",
    "deductible_amount": "Deductible amount",
    "campaign": "Campaign",
    "appeal": "Appeal",
    "anonymous": "Anonymous",
    "designation": "Designation",
}

# A gift with a goods-or-services value needs a description for its receipt; older systems
# often keep only the value (CiviCRM's "Non-deductible Amount", DonorPerfect's fmv).
GOODS_DEFAULT_DESCRIPTION = "Goods or services provided (value as recorded in the imported file)"

# The column a file of rejected rows adds (ifm.donors.imports.rejected): it says what was wrong
# and is never imported, so the corrected file can be imported as it is.
ERROR_COLUMN = "Import errors"

REQUIRED: dict[str, list[str]] = {KIND_DONORS: [], KIND_DONATIONS: ["amount", "date"]}

KNOWN_HEADERS = {
    normalize_header(alias)
    for fields in FIELDS.values()
    for aliases in fields.values()
    for alias in aliases
} | {
    # Further columns of the NPSP template that identify a header row without being imported.
    normalize_header(t)
    for t in ("Donation Donor", "Donation Name", "Donation Stage", "Donation Record Type Name")
}


def suggest_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """{field: header} for the fields whose column can be recognized by its header."""
    fields = FIELDS[kind]
    by_norm: dict[str, str] = {}
    for title in headers:
        by_norm.setdefault(normalize_header(title), title)
        by_norm.setdefault(title.strip().lower(), title)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target, aliases in fields.items():
        for alias in [target, *aliases]:
            found = by_norm.get(normalize_header(alias))
            if found is not None and found not in used:
                mapping[target] = found
                used.add(found)
                break
    return mapping


def clean_mapping(kind: str, mapping: dict[str, Any], headers: Sequence[str]) -> dict[str, str]:
    """A mapping sent by a person: known fields only, columns that exist, each column once."""
    if kind not in FIELDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    fields = FIELDS[kind]
    errors: list[dict[str, str]] = []
    out: dict[str, str] = {}
    for target, title in mapping.items():
        if title in (None, "", ERROR_COLUMN):
            continue
        if target not in fields:
            errors.append({"field": f"mapping.{target}", "message": "Unknown field."})
        elif not isinstance(title, str) or title not in headers:
            errors.append(
                {"field": f"mapping.{target}", "message": f"The file has no column {title!r}."}
            )
        else:
            out[target] = title
    for target in REQUIRED[kind]:
        if target not in out and not errors:
            errors.append(
                {
                    "field": f"mapping.{target}",
                    "message": f"Choose the column that holds {FIELD_LABELS[target].lower()}.",
                }
            )
    if kind == KIND_DONORS and not errors and not ({"last_name", "organization_name"} & out.keys()):
        errors.append(
            {
                "field": "mapping.last_name",
                "message": "Choose a column for last name or organization name.",
            }
        )
    identifies = {"donor_external_id", "email", "last_name", "organization_name"}
    if kind == KIND_DONATIONS and not errors and not (identifies & out.keys()):
        errors.append(
            {
                "field": "mapping.donor_external_id",
                "message": "Choose a column that identifies the donor "
                "(donor external id, email or name).",
            }
        )
    if errors:
        raise ServiceError(
            "The column mapping has errors: " + "; ".join(e["message"] for e in errors),
            errors=errors,
        )
    return out


# --- Mappings remembered per organization ---------------------------------------------------------


def headers_signature(headers: Sequence[str]) -> str:
    joined = "\n".join(sorted(normalize_header(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()


def mapping_for(*, organization: Organization, kind: str, headers: Sequence[str]) -> dict[str, str]:
    """The mapping to propose: the one this organization last used for files with the same
    headers, else the last one of this kind whose columns all exist, else the suggestion."""

    with org_context(organization):
        saved = ImportMapping.objects.filter(kind=kind)
        exact = saved.filter(signature=headers_signature(headers)).first()
        if exact is not None:
            return {k: v for k, v in exact.mapping.items() if v in headers}
        for row in saved[:20]:
            if row.mapping and all(v in headers for v in row.mapping.values()):
                return dict(row.mapping)
    return suggest_mapping(kind, headers)


def mapping_remember(
    *,
    organization: Organization,
    actor: User,
    kind: str,
    headers: Sequence[str],
    mapping: dict[str, str],
) -> None:

    with org_context(organization):
        ImportMapping.objects.update_or_create(
            organization=organization,
            kind=kind,
            signature=headers_signature(headers),
            defaults={
                "headers": list(headers),
                "mapping": mapping,
                "updated_at": timezone.now(),
                "updated_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
