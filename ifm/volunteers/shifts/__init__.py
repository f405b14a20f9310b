"""Volunteers: the shifts area."""
