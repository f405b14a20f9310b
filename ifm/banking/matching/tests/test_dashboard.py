"""The finance section's tile: unmatched bank lines, per account, linking to matching."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from ifm.banking.matching.tests.factories import account, bank_line
from ifm.banking.models import LineStatus
from ifm.banking.tests.factories import bank_account
from ifm.conftest import client_for
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)


def _tiles(response: Any) -> dict[str, Any]:
    return {t.key: t for s in response.context["sections"] for t in s.tiles}


def test_the_tile_counts_unmatched_lines_per_account(
    org_a: Organization, org_b: Organization, cast: dict[str, Any]
) -> None:
    cache.clear()
    operating = account(org_a)
    payroll = bank_account(org_a, name="Payroll", number="1020")
    for _ in range(3):
        bank_line(org_a, D, "5.00", bank=payroll)
    bank_line(org_a, D, "7.00", bank=operating)
    bank_line(org_a, D, "8.00", bank=operating, status=LineStatus.MATCHED)  # not counted
    account(org_b)
    bank_line(org_b, D, "9.00")  # another organization's
    url = reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug})
    response = client_for(cast["finance"]).get(url)
    tile = _tiles(response)["banking.unmatched"]
    assert tile.value == 4
    assert tile.attention
    assert tile.detail == "Payroll 3 · " + f"{operating.name} 1"
    assert tile.url == reverse(
        "banking:matching", kwargs={"org_slug": org_a.slug, "bank_account_id": payroll.pk}
    )
    assert "Unmatched bank lines" in response.content.decode()
    staff = client_for(cast["staff"]).get(url)
    assert "banking.unmatched" not in _tiles(staff)


def test_no_attention_when_everything_is_matched(org_a: Organization, cast: dict[str, Any]) -> None:
    cache.clear()
    account(org_a)
    url = reverse("orgs:dashboard", kwargs={"org_slug": org_a.slug})
    tile = _tiles(client_for(cast["admin"]).get(url))["banking.unmatched"]
    assert tile.value == 0
    assert not tile.attention
    assert tile.detail == "Every bank line is matched"
