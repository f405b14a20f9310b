"""The module registry: each app declares the module it is (key, name, URL namespaces, API
tags, features), and an organization has a set of enabled modules.

A module's pages and API operations belong to it by their URL namespace and their OpenAPI tag,
so a module added later joins by registering in its app's `ready()`, without any change here
or in the apps that edit the sets (`rollout`). What is not in any module (sign-in, the
organization's settings and members, audit, jobs, search, platform pages) is always there.

The enabled set lives on the organization row (`Organization.enabled_modules`), which the
tenancy middleware loads anyway: checking it costs no query. `None` means every registered
module, so an organization nobody restricted sees everything, and a module registered later
is enabled for it; a list names exactly the enabled modules, so a module registered later is
off for an organization restricted to "core features only" until someone enables it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from ifm.tenancy.models import Organization


@dataclass(frozen=True)
class Feature:
    """Something a user does that the usage metrics count (`donation_record`), and the routes
    that do it: a URL name with its namespaces (`donors:donation_new`, the API's are
    `api:<name>`), optionally after a method (`POST donors:donation_new`); a bare name matches
    every method. A request is a use of the feature when it resolves to one of its routes and
    succeeded (a read answered 2xx, a form that moved on: `ifm.ops.usage.succeeded`).

    A feature with `starts` is also a task the rollout plan measures completion of: a
    successful request to one of `starts` (`GET donors:donation_new`, opening the form) starts
    it, a use completes it."""

    key: str
    label: str
    routes: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    key: str
    name: str
    url_namespaces: tuple[str, ...] = ()
    api_tags: tuple[str, ...] = ()
    features: tuple[Feature, ...] = ()
    # Part of "core features only" (the pilot's set in the rollout plan).
    core: bool = False
    description: str = ""
    order: int = field(default=100, compare=False)
    # The Django app whose code (dashboard tiles, search providers, panels, jobs) belongs to
    # the module; its key when empty.
    app_label: str = ""

    @property
    def app(self) -> str:
        return self.app_label or self.key


_registry: dict[str, Module] = {}
_generation = 0  # counts registrations, so readers can cache what they derive from the registry
# Looked up on every request: namespace and tag to module, rebuilt when a module registers.
_by_namespace: dict[str, Module] = {}
_by_tag: dict[str, Module] = {}


def register_module(module: Module) -> None:
    """Declare a module (from its app's `ready()`). Registering the same key again replaces
    it (the test settings reload apps); two modules may not claim the same namespace or tag."""
    for other in _registry.values():
        if other.key == module.key:
            continue
        shared = (set(other.url_namespaces) & set(module.url_namespaces)) | (
            set(other.api_tags) & set(module.api_tags)
        )
        if shared:
            raise ValueError(
                f"Module {module.key!r} claims {sorted(shared)}, already claimed by {other.key!r}."
            )
    global _generation
    _registry[module.key] = module
    _generation += 1
    _by_namespace.clear()
    _by_tag.clear()
    for each in _registry.values():
        _by_namespace.update(dict.fromkeys(each.url_namespaces, each))
        _by_tag.update(dict.fromkeys(each.api_tags, each))
    _module_of_code.cache_clear()


def registry_generation() -> int:
    """A number that changes whenever a module is registered (caches derived from the
    registry compare it)."""
    return _generation


def all_modules() -> list[Module]:
    """Every registered module, in a stable order (by `order`, then key)."""
    return sorted(_registry.values(), key=lambda m: (m.order, m.key))


def module_keys() -> list[str]:
    return [m.key for m in all_modules()]


def get_module(key: str) -> Module:
    try:
        return _registry[key]
    except KeyError:
        raise LookupError(
            f"No module {key!r}; the modules are {', '.join(module_keys())}."
        ) from None


def core_module_keys() -> list[str]:
    return [m.key for m in all_modules() if m.core]


def module_for_namespace(namespace: str | None) -> Module | None:
    """The module that owns a URL namespace; nested namespaces (`donors:gifts`) belong to their
    first part's module."""
    if not namespace:
        return None
    return _by_namespace.get(namespace.split(":", 1)[0])


def module_for_api_tags(tags: list[str] | tuple[str, ...] | None) -> Module | None:
    for tag in tags or ():
        module = _by_tag.get(tag)
        if module is not None:
            return module
    return None


@functools.lru_cache(maxsize=1024)
def _module_of_code(python_module: str) -> Module | None:
    config = apps.get_containing_app_config(python_module)
    if config is None:
        return None
    for module in _registry.values():
        if module.app == config.label:
            return module
    return None


def module_for_code(obj: Any) -> Module | None:
    """The module a piece of code belongs to (a dashboard tile provider, a search provider, a
    job's function, or a dotted Python module name), by the app that holds it; None for code
    outside every module (orgs, ops, accounts: always there)."""
    name = obj if isinstance(obj, str) else getattr(obj, "__module__", None)
    return _module_of_code(name) if name else None


def clean_module_keys(keys: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """The keys as a sorted list without duplicates; an unknown key raises ValueError naming
    it and the known ones (the message is shown to the person who typed it)."""
    known = set(_registry)
    unknown = sorted(set(keys) - known)
    if unknown:
        raise ValueError(
            f"Unknown module {', '.join(unknown)}; the modules are {', '.join(module_keys())}."
        )
    return sorted(set(keys))


def enabled_module_keys(org: Any) -> frozenset[str]:
    """The keys of the modules enabled for an organization (no query: the row holds them)."""
    if org is None:
        return frozenset()
    chosen = getattr(org, "enabled_modules", None)
    if chosen is None:
        return frozenset(_registry)
    return frozenset(k for k in chosen if k in _registry)


def is_module_enabled(org: Any, key: str) -> bool:
    return key in enabled_module_keys(org)


def module_states(org: Any) -> list[tuple[Module, bool]]:
    """Every registered module, in order, with whether the organization has enabled it (what
    its settings page shows)."""
    enabled = enabled_module_keys(org)
    return [(m, m.key in enabled) for m in all_modules()]


def is_code_enabled(org: Any, obj: Any) -> bool:
    """Whether code (see `module_for_code`) may run or show for an organization: it belongs to
    no module, or to one enabled for it. The one filter of the navigation's registries (the
    dashboard's tiles, search providers, record panels) and of jobs."""
    module = module_for_code(obj)
    return module is None or is_module_enabled(org, module.key)


def is_page_enabled(org: Any, view_name: str) -> bool:
    """Whether a page, by its namespaced name (`donors:donor_list`), is open for an
    organization: links to it (the dashboard's cards) are left out when it is not."""
    namespace, _, _ = view_name.rpartition(":")
    module = module_for_namespace(namespace)
    return module is None or is_module_enabled(org, module.key)


def not_enabled_message(module: Module, org: Any) -> str:
    """What a refused request or job says (the API's problem detail, a job's failure)."""
    return f"The {module.name} module is not enabled for {org.name}."


def job_refusal(func: Any, organization_id: int) -> str | None:
    """Why an organization's job must not run (its module is not enabled for the
    organization), or None: the gate `ifm.core.tasks.org_task` asks before every such job."""
    module = module_for_code(func)
    if module is None:
        return None
    org = Organization.objects.filter(pk=organization_id).only("name", "enabled_modules").first()
    if org is None or is_module_enabled(org, module.key):
        return None
    return f"{not_enabled_message(module, org)} This job did not run."
