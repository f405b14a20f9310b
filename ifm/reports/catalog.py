"""What the reports home lists: each area names its reports in its own `catalog.ENTRIES`; an
area adds a report by adding an entry, without touching the home."""

from __future__ import annotations

from ifm.reports.budgets.catalog import ENTRIES as BUDGETS
from ifm.reports.financial.catalog import ENTRIES as FINANCIAL
from ifm.reports.fundraising.catalog import ENTRIES as FUNDRAISING
from ifm.reports.report import Entry
from ifm.reports.tieout.catalog import ENTRIES as TIEOUT


def entries() -> list[Entry]:
    return [*FINANCIAL, *BUDGETS, *FUNDRAISING, *TIEOUT]
