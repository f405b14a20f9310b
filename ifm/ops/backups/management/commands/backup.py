"""`ifm backup [--to DIR|s3://bucket/prefix]`: back the database up now (docs/ops/runbook.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.ops.backups.crypto import generate_key
from ifm.ops.backups.destinations import destination_for
from ifm.ops.backups.files import BackupError
from ifm.ops.backups.services import backup_create, backup_prune, default_destination


class Command(BaseCommand):
    help = (
        "Back the database up (PostgreSQL: pg_dump; SQLite: the online backup API) with a "
        "manifest of every table's row count and checksum, and every stored file the database "
        "names (with its size and SHA-256), encrypted when "
        "BACKUP_ENCRYPTION_KEY is set, then remove backups the retention policy no longer keeps."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", metavar="DIR|s3://bucket/prefix", help="Default: BACKUP_DESTINATION."
        )
        parser.add_argument(
            "--no-prune", action="store_true", help="Keep every older backup this time."
        )
        parser.add_argument(
            "--prune-only", action="store_true", help="Apply the retention policy, back up nothing."
        )
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help="Print a new random key for BACKUP_ENCRYPTION_KEY and stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(generate_key())
            return
        try:
            destination = destination_for(options["to"]) if options["to"] else default_destination()
            if options["prune_only"]:
                removed = backup_prune(destination=destination)
                self.stdout.write(f"Removed {len(removed)} backup(s): {' '.join(removed) or '-'}")
                return
            result = backup_create(destination=destination, prune=not options["no_prune"])
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        manifest = result.manifest
        rows = sum(t["rows"] for t in manifest["tables"])
        self.stdout.write(
            f"Backup {result.name} written to {result.location}: {manifest['file']}, "
            f"{result.size} bytes, {len(manifest['tables'])} tables, {rows} rows"
            f"{', encrypted' if manifest['encrypted'] else ''}; "
            f"{len(manifest['files'])} stored files in {manifest['files_archive']['file']}."
        )
        if manifest["files_missing"]:
            self.stderr.write(
                f"{len(manifest['files_missing'])} stored file(s) the database names are missing "
                f"from storage and not in the backup (see `ifm storage_check`): "
                f"{' '.join(manifest['files_missing'][:10])}"
            )
        if result.pruned:
            self.stdout.write(f"Removed by the retention policy: {' '.join(result.pruned)}")
