"""Every schema of the API has a name of its own: the OpenAPI document keys schemas by class
name, so two classes of one name would silently describe each other's responses."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import ifm.api  # noqa: F401 (every router and its schemas loaded)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("ifm.") and ".tests" not in cls.__module__:
            by_name[cls.__name__].append(cls.__module__)
    shared = {name: modules for name, modules in by_name.items() if len(modules) > 1}
    assert shared == {}
