"""`ifm generate_data --orgs 34 --years 5 --scale 1 [--seed 1]`: a large, deterministic ledger.

See ifm/ledger/generate.py for what is made. Idempotent: organizations already generated with
the same arguments are skipped; an organization in the way (made otherwise, or with other
arguments) stops the run before anything is written.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.core.errors import ServiceError
from ifm.ledger.generate import GenerateOptions, generate, org_specs


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic organizations and journal entries "
        "(scale 1 is about one million journal lines)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orgs", type=int, default=34, help="organizations (default 34)")
        parser.add_argument("--years", type=int, default=5, help="fiscal years (default 5)")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = about one million lines in total"
        )
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
        parser.add_argument(
            "--first-year", type=int, default=2021, help="first fiscal year (default 2021)"
        )
        parser.add_argument(
            "--prefix", default="gen", help="organization slugs are PREFIX-01, PREFIX-02, ..."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the organizations and sizes only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        opts = GenerateOptions(
            orgs=options["orgs"],
            years=options["years"],
            scale=options["scale"],
            seed=options["seed"],
            first_year=options["first_year"],
            prefix=options["prefix"],
        )
        if options["dry_run"]:
            for spec in org_specs(opts):
                funds = ", ".join(code for code, _n, _r in spec.funds)
                self.stdout.write(
                    f"{spec.slug}  ~{spec.target_lines:>9,} lines  FY from month "
                    f"{spec.fiscal_year_start_month:<2}  funds GEN, {funds}  {spec.name}"
                )
            return

        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        self.stdout.write(
            f"Generating {opts.orgs} organizations x {opts.years} fiscal years from "
            f"{opts.first_year}, scale {opts.scale:g} (about "
            f"{int(opts.scale * 1_000_000):,} lines), seed {opts.seed}"
        )
        try:
            result = generate(opts, progress)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result.entries:,} entries, {result.lines:,} lines in "
                f"{result.seconds:.1f} s ({result.lines / max(result.seconds, 1e-9):,.0f} lines/s)"
            )
        )
