"""Demo data: three organizations, one user of each role in each. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from ifm.accounts.services import membership_set
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
    help = "Create demo organizations and one user of each role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        rows = []
        for slug, name, legal, ein, fy in DEMO_ORGS:
            org = Organization.objects.filter(slug=slug).first() or organization_create(
                slug=slug, name=name, legal_name=legal, ein=ein, fiscal_year_start_month=fy
            )
            for role in Role:
                email = f"{role.value.replace('_', '-')}@{slug}.demo"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email, password=DEMO_PASSWORD, full_name=f"{role.label} ({name})"
                    )
                membership_set(organization=org, user=user, role=role)
                rows.append((org.slug, role.value, email))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD})"))
        for slug, role_name, email in rows:
            self.stdout.write(f"  {slug:<14} {role_name:<22} {email}")
        self.stdout.write("")
