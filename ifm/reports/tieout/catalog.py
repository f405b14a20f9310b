"""The tie-outs on the reports home."""

from ifm.reports.report import Entry

ENTRIES = [
    Entry(
        "reports.financial",
        "reports:donations_vs_ledger",
        "Donations vs. ledger",
        "Per fund, the gifts the donor module recorded against the contribution revenue in the "
        "ledger, with the items behind any difference.",
        "Tie-outs",
    ),
]
