"""The routes of one report: its page and a file per export format, named `<name>` and
`<name>_<format>` in the `reports` namespace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from ifm.reports.export import FORMATS


def report_routes(
    route: str, name: str, page: Callable[..., Any], export: Callable[..., Any]
) -> list[URLPattern]:
    """`page(request, org_slug, name)` and `export(request, org_slug, name, fmt)` at `route`."""
    return [
        path(route, page, {"name": name}, name=name),
        *(
            path(f"{route}export.{fmt}", export, {"name": name, "fmt": fmt}, name=f"{name}_{fmt}")
            for fmt in FORMATS
        ),
    ]
