"""Banking: statement import: a file in, new lines stored, duplicates skipped, all or nothing."""
