"""Production settings plus the benchmark floor views (bench.urls); never serves the app."""

from __future__ import annotations

from ifm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
