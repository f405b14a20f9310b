"""Gift batch pages: the list (and opening a batch with its defaults), the batch's page where
gifts are added, edited and removed in place, and posting.

Every action works two ways: with htmx it answers with the fragment to swap (the batch's body,
or one row plus the totals out of band), without JavaScript it is a normal POST answered with a
redirect to the batch's page (or the page again with the form's errors).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import error_text, is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.donors.forms import add_service_errors, picker_label
from ifm.donors.gifts import batches, selectors
from ifm.donors.gifts.forms import BatchGiftForm, GiftBatchForm
from ifm.donors.models import BatchStatus, Donation, DonationStatus, GiftBatch
from ifm.tenancy.permissions import require_perm

PAGE_SIZE = 25


def _batch_or_404(batch_id: int) -> GiftBatch:
    batch = (
        GiftBatch.objects.select_related("fund", "campaign", "appeal", "deposit_account")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise Http404("No such gift batch.")
    return batch


def _gift_or_404(batch: GiftBatch, donation_id: int) -> Donation:
    gift = (
        selectors.batch_gifts(batch).filter(pk=donation_id, status=DonationStatus.PENDING).first()
    )
    if gift is None:
        raise Http404("No such gift in this batch.")
    return gift


def _detail_url(request: OrgRequest, batch: GiftBatch) -> str:
    return org_url(request, "donors:gift_batch_detail", giftbatch_id=batch.pk)


BATCH_SORTS = SortOptions(
    {"date": ("date",), "name": ("name",), "status": ("status",)},
    descending_first={"date"},
    default="date",
    default_descending=True,
)


@login_required
def batch_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donations.record")
    if request.method == "POST":
        form = GiftBatchForm(request.POST)
        if form.is_valid():
            try:
                batch = batches.gift_batch_create(**service_args(request), **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Batch {batch.name} opened: enter its gifts.")
                return redirect(_detail_url(request, batch))
    else:
        form = GiftBatchForm(initial={"date": timezone.localdate()})
    status = request.GET.get("status") or ""
    sorting = BATCH_SORTS.read(request.GET)
    page = Paginator(sorting.apply(selectors.batch_list(status=status)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(b, *selectors.batch_totals(b)) for b in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "status": status if status in BatchStatus.values else "",
        "statuses": BatchStatus.choices,
        "sorting": sorting,
    }
    return render(request, "donors/batch_list.html", context)


def _mark_defaults(gift: Donation, defaults: dict[str, Any]) -> Donation:
    """Flag a gift whose fund or campaign is not the batch's default (the table shows it)."""
    campaign = defaults["campaign"]
    gift.fund_differs = gift.fund_id != defaults["fund"].pk  # type: ignore[attr-defined]
    gift.campaign_differs = gift.campaign_id != (  # type: ignore[attr-defined]
        campaign.pk if campaign else None
    )
    return gift


def _totals(batch: GiftBatch) -> dict[str, Any]:
    count, total = selectors.batch_totals(batch)
    return {
        "batch": batch,
        "count": count,
        "total": total,
        "count_left": batch.expected_count - count,
        "total_left": batch.expected_total - total,
        "matches": count == batch.expected_count and total == batch.expected_total,
        "is_open": batch.status == BatchStatus.OPEN,
    }


def _batch_context(
    batch: GiftBatch,
    form: BatchGiftForm | None = None,
    *,
    editing: int | None = None,
    edit_form: BatchGiftForm | None = None,
) -> dict[str, Any]:
    defaults = selectors.batch_defaults(batch)
    gifts = [_mark_defaults(g, defaults) for g in selectors.batch_gifts(batch)]
    if form is None:
        form = BatchGiftForm(initial=BatchGiftForm.initial_for(defaults))
    return {
        **_totals(batch),
        "gifts": gifts,
        "defaults": defaults,
        "form": form,
        "editing": editing,
        "edit_form": edit_form,
    }


@login_required
def batch_detail(request: OrgRequest, org_slug: str, giftbatch_id: int) -> HttpResponse:
    require_perm(request.access, "donations.record")
    batch = _batch_or_404(giftbatch_id)
    return render(request, "donors/batch_detail.html", _batch_context(batch))


@login_required
def batch_add(request: OrgRequest, org_slug: str, giftbatch_id: int) -> HttpResponseBase:
    """Add one gift to an open batch; with htmx, answers with the batch's body only."""
    require_perm(request.access, "donations.record")
    batch = _batch_or_404(giftbatch_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BatchGiftForm(request.POST)
    shown: BatchGiftForm | None = form
    status = 422
    if form.is_valid():
        try:
            batches.gift_batch_add(**service_args(request), batch=batch, **form.service_kwargs())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            status, shown = 200, None  # the next gift starts again from the batch's defaults
    context = _batch_context(batch, shown)
    if is_htmx_partial(request):
        # 200 even on errors, so htmx swaps the form with its messages in.
        return render(request, "donors/_batch_body.html", context)
    if status == 200:
        return redirect(_detail_url(request, batch))
    return render(request, "donors/batch_detail.html", context, status=status)


def _row_response(
    request: OrgRequest, batch: GiftBatch, gift: Donation | None, **extra: Any
) -> HttpResponse:
    """One row of the table (or nothing, for a removed gift) and the totals, out of band."""
    context = {**_totals(batch), "gift": gift, **extra}
    if gift is not None:
        _mark_defaults(gift, selectors.batch_defaults(batch))
    return render(request, "donors/_batch_row_swap.html", context)


@login_required
def batch_gift_edit(
    request: OrgRequest, org_slug: str, giftbatch_id: int, donation_id: int
) -> HttpResponseBase:
    """Edit one pending gift in place: GET gives its row as a form, POST saves it."""
    require_perm(request.access, "donations.record")
    batch = _batch_or_404(giftbatch_id)
    gift = _gift_or_404(batch, donation_id)
    if request.method == "GET" and request.GET.get("cancel") and is_htmx_partial(request):
        return _row_response(request, batch, gift)
    if request.method == "POST":
        data = request.POST.copy()
        data[f"g{gift.pk}-donor"] = str(gift.donor_id)  # the donor of a row does not change
        form = BatchGiftForm(data, prefix=f"g{gift.pk}", row_form=f"edit-gift-{gift.pk}")
        conflict = None
        if form.is_valid():
            changes = form.service_kwargs()
            del changes["donor"]
            try:
                batches.gift_batch_gift_update(
                    **service_args(request),
                    batch=batch,
                    donation=gift,
                    expected_version=form.cleaned_data.get("version") or gift.version,
                    **changes,
                )
            except ConflictError as exc:
                conflict = exc.message
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                if is_htmx_partial(request):
                    return _row_response(request, batch, _gift_or_404(batch, gift.pk))
                messages.success(request, f"{gift.reference} was saved.")
                return redirect(_detail_url(request, batch))
        if conflict:
            form.add_error(None, conflict)
        if is_htmx_partial(request):
            return _row_response(request, batch, gift, edit_form=form, editing=gift.pk)
        context = _batch_context(batch, editing=gift.pk, edit_form=form)
        return render(request, "donors/batch_detail.html", context, status=422)
    initial = {
        **{k: getattr(gift, f"{k}_id") for k in ("donor", "fund", "campaign", "appeal")},
        "donor_text": picker_label(gift.donor),
        "amount": gift.amount,
        "method": gift.method,
        "check_number": gift.check_number,
        "version": gift.version,
    }
    form = BatchGiftForm(initial=initial, prefix=f"g{gift.pk}", row_form=f"edit-gift-{gift.pk}")
    if is_htmx_partial(request):
        return _row_response(request, batch, gift, edit_form=form, editing=gift.pk)
    return render(
        request,
        "donors/batch_detail.html",
        _batch_context(batch, editing=gift.pk, edit_form=form),
    )


@login_required
def batch_gift_delete(
    request: OrgRequest, org_slug: str, giftbatch_id: int, donation_id: int
) -> HttpResponseBase:
    """Remove a pending gift from the batch (it never reached the ledger)."""
    require_perm(request.access, "donations.record")
    batch = _batch_or_404(giftbatch_id)
    gift = _gift_or_404(batch, donation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reference = gift.reference
    try:
        batches.gift_batch_gift_remove(**service_args(request), batch=batch, donation=gift)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(_detail_url(request, batch))
    if is_htmx_partial(request):
        return _row_response(request, batch, None)
    messages.success(request, f"{reference} was removed from the batch.")
    return redirect(_detail_url(request, batch))


@login_required
def batch_post(request: OrgRequest, org_slug: str, giftbatch_id: int) -> HttpResponseBase:
    require_perm(request.access, "donations.record")
    batch = _batch_or_404(giftbatch_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        posted = batches.gift_batch_post(**service_args(request), batch=batch)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        entry = posted.journal_entry
        messages.success(
            request,
            f"Batch {batch.name} is posted to the ledger as one deposit"
            f"{f' (JE-{entry.number})' if entry else ''}.",
        )
    return redirect(_detail_url(request, batch))
