"""Tax receipts and year-end statements (IRS Publication 1771): see docs/receipts.md."""
