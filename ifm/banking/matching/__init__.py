"""Banking: bank lines matched to ledger lines: suggestions, matches, rules, entries from lines."""
