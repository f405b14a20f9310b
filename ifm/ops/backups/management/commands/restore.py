"""`ifm restore --verify BACKUP` and `ifm restore BACKUP --into DATABASE_URL [--force]`."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.ops.backups.files import BackupError
from ifm.ops.backups.services import (
    VerifyResult,
    backup_resolve,
    backup_restore,
    backup_verify,
)


class Command(BaseCommand):
    help = (
        "Restore a backup. With --verify: into a scratch database that is dropped afterwards, "
        "comparing every table's row count and checksum with the manifest (exit status 1 on "
        "any difference). With --into DATABASE_URL: into that database, which must be empty "
        "unless --force. BACKUP is a file, s3://bucket/prefix/name, a name in --from, or latest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", metavar="BACKUP")
        parser.add_argument("--verify", action="store_true")
        parser.add_argument("--into", metavar="DATABASE_URL")
        parser.add_argument("--force", action="store_true", help="Replace a non-empty target.")
        parser.add_argument(
            "--from",
            dest="source",
            metavar="DIR|s3://bucket/prefix",
            help="Where a bare BACKUP name is looked for (default: BACKUP_DESTINATION).",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="After --into, do not run `ifm migrate` on the target (it grants the app role "
            "its rows again and brings the schema up to this release).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verify"] == bool(options["into"]):
            raise CommandError("Give either --verify or --into DATABASE_URL.")
        try:
            destination, name = backup_resolve(options["backup"], source=options["source"])
            if options["verify"]:
                self.stdout.write(f"Verifying {name} from {destination.location} ...")
                result = backup_verify(destination=destination, name=name)
            else:
                self.stdout.write(f"Restoring {name} from {destination.location} ...")
                result = backup_restore(
                    destination=destination,
                    name=name,
                    url=options["into"],
                    force=options["force"],
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.report(result)
        self.report_files(result)
        if not result.ok:
            problems = []
            if result.mismatches:
                problems.append(f"{len(result.mismatches)} table(s)")
            if result.file_mismatches:
                problems.append(f"{len(result.file_mismatches)} stored file(s)")
            raise CommandError(f"{' and '.join(problems)} differ from the manifest of {name}.")
        files = f" and {len(result.files)} stored files" if result.files else ""
        if options["verify"]:
            self.stdout.write(f"Verified: all {len(result.tables)} tables{files} are identical.")
            return
        self.stdout.write(f"Restored: all {len(result.tables)} tables{files} are identical.")
        kept = [f for f in result.files if f.action == "kept"]
        if kept:
            self.stderr.write(
                f"{len(kept)} stored file(s) already in storage with other contents were kept "
                "(use --force to replace them with the backup's)."
            )
        if not options["no_migrate"]:
            self.migrate(options["into"])

    def report(self, result: VerifyResult) -> None:
        width = max((len(t.name) for t in result.tables), default=5)
        self.stdout.write(f"{'table':<{width}}  {'rows':>10}  {'restored':>10}  checksum")
        for t in result.tables:
            state = "identical" if t.ok else "DIFFERENT"
            if t.expected_rows is None:
                state = "NOT IN BACKUP"
            elif t.actual_rows is None:
                state = "MISSING"
            expected = "-" if t.expected_rows is None else t.expected_rows
            actual = "-" if t.actual_rows is None else t.actual_rows
            self.stdout.write(f"{t.name:<{width}}  {expected:>10}  {actual:>10}  {state}")

    def report_files(self, result: VerifyResult) -> None:
        if not result.files:
            return
        width = max(len(f.label) for f in result.files)
        self.stdout.write(f"{'stored file':<{width}}  {'bytes':>10}  {'in backup':>10}  checksum")
        for f in result.files:
            state = "identical" if f.ok else "DIFFERENT"
            if f.expected_size is None:
                state = "NOT IN MANIFEST"
            elif f.actual_size is None:
                state = "MISSING FROM BACKUP"
            if f.action:
                state += f", {f.action}"
            expected = "-" if f.expected_size is None else f.expected_size
            actual = "-" if f.actual_size is None else f.actual_size
            self.stdout.write(f"{f.label:<{width}}  {expected:>10}  {actual:>10}  {state}")

    def migrate(self, url: str) -> None:
        self.stdout.write("Running `ifm migrate` on the restored database ...")
        done = subprocess.run(
            [sys.executable, "-m", "ifm.cli", "migrate", "--noinput"],
            env={**os.environ, "DATABASE_URL": url},
            check=False,
        )
        if done.returncode != 0:
            raise CommandError("The data is restored, but `ifm migrate` on it failed (above).")
