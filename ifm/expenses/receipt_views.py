"""Receipt pages: upload to a draft, serve a file (download, or inline for the page's preview),
remove from a draft. Every file goes through the same access check as its expense."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.downloads import signed_redirect
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text
from ifm.expenses import records, selectors
from ifm.expenses.forms import ReceiptForm, add_service_errors
from ifm.expenses.views import detail_url, detail_with_errors, expense_or_404

# The receipt shown in a frame of our own pages (a PDF): only our origin may frame it, and the
# browser's PDF viewer may run in it.
INLINE_POLICY = {"frame-ancestors": ["'self'"], "object-src": ["'self'"]}


@login_required
def receipt_upload(request: OrgRequest, org_slug: str, expense_id: int) -> HttpResponse:
    expense = expense_or_404(request, expense_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReceiptForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            receipt = records.receipt_add(
                **service_args(request), expense=expense, file=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Receipt {receipt.original_name} added.")
            return redirect(detail_url(request, expense))
    return detail_with_errors(request, expense, receipt_form=form)


@login_required
def receipt_download(request: OrgRequest, org_slug: str, receipt_id: int) -> HttpResponseBase:
    """The receipt's file; with ?inline=1, shown in the browser when it is an image or a PDF.

    The type served is judged again from the file's content, `nosniff` stops the browser from
    guessing another, and anything that is not an image or a PDF is only ever an attachment."""
    receipt = selectors.receipt_get(user=request.user, access=request.access, receipt_id=receipt_id)
    if receipt is None:
        raise Http404("No such receipt.")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    # In object storage, a download goes to a short-lived signed link; shown in the page
    # (inline), it is streamed from here, so the page's frame and CSP stay on this origin.
    if request.GET.get("inline") != "1" and (
        signed := signed_redirect(receipt.file, filename=receipt.original_name)
    ):
        return signed
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError:
        raise Http404("The receipt's file is missing.") from None
    content_type = records.stored_type(handle)
    inline = request.GET.get("inline") == "1" and records.inline_kind(content_type or "")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=receipt.original_name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
        # django-csp reads this attribute (what @csp_replace sets) for this response only.
        response._csp_replace = INLINE_POLICY  # type: ignore[attr-defined]  # noqa: SLF001
    return response


@login_required
def receipt_delete(request: OrgRequest, org_slug: str, receipt_id: int) -> HttpResponseBase:
    receipt = selectors.receipt_get(user=request.user, access=request.access, receipt_id=receipt_id)
    if receipt is None:
        raise Http404("No such receipt.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        records.receipt_remove(**service_args(request), receipt=receipt)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Receipt {receipt.original_name} removed.")
    return redirect(detail_url(request, receipt.expense))
