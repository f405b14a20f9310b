"""A row of the import area for the isolation suites: a queued large-file import."""

from __future__ import annotations

import hashlib

from ifm.banking.models import StatementImport
from ifm.banking.tests.factories import bank_account
from ifm.core.org_context import org_context
from ifm.tenancy.models import Organization


def statement_import(org: Organization) -> StatementImport:
    account = bank_account(org)
    data = b"OFXHEADER:100\r\n"
    with org_context(org):
        return StatementImport.objects.create(
            organization=org,
            bank_account=account,
            filename="large.ofx",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            data=data,
        )
