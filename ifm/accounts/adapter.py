from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ifm.core.request_context import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join an organization by invitation only.
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's sign-in rate limits count per address: the same address as the lockout's
        # (behind TRUSTED_PROXY_COUNT proxies, read from X-Forwarded-For), not the proxy's,
        # which would put everyone behind one shared limit.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


class MFAAdapter(DefaultMFAAdapter):
    pass
