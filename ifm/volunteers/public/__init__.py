"""Volunteers: the public area."""
