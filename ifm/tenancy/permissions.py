"""The permission matrix, written once.

Pages, the API and services all ask `has_perm` / `require_perm`. `ifm render_permissions`
writes this matrix into docs/permissions.md, and a test keeps the two equal.
Each domain module adds its rows here when it is built.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ifm.core.org_context import org_context
from ifm.tenancy.roles import Role

P = ParamSpec("P")
R = TypeVar("R")


class Access(Protocol):
    """What grants a user rights in an organization: a Membership or a PlatformAccessGrant."""

    @property
    def role(self) -> str: ...

    @property
    def is_active(self) -> bool: ...


A, F, FR, VC, S, V = (
    Role.ADMIN,
    Role.FINANCE,
    Role.FUNDRAISING,
    Role.VOLUNTEER_COORDINATOR,
    Role.STAFF,
    Role.VIEWER,
)
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Perm:
    code: str
    description: str
    roles: frozenset[Role]


PERMISSIONS: dict[str, Perm] = {
    p.code: p
    for p in [
        Perm("org.view", "See the organization's dashboard", EVERYONE),
        Perm("org.edit", "Change the organization's settings", frozenset({A})),
        Perm("members.view", "See the members and their roles", frozenset({A, F})),
        Perm("members.manage", "Invite members, change roles, deactivate members", frozenset({A})),
        Perm("audit.view", "See the organization's audit log", frozenset({A})),
        Perm(
            "onboarding.manage",
            "See the onboarding checklist and sign off its manual items",
            frozenset({A}),
        ),
        Perm(
            "tokens.manage", "Create and revoke one's own API tokens", frozenset({A, F, FR, VC, S})
        ),
        Perm("jobs.view", "See background jobs of the organization", frozenset({A, F})),
        Perm(
            "ledger.view",
            "See the chart of accounts, funds, journal and balances",
            frozenset({A, F, V}),
        ),
        Perm("ledger.post", "Post and reverse manual journal entries", frozenset({A, F})),
        Perm(
            "ledger.manage",
            "Change the chart of accounts, funds and programs; import them",
            frozenset({A, F}),
        ),
        Perm(
            "ledger.close_periods", "Close and reopen periods and fiscal years", frozenset({A, F})
        ),
        Perm(
            "expenses.submit",
            "Enter, submit and withdraw one's own expense claims and bills",
            frozenset({A, F, FR, VC, S}),
        ),
        Perm("expenses.view_all", "See everyone's expenses and receipts", frozenset({A, F})),
        Perm(
            "expenses.approve",
            "Approve or reject submitted expenses (not one's own)",
            frozenset({A, F}),
        ),
        Perm("expenses.pay", "Record payment of approved expenses", frozenset({A, F})),
        Perm("expenses.configure", "Change the expense approval settings", frozenset({A})),
        Perm(
            "expenses.categories",
            "Define the expense categories staff choose from",
            frozenset({A, F}),
        ),
        Perm("donors.view", "See donors, donations and giving", frozenset({A, F, FR, V})),
        Perm("donors.edit", "Create, edit and merge donors and households", frozenset({A, FR})),
        Perm(
            "donations.record",
            "Record, edit and void donations, pledges and gift batches",
            frozenset({A, F, FR}),
        ),
        Perm("receipts.issue", "Issue, send and void tax receipts", frozenset({A, F, FR})),
        Perm("donors.import", "Import donors and donations from files", frozenset({A, FR})),
        Perm("donors.configure", "Change the donor and receipt settings", frozenset({A})),
        Perm(
            "banking.view",
            "See bank accounts, statements, matches and reconciliations",
            frozenset({A, F, V}),
        ),
        Perm(
            "banking.manage",
            "Add and change bank accounts, column profiles and matching rules",
            frozenset({A, F}),
        ),
        Perm("banking.import", "Import bank statement files", frozenset({A, F})),
        Perm(
            "banking.match",
            "Match bank lines to the books and create entries from them",
            frozenset({A, F}),
        ),
        Perm(
            "banking.reconcile", "Reconcile, finish and reopen reconciliations", frozenset({A, F})
        ),
        Perm(
            "volunteers.view",
            "See volunteers, opportunities, shifts, sign-ups and hours",
            frozenset({A, VC, S, V}),
        ),
        Perm(
            "volunteers.manage",
            "Add and change volunteers, qualifications, opportunities and shifts; sign up, "
            "check in and message volunteers",
            frozenset({A, VC}),
        ),
        Perm("volunteers.approve_hours", "Approve or reject logged hours", frozenset({A, VC})),
        Perm(
            "reports.financial",
            "See the financial statements, budgets against actuals and cash flow",
            frozenset({A, F, V}),
        ),
        Perm(
            "reports.fundraising",
            "See the fundraising reports (LYBUNT, SYBUNT, retention, gift ranges, campaigns)",
            frozenset({A, F, FR, V}),
        ),
        Perm(
            "support.open",
            "Open tickets with IFM support, follow and rate one's own",
            EVERYONE,
        ),
        Perm("support.view_all", "See all of the organization's support tickets", frozenset({A})),
    ]
}


def has_perm(membership: Access | None, code: str) -> bool:
    """True when this membership's role may do `code`. Unknown codes are a programming error."""
    perm = PERMISSIONS[code]
    if membership is None or not membership.is_active:
        return False
    return Role(membership.role) in perm.roles


def require_perm(membership: Access | None, code: str) -> None:
    if not has_perm(membership, code):
        raise PermissionDenied(f"Your role may not: {PERMISSIONS[code].description.lower()}.")


def perms_for_role(role: Role | str) -> set[str]:
    return {code for code, perm in PERMISSIONS.items() if Role(role) in perm.roles}


def render_markdown() -> str:
    roles = list(Role)
    lines = [
        "# Permissions",
        "",
        "Generated from `ifm/tenancy/permissions.py` by `ifm render_permissions`; "
        "do not edit by hand.",
        "Platform staff act in an organization only through an explicit, audited access grant,",
        "with the role that grant names.",
        "",
        "| permission | what it allows | " + " | ".join(r.label for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for perm in PERMISSIONS.values():
        cells = " | ".join("yes" if r in perm.roles else "—" for r in roles)
        lines.append(f"| `{perm.code}` | {perm.description} | {cells} |")
    return "\n".join(lines) + "\n"


def org_service(
    perm: str | None, *, atomic: bool = True
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a service: the permission it needs and that it runs for one organization.

    The decorated function takes keyword arguments ``organization`` and (when ``perm`` is
    given) ``access``. Each call checks the permission first, then runs the body in one
    transaction (unless ``atomic=False``) with the organization in context: the two opening
    lines every service would otherwise write by hand.
    """
    if perm is not None and perm not in PERMISSIONS:
        raise KeyError(f"Unknown permission {perm!r}: add it to PERMISSIONS first.")

    def declare(func: Callable[P, R]) -> Callable[P, R]:
        params = inspect.signature(func).parameters
        needed = ["organization"] + (["access"] if perm is not None else [])
        for name in needed:
            if name not in params or params[name].kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(
                    f"{func.__qualname__} must take {name!r} as a keyword-only argument."
                )

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            given: dict[str, Any] = kwargs
            if perm is not None:
                require_perm(given.get("access"), perm)
            with org_context(given["organization"]):
                if not atomic:
                    return func(*args, **kwargs)
                with transaction.atomic():
                    return func(*args, **kwargs)

        return run

    return declare
