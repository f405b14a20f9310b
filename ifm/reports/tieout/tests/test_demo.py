"""The demo's books as the reports home shows them: donations agree with the ledger for every
fund, an expense charged to a purpose-restricted fund carries its release, and a
time-restricted fund whose date has passed is released."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.ledger.balances.selectors import restricted_balance
from ifm.ledger.models import Account, Fund, JournalLine, Restriction, SourceType
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.orgs import demo
from ifm.reports.tieout.selectors import fund_ties, tie_summary
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()
ZERO = Decimal("0.00")


def test_the_demo_books_tie_out_and_show_both_releases(
    org_a: Organization, cast: dict[str, Any]
) -> None:
    demo.seed_organization(org_a, cast, donors=12, today=TODAY)
    with org_context(org_a):
        start = fiscal_year_bounds(org_a, TODAY)[0]
        # The reports home's check: the fiscal year to date, and the whole demo window.
        assert tie_summary(date_from=start, date_to=TODAY)["agrees"]
        ties = fund_ties(date_from=date(2000, 1, 1), date_to=TODAY)
        assert ties
        assert {t.label: t.difference for t in ties} == {t.label: ZERO for t in ties}

        release_accounts = set(
            Account.objects.filter(role__in=("release_with", "release_without")).values_list(
                "pk", flat=True
            )
        )
        # An approved expense charged to the purpose-restricted fund released it in its entry.
        youth = Fund.objects.get(restriction=Restriction.PURPOSE, code="YOUTH")
        expense_lines = JournalLine.objects.filter(
            fund=youth, entry__source_type=SourceType.EXPENSE, account__type="expense"
        )
        assert expense_lines.exists()
        entry = expense_lines.first().entry  # type: ignore[union-attr]
        released = entry.lines.filter(account_id__in=release_accounts)
        assert released.count() == 2
        assert {line.fund_id for line in released} == {youth.pk}

        # A time-restricted fund whose date has passed holds nothing with restrictions.
        passed = Fund.objects.filter(restriction=Restriction.TIME, restricted_until__lt=TODAY)
        assert passed.exists()
        for fund in passed:
            assert fund.lines.filter(account_id__in=release_accounts).exists()
            assert restricted_balance(fund_id=fund.pk, as_of=TODAY) == ZERO
