"""The audit log reads in sentences with names, links to the records, and resolves the ids in
the recorded changes in bulk: a page of 50 events costs the same queries as a page of 5."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ifm.audit.models import AuditEvent
from ifm.audit.readable import describe_events
from ifm.audit.services import audit_record
from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.tests.tenant_factories import FACTORIES

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.fixture
def expense(org_a: Organization) -> Any:
    expense: Any = FACTORIES["expenses.expense"](org_a)
    with org_context(org_a):
        expense.description = "Office chairs"
        expense.save(update_fields=["description"])
    return expense


def _expenses(org: Organization, template: Any, count: int) -> list[Any]:
    model = type(template)
    with org_context(org):
        return [
            model.objects.create(
                submitted_by=template.submitted_by,
                kind=template.kind,
                payee=f"Payee {i}",
                date=template.date,
                amount=template.amount,
                category=template.category,
                fund=template.fund,
                function=template.function,
                description=f"Item {i}",
            )
            for i in range(count)
        ]


def test_a_role_change_reads_as_a_sentence_with_names(cast: Any, org_a: Organization) -> None:
    with org_context(org_a):
        member = Membership.objects.get(user=cast["staff"])
    audit_record(
        action="membership.update",
        actor=cast["admin"],
        organization=org_a,
        obj=member,
        changes={"role": {"before": "staff", "after": "finance"}},
    )
    page = client_for(cast["admin"]).get(reverse("audit:audit_log", kwargs={"org_slug": "alpha"}))
    text = _text(page.content.decode())
    assert "Alpha Admin changed Alpha Staff's role from Staff to Finance" in text
    assert "membership.update" in text  # the code stays, in the row's details


def test_an_approval_names_and_links_the_expense(
    cast: Any, org_a: Organization, expense: Any
) -> None:
    with org_context(org_a):
        audit_record(
            action="expense.approve", actor=cast["finance"], organization=org_a, obj=expense
        )
        [row] = describe_events(
            AuditEvent.objects.filter(organization=org_a, object_type="expenses.expense"),
            organization=org_a,
        )
    url = reverse("expenses:expense_detail", kwargs={"org_slug": "alpha", "expense_id": expense.pk})
    assert row.url == url
    assert f'<a href="{url}">' in row.sentence
    assert _text(row.sentence) == (
        f"Alpha Finance approved expense #{expense.pk} “Office chairs” ($12.34)"
    )


def test_ids_in_the_changes_become_names(cast: Any, org_a: Organization, expense: Any) -> None:
    with org_context(org_a):
        from ifm.ledger.models import Account

        supplies, donated = Account.objects.get(number="8110"), Account.objects.get(number="8120")
        audit_record(
            action="expense.update",
            actor=cast["staff"],
            organization=org_a,
            obj=expense,
            changes={
                "category": {"before": supplies.pk, "after": donated.pk},
                "submitted_by": {"before": None, "after": cast["staff"].pk},
                "function": {"before": "program", "after": "fundraising"},
            },
        )
        [row] = describe_events(
            AuditEvent.objects.filter(organization=org_a, object_type="expenses.expense"),
            organization=org_a,
        )
    text = _text(row.sentence)
    assert text.startswith(f"Alpha Staff changed expense #{expense.pk} “Office chairs” ($12.34): ")
    assert "category from 8110 Supplies to 8120 Donated materials & supplies" in text
    assert "submitted by set to Alpha Staff" in text
    assert "function from Program services to Fundraising" in text
    assert f"{supplies.pk}" not in text.split(":", 1)[1].replace("8110", "")


def test_a_page_of_50_rows_costs_the_queries_of_a_page_of_5(
    cast: Any, org_a: Organization, expense: Any
) -> None:
    """No query per row: the records and the ids in the changes are read in bulk."""
    with org_context(org_a):
        from ifm.ledger.models import Account

        accounts = list(Account.objects.filter(number__in=["8110", "8120", "8130"]))
        members = list(Membership.objects.all())
    expenses = _expenses(org_a, expense, 25)

    def record(i: int) -> None:
        if i % 2:
            audit_record(
                action="expense.update",
                actor=cast["finance"],
                organization=org_a,
                obj=expenses[i % len(expenses)],
                changes={
                    "category": {
                        "before": accounts[i % 3].pk,
                        "after": accounts[(i + 1) % 3].pk,
                    },
                    "submitted_by": {"before": cast["staff"].pk, "after": cast["finance"].pk},
                },
            )
        else:
            audit_record(
                action="membership.update",
                actor=cast["admin"],
                organization=org_a,
                obj=members[i % len(members)],
                changes={"role": {"before": "staff", "after": "viewer"}},
            )

    for i in range(5):
        record(i)
    url = reverse("audit:audit_log", kwargs={"org_slug": "alpha"})
    client = client_for(cast["admin"])
    client.get(url)  # warm the session and the route table
    with CaptureQueriesContext(connection) as small:
        page = client.get(url)
    shown = len(page.context["rows"])  # the five and the set-up's own events
    assert shown < 20
    for i in range(5, 5 + 50 - shown):
        record(i)
    with CaptureQueriesContext(connection) as full:
        page = client.get(url)
    assert len(page.context["rows"]) == 50
    assert len(full.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in full.captured_queries
    ]
    assert len(full.captured_queries) <= 20
    text = _text(page.content.decode())
    assert "Alpha Finance changed expense #" in text
    assert "8120 Donated materials" in text


def test_the_platform_log_reads_in_sentences_too(cast: Any, org_a: Organization) -> None:
    from ifm.conftest import make_user

    with org_context(org_a):
        member = Membership.objects.get(user=cast["staff"])
    audit_record(
        action="membership.update",
        actor=cast["admin"],
        organization=org_a,
        obj=member,
        changes={"role": {"before": "staff", "after": "viewer"}},
    )
    audit_record(action="auth.sign_in", actor=cast["viewer"])
    staff = make_user("support@ifm.test", is_platform_staff=True)
    text = _text(client_for(staff).get(reverse("platform_audit:platform_audit")).content.decode())
    assert "Alpha Admin changed Alpha Staff's role from Staff to Viewer" in text
    assert "Alpha Viewer signed in" in text
