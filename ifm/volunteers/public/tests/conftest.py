from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """The rate limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any, run_jobs: Any, mailoutbox: list[Any]) -> Any:
    """Run a callable as a request would (its after-commit work included), then the jobs it
    queued; returns the emails sent since."""

    def run(action: Any) -> list[Any]:
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        run_jobs()
        run.result = result  # type: ignore[attr-defined]
        return list(mailoutbox[before:])

    return run
