"""Registry of tenant rows for the isolation tests: how to make one row of each tenant model.

`FACTORIES["app_label.modelname"](org)` creates one row owned by `org` and returns it.
Register a factory for every tenant model a URL takes the id of:

    @factory("donors.donor")
    def _donor(org):
        with org_context(org):
            return Donor.objects.create(organization=org, name="Row of " + org.slug)

The isolation suite (test_isolation.py) maps each id in a route to a model:
`<model>_id` / `<model>_pk` by the model's lowercased class name, or through the registries
below when the name does not say which model it is.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from ifm.core.org_context import all_organizations, org_context
from ifm.tenancy.models import Membership, Organization

Factory = Callable[[Organization], models.Model]
FACTORIES: dict[str, Factory] = {}

# A route parameter whose name does not name its model: parameter name -> model label.
PARAM_MODELS: dict[str, str] = {
    "token_id": "accounts.apitoken",
}

# Routes with a bare `<id>` / `<pk>` / `{id}`: route prefix (converters dropped, so
# "o/<org_slug>/donors/") -> model label. The longest matching prefix wins.
BARE_ID_ROUTES: dict[str, str] = {}

# Routes outside the organization walls on purpose: route prefix -> why. Each of them, found
# the same way, is refused to anyone who is not platform staff: test_platform_routes.py.
EXEMPT_ROUTES: dict[str, str] = {
    "admin/": "Django admin: IFM platform staff only, across organizations by design.",
    "platform/": "Platform pages: IFM platform staff only, across organizations by design.",
    # Their tenant rows are checked against the ticket they are named from instead (a bug of
    # another organization than the ticket's is a 404): ifm/support/tests/test_desk_api.py;
    # communications: ifm/support/comms/tests/test_api.py.
    "api/v1/platform/": "Platform API: IFM platform staff only, across organizations by design.",
}

# Values for route parameters that are neither the organization slug nor an object id.
PARAM_VALUES: dict[str, str] = {
    # A background job's UUID (/api/v1/jobs/{job_uuid}/retry): jobs are queue rows, not
    # tenant rows; ifm/ops/tests/test_jobs_api.py proves another organization's is a 404.
    "job_uuid": "00000000-0000-4000-8000-000000000000",
    # A budget's fiscal year (/api/v1/budgets/{fiscal_year}): a year, not a row; each
    # organization's own budget of that year, or a 404 (ifm/reports/budgets/tests).
    "fiscal_year": "2026",
    # A help article's slug (/help/<slug>/, /api/v1/help/articles/{slug}): articles are files
    # in the repository, the same for everyone. The rollout console's organization slugs are
    # platform routes (IFM staff only), where any organization is in scope by design.
    "slug": "getting-started",
    # A rollout phase (/api/v1/platform/go-no-go/{phase}): a platform row, not a tenant's.
    "phase": "pilot",
    # A message template and a send (/api/v1/platform/communications/...): platform rows, for
    # IFM staff only (ifm/support/comms/tests/test_api.py).
    "template_id": "1",
    "send_id": "1",
}


MadeBy = TypeVar("MadeBy", bound=Factory)


def factory(label: str) -> Callable[[MadeBy], MadeBy]:
    def register(func: MadeBy) -> MadeBy:
        FACTORIES[label] = func
        return func

    return register


def _user(org: Organization, what: str) -> Any:
    from django.contrib.auth import get_user_model

    email = f"{what}-{secrets.token_hex(4)}@{org.slug}.test"
    return get_user_model().objects.create_user(email=email, full_name=f"{what} of {org.slug}")


@factory("tenancy.membership")
def _membership(org: Organization) -> Membership:
    from ifm.accounts.services import membership_set
    from ifm.tenancy.roles import Role

    return membership_set(organization=org, user=_user(org, "member"), role=Role.STAFF)


@factory("tenancy.platformaccessgrant")
def _platform_grant(org: Organization) -> models.Model:
    from ifm.tenancy.models import PlatformAccessGrant

    user = _user(org, "support")
    user.is_platform_staff = True
    user.save(update_fields=["is_platform_staff"])
    with org_context(org):
        return PlatformAccessGrant.objects.create(
            user=user, role="viewer", reason="test", expires_at=timezone.now() + timedelta(hours=1)
        )


@factory("accounts.invitation")
def _invitation(org: Organization) -> models.Model:
    from ifm.accounts.models import Invitation

    with org_context(org):
        return Invitation.objects.create(
            email=f"invitee-{secrets.token_hex(4)}@example.org",
            role="staff",
            token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            expires_at=timezone.now() + timedelta(days=1),
        )


@factory("accounts.apitoken")
def _api_token(org: Organization) -> models.Model:
    from ifm.accounts.models import ApiToken

    membership = _membership(org)
    token = "ifm_" + secrets.token_urlsafe(32)
    with all_organizations():
        return ApiToken.objects.create(
            organization=org,
            user=membership.user,
            name="isolation",
            prefix=token[:12],
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )


@factory("core.idempotencyrecord")
def _idempotency_record(org: Organization) -> models.Model:
    from ifm.core.models import IdempotencyRecord

    membership = _membership(org)
    with org_context(org):
        return IdempotencyRecord.objects.create(
            user=membership.user,
            key=secrets.token_hex(8),
            method="POST",
            path="/api/v1/test",
            request_hash="0" * 64,
        )


# --- ledger ------------------------------------------------------------------------------------
# Every organization gets its chart, general fund and current fiscal year when it is created.


def _ledger(org: Organization, label: str) -> models.Model:
    from datetime import date
    from decimal import Decimal

    from ifm.ledger import models as ledger
    from ifm.ledger.chart.services import chart_create_from_template
    from ifm.ledger.journal.posting import LineInput, post_entry

    chart_create_from_template(organization=org)
    with org_context(org):
        general = ledger.Fund.objects.get(is_general=True)
        rows: dict[str, Callable[[], models.Model]] = {
            "account": lambda: ledger.Account.objects.get(number="1010"),
            "fund": lambda: general,
            "program": lambda: ledger.Program.objects.create(
                code=secrets.token_hex(3), name="Program"
            ),
            "fiscalyear": lambda: ledger.FiscalYear.objects.earliest("start_date"),
            "period": lambda: ledger.Period.objects.earliest("start_date"),
            "ledgercounter": lambda: ledger.LedgerCounter.objects.get(),
        }
        if label in rows:
            return rows[label]()
        entry = post_entry(
            organization=org,
            actor=None,
            date=date.today(),
            lines=[
                LineInput(
                    ledger.Account.objects.get(number="1010"), general, debit=Decimal("1.00")
                ),
                LineInput(
                    ledger.Account.objects.get(number="4010"), general, credit=Decimal("1.00")
                ),
            ],
        )
        if label == "monthlybalance":  # kept by the database as the entry's lines are written
            return ledger.MonthlyBalance.objects.filter(account__number="1010").get()
        if label == "periodbalance":
            return ledger.PeriodBalance.objects.filter(account__number="1010", span="year").get()
        return entry if label == "journalentry" else entry.lines.first()  # type: ignore[return-value]


for _name in (
    "account",
    "fund",
    "program",
    "fiscalyear",
    "period",
    "ledgercounter",
    "journalentry",
    "journalline",
    "monthlybalance",
    "periodbalance",
):
    FACTORIES[f"ledger.{_name}"] = lambda org, _n=_name: _ledger(org, _n)  # type: ignore[misc]
PARAM_MODELS["entry_id"] = "ledger.journalentry"


@factory("audit.auditevent")
def _audit_event(org: Organization) -> models.Model:
    from ifm.audit.services import audit_record

    with org_context(org):
        return audit_record(action="test.row", organization=org, object_repr=f"Row of {org.slug}")


# --- expenses ----------------------------------------------------------------------------------
# A receipt goes on the organization's newest expense, so a route that takes both an expense id
# and a receipt id (made in that order) gets a receipt of that expense.


def _expense_row(org: Organization) -> Any:
    from datetime import date
    from decimal import Decimal

    from ifm.expenses.models import Expense
    from ifm.ledger.chart.services import chart_create_from_template

    chart_create_from_template(organization=org)
    with org_context(org):
        from django.apps import apps

        return Expense.objects.create(
            submitted_by=_membership(org).user,
            kind="claim",
            payee="Row of " + org.slug,
            date=date.today(),
            amount=Decimal("12.34"),
            category=apps.get_model("ledger", "Account").objects.get(number="8110"),
            fund=apps.get_model("ledger", "Fund").objects.get(is_general=True),
            function="program",
        )


@factory("expenses.expense")
def _expense(org: Organization) -> models.Model:
    return _expense_row(org)


@factory("expenses.receipt")
def _receipt(org: Organization) -> models.Model:
    from django.core.files.base import ContentFile

    from ifm.expenses.models import Expense, Receipt

    with org_context(org):
        expense = Expense.objects.order_by("-pk").first() or _expense_row(org)
        content = b"%PDF-1.4\n%%EOF\n"
        receipt = Receipt(
            organization=org,
            expense=expense,
            original_name="receipt.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        receipt.file.save("receipt.pdf", ContentFile(content), save=False)
        receipt.save()
        return receipt


@factory("expenses.expenseapproval")
def _expense_approval(org: Organization) -> models.Model:
    from ifm.expenses.models import ExpenseApproval

    expense = _expense_row(org)
    with org_context(org):
        return ExpenseApproval.objects.create(
            expense=expense,
            approver=_membership(org).user,
            step=1,
        )


@factory("expenses.expenseevent")
def _expense_event(org: Organization) -> models.Model:
    from ifm.expenses.models import ExpenseEvent

    expense = _expense_row(org)
    with org_context(org):
        return ExpenseEvent.objects.create(expense=expense, to_status="draft")


@factory("expenses.expensecategory")
def _expense_category(org: Organization) -> models.Model:
    from django.apps import apps

    from ifm.expenses.models import ExpenseCategory
    from ifm.ledger.chart.services import chart_create_from_template

    chart_create_from_template(organization=org)
    with org_context(org):
        return ExpenseCategory.objects.create(
            organization=org,
            name="Row of " + org.slug,
            account=apps.get_model("ledger", "Account").objects.get(number="8110"),
            default_function="program",
        )


@factory("expenses.expensesettings")
def _expense_settings(org: Organization) -> models.Model:
    from ifm.expenses.models import ExpenseSettings

    with org_context(org):
        row, _ = ExpenseSettings.objects.get_or_create(organization=org)
        return row


# --- donors ------------------------------------------------------------------------------------
# Rows made with the ORM (the services need a membership with rights); a donation is posted
# through the ledger like a real one. Child rows go on the organization's newest parent row.


def _donor_row(org: Organization) -> Any:
    from ifm.donors.models import Donor

    with org_context(org):
        return Donor.objects.create(
            organization=org,
            first_name="Row",
            last_name="of " + org.slug,
            email=f"{org.slug}@x.test",
        )


def _donors_newest(org: Organization, model: Any, make: Callable[[Organization], Any]) -> Any:
    with org_context(org):
        return model.objects.order_by("-pk").first() or make(org)


def _donation_row(org: Organization) -> Any:
    from datetime import date
    from decimal import Decimal

    from django.apps import apps

    from ifm.donors.models import Donation, Donor, GiftBatch
    from ifm.ledger.chart.services import chart_create_from_template
    from ifm.ledger.journal.posting import LineInput, post_entry

    chart_create_from_template(organization=org)
    donor = _donors_newest(org, Donor, _donor_row)
    with org_context(org):
        account = apps.get_model("ledger", "Account")
        fund = apps.get_model("ledger", "Fund").objects.get(is_general=True)
        # A route that takes a gift batch id and then a donation id gets a gift of that batch,
        # waiting (pending) for the batch to post.
        batch = GiftBatch.objects.filter(status="open").order_by("-pk").first()
        donation = Donation.objects.create(
            organization=org,
            donor=donor,
            date=date.today(),
            amount=Decimal("25.00"),
            method="cash",
            fund=fund,
            status="pending",
            batch=batch,
        )
        if batch is not None:
            return donation
        donation.journal_entry = post_entry(
            organization=org,
            actor=None,
            date=donation.date,
            source_type="donation",
            source_id=donation.pk,
            lines=[
                LineInput(
                    account.objects.get(role="undeposited_funds"), fund, debit=donation.amount
                ),
                LineInput(
                    account.objects.get(role="contributions_without"), fund, credit=donation.amount
                ),
            ],
        )
        donation.status = "active"
        donation.save()
        return donation


def _donors_simple(org: Organization, name: str) -> Any:
    from datetime import date
    from decimal import Decimal

    from django.apps import apps

    from ifm.donors import models as dm
    from ifm.ledger.chart.services import chart_create_from_template

    if name == "donor":
        return _donor_row(org)
    if name == "donation":
        return _donation_row(org)
    chart_create_from_template(organization=org)
    with org_context(org):
        fund = apps.get_model("ledger", "Fund").objects.get(is_general=True)
        today = date.today()
        if name == "household":
            return dm.Household.objects.create(organization=org, name="Row of " + org.slug)
        if name == "tag":
            return dm.Tag.objects.create(organization=org, name="Row " + secrets.token_hex(3))
        if name == "donornote":
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.DonorNote.objects.create(organization=org, donor=donor, body="Row")
        if name == "campaign":
            return dm.Campaign.objects.create(organization=org, name="Row " + secrets.token_hex(3))
        if name == "appeal":
            return dm.Appeal.objects.create(organization=org, name="Row " + secrets.token_hex(3))
        if name == "pledge":
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.Pledge.objects.create(
                organization=org, donor=donor, total=Decimal("100.00"), date=today, fund=fund
            )
        if name == "pledgeinstallment":
            pledge = _donors_newest(org, dm.Pledge, lambda o: _donors_simple(o, "pledge"))
            return dm.PledgeInstallment.objects.create(
                organization=org, pledge=pledge, due_date=today, amount=Decimal("100.00")
            )
        if name == "recurringgift":
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.RecurringGift.objects.create(
                organization=org,
                donor=donor,
                amount=Decimal("10.00"),
                frequency="monthly",
                fund=fund,
                start_date=today,
                next_date=today,
            )
        if name == "giftbatch":
            return dm.GiftBatch.objects.create(
                organization=org,
                name="Row",
                date=today,
                expected_count=1,
                expected_total=Decimal("10.00"),
            )
        if name == "softcredit":
            donation = _donors_newest(org, dm.Donation, _donation_row)
            other = _donor_row(org)
            return dm.SoftCredit.objects.create(
                organization=org, donation=donation, donor=other, amount=Decimal("5.00")
            )
        if name == "donorlist":
            return dm.DonorList.objects.create(organization=org, name="Row of " + org.slug)
        if name == "donorlistmember":
            donor_list = _donors_newest(org, dm.DonorList, lambda o: _donors_simple(o, "donorlist"))
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.DonorListMember.objects.create(
                organization=org, donor_list=donor_list, donor=donor
            )
        if name == "donorgivingsummary":
            donor = _donor_row(org)
            return dm.DonorGivingSummary.objects.create(organization=org, donor=donor)
        if name == "donorgivingyear":
            donor = _donor_row(org)
            return dm.DonorGivingYear.objects.create(
                organization=org, donor=donor, year=2020, last_date=date(2020, 1, 1)
            )
        if name == "givingrollupstate":
            row, _ = dm.GivingRollupState.objects.get_or_create(organization=org)
            return row
        if name == "donoremail":
            donor = _donors_newest(org, dm.Donor, _donor_row)
            email = f"row-{secrets.token_hex(3)}@{org.slug}.test"
            return dm.DonorEmail.objects.create(
                organization=org, donor=donor, email=email, email_norm=email
            )
        if name == "donorphone":
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.DonorPhone.objects.create(
                organization=org, donor=donor, phone="555-010-0199", phone_norm="5550100199"
            )
        if name == "donoraddress":
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.DonorAddress.objects.create(
                organization=org, donor=donor, address_line1="1 Row St", city="Row"
            )
    raise LookupError(name)


for _name in (
    "donor",
    "household",
    "tag",
    "donornote",
    "campaign",
    "appeal",
    "pledge",
    "pledgeinstallment",
    "recurringgift",
    "giftbatch",
    "donation",
    "softcredit",
    "donorgivingsummary",
    "donorgivingyear",
    "givingrollupstate",
    "donoremail",
    "donorphone",
    "donoraddress",
    "donorlist",
    "donorlistmember",
):
    FACTORIES[f"donors.{_name}"] = lambda org, _n=_name: _donors_simple(org, _n)  # type: ignore[misc]
PARAM_MODELS["batch_id"] = "donors.giftbatch"
PARAM_MODELS["pledge_id"] = "donors.pledge"
PARAM_MODELS["recurring_id"] = "donors.recurringgift"
PARAM_MODELS["note_id"] = "donors.donornote"


def _donors_receipts(org: Organization, name: str) -> Any:
    """Receipt rows (ORM, a number from the organization's counter; no PDF file)."""
    from ifm.donors import models as dm
    from ifm.donors.receipts.issue import next_number as _next_number

    with org_context(org):
        if name == "receiptsettings":
            row, _ = dm.ReceiptSettings.objects.get_or_create(organization=org)
            return row
        if name == "receiptcounter":
            _next_number(org)
            return dm.ReceiptCounter.objects.get(organization=org)
        if name == "receiptrun":
            return dm.ReceiptRun.objects.create(organization=org, tax_year=2025)
        if name == "taxreceipt":
            donation = _donors_newest(org, dm.Donation, _donation_row)
            receipt = dm.TaxReceipt.objects.create(
                organization=org,
                number=_next_number(org),
                kind="single",
                donor=donation.donor,
                total_amount=donation.amount,
                deductible_amount=donation.amount,
                content_html="<p>Row of " + org.slug + "</p>",
                content_data={"donation_ids": [donation.pk]},
            )
            receipt.donations.set([donation])
            return receipt
    raise LookupError(name)


for _name in ("receiptsettings", "receiptcounter", "receiptrun", "taxreceipt"):
    FACTORIES[f"donors.{_name}"] = lambda org, _n=_name: _donors_receipts(org, _n)  # type: ignore[misc]


def _donors_imports(org: Organization, name: str) -> Any:
    """Import rows (ORM): a finished run with no file, its mapping and one imported key."""
    from ifm.donors import models as dm

    with org_context(org):
        if name == "importmapping":
            return dm.ImportMapping.objects.create(
                organization=org, kind="donors", signature=secrets.token_hex(32)
            )
        if name == "importrun":
            return dm.ImportRun.objects.create(
                organization=org, kind="donors", file_hash="0" * 64, status="done"
            )
        if name == "importupload":
            return dm.ImportUpload.objects.create(
                organization=org,
                kind="donors",
                file_name="donors.csv",
                data=b"First Name,Last Name\nAna,Reyes\n",
            )
        if name == "importkey":
            run = _donors_newest(org, dm.ImportRun, lambda o: _donors_imports(o, "importrun"))
            donor = _donors_newest(org, dm.Donor, _donor_row)
            return dm.ImportKey.objects.create(
                organization=org,
                kind="donors",
                key="ext:" + secrets.token_hex(8),
                object_id=donor.pk,
                run=run,
            )
    raise LookupError(name)


for _name in ("importmapping", "importrun", "importkey", "importupload"):
    FACTORIES[f"donors.{_name}"] = lambda org, _n=_name: _donors_imports(org, _n)  # type: ignore[misc]


# --- banking ------------------------------------------------------------------------------


def _match_line(org: Organization) -> Any:
    from ifm.banking.tests import factories as bf

    made = bf.match(org, _ledger(org, "journalline"))
    with org_context(org):
        return made.ledger_lines.first()


def _line_month(org: Organization) -> Any:
    """The month row the database keeps for a bank line (it is never created directly)."""
    from ifm.banking.models import BankLineMonth
    from ifm.banking.tests import factories as bf

    line = bf.bank_transaction(org)
    with org_context(org):
        return BankLineMonth.objects.get(bank_account_id=line.bank_account_id)


def _banking(org: Organization, name: str) -> Any:
    from ifm.banking.imports.tests.factories import statement_import
    from ifm.banking.tests import factories as bf

    made: dict[str, Callable[[Organization], Any]] = {
        "bankaccount": bf.bank_account,
        "statement": bf.statement_with_lines,
        "banktransaction": bf.bank_transaction,
        "csvprofile": bf.csv_profile,
        "bankrule": bf.bank_rule,
        "reconciliation": bf.reconciliation,
        "match": bf.match,
        "matchline": _match_line,
        "statementimport": statement_import,
        "banklinemonth": _line_month,
    }
    return made[name](org)


for _name in (
    "bankaccount",
    "statement",
    "banktransaction",
    "csvprofile",
    "bankrule",
    "reconciliation",
    "match",
    "matchline",
    "statementimport",
    "banklinemonth",
):
    FACTORIES[f"banking.{_name}"] = lambda org, _n=_name: _banking(org, _n)  # type: ignore[misc]
PARAM_MODELS["bank_account_id"] = "banking.bankaccount"
PARAM_MODELS["bank_transaction_id"] = "banking.banktransaction"
PARAM_MODELS["profile_id"] = "banking.csvprofile"
PARAM_MODELS["rule_id"] = "banking.bankrule"
PARAM_MODELS["statement_id"] = "banking.statement"
PARAM_MODELS["reconciliation_id"] = "banking.reconciliation"


# --- reports ------------------------------------------------------------------------------


def _reports(org: Organization, name: str) -> Any:
    from decimal import Decimal

    from ifm.reports.budgets.models import Budget, BudgetLine

    _ledger(org, "fund")
    with org_context(org):
        from ifm.ledger.models import Account

        budget, _new = Budget.objects.get_or_create(organization=org, fiscal_year=2026)
        line, _new = BudgetLine.objects.get_or_create(
            organization=org,
            budget=budget,
            account=Account.objects.get(number="7220"),
            defaults={"month_1": Decimal("100.00")},
        )
    return budget if name == "budget" else line


for _name in ("budget", "budgetline"):
    FACTORIES[f"reports.{_name}"] = lambda org, _n=_name: _reports(org, _n)  # type: ignore[misc]


@factory("reports.giftrangesettings")
def _gift_range_settings(org: Organization) -> models.Model:
    from ifm.reports.fundraising.models import GiftRangeSettings

    with org_context(org):
        settings, _new = GiftRangeSettings.objects.get_or_create(
            organization=org, defaults={"starts": ["1000.00", "100.00", "0.01"]}
        )
    return settings


# --- volunteers ---------------------------------------------------------------------------


def _volunteers(org: Organization, name: str) -> Any:
    from ifm.volunteers.tests import factories as vf

    return vf.MADE[name](org)


for _name in (
    "volunteer",
    "qualificationtype",
    "qualification",
    "opportunity",
    "opportunityqualification",
    "shiftseries",
    "shift",
    "shiftrole",
    "signup",
    "hoursentry",
    "volunteersettings",
    "volunteermessage",
    "volunteerimport",
):
    FACTORIES[f"volunteers.{_name}"] = lambda org, _n=_name: _volunteers(org, _n)  # type: ignore[misc]
PARAM_MODELS["qualification_type_id"] = "volunteers.qualificationtype"
PARAM_MODELS["role_id"] = "volunteers.shiftrole"
PARAM_MODELS["hours_id"] = "volunteers.hoursentry"


# --- help center ------------------------------------------------------------------------------


@factory("help.articlefeedback")
def _article_feedback(org: Organization) -> models.Model:
    from ifm.support.help.services import article_feedback_set

    return article_feedback_set(
        slug="getting-started", actor=_user(org, "reader"), helpful=True, organization=org
    )


# --- support ------------------------------------------------------------------------------


def _support(org: Organization, name: str) -> Any:
    from ifm.support.tests import factories as sf

    return sf.MADE[name](org)


for _name in (
    "ticket",
    "ticketmessage",
    "ticketattachment",
    "ticketrating",
    "bug",
    "bugticket",
    "ticketaccessgrant",
    "surveyresponse",
):
    FACTORIES[f"support.{_name}"] = lambda org, _n=_name: _support(org, _n)  # type: ignore[misc]
PARAM_MODELS["attachment_id"] = "support.ticketattachment"
PARAM_MODELS["grant_id"] = "support.ticketaccessgrant"
# A canned reply (/api/v1/platform/support/canned-replies/{canned_id}): a platform row, the
# same for every organization, not a tenant's.
PARAM_VALUES["canned_id"] = "1"
# --- rollout ------------------------------------------------------------------------------
# Platform rows of one organization (its place in the rollout, its onboarding sign-offs): no
# route takes their id, and row-level security covers them like every tenant table.


@factory("rollout.organizationrollout")
def _organization_rollout(org: Organization) -> models.Model:
    from ifm.rollout.models import OrganizationRollout, Phase

    with org_context(org):
        row, _new = OrganizationRollout.objects.get_or_create(
            organization=org, defaults={"phase": Phase.objects.order_by("order").first()}
        )
    return row


@factory("rollout.onboardingsignoff")
def _onboarding_signoff(org: Organization) -> models.Model:
    from ifm.rollout.models import OnboardingSignOff, SignOffItem

    with org_context(org):
        row, _new = OnboardingSignOff.objects.get_or_create(
            organization=org, item=SignOffItem.TRAINING
        )
    return row


# --- communications -------------------------------------------------------------------------
# A send's recipient rows name their organization (row-level security covers them); the send
# itself is a platform row, and only platform pages and APIs (staff only) take its id.


@factory("support.sendrecipient")
def _send_recipient(org: Organization) -> models.Model:
    from ifm.support.comms.models import Send, SendRecipient

    user = _user(org, "recipient")
    send = Send.objects.create(
        template_name="Test",
        subject="S",
        body="B",
        audience="organizations",
        audience_label=f"Organizations: {org.name}",
        total=1,
    )
    with org_context(org):
        return SendRecipient.objects.create(
            send=send, organization=org, user=user, email=user.email
        )
