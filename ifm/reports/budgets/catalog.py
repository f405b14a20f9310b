"""Budgets and budget vs. actual on the reports home."""

from ifm.reports.report import Entry

ENTRIES: list[Entry] = []
