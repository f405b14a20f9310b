"""Tax receipt pages: the list (search, filters, export, print several), a receipt with its
letter, delivery and actions, year-end statement runs with their progress, and the settings.
And a gift's page with its receipts, and its void, which voids the receipts with it.

Thin: every write goes through the receipt services (the same as the API); rows are
read through the organization-scoped managers, so another organization's id is a 404.
"""

from __future__ import annotations

import base64
import re
from functools import partial
from typing import Any

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin

from ifm.accounts.http import OrgRequest, service_args
from ifm.audit.selectors import audit_event_list
from ifm.core import exports
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.donors.forms import add_service_errors
from ifm.donors.gifts.forms import VoidForm
from ifm.donors.gifts.views import donation_context, donation_or_404
from ifm.donors.models import Donation, DonationStatus, ReceiptRun, RunStatus, TaxReceipt
from ifm.donors.models.receipts import DeliveryMethod, DeliveryStatus
from ifm.donors.receipts import delivery, follow, issue, letterhead, services
from ifm.donors.receipts.forms import (
    ReceiptFilterForm,
    ReceiptLogoForm,
    ReceiptSendForm,
    ReceiptSettingsForm,
    ReceiptVoidForm,
    YearEndForm,
)
from ifm.donors.receipts.letter_template import MERGE_FIELDS
from ifm.donors.receipts.pdf import letter_document
from ifm.donors.receipts.selectors import (
    gift_receipts,
    receipt_matches_gifts,
    run_statements,
    run_statements_not_emailed,
)
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
PRINT_LIMIT = 500  # receipts in one printed PDF
RUNS_SHOWN = 20
POLL_SECONDS = 2
_NUMBER = re.compile(r"(?:no\.?\s*|#)?(\d{1,9})", re.IGNORECASE)


def _receipt_or_404(receipt_id: int) -> TaxReceipt:
    receipt = (
        TaxReceipt.objects.select_related(
            "donor", "household", "replaces", "issued_by", "voided_by", "run"
        )
        .filter(pk=receipt_id)
        .first()
    )
    if receipt is None:
        raise Http404("No such receipt.")
    return receipt


def _run_or_404(run_id: int) -> ReceiptRun:
    run = ReceiptRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such year-end run.")
    return run


def _pdf_response(data: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _replacement(receipt: TaxReceipt) -> TaxReceipt | None:
    return TaxReceipt.objects.filter(replaces=receipt).first()


# --- The list ----------------------------------------------------------------------------------


RECEIPT_SORTS = SortOptions(
    {
        "number": ("number",),
        "kind": ("kind",),
        "donor": ("donor__last_name", "donor__first_name", "donor__organization_name"),
        "year": ("tax_year",),
        "issued": ("issued_at",),
        "total": ("total_amount",),
        "delivery": ("delivery_status",),
    },
    descending_first={"number", "year", "issued", "total"},
    default="number",
    default_descending=True,
)


def _filtered_receipts(request: OrgRequest) -> tuple[ReceiptFilterForm, QuerySet[TaxReceipt]]:
    form = ReceiptFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    receipts = TaxReceipt.objects.all()
    text = (data.get("q") or "").strip()
    if text:
        number = _NUMBER.fullmatch(text)
        by_name = Q()
        for word in text.split()[:8]:
            by_name &= Q(donor__search_text__contains=word.lower())
        if number is not None:
            by_name |= Q(number=int(number.group(1)))
        receipts = receipts.filter(by_name)
    if data.get("kind"):
        receipts = receipts.filter(kind=data["kind"])
    status = data.get("status") or ""
    if status == "issued":
        receipts = receipts.filter(voided_at__isnull=True, replaced_by__isnull=True)
    elif status == "corrected":
        receipts = receipts.filter(voided_at__isnull=True, replaced_by__isnull=False)
    elif status == "void":
        receipts = receipts.filter(voided_at__isnull=False)
    if data.get("delivery"):
        receipts = receipts.filter(delivery_status=data["delivery"])
    year = data.get("year")
    if year:
        # A statement names its tax year; a single receipt belongs to the year of its gift.
        gift_year = TaxReceipt.donations.through.objects.filter(donation__date__year=year).values(
            "taxreceipt_id"
        )
        receipts = receipts.filter(Q(tax_year=year) | Q(tax_year__isnull=True, pk__in=gift_year))
    receipts = receipts.select_related("donor", "household", "replaces", "replaced_by")
    return form, RECEIPT_SORTS.read(request.GET).apply(receipts.order_by("-number"))


@login_required
def receipt_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
    form, receipts = _filtered_receipts(request)
    page = Paginator(receipts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.filtered,
        "sorting": RECEIPT_SORTS.read(request.GET),
        "can_issue": has_perm(request.access, "receipts.issue"),
        "can_configure": has_perm(request.access, "donors.configure"),
        "tab": "receipts",
    }
    template = (
        "donors/receipts/_list_results.html"
        if is_htmx_partial(request)
        else "donors/receipts/list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


EXPORT_HEADER = [
    "Number",
    "Kind",
    "Status",
    "Donor id",
    "Donor",
    "Tax year",
    "Issued at",
    "Cash total",
    "Deductible",
    "Replaces",
    "Replaced by",
    "Delivery",
    "Delivery status",
    "Delivered to",
    "Delivered at",
    "Void reason",
]


def _status_label(receipt: TaxReceipt) -> str:
    if receipt.voided_at is not None:
        return "Voided"
    if getattr(receipt, "replaced_by", None) is not None:
        return "Replaced"
    return "Issued"


def _export_row(receipt: TaxReceipt) -> list[Any]:
    replaced_by = getattr(receipt, "replaced_by", None)
    return [
        receipt.number,
        receipt.get_kind_display(),
        _status_label(receipt),
        receipt.donor.reference,
        receipt.donor.name,
        receipt.tax_year,
        timezone.localtime(receipt.issued_at).replace(tzinfo=None),
        receipt.total_amount,
        receipt.deductible_amount,
        receipt.replaces.number if receipt.replaces else None,
        replaced_by.number if replaced_by else None,
        receipt.get_delivery_display() if receipt.delivery else "",
        receipt.get_delivery_status_display(),
        receipt.delivered_to,
        timezone.localtime(receipt.delivered_at).replace(tzinfo=None)
        if receipt.delivered_at
        else None,
        receipt.void_reason,
    ]


@login_required
def receipt_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The list as it is filtered, as CSV (streamed) or XLSX."""
    require_perm(request.access, "donors.view")
    _, receipts = _filtered_receipts(request)
    org = request.org
    filename = f"receipts-{org.slug}-{timezone.localdate():%Y-%m-%d}"

    def rows() -> Any:
        return (_export_row(r) for r in receipts.iterator(chunk_size=2000))

    if fmt == "csv":
        return exports.csv_response(
            EXPORT_HEADER, rows, filename=filename, scope=partial(org_context, org)
        )
    return exports.xlsx_response(EXPORT_HEADER, rows(), filename=filename, title="Receipts")


def _chosen_ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 12][:PRINT_LIMIT]


@login_required
def receipt_print(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    """One PDF with the letters of the chosen receipts (voided ones are left out)."""
    require_perm(request.access, "receipts.issue")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    raw = request.POST.getlist("receipt")
    ids = _chosen_ids(raw)
    chosen = list(TaxReceipt.objects.filter(pk__in=ids))
    back = request.POST.get("next") or ""
    back = (
        back
        if back.startswith(org_url(request, "donors:receipt_list"))
        else org_url(request, "donors:receipt_list")
    )
    if len(raw) > PRINT_LIMIT:
        messages.error(request, f"Print at most {PRINT_LIMIT} receipts at a time.")
        return redirect(back)
    try:
        data = delivery.receipts_print(**service_args(request), receipts=chosen)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    return _pdf_response(data, f"receipts-{request.org.slug}-{stamp}.pdf", attachment=True)


# --- One receipt -------------------------------------------------------------------------------


def _history(request: OrgRequest, receipt: TaxReceipt) -> list[Any]:
    return list(
        audit_event_list(
            organization=request.org,
            object_type=TaxReceipt._meta.label_lower,
            object_id=str(receipt.pk),
        )[:50]
    )


def _detail_context(request: OrgRequest, receipt: TaxReceipt, **forms: Any) -> dict[str, Any]:
    replacement = _replacement(receipt)
    can_issue = has_perm(request.access, "receipts.issue")
    standing = receipt.voided_at is None and replacement is None
    return {
        "receipt": receipt,
        "replacement": replacement,
        "donations": list(receipt.donations.order_by("date", "pk")),
        "history": _history(request, receipt),
        "can_issue": can_issue,
        "standing": standing,
        "stale": standing and not receipt_matches_gifts(receipt),
        "void_form": forms.get("void_form") or ReceiptVoidForm(),
        "send_form": forms.get("send_form") or ReceiptSendForm(),
        "tab": "receipts",
        **_delivery_context(receipt),
    }


def _delivery_context(receipt: TaxReceipt) -> dict[str, Any]:
    return {
        "receipt": receipt,
        "delivery_polling": receipt.delivery_status == DeliveryStatus.PENDING
        and receipt.voided_at is None,
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def receipt_detail(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    receipt = _receipt_or_404(tax_receipt_id)
    return render(request, "donors/receipts/detail.html", _detail_context(request, receipt))


# The letter is the organization's own HTML: no script, nothing loaded but embedded images,
# its inline letter styles allowed, framed only by our own pages, and sandboxed.
LETTER_POLICY: dict[str, Any] = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "font-src": None,
    "script-src": None,
    "connect-src": None,
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": True,
}


@login_required
@xframe_options_sameorigin
@csp_replace(LETTER_POLICY)  # type: ignore[arg-type]
def receipt_letter(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponse:
    """The issued letter as the HTML document its PDF was made from, for the preview frame."""
    require_perm(request.access, "donors.view")
    receipt = _receipt_or_404(tax_receipt_id)
    html = letter_document([receipt.content_html], title=f"Receipt {receipt.number}")
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def receipt_pdf(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    receipt = _receipt_or_404(tax_receipt_id)
    return _pdf_response(
        delivery.receipt_pdf_bytes(receipt=receipt), receipt.filename, attachment=False
    )


@login_required
def receipt_delivery(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponse:
    """The delivery status block, polled by htmx while an email is on its way."""
    require_perm(request.access, "donors.view")
    receipt = _receipt_or_404(tax_receipt_id)
    return render(request, "donors/receipts/_delivery.html", _delivery_context(receipt))


def _post_only(request: OrgRequest) -> HttpResponseNotAllowed | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def receipt_send(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponseBase:
    require_perm(request.access, "receipts.issue")
    receipt = _receipt_or_404(tax_receipt_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = ReceiptSendForm(request.POST)
    if form.is_valid():
        try:
            sent = services.receipt_send(
                **service_args(request), receipt=receipt, to=form.cleaned_data.get("to") or ""
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, f"Receipt No. {sent.number} is queued for email to {sent.delivered_to}."
            )
            return redirect(org_url(request, "donors:receipt_detail", tax_receipt_id=receipt.pk))
    context = _detail_context(request, receipt, send_form=form)
    return render(request, "donors/receipts/detail.html", context, status=422)


@login_required
def receipt_void(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponseBase:
    require_perm(request.access, "receipts.issue")
    receipt = _receipt_or_404(tax_receipt_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = ReceiptVoidForm(request.POST)
    if form.is_valid():
        try:
            issue.receipt_void(
                **service_args(request), receipt=receipt, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            if any(error.get("field") == "reason" for error in exc.errors):
                add_service_errors(form, exc)
            else:
                messages.error(request, exc.message)
                return redirect(
                    org_url(request, "donors:receipt_detail", tax_receipt_id=receipt.pk)
                )
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Receipt No. {receipt.number} was voided.")
            return redirect(org_url(request, "donors:receipt_detail", tax_receipt_id=receipt.pk))
    context = _detail_context(request, receipt, void_form=form)
    return render(request, "donors/receipts/detail.html", context, status=422)


@login_required
def receipt_correct(request: OrgRequest, org_slug: str, tax_receipt_id: int) -> HttpResponseBase:
    require_perm(request.access, "receipts.issue")
    receipt = _receipt_or_404(tax_receipt_id)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        new = issue.receipt_correct(**service_args(request), receipt=receipt)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(org_url(request, "donors:receipt_detail", tax_receipt_id=receipt.pk))
    messages.success(
        request, f"Receipt No. {new.number} was issued; it replaces No. {receipt.number}."
    )
    return redirect(org_url(request, "donors:receipt_detail", tax_receipt_id=new.pk))


# --- A gift's page, with its receipts, and its void ------------------------------------------


def _gift_page(request: OrgRequest, donation: Donation, **forms: Any) -> dict[str, Any]:
    state = gift_receipts(donation)
    return {
        **donation_context(request, donation, **forms),
        "receipts": state.receipts,
        "stale_receipts": state.stale,
        "can_issue_receipt": (
            donation.status == DonationStatus.ACTIVE
            and state.single is None
            and has_perm(request.access, "receipts.issue")
        ),
        "can_correct_receipt": has_perm(request.access, "receipts.issue"),
    }


@login_required
def donation_detail(request: OrgRequest, org_slug: str, donation_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    donation = donation_or_404(donation_id)
    return render(request, "donors/donation_detail.html", _gift_page(request, donation))


@login_required
def donation_void(request: OrgRequest, org_slug: str, donation_id: int) -> HttpResponseBase:
    """Void a gift and, with it, its standing receipts and statements (follow.donation_void)."""
    require_perm(request.access, "donations.record")
    donation = donation_or_404(donation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = VoidForm(request.POST)
    if not form.is_valid():
        context = _gift_page(request, donation, void_form=form)
        return render(request, "donors/donation_detail.html", context, status=422)
    try:
        done = follow.donation_void(
            **service_args(request), donation=donation, reason=form.cleaned_data["reason"]
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done.message())
    return redirect(org_url(request, "donors:donation_detail", donation_id=donation.pk))


# --- Year-end statements -----------------------------------------------------------------------


@login_required
def year_end(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Start a run of year-end statements (POST), and the runs so far."""
    require_perm(request.access, "donors.view")
    can_issue = has_perm(request.access, "receipts.issue")
    status = 200
    if request.method == "POST":
        require_perm(request.access, "receipts.issue")
        form = YearEndForm(request.POST)
        if form.is_valid():
            try:
                run = services.year_end_statements_start(
                    **service_args(request),
                    year=form.cleaned_data["year"],
                    joint=form.cleaned_data["joint"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Year-end statements for {run.tax_year} are under way"
                    f"{' (one per household)' if run.joint else ''}.",
                )
                return redirect(
                    org_url(request, "donors:receipt_run_detail", receipt_run_id=run.pk)
                )
        status = 422
    else:
        form = YearEndForm(initial={"year": timezone.localdate().year - 1})
    context = {
        "form": form,
        "can_issue": can_issue,
        "runs": list(ReceiptRun.objects.select_related("created_by")[:RUNS_SHOWN]),
        "tab": "receipts",
    }
    return render(request, "donors/receipts/year_end.html", context, status=status)


def _run_context(run: ReceiptRun, request: OrgRequest) -> dict[str, Any]:
    finished = run.status in (RunStatus.DONE, RunStatus.FAILED)
    statements = run_statements(run)
    emailable = (
        sum(1 for s in statements.select_related("donor") if not delivery.email_refusal(s.donor))
        if finished
        else 0
    )
    return {
        "run": run,
        "finished": finished,
        "statement_count": statements.count() if finished else 0,
        "with_email": emailable,
        "emailed": statements.filter(
            delivery=DeliveryMethod.EMAIL, delivery_status=DeliveryStatus.SENT
        ).count()
        if finished
        else 0,
        "not_emailed": run_statements_not_emailed(run).count() if finished else 0,
        "can_issue": has_perm(request.access, "receipts.issue"),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def run_detail(request: OrgRequest, org_slug: str, receipt_run_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    run = _run_or_404(receipt_run_id)
    context = {**_run_context(run, request), "tab": "receipts"}
    return render(request, "donors/receipts/run_detail.html", context)


@login_required
def run_progress(request: OrgRequest, org_slug: str, receipt_run_id: int) -> HttpResponse:
    """The progress block, polled every few seconds until the run is done or failed."""
    require_perm(request.access, "donors.view")
    run = _run_or_404(receipt_run_id)
    return render(request, "donors/receipts/_run_progress.html", _run_context(run, request))


@login_required
def run_print(request: OrgRequest, org_slug: str, receipt_run_id: int) -> HttpResponseBase:
    """The run's statements in one PDF to print (and mark as delivered by print); with
    which=not_emailed, only the standing statements that were not emailed."""
    require_perm(request.access, "receipts.issue")
    run = _run_or_404(receipt_run_id)
    if (refused := _post_only(request)) is not None:
        return refused
    not_emailed = request.POST.get("which") == "not_emailed"
    if not_emailed:
        statements = list(run_statements_not_emailed(run))
        if not statements:
            messages.info(request, "Every statement of this run was emailed: nothing to print.")
            return redirect(org_url(request, "donors:receipt_run_detail", receipt_run_id=run.pk))
    else:
        statements = list(run_statements(run))
    try:
        data = delivery.receipts_print(**service_args(request), receipts=statements)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(org_url(request, "donors:receipt_run_detail", receipt_run_id=run.pk))
    part = "-not-emailed" if not_emailed else ""
    filename = f"year-end-{run.tax_year}{part}-{request.org.slug}.pdf"
    return _pdf_response(data, filename, attachment=True)


@login_required
def run_email(request: OrgRequest, org_slug: str, receipt_run_id: int) -> HttpResponseBase:
    """Queue the email of the run's statements (the service decides who can be emailed) and
    say how many were queued and how many are left to print."""
    require_perm(request.access, "receipts.issue")
    run = _run_or_404(receipt_run_id)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        sent = services.year_end_statements_send(**service_args(request), run=run)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(org_url(request, "donors:receipt_run_detail", receipt_run_id=run.pk))
    text = f"{sent.queued} statement{'s' if sent.queued != 1 else ''} queued for email."
    if sent.to_print:
        reasons = ", ".join(
            f"{count} {REFUSAL_LABELS.get(reason, reason)}"
            for reason, count in sent.reasons.items()
        )
        text += (
            f" {sent.to_print} could not be emailed ({reasons}): "
            "download the ones not emailed to print and mail them."
        )
    if sent.already_emailed:
        text += f" {sent.already_emailed} had already been emailed or are on their way."
    (messages.success if sent.queued else messages.info)(request, text)
    return redirect(org_url(request, "donors:receipt_run_detail", receipt_run_id=run.pk))


REFUSAL_LABELS = {
    delivery.NO_ADDRESS: "with no email address",
    delivery.INVALID_ADDRESS: "with an email address that is not valid",
    delivery.ASKED_NO_EMAIL: "asked not to be emailed",
    delivery.DECEASED: "deceased",
}


# --- Settings ----------------------------------------------------------------------------------


@login_required
def receipt_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.configure")
    org = request.org
    row = issue.receipt_settings_get(organization=org)
    conflict = None
    status = 200
    if request.method == "POST":
        form = ReceiptSettingsForm(request.POST)
        if form.is_valid():
            try:
                issue.receipt_settings_update(
                    **service_args(request),
                    expected_version=form.cleaned_data["version"],
                    **form.service_kwargs(),
                )
            except ConflictError as exc:
                conflict = exc.message
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Receipt settings saved. New receipts use them.")
                return redirect(org_url(request, "donors:receipt_settings"))
        status = 409 if conflict else 422
    else:
        form = ReceiptSettingsForm(initial=ReceiptSettingsForm.initial_for(row))
    return _settings_page(request, row, form, conflict=conflict, status=status)


def _settings_page(
    request: OrgRequest,
    row: Any,
    form: ReceiptSettingsForm,
    *,
    conflict: str | None = None,
    logo_form: ReceiptLogoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "logo_form": logo_form or ReceiptLogoForm(),
        "settings_row": row,
        "conflict": conflict,
        "can_edit_org": has_perm(request.access, "org.edit"),
        "merge_fields": MERGE_FIELDS,
        "tab": "receipts",
    }
    return render(request, "donors/receipts/settings.html", context, status=status)


@login_required
def receipt_logo(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    """Upload the letters' own logo, or remove it (the organization's is used then)."""
    require_perm(request.access, "donors.configure")
    if (refused := _post_only(request)) is not None:
        return refused
    form = ReceiptLogoForm(request.POST, request.FILES)
    if form.is_valid():
        remove = form.cleaned_data.get("remove")
        try:
            letterhead.receipt_logo_set(
                **service_args(request), logo=None if remove else form.cleaned_data.get("logo")
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Logo removed." if remove else "Logo saved. New receipts show it."
            )
            return redirect(org_url(request, "donors:receipt_settings"))
    row = issue.receipt_settings_get(organization=request.org)
    settings_form = ReceiptSettingsForm(initial=ReceiptSettingsForm.initial_for(row))
    return _settings_page(request, row, settings_form, logo_form=form, status=422)


@login_required
def receipt_logo_image(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The letters' logo (theirs, else the organization's) as an image, for the settings
    page; read through the access check, never from a public URL."""
    require_perm(request.access, "donors.configure")
    row = issue.receipt_settings_get(organization=request.org)
    url = letterhead.letter_logo(request.org, row)
    if not url:
        raise Http404("No logo.")
    head, _, data = url.partition(";base64,")
    response = HttpResponse(base64.b64decode(data), content_type=head.removeprefix("data:"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def receipt_letter_preview(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    """The draft letter of the settings form rendered in the sandbox with a sample receipt
    (htmx swaps it into the preview pane). A template the sandbox refuses answers its
    message in the pane, never an error page."""
    require_perm(request.access, "donors.configure")
    if (refused := _post_only(request)) is not None:
        return refused
    data = request.POST
    body, problem = "", ""
    try:
        body = letterhead.receipt_letter_preview(
            organization=request.org,
            access=request.access,
            letter_template_source=data.get("letter_template", ""),
            thank_you_text=data.get("thank_you_text", "")[:2000],
            signature_name=data.get("signature_name", "")[:200],
            signature_title=data.get("signature_title", "")[:200],
            intangible_religious_benefits_only=data.get("intangible_religious_benefits_only")
            in ("on", "true", "1"),
        )
    except ServiceError as exc:
        problem = exc.message
    context = {
        "document": letter_document([body], title="Letter preview") if body else "",
        "problem": problem,
    }
    response = render(request, "donors/receipts/_letter_preview.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
