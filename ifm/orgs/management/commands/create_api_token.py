"""`ifm create_api_token --email E --org S [--name N]`: prints the new token and nothing else."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.accounts.services import api_token_create, normalize_email
from ifm.core.errors import ServiceError
from ifm.tenancy.selectors import access_for


class Command(BaseCommand):
    help = "Create an API token for a member; the token alone goes to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--org", required=True, help="Organization slug")
        parser.add_argument("--name", default="Command line", help="What the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = (
            get_user_model().objects.filter(email__iexact=normalize_email(options["email"])).first()
        )
        if user is None:
            raise CommandError(f"--email: there is no user {options['email']!r}.")
        org, access = access_for(user, options["org"])
        if org is None or access is None:
            raise CommandError(
                f"--org: {user.email} has no active access to an organization {options['org']!r}."
            )
        try:
            _api_token, secret = api_token_create(
                organization=org, user=user, access=access, name=options["name"]
            )
        except ServiceError as exc:
            raise CommandError(f"--name: {exc.message}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(secret)
