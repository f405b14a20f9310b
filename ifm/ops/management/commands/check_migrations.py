"""ifm check_migrations: new migrations that a zero-downtime deploy cannot take."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.ops import migration_safety


class Command(BaseCommand):
    help = (
        "Flag new migrations (not in ifm/ops/shipped_migrations.txt) that would break the "
        "running release or lock a large table during a deploy (docs/ops/migrations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mark-shipped",
            action="store_true",
            help="At release time: add every current migration to the shipped list.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["mark_shipped"]:
            names = migration_safety.current_migrations()
            header = (
                "# Migrations already shipped: ifm check_migrations does not check them again.\n"
                "# Add the new ones at each release: ifm check_migrations --mark-shipped\n"
            )
            migration_safety.SHIPPED_FILE.write_text(header + "\n".join(names) + "\n")
            self.stdout.write(f"{len(names)} migrations marked as shipped.")
            return
        findings = migration_safety.check_all()
        for finding in findings:
            self.stderr.write(str(finding))
        if findings:
            raise CommandError(
                f"{len(findings)} migration operation(s) unsafe for a zero-downtime deploy; "
                "see docs/ops/migrations.md for the two-step pattern."
            )
        self.stdout.write("Migrations are safe to deploy.")
