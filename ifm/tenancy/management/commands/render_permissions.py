"""Write the permission matrix (ifm/tenancy/permissions.py) to docs/permissions.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.tenancy.permissions import render_markdown


def permissions_doc_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "permissions.md"


class Command(BaseCommand):
    help = "Write the permission matrix to docs/permissions.md (--check: fail if it is stale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit non-zero when docs/permissions.md differs from the matrix.",
        )
        parser.add_argument("--output", type=Path, default=None, help="Another file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or permissions_doc_path()
        wanted = render_markdown()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if options["check"]:
            if current != wanted:
                raise CommandError(
                    f"{path} is out of date with ifm/tenancy/permissions.py: "
                    "run `ifm render_permissions` and commit the result."
                )
            self.stdout.write(f"{path} is up to date.")
            return
        if current == wanted:
            self.stdout.write(f"{path} is already up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
