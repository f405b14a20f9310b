"""`ifm grant_access --email E --org S --role R --hours H --reason "..."`: platform access.

Time-limited, for IFM platform staff only, recorded in the organization's audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.accounts.services import normalize_email
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.orgs.services import platform_access_grant, platform_access_revoke
from ifm.tenancy.models import Organization, PlatformAccessGrant
from ifm.tenancy.roles import Role

OPTION_OF_FIELD = {"user": "--email", "role": "--role", "hours": "--hours", "reason": "--reason"}


class Command(BaseCommand):
    help = (
        "Give an IFM platform-staff user time-limited access to one organization "
        "(or take it back with --revoke). Recorded in the organization's audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The platform-staff user")
        parser.add_argument("--org", required=True, help="Organization slug")
        parser.add_argument("--role", default=Role.VIEWER.value, choices=[r.value for r in Role])
        parser.add_argument("--hours", type=int, default=4)
        parser.add_argument("--reason", default="", help="Why, e.g. the support ticket number")
        parser.add_argument(
            "--revoke", action="store_true", help="End the user's active grants instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = (
            get_user_model().objects.filter(email__iexact=normalize_email(options["email"])).first()
        )
        if user is None:
            raise CommandError(f"--email: there is no user {options['email']!r}.")
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"--org: there is no organization with the slug {options['org']!r}.")
        if options["revoke"]:
            with all_organizations():
                grants = [
                    g
                    for g in PlatformAccessGrant.all_orgs.filter(
                        organization=org, user=user, revoked_at__isnull=True
                    )
                    if g.is_active
                ]
            for grant in grants:
                platform_access_revoke(grant=grant)
            self.stdout.write(f"Revoked {len(grants)} grant(s) of {user.email} in {org.slug}.")
            return
        try:
            grant = platform_access_grant(
                organization=org,
                user=user,
                role=options["role"],
                reason=options["reason"],
                hours=options["hours"],
            )
        except ServiceError as exc:
            field = exc.errors[0]["field"] if exc.errors else None
            prefix = f"{OPTION_OF_FIELD[field]}: " if field in OPTION_OF_FIELD else ""
            raise CommandError(prefix + exc.message) from None
        self.stdout.write(
            f"{user.email} may act in {org.slug} as {grant.role} until "
            f"{grant.expires_at:%Y-%m-%d %H:%M} UTC."
        )
