"""The ledger's fixtures (books with the template chart, the general fund) for the reports."""

from ifm.ledger.conftest import books, general

__all__ = ["books", "general"]
