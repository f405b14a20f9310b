"""The fundraising reports on the reports home."""

from ifm.reports.report import Entry

SECTION = "Fundraising"
PERM = "reports.fundraising"

ENTRIES = [
    Entry(
        PERM,
        "reports:lybunt",
        "LYBUNT",
        "Donors who gave last year but not this year (calendar or fiscal), with last year's "
        "and lifetime giving; save them as a donor list.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:sybunt",
        "SYBUNT",
        "Donors who gave in some earlier year but not this year; save them as a donor list.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:retention",
        "Donor retention",
        "Donors, new, retained, recaptured and lapsed donors and the retention rate, year by "
        "year over five years.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:gift_range",
        "Gift range (pyramid)",
        "How many donors gave how much in a period, in ranges you choose.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:campaign_giving",
        "Giving by campaign and appeal",
        "What each campaign and appeal raised, against the campaign's goal.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:top_donors",
        "Top donors",
        "The donors who gave most in a period.",
        SECTION,
    ),
    Entry(
        PERM,
        "reports:monthly_giving",
        "Monthly giving, average and median gift",
        "Gifts, total, average and median gift month by month, and for the whole period.",
        SECTION,
    ),
]
