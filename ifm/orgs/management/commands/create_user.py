"""`ifm create_user --email E --org S --role R [--password-stdin]`: add a member.

With --password-stdin the account is created with that password; otherwise an invitation is emailed.
"""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from ifm.accounts.services import invitation_create, membership_set, normalize_email
from ifm.core.errors import ServiceError
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.roles import Role


class _CommandLineAdmin:
    """What the command line acts as when inviting: an admin of the organization."""

    role = Role.ADMIN.value
    is_active = True


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "Add a person to an organization with a role. With --password-stdin the account gets "
        "the password read from standard input; otherwise an invitation email is sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--org", required=True, help="Organization slug")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input (first line) instead of inviting by email.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalize_email(options["email"])
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"--email: {options['email']!r} is not a valid email address."
            ) from None
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"--org: there is no organization with the slug {options['org']!r}.")
        role = Role(options["role"])
        User = get_user_model()
        if not options["password_stdin"]:
            try:
                invitation, _token = invitation_create(
                    organization=org,
                    email=email,
                    role=role,
                    actor=None,
                    actor_access=_CommandLineAdmin(),
                )
            except ServiceError as exc:
                raise CommandError(f"--email: {exc.message}") from None
            self.stdout.write(
                f"Invitation sent to {invitation.email} for {org.slug} as {role.value}; "
                f"it expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
            )
            return
        stdin = options.get("stdin") or sys.stdin
        password = stdin.readline().rstrip("\r\n")
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            raise CommandError(
                f"--email: an account for {email} already exists; run without --password-stdin "
                "to invite it, or add the membership in the members page."
            )
        candidate = User(email=email, full_name=options["full_name"])
        try:
            password_validation.validate_password(password, user=candidate)
        except ValidationError as exc:
            raise CommandError("--password-stdin: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, full_name=options["full_name"]
            )
            membership: Membership = membership_set(organization=org, user=user, role=role)
        self.stdout.write(
            f"Created {user.email} in {org.slug} as {membership.role} (membership {membership.pk})."
        )
