"""`ifm clear_lockout --ip ADDRESS --by STAFF_EMAIL`: lift the sign-in lock on one address.

For IFM platform staff, when an office's shared address is locked by others' failures. Members'
own account locks are cleared by their organization's admins on the Members page.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.accounts.lockout import lockout_clear_address, normalize_email


class Command(BaseCommand):
    help = "Clear the sign-in lockout of one client address (IFM platform staff, audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ip", required=True, help="The client address that is locked")
        parser.add_argument("--by", required=True, help="Email of the platform-staff user acting")

    def handle(self, *args: Any, ip: str, by: str, **options: Any) -> None:
        try:
            address = str(ipaddress.ip_address(ip.strip()))
        except ValueError:
            raise CommandError(f"--ip: {ip!r} is not an IP address.") from None
        actor = get_user_model().objects.filter(email__iexact=normalize_email(by)).first()
        if actor is None:
            raise CommandError(f"--by: there is no user {by!r}.")
        try:
            cleared = lockout_clear_address(ip_address=address, actor=actor)
        except PermissionDenied as exc:
            raise CommandError(f"--by: {exc}") from None
        self.stdout.write(f"Cleared {cleared} attempt record(s) for {address}.")
