"""Signals of the ground floor that domain apps listen to (so tenancy imports none of them)."""

from django.dispatch import Signal

# Sent inside the creating transaction, with `organization` and `actor`: apps set up what every
# organization starts with (the ledger its chart of accounts, funds and current fiscal year).
organization_created = Signal()
