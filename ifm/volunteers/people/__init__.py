"""Volunteers: the people area."""
