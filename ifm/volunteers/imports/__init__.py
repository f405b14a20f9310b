"""Volunteers: the imports area."""
