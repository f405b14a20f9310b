"""The matching figures at full size (`BANKING_SPEED=1`, meant for PostgreSQL): suggestions
for 10,000 bank lines against 100,000 ledger lines under 10 s, and the matching page of that
account under 100 ms of server time."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext, _TestState
from django.urls import reverse

from ifm.banking.matching import bench_data, services
from ifm.banking.matching.suggest import confident_picks, suggest_all, suggestions_for
from ifm.banking.models import BankTransaction
from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.tenancy.models import Organization

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        os.environ.get("BANKING_SPEED") != "1", reason="set BANKING_SPEED=1 to run the figures"
    ),
]

BANK_LINES = int(os.environ.get("BANKING_SPEED_BANK_LINES", "10000"))
LEDGER_LINES = int(os.environ.get("BANKING_SPEED_LEDGER_LINES", "100000"))


def test_suggest_all_and_the_matching_page(org_a: Organization, cast: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    built = bench_data.build(org_a, bank_lines=BANK_LINES, ledger_lines=LEDGER_LINES)
    print(  # noqa: T201 (the figures are what this test is for)
        f"\nbuilt {built.bank_lines} bank lines, {built.ledger_lines} ledger lines "
        f"in {time.perf_counter() - t0:.1f} s ({connection.vendor})"
    )
    with org_context(org_a):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        t0 = time.perf_counter()
        everything = suggest_all(built.bank_account)
        took = time.perf_counter() - t0
        with_suggestion = sum(1 for s in everything.values() if s)
        confident = len(confident_picks(everything))
        print(  # noqa: T201 (the figures are what this test is for)
            f"suggest_all: {len(everything)} bank lines in {took:.2f} s; {with_suggestion} "
            f"with a suggestion, {confident} confident"
        )
        assert took < 10
        line = (
            BankTransaction.objects.filter(bank_account=built.bank_account)
            .order_by("-date", "-id")
            .first()
        )
        assert line is not None
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            suggestions_for(line)
            times.append((time.perf_counter() - t0) * 1000)
        print(  # noqa: T201 (the figures are what this test is for)
            f"suggestions_for one line: median {statistics.median(times):.1f} ms"
        )
    client = client_for(cast["admin"])
    url = reverse(
        "banking:matching",
        kwargs={"org_slug": org_a.slug, "bank_account_id": built.bank_account.pk},
    )
    selected = f"{url}?line={line.pk}"
    # Rendering as served: the test runner's instrumented render keeps a copy of every
    # context for assertions, which no server does.
    served = getattr(_TestState, "saved_data").template_render  # noqa: B009
    for target in (url, selected, f"{url}?status=all&q=check"):
        client.get(target)  # warm-up
        times = []
        for _ in range(9):
            with (
                CaptureQueriesContext(connection) as queries,
                mock.patch.object(Template, "_render", served),
            ):
                t0 = time.perf_counter()
                response = client.get(target)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        median = statistics.median(times)
        print(  # noqa: T201 (the figures are what this test is for)
            f"matching page {target.split('/banking/')[1]}: median {median:.1f} ms, "
            f"{len(queries)} queries"
        )
        assert median < 100
    t0 = time.perf_counter()
    accepted = services.accept_confident(
        organization=org_a, actor=cast["admin"], bank_account=built.bank_account
    )
    print(  # noqa: T201 (the figures are what this test is for)
        f"accept_confident: {accepted} matches in {time.perf_counter() - t0:.2f} s"
    )
    assert accepted == confident
