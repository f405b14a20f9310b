"""The year-end statements job's body: one statement per donor (or household) who gave in the
year, issued in chunks of CHUNK statements, one transaction each, so progress shows and a retry
resumes.

In a chunk the job takes the numbers and renders the letters, a pool of warm WeasyPrint
processes (pdf_engine.RenderPool, one per core) makes their PDFs meanwhile, then the job keeps
the receipts and commits. A crash rolls back the chunk it was in: its numbers are given back
(the counter row is updated in the same transaction), and the rerun skips every donor whose
statement was committed, so numbers have no gap and nobody gets two statements. The counter
row stays locked for a chunk (a few seconds): a single receipt issued meanwhile waits for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.donors.models import (
    Donation,
    DonationStatus,
    Donor,
    Household,
    ReceiptKind,
    ReceiptRun,
    RunStatus,
    TaxReceipt,
)
from ifm.donors.receipts.issue import (
    PreparedReceipt,
    household_year_donations,
    prepare_receipt,
    receipt_settings_get,
    record_receipt,
    standing_statements,
)
from ifm.donors.receipts.letterhead import letter_logo
from ifm.donors.receipts.pdf_engine import RenderPool, render_processes
from ifm.tenancy.models import Organization

CHUNK = 50  # statements per transaction


def chunk_size() -> int:
    """Statements per transaction: RECEIPT_CHUNK_SIZE, else CHUNK. Smaller chunks lose less
    work to a crash and show progress more often; larger ones take fewer commits."""
    configured = os.environ.get("RECEIPT_CHUNK_SIZE", "").strip()
    return max(1, int(configured)) if configured else CHUNK


Statement = tuple[Donor, list[Donation], Household | None]


def _statements_of(units: list[tuple[str, int]], year: int) -> list[Statement]:
    """Who each unit's statement goes to and the gifts it lists (no gifts when a standing
    statement covers them already). The donors of a chunk are read together: three queries
    for the chunk instead of three per donor."""
    donor_pks = [pk for what, pk in units if what == "donor"]
    by_donor = _donor_statements(donor_pks, year) if donor_pks else {}
    return [
        _household_statement(pk, year) if what == "household" else by_donor[pk]
        for what, pk in units
    ]


def _donor_statements(pks: list[int], year: int) -> dict[int, Statement]:
    """Each donor's statement: the donor, their active gifts of the year (year_donations for
    many donors), none when a standing statement of their own or one naming a gift covers
    them."""
    donors = Donor.objects.select_related("household").in_bulk(pks)
    gifts: dict[int, list[Donation]] = {pk: [] for pk in pks}
    for donation in (
        Donation.objects.filter(donor_id__in=pks, status=DonationStatus.ACTIVE, date__year=year)
        .select_related("fund")
        .order_by("date", "pk")
    ):
        gifts[donation.donor_id].append(donation)
    donation_ids = [d.pk for donations in gifts.values() for d in donations]
    covered = set(
        standing_statements(year)
        .filter(donor__in=pks, household__isnull=True)
        .values_list("donor_id", flat=True)
    )
    receipted = set(
        standing_statements(year)
        .filter(donations__in=donation_ids)
        .values_list("donations", flat=True)
    )
    statements: dict[int, Statement] = {}
    for pk in pks:
        donations = gifts[pk]
        if pk in covered or any(d.pk in receipted for d in donations):
            donations = []
        statements[pk] = (donors[pk], donations, None)
    return statements


def _household_statement(pk: int, year: int) -> Statement:
    household = Household.objects.get(pk=pk)
    donations = household_year_donations(household, year)
    givers = sorted({d.donor_id for d in donations})
    if not givers:
        return Donor(), [], household
    standing = standing_statements(year).filter(
        Q(household=household) | Q(donor__in=givers) | Q(donations__in=donations)
    )
    if standing.exists():
        return Donor(), [], household
    return Donor.objects.get(pk=givers[0]), donations, household


def year_end_statements_run(
    *,
    organization: Organization,
    run_id: int,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReceiptRun:
    """The job's body: one transaction per chunk of statements, so progress shows and a retry
    resumes. A donor whose gifts of the year a standing statement already covers (their own or
    their household's) gets no other. `processes`: render processes (default one per core,
    pdf_engine.render_processes, or 1 for a small run); `progress(done, total)` is called
    after each chunk."""
    run = ReceiptRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    year = run.tax_year
    units = _units(run)
    ReceiptRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, total=len(units), done=0, error=""
    )
    done = 0
    try:
        if processes is None:
            # Starting a render process costs about 2 s: a small run renders in this one.
            processes = render_processes() if len(units) >= 2 * CHUNK else 1
        size = chunk_size()
        with RenderPool(processes) as pool:
            for start in range(0, len(units), size):
                chunk = units[start : start + size]
                with transaction.atomic():
                    settings = receipt_settings_get(organization=organization)
                    logo = letter_logo(organization, settings)
                    # The units are disjoint (a donor or a household, each once, their own
                    # gifts), so a statement prepared earlier in the chunk covers no later one.
                    pending: list[tuple[PreparedReceipt, Any]] = []
                    for donor, donations, household in _statements_of(chunk, year):
                        if not donations:
                            continue
                        prepared = prepare_receipt(
                            organization=organization,
                            donor=donor,
                            donations=donations,
                            kind=ReceiptKind.YEAR_END,
                            tax_year=year,
                            household=household,
                            settings=settings,
                            logo=logo,
                        )
                        pending.append((prepared, pool.submit(prepared.document)))
                    for prepared, pdf in pending:
                        record_receipt(
                            organization=organization,
                            actor=run.created_by,
                            prepared=prepared,
                            pdf_bytes=pdf.result(),
                            run=run,
                        )
                    done += len(chunk)
                    ReceiptRun.objects.filter(pk=run.pk).update(done=done)
                if progress is not None:
                    progress(done, len(units))
    except Exception as exc:
        # A rule broken (the letter template refused or over its budget) says what to fix.
        error = exc.message if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        ReceiptRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=error[:2000])
        raise
    # Counted from the receipts, not this attempt: a retry after a crash resumes, and the run
    # reports every statement it issued, as an uninterrupted run would.
    created = TaxReceipt.objects.filter(run=run).count()
    ReceiptRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, done=done, finished_at=timezone.now(), created=created
    )
    run.refresh_from_db()
    return run


def _units(run: ReceiptRun) -> list[tuple[str, int]]:
    """What to issue: ("donor", id) or, in a joint run, ("household", id) once per household,
    for every donor with active gifts in the run's year."""
    donor_ids = list(
        Donation.objects.filter(status=DonationStatus.ACTIVE, date__year=run.tax_year)
        .order_by("donor_id")
        .values_list("donor_id", flat=True)
        .distinct()
    )
    if not run.joint:
        return [("donor", donor_id) for donor_id in donor_ids]
    units: list[tuple[str, int]] = []
    households = dict(
        Donor.objects.filter(pk__in=donor_ids, household__isnull=False).values_list(
            "pk", "household_id"
        )
    )
    seen: set[int] = set()
    for donor_id in donor_ids:
        household_id = households.get(donor_id)
        if household_id is None:
            units.append(("donor", donor_id))
        elif household_id not in seen:
            seen.add(household_id)
            units.append(("household", household_id))
    return units
