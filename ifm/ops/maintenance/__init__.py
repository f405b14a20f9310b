"""Maintenance mode: one switch in the database that every web process reads (at most once a
second), the 503 answer it gives everyone but platform staff, and the banner that announces a
planned maintenance window. Pages, the API and `ifm maintenance` all call `services`."""
