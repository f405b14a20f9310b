"""Gifts of the same donors recorded at once by several people (batch entry at two desks): each
transaction on its own connection, released together. None may fail with a deadlock, and the
donors' giving summaries count every gift."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from ifm.core.org_context import org_context
from ifm.donors.gifts import batches
from ifm.donors.models import Donation, DonorGivingSummary
from ifm.donors.people import services as people_services

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs concurrent transactions on separate connections (run with "
        "DATABASE_URL=postgres://...).",
    ),
]

DESKS = 4
GIFTS_EACH = 12


def test_two_desks_adding_gifts_of_the_same_donors_never_deadlock(
    fundraiser: dict[str, Any],
) -> None:
    organization = fundraiser["organization"]
    ann = people_services.donor_create(**fundraiser, first_name="Ann", last_name="Lee")
    bob = people_services.donor_create(**fundraiser, first_name="Bob", last_name="Lee")
    desks = [
        batches.gift_batch_create(
            **fundraiser,
            name=f"Desk {n}",
            date=date.today(),
            expected_count=GIFTS_EACH,
            expected_total=str(GIFTS_EACH * 10),
        )
        for n in range(DESKS)
    ]
    barrier = threading.Barrier(DESKS)
    errors: list[str] = []

    def desk(n: int) -> None:
        try:
            with org_context(organization):
                barrier.wait(timeout=30)
                # Half the desks take the donors in one order, half in the other.
                order = (ann, bob) if n % 2 else (bob, ann)
                for i in range(GIFTS_EACH):
                    batches.gift_batch_add(
                        **fundraiser, batch=desks[n], donor=order[i % 2], amount="10.00"
                    )
        except Exception as exc:  # a deadlock or any other failure is the finding
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(DESKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert Donation.objects.count() == DESKS * GIFTS_EACH
    for batch in desks:
        batches.gift_batch_post(**fundraiser, batch=batch)
    totals = {s.donor_id: s for s in DonorGivingSummary.objects.all()}
    half = Decimal(DESKS * GIFTS_EACH // 2 * 10)
    assert totals[ann.pk].gift_count == DESKS * GIFTS_EACH // 2
    assert totals[ann.pk].lifetime_total == half
    assert totals[bob.pk].lifetime_total == half
