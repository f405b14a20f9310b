"""The year-end statements job's body: one statement per donor (or household) who gave in the
year, one transaction each, so progress shows and a retry resumes."""

from __future__ import annotations

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
    household_year_donations,
    issue_receipt,
    standing_statements,
    year_donations,
)
from ifm.tenancy.models import Organization


def year_end_statements_run(*, organization: Organization, run_id: int) -> ReceiptRun:
    """The job's body: one transaction per donor (or household), so progress shows and a retry
    resumes. A donor whose gifts of the year a standing statement already covers (their own or
    their household's) gets no other."""
    run = ReceiptRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    year = run.tax_year
    donor_ids = list(
        Donation.objects.filter(status=DonationStatus.ACTIVE, date__year=year)
        .order_by("donor_id")
        .values_list("donor_id", flat=True)
        .distinct()
    )
    # What to issue: ("donor", id) or, in a joint run, ("household", id) once per household.
    units: list[tuple[str, int]] = []
    if run.joint:
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
    else:
        units = [("donor", donor_id) for donor_id in donor_ids]
    ReceiptRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, total=len(units), done=0, error=""
    )
    done = 0
    try:
        for what, pk in units:
            with transaction.atomic():
                if what == "household":
                    household = Household.objects.get(pk=pk)
                    donations = household_year_donations(household, year)
                    givers = sorted({d.donor_id for d in donations})
                    standing = standing_statements(year).filter(
                        Q(household=household) | Q(donor__in=givers) | Q(donations__in=donations)
                    )
                    donor = Donor.objects.get(pk=givers[0]) if givers else None
                else:
                    household = None
                    donor = Donor.objects.select_related("household").get(pk=pk)
                    donations = year_donations(donor, year)
                    standing = standing_statements(year).filter(
                        Q(donor=donor, household__isnull=True) | Q(donations__in=donations)
                    )
                if donor is not None and donations and not standing.exists():
                    issue_receipt(
                        organization=organization,
                        actor=run.created_by,
                        donor=donor,
                        donations=donations,
                        kind=ReceiptKind.YEAR_END,
                        tax_year=year,
                        run=run,
                        household=household,
                    )
                done += 1
                ReceiptRun.objects.filter(pk=run.pk).update(done=done)
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
