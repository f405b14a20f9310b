"""The financial statements on the reports home."""

from ifm.reports.report import Entry

SECTION = "Financial statements"
PERM = "reports.financial"

ENTRIES = [
    Entry(
        PERM,
        "reports:financial_position",
        "Statement of financial position",
        "Assets, liabilities and net assets without and with donor restrictions on a date, "
        "beside the prior year-end or another date.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:activities",
        "Statement of activities",
        "Revenue and support by net-asset class, releases from restriction, expenses by "
        "function and the change in net assets for a period; by fund or program.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:functional_expenses",
        "Statement of functional expenses",
        "Each expense account by program, management and general, and fundraising, as "
        "Form 990 Part IX lays them out.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:cash_flow",
        "Statement of cash flows",
        "The change in net assets turned into the change in cash (indirect method): non-cash "
        "items, working capital, investing and financing.",
        SECTION,
    ),
]
