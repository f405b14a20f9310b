"""The year-end statements job's body: one statement per donor (or household) who gave in the
year, issued in chunks of CHUNK statements, one transaction each, so progress shows and a retry
resumes.

In a chunk the job takes the numbers and renders the letters, a pool of warm WeasyPrint
processes (pdf_engine.RenderPool, one per core) makes their PDFs meanwhile, then the job keeps
the receipts and commits. A crash rolls back the chunk it was in: its numbers are given back
(the counter row is updated in the same transaction), and the rerun skips every donor whose
statement was committed, so numbers have no gap and nobody gets two statements. The counter
row stays locked for a chunk (a few seconds): a single receipt issued meanwhile waits for it.

While a chunk is kept and committed, the render processes already make the next chunk's PDFs
(`_look_ahead`): its letters are rendered with the numbers that follow, which it takes in its
own transaction (`_claim`), rendering again any letter that got another number. Only numbers
taken and receipts kept in one transaction count, so the guarantees above stand.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.donors.models import (
    Donation,
    DonationStatus,
    Donor,
    Household,
    ReceiptCounter,
    ReceiptKind,
    ReceiptRun,
    ReceiptSettings,
    RunStatus,
    TaxReceipt,
)
from ifm.donors.receipts.issue import (
    PreparedReceipt,
    household_year_donations,
    next_number,
    prepare_receipt,
    receipt_settings_get,
    record_receipts,
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


Pending = list[tuple[PreparedReceipt, Future[bytes]]]


@dataclass
class Ahead:
    """A chunk's letters rendered ahead, in the previous chunk's transaction, with the numbers
    they will get if nobody takes one in between; the settings (version, logo) they used."""

    pending: Pending
    settings: tuple[int, str]


def _prepare(
    chunk: list[tuple[str, int]],
    organization: Organization,
    year: int,
    settings: ReceiptSettings,
    logo: str,
    pool: RenderPool,
    numbers: Iterator[int] | None = None,
) -> Pending:
    """Number and render a chunk's letters (`numbers`: render them with these instead of
    taking them) and hand each to the render processes."""
    # The units are disjoint (a donor or a household, each once, their own gifts), so a
    # statement prepared earlier in the chunk covers no later one.
    pending: Pending = []
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
            number=None if numbers is None else next(numbers),
        )
        pending.append((prepared, pool.submit(prepared.document)))
    return pending


def _look_ahead(
    chunk: list[tuple[str, int]],
    organization: Organization,
    year: int,
    settings: ReceiptSettings,
    logo: str,
    pool: RenderPool,
) -> Ahead | None:
    """The next chunk rendered ahead with the numbers that follow this chunk's (the counter
    row is locked until this transaction commits, so they are the next ones unless a receipt
    is issued between the two chunks). Nothing is written. None when it cannot be done
    ahead: the chunk is then prepared in its own transaction, which reports what failed."""
    first = (
        ReceiptCounter.objects.filter(organization=organization)
        .values_list("next_number", flat=True)
        .first()
    )
    if first is None:
        return None
    try:
        with transaction.atomic():  # a failed read must not spoil this chunk's transaction
            pending = _prepare(
                chunk, organization, year, settings, logo, pool, numbers=itertools.count(first)
            )
    except Exception:
        return None
    return Ahead(pending=pending, settings=(settings.version, logo))


def _claim(
    ahead: Ahead,
    organization: Organization,
    settings: ReceiptSettings,
    logo: str,
    pool: RenderPool,
) -> Pending:
    """Take the numbers of a chunk rendered ahead, in its own transaction. A letter that got
    another number than it was rendered with (a receipt was issued between the chunks) is
    rendered again with its own."""
    pending: Pending = []
    for prepared, pdf in ahead.pending:
        number = next_number(organization)
        if number != prepared.number:
            pdf.cancel()
            prepared = prepare_receipt(
                organization=organization,
                donor=prepared.donor,
                donations=prepared.donations,
                kind=prepared.kind,
                tax_year=prepared.tax_year,
                household=prepared.household,
                settings=settings,
                logo=logo,
                number=number,
            )
            pdf = pool.submit(prepared.document)
        pending.append((prepared, pdf))
    return pending


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
            ahead: Ahead | None = None
            for start in range(0, len(units), size):
                chunk = units[start : start + size]
                with transaction.atomic():
                    settings = receipt_settings_get(organization=organization)
                    logo = letter_logo(organization, settings)
                    if ahead is not None and ahead.settings == (settings.version, logo):
                        pending = _claim(ahead, organization, settings, logo, pool)
                    else:
                        pending = _prepare(chunk, organization, year, settings, logo, pool)
                    # The next chunk's letters go to the render processes now, numbered as
                    # they will be if nobody takes a number in between, so the processes are
                    # not left idle while this chunk is kept and committed.
                    following = units[start + size : start + 2 * size]
                    ahead = None
                    if following and pool.processes > 1:
                        ahead = _look_ahead(following, organization, year, settings, logo, pool)
                    record_receipts(
                        organization=organization,
                        actor=run.created_by,
                        made=[(prepared, pdf.result()) for prepared, pdf in pending],
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
