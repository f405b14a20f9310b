"""`ifm storage_check`: files the database names but storage lacks (missing), and files in
storage no row names (orphans). Exits 1 when any file is missing; orphans alone are reported
but are not a failure (`--strict` makes them one). Works on either backend (STORAGE_BACKEND)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.ops.storage_audit import storage_check


class Command(BaseCommand):
    help = "List files referenced in the database but missing from storage, and orphans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strict", action="store_true", help="Fail on orphans too.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = storage_check()
        for alias in report.referenced:
            self.stdout.write(
                f"{alias}: {report.referenced[alias]} referenced, {report.stored[alias]} stored"
            )
        for alias, ref in report.missing:
            self.stdout.write(f"MISSING {alias}:{ref.name} ({ref.model} {ref.pk}, {ref.field})")
        for alias, name in report.orphans:
            self.stdout.write(f"ORPHAN {alias}:{name}")
        summary = f"{len(report.missing)} missing, {len(report.orphans)} orphaned"
        if report.missing or (options["strict"] and report.orphans):
            raise CommandError(f"Storage check failed: {summary}.")
        self.stdout.write(f"Storage check passed: {summary}.")
