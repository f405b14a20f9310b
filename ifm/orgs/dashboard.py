"""The dashboard's tiles, contributed by each app: a registry of tile providers.

orgs sits below the apps that hold the numbers (donors, ledger, expenses, ops), so it cannot
ask them itself. Each app registers its providers in its AppConfig.ready()::

    register("fundraising", ifm.donors.dashboard.fundraising_tiles, perm="donors.view")

A provider is given a `DashboardContext` (the organization, the person, their access, today)
and answers with `Tile`s: a number or an amount, optionally compared with another and with a
progress towards a goal, each linking to the list that shows what it counts. Providers read
through their app's selectors and keep to a query or two each: the dashboard is the first page
everyone sees.

A section belongs to roles: a person sees the sections of their role, and in each the tiles of
the providers whose permission they hold, of the modules their organization has enabled (a
provider belongs to the module of the app that holds its code). A module added later
(banking's unreconciled lines) registers its provider in an existing section, or its own
section with `register_section`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from ifm.tenancy import modules
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, has_perm
from ifm.tenancy.roles import Role


@dataclass(frozen=True)
class DashboardContext:
    """What a provider is given."""

    organization: Organization
    user: Any
    access: Access
    today: date

    def url(self, name: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """The URL of a page of this organization, with a query string of filters."""
        base = reverse(name, kwargs={"org_slug": self.organization.slug, **kwargs})
        pairs = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return f"{base}?{urlencode(pairs)}" if pairs else base


@dataclass(frozen=True)
class Comparison:
    """Another number the tile's is set against ("same month last year")."""

    label: str
    value: int | Decimal
    is_money: bool = False

    def change(self, current: int | Decimal) -> int | None:
        """The change from this value to `current`, in whole percent (None when this is 0)."""
        if not self.value:
            return None
        ratio = (Decimal(current) - Decimal(self.value)) / Decimal(self.value) * 100
        return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Progress:
    """How far a number is towards a goal (a campaign's raised against its goal)."""

    value: Decimal
    goal: Decimal

    @property
    def percent(self) -> int:
        """Whole percent, 0 to 100 (the bar stops full when the goal is passed)."""
        if self.goal <= 0:
            return 100
        share = (self.value / self.goal * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return max(0, min(100, int(share)))


@dataclass(frozen=True)
class Tile:
    """One number of the dashboard and where it comes from."""

    key: str  # unique on the page, e.g. "donors.gifts_month"
    title: str
    value: int | Decimal
    url: str | None = None  # the list that shows what is counted, filtered
    is_money: bool = False
    detail: str = ""  # a second line: "12 gifts", "3 waiting on you"
    comparison: Comparison | None = None
    progress: Progress | None = None
    attention: bool = False  # something waits for someone: shown as a task
    chart: Any = None  # a chart drawn under the number (it has `html()`: the reports' charts)

    @property
    def change(self) -> int | None:
        return self.comparison.change(self.value) if self.comparison else None


Provider = Callable[[DashboardContext], Iterable[Tile]]


@dataclass
class Section:
    key: str
    title: str
    roles: frozenset[str]
    providers: list[tuple[str | None, Provider]] = field(default_factory=list)


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, title: str, *, roles: Iterable[Role | str]) -> None:
    """Add a section (or change its title and roles, keeping its providers)."""
    old = _SECTIONS.get(key)
    _SECTIONS[key] = Section(
        key=key,
        title=title,
        roles=frozenset(str(r) for r in roles),
        providers=old.providers if old else [],
    )


def register(section: str, provider: Provider, *, perm: str | None = None) -> None:
    """Add a provider to a section; it runs only for people holding `perm` (when given).
    Registering the same function again replaces it (ready() may run more than once)."""
    if section not in _SECTIONS:
        raise KeyError(f"No dashboard section {section!r}: register_section() it first.")
    providers = _SECTIONS[section].providers
    providers[:] = [(p, f) for p, f in providers if f is not provider]
    providers.append((perm, provider))


def sections() -> list[Section]:
    return list(_SECTIONS.values())


@dataclass(frozen=True)
class FilledSection:
    key: str
    title: str
    tiles: list[Tile]


def dashboard_for(ctx: DashboardContext) -> list[FilledSection]:
    """The sections of the person's role with their tiles (a section with none is left out)."""
    role = str(ctx.access.role)
    filled = []
    for section in _SECTIONS.values():
        if role not in section.roles:
            continue
        tiles: list[Tile] = []
        for perm, provider in section.providers:
            if not modules.is_code_enabled(ctx.organization, provider):
                continue  # a tile of a module the organization has not enabled
            if perm is None or has_perm(ctx.access, perm):
                tiles.extend(provider(ctx))
        if tiles:
            filled.append(FilledSection(section.key, section.title, tiles))
    return filled


register_section("fundraising", "Fundraising", roles=[Role.ADMIN, Role.FUNDRAISING])
register_section("finance", "Finance", roles=[Role.ADMIN, Role.FINANCE])
register_section(
    "staff",
    "My expenses",
    roles=[Role.ADMIN, Role.FINANCE, Role.FUNDRAISING, Role.VOLUNTEER_COORDINATOR, Role.STAFF],
)
register_section("admin", "Administration", roles=[Role.ADMIN])
