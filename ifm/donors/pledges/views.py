"""Pledge and recurring gift pages: the lists (filters, totals, export), a new pledge or
recurring gift for a donor, a pledge with its installments and payments (and cancel), a
recurring gift with the gifts received (and pause, resume, end), and the "apply to a pledge"
choices of the donation form.

Thin: every write goes through pledges/services.py, every read through pledges/selectors.py; rows
are read through the organization-scoped managers, so another organization's id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core import exports
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.donors import choices
from ifm.donors.forms import add_service_errors, picker_label
from ifm.donors.models import Donor, Pledge, PledgeStatus, RecurringGift, RecurringStatus
from ifm.donors.pledges import selectors, services
from ifm.donors.pledges.forms import (
    RECURRING_ACTIONS,
    DonationLinksForm,
    PledgeCancelForm,
    PledgeFilterForm,
    PledgeForm,
    RecurringFilterForm,
    RecurringGiftForm,
    RecurringStatusForm,
)
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25


def _pledge_or_404(pledge_id: int) -> Pledge:
    pledge = selectors.pledge_get(pledge_id)
    if pledge is None:
        raise Http404("No such pledge.")
    return pledge


def _recurring_or_404(recurring_id: int) -> RecurringGift:
    gift = selectors.recurring_get(recurring_id)
    if gift is None:
        raise Http404("No such recurring gift.")
    return gift


def _donor_from_query(request: OrgRequest) -> Donor | None:
    raw = request.GET.get("donor") or ""
    if raw.isdigit() and len(raw) < 12:
        return Donor.objects.filter(pk=int(raw), merged_into__isnull=True).first()
    return None


def _picker_initial(donor: Donor | None) -> dict[str, Any]:
    if donor is None:
        return {}
    return {"donor": donor.pk, "donor_text": picker_label(donor)}


def _general_fund() -> int | None:
    general = choices.active_funds().filter(is_general=True).first()
    return general.pk if general else None


def _results(request: OrgRequest, context: dict[str, Any], page: str, partial: str) -> HttpResponse:
    template = partial if is_htmx_partial(request) else page
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Pledges -----------------------------------------------------------------------------------


DONOR_NAME = ("donor__last_name", "donor__first_name", "donor__organization_name")
PLEDGE_SORTS = SortOptions(
    {
        "pledge": ("id",),
        "date": ("date",),
        "donor": DONOR_NAME,
        "fund": ("fund__code",),
        "campaign": ("campaign__name",),
        "pledged": ("total",),
        "paid": ("paid_amount",),
        "balance": ("balance_amount",),
        "status": ("status",),
    },
    descending_first={"pledge", "date", "pledged", "paid", "balance"},
    default="date",
    default_descending=True,
)
RECURRING_SORTS = SortOptions(
    {
        "donor": DONOR_NAME,
        "amount": ("amount",),
        "frequency": ("frequency",),
        "method": ("method",),
        "fund": ("fund__code",),
        "next": ("next_date",),
        "status": ("status",),
    },
    descending_first={"amount"},
    default="next",
)


def _filtered_pledges(request: OrgRequest) -> tuple[PledgeFilterForm, QuerySet[Pledge]]:
    form = PledgeFilterForm(request.GET or None)
    pledges = selectors.pledge_list(**form.selector_kwargs())
    return form, PLEDGE_SORTS.read(request.GET).apply(pledges)


@login_required
def pledge_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
    form, pledges = _filtered_pledges(request)
    page = Paginator(pledges, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.filtered,
        "sorting": PLEDGE_SORTS.read(request.GET),
        "totals": selectors.pledge_totals(pledges),
        "can_record": has_perm(request.access, "donations.record"),
        "export_csv": org_url(request, "donors:pledge_export_csv"),
        "export_xlsx": org_url(request, "donors:pledge_export_xlsx"),
    }
    return _results(request, context, "donors/pledges/list.html", "donors/pledges/_results.html")


PLEDGE_HEADER = [
    "Pledge",
    "Date",
    "Donor id",
    "Donor",
    "Fund",
    "Campaign",
    "Status",
    "Pledged",
    "Paid",
    "Balance due",
    "Installments",
    "Notes",
]


def _pledge_row(pledge: Any) -> list[Any]:
    return [
        pledge.pk,
        pledge.date,
        pledge.donor.reference,
        pledge.donor.name,
        pledge.fund.code,
        pledge.campaign.name if pledge.campaign else "",
        pledge.get_status_display(),
        pledge.total,
        pledge.paid_amount,
        pledge.balance_amount,
        pledge.installment_count,
        pledge.notes,
    ]


@login_required
def pledge_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The list as it is filtered, as CSV (streamed) or XLSX."""
    require_perm(request.access, "donors.view")
    _, pledges = _filtered_pledges(request)
    pledges = pledges.annotate(installment_count=Count("installments"))
    org = request.org
    filename = f"pledges-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(
            PLEDGE_HEADER,
            lambda: (_pledge_row(p) for p in pledges.iterator(chunk_size=2000)),
            filename=filename,
            scope=lambda: org_context(org),
        )
    rows = (_pledge_row(p) for p in pledges.iterator(chunk_size=2000))
    return exports.xlsx_response(PLEDGE_HEADER, rows, filename=filename, title="Pledges")


@login_required
def pledge_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donations.record")
    donor = None
    if request.method == "POST":
        form = PledgeForm(request.POST)
        if form.is_valid():
            donor = form.cleaned_data["donor"]
            try:
                pledge = services.pledge_create(**service_args(request), **form.service_kwargs())
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                count = pledge.installments.count()
                schedule = f" in {count} installments" if count > 1 else ""
                messages.success(
                    request,
                    f"Pledge {pledge.pk}: {pledge.total:,.2f} from {donor.name}{schedule}.",
                )
                return redirect(org_url(request, "donors:pledge_detail", pledge_id=pledge.pk))
    else:
        donor = _donor_from_query(request)
        initial = {"date": timezone.localdate(), "fund": _general_fund(), **_picker_initial(donor)}
        form = PledgeForm(initial=initial)
    return render(request, "donors/pledges/form.html", {"form": form, "donor": donor})


@login_required
def pledge_detail(request: OrgRequest, org_slug: str, pledge_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    pledge = _pledge_or_404(pledge_id)
    return render(request, "donors/pledges/detail.html", _pledge_context(request, pledge))


def _pledge_context(
    request: OrgRequest, pledge: Pledge, cancel_form: PledgeCancelForm | None = None
) -> dict[str, Any]:
    schedule = selectors.pledge_schedule(pledge)
    upcoming = next((row for row in schedule if row.status not in ("paid", "cancelled")), None)
    can_record = has_perm(request.access, "donations.record")
    return {
        "pledge": pledge,
        "schedule": schedule,
        "upcoming": upcoming,
        "payments": list(selectors.pledge_payments(pledge)),
        "can_pay": can_record and pledge.status == PledgeStatus.OPEN,
        "can_cancel": can_record and pledge.status != PledgeStatus.CANCELLED,
        "cancel_form": cancel_form or PledgeCancelForm(),
    }


@login_required
def pledge_cancel(request: OrgRequest, org_slug: str, pledge_id: int) -> HttpResponseBase:
    require_perm(request.access, "donations.record")
    pledge = _pledge_or_404(pledge_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail = org_url(request, "donors:pledge_detail", pledge_id=pledge.pk)
    form = PledgeCancelForm(request.POST)
    if form.is_valid():
        try:
            services.pledge_cancel(
                **service_args(request), pledge=pledge, reason=form.cleaned_data["reason"]
            )
        except ConflictError as exc:
            messages.error(request, error_text(exc))
            return redirect(detail)
        except ServiceError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
            return redirect(detail)
    if form.errors:
        context = _pledge_context(request, pledge, cancel_form=form)
        return render(request, "donors/pledges/detail.html", context, status=422)
    messages.success(
        request, f"Pledge {pledge.pk} was cancelled; gifts already applied stay recorded."
    )
    return redirect(detail)


# --- Recurring gifts ---------------------------------------------------------------------------


@login_required
def recurring_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
    form = RecurringFilterForm(request.GET or None)
    sorting = RECURRING_SORTS.read(request.GET)
    gifts = sorting.apply(selectors.recurring_list(**form.selector_kwargs()))
    page = Paginator(gifts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.filtered,
        "sorting": sorting,
        "can_record": has_perm(request.access, "donations.record"),
        "overdue_days": selectors.OVERDUE_AFTER.days,
    }
    return _results(
        request, context, "donors/recurring/list.html", "donors/recurring/_results.html"
    )


@login_required
def recurring_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donations.record")
    donor = None
    if request.method == "POST":
        form = RecurringGiftForm(request.POST)
        if form.is_valid():
            donor = form.cleaned_data["donor"]
            try:
                gift = services.recurring_gift_create(
                    **service_args(request), **form.service_kwargs()
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Recurring gift of {gift.amount:,.2f} {gift.get_frequency_display().lower()} "
                    f"from {donor.name} set up.",
                )
                return redirect(org_url(request, "donors:recurring_detail", recurring_id=gift.pk))
    else:
        donor = _donor_from_query(request)
        initial = {
            "start_date": timezone.localdate(),
            "fund": _general_fund(),
            **_picker_initial(donor),
        }
        form = RecurringGiftForm(initial=initial)
    return render(request, "donors/recurring/form.html", {"form": form, "donor": donor})


def _recurring_context(request: OrgRequest, gift: RecurringGift) -> dict[str, Any]:
    can_record = has_perm(request.access, "donations.record")
    ended = gift.status == RecurringStatus.ENDED
    return {
        "gift": gift,
        "overdue": selectors.is_overdue(gift),
        "overdue_days": selectors.OVERDUE_AFTER.days,
        "received": Paginator(selectors.recurring_gifts_received(gift), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "received_total": selectors.recurring_received_total(gift),
        "can_record": can_record and not ended,
        "actions": [] if not can_record or ended else _actions_for(gift),
    }


def _actions_for(gift: RecurringGift) -> list[tuple[str, str]]:
    actions = []
    if gift.status == RecurringStatus.ACTIVE:
        actions.append(("pause", "Pause"))
    else:
        actions.append(("resume", "Resume"))
    actions.append(("end", "End"))
    return actions


@login_required
def recurring_detail(request: OrgRequest, org_slug: str, recurring_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    gift = _recurring_or_404(recurring_id)
    return render(request, "donors/recurring/detail.html", _recurring_context(request, gift))


@login_required
def recurring_status(request: OrgRequest, org_slug: str, recurring_id: int) -> HttpResponseBase:
    """POST action=pause|resume|end with the version read."""
    require_perm(request.access, "donations.record")
    gift = _recurring_or_404(recurring_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail = org_url(request, "donors:recurring_detail", recurring_id=gift.pk)
    form = RecurringStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose pause, resume or end.")
        return redirect(detail)
    action = form.cleaned_data["action"]
    try:
        saved = services.recurring_gift_set_status(
            **service_args(request),
            gift=gift,
            status=RECURRING_ACTIONS[action],
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError as exc:
        messages.error(request, f"{exc.message} Reload and try again.")
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        done = {"pause": "paused", "resume": "resumed", "end": "ended"}[action]
        messages.success(request, f"The recurring gift is {done}.")
        if saved.status == RecurringStatus.ENDED:
            messages.info(request, "No more gifts are expected from it.")
    return redirect(detail)


# --- The donation form: what a gift may be applied to -----------------------------------------


@login_required
def donation_links(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The "apply to pledge" and "recurring gift" choices for the donor in ?donor= (HTMX)."""
    require_perm(request.access, "donations.record")
    donor = _donor_from_query(request)
    links = DonationLinksForm(donor=donor)
    return render(request, "donors/pledges/_donation_links.html", {"links": links})
