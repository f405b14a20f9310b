"""/api/v1 banking: bank accounts, statements, lines, matching, rules, reconciliations."""

from ninja import Router

router = Router(tags=["banking"])
