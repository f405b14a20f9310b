"""What the expenses app adds to the search across the organization (ifm.orgs.search):
expenses by payee, description, submitter or reference ("EXP-7"), only those the person may
see (everyone's with expenses.view_all, else their own), through the expense list's selector."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from ifm.expenses.selectors import expense_list
from ifm.orgs.search import SearchHit, SearchQuery, register


def expenses_found(query: SearchQuery) -> list[SearchHit]:
    slug = query.organization.slug
    expenses = expense_list(user=query.user, access=query.access, q=query.text).order_by(
        "-date", "-id"
    )
    hits = []
    for expense in expenses[: query.limit + 1]:
        amount = f"{expense.amount:,.2f}" if expense.amount is not None else ""
        parts = [f"{expense.date:%Y-%m-%d}", amount, expense.get_status_display()]
        hits.append(
            SearchHit(
                title=f"{expense.reference} {expense.payee}",
                detail=" · ".join(p for p in parts if p),
                url=reverse(
                    "expenses:expense_detail", kwargs={"org_slug": slug, "expense_id": expense.pk}
                ),
            )
        )
    return hits


def expenses_url(query: SearchQuery) -> str:
    path = reverse("expenses:expense_list", kwargs={"org_slug": query.organization.slug})
    return path + "?" + urlencode({"q": query.text})


def register_providers() -> None:
    register(
        "expenses",
        label="Expenses",
        perms=("expenses.submit", "expenses.view_all"),
        find=expenses_found,
        more_url=expenses_url,
        order=40,
    )
