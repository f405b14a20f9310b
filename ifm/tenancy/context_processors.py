from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def tenancy(request: HttpRequest) -> dict[str, Any]:
    return {
        "org": getattr(request, "org", None),
        "access": getattr(request, "access", None),
        "user_orgs": getattr(request, "user_orgs", []),
    }
