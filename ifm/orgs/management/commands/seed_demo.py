"""Demo data: three organizations, one user of each role in each, and each app's demo data
(donors, gifts, the ledger, expenses: the steps registered in ifm/orgs/demo.py). Safe to run
again: what is there already is left as it is."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from ifm.accounts.services import membership_set
from ifm.orgs.demo import DEFAULT_DONORS, seed_organization
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (documented demo sign-in, development only)
DEMO_ORGS = [
    ("hope-kitchen", "Hope Community Kitchen", "Hope Community Kitchen, Inc.", "12-3456789", 1),
    ("river-youth", "River Valley Youth Mentors", "River Valley Youth Mentors", "23-4567890", 7),
    ("grace-chapel", "Grace Chapel Ministries", "Grace Chapel Ministries of Ohio", "34-5678901", 1),
]


class Command(BaseCommand):
    help = "Create demo organizations, one user of each role and their demo data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--donors",
            type=int,
            default=DEFAULT_DONORS,
            help=f"donors per organization (default {DEFAULT_DONORS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        rows = []
        started = time.monotonic()
        for slug, name, legal, ein, fy in DEMO_ORGS:
            org = Organization.objects.filter(slug=slug).first() or organization_create(
                slug=slug, name=name, legal_name=legal, ein=ein, fiscal_year_start_month=fy
            )
            users = {}
            for role in Role:
                email = f"{role.value.replace('_', '-')}@{slug}.demo"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email, password=DEMO_PASSWORD, full_name=f"{role.label} ({name})"
                    )
                membership_set(organization=org, user=user, role=role)
                users[role.value] = user
                rows.append((org.slug, role.value, email))
            for step, summary in seed_organization(org, users, donors=options["donors"]):
                self.stdout.write(f"  {slug:<14} {step:<10} {summary}")
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD})"))
        for slug, role_name, email in rows:
            self.stdout.write(f"  {slug:<14} {role_name:<22} {email}")
        self.stdout.write("")
