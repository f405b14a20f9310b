"""Budgets and budget vs. actual on the reports home."""

from ifm.reports.report import Entry

SECTION = "Budgets"
PERM = "reports.financial"

ENTRIES: list[Entry] = [
    Entry(
        PERM,
        "reports:budget_vs_actual",
        "Budget vs. actual",
        "Each budget line against what was posted for the fiscal year or its first months: "
        "variance and percentage used, lines over budget highlighted.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:budgets",
        "Budgets",
        "The budget of each fiscal year by account and month: enter it on a grid, import it "
        "from CSV or Excel, or copy last year's actuals or budget with a percentage.",
        SECTION,
    ),
]
