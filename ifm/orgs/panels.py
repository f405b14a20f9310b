"""Panels on a record's page that another app fills: a page shows what the apps above it know
about the same person without importing them.

A page (the donor profile, the volunteer page) names itself by a key; an app registers a panel
for it in its AppConfig.ready()::

    register("donor", "volunteers.volunteer", template="volunteers/people/_donor_panel.html",
             build=donor_panel, perm="volunteers.view")

`build` gets the record and who is looking and answers the panel's template context, or None
when it has nothing to show (the panel is then left out). The page's view calls
`panels_for("donor", donor, request=request)` and its template includes each panel's
template with the panel's context (``partials/profile_panels.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ifm.tenancy import modules
from ifm.tenancy.permissions import has_perm


@dataclass(frozen=True)
class PanelContext:
    """What a panel's builder is given: the record shown and the request showing it."""

    obj: Any
    request: Any

    @property
    def organization(self) -> Any:
        return self.request.org

    @property
    def access(self) -> Any:
        return self.request.access


@dataclass(frozen=True)
class PanelProvider:
    page: str
    key: str
    template: str
    build: Callable[[PanelContext], dict[str, Any] | None]
    perm: str | None = None
    order: int = 100


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: dict[str, Any]


_PROVIDERS: dict[tuple[str, str], PanelProvider] = {}


def register(
    page: str,
    key: str,
    *,
    template: str,
    build: Callable[[PanelContext], dict[str, Any] | None],
    perm: str | None = None,
    order: int = 100,
) -> None:
    """Add (or replace) panel `key` on `page`; shown only to people holding `perm` (when given)."""
    _PROVIDERS[(page, key)] = PanelProvider(
        page=page, key=key, template=template, build=build, perm=perm, order=order
    )


def providers(page: str) -> list[PanelProvider]:
    return sorted(
        (p for p in _PROVIDERS.values() if p.page == page), key=lambda p: (p.order, p.key)
    )


def panels_for(page: str, obj: Any, *, request: Any) -> list[Panel]:
    """The panels of `page` for this record that this person may see, of modules the
    organization has enabled, and that have something to show, in order."""
    access = getattr(request, "access", None)
    ctx = PanelContext(obj=obj, request=request)
    out = []
    org = getattr(request, "org", None)
    for provider in providers(page):
        if provider.perm is not None and not has_perm(access, provider.perm):
            continue
        if not modules.is_code_enabled(org, provider.build):
            continue  # a panel of a module the organization has not enabled
        context = provider.build(ctx)
        if context is not None:
            out.append(Panel(key=provider.key, template=provider.template, context=context))
    return out
