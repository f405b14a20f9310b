"""Volunteers: the hours area."""
