"""Volunteers: the kiosk area."""
