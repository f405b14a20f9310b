"""Rate limits of the public pages, counted per client address (and per email address where
a form sends mail), in fixed windows kept in Django's cache.

Sign-in has its own lockout (django-axes, ifm.accounts.lockout), which counts failed
passwords; nothing there counts requests, so the public pages count their own. The client
address is ifm.core.request_context.client_ip, which trusts X-Forwarded-For only as far as
TRUSTED_PROXY_COUNT says. With the default local-memory cache each web process counts apart;
a shared cache (CACHES pointed at Redis or the database) makes the limit exact.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from ifm.core.request_context import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# A person signs up for a handful of shifts at a time; a script signs up for hundreds.
SIGNUP_PER_IP = Limit("signup-ip", 20, 60 * 60)
# Asking for a new link: per address, and per email so nobody's inbox can be flooded.
LINK_PER_IP = Limit("link-ip", 10, 60 * 60)
LINK_PER_EMAIL = Limit("link-email", 3, 60 * 60)


def _key(limit: Limit, who: str, window: int) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"ifm:vol-rate:{limit.name}:{digest}:{window}"


def hit(limit: Limit, who: str) -> int | None:
    """Count one request of `who`; None while within the limit, else the seconds until the
    window ends (for Retry-After)."""
    now = int(time.time())
    window = now // limit.seconds
    key = _key(limit, who, window)
    cache.add(key, 0, timeout=limit.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=limit.seconds + 5)
        used = 1
    if used <= limit.count:
        return None
    return max(1, (window + 1) * limit.seconds - now)


def hit_ip(limit: Limit, request: HttpRequest) -> int | None:
    return hit(limit, client_ip(request) or "unknown")
