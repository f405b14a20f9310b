"""Banking: reconciliations of a bank account to a statement balance, and their report."""
