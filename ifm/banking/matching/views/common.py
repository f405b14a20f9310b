"""What the matching pages share: finding the account or line of the URL, the way back."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ifm.accounts.http import OrgRequest
from ifm.banking.matching import selectors
from ifm.banking.models import BankAccount, BankTransaction


def account_or_404(bank_account_id: int) -> BankAccount:
    account = selectors.bank_account_get(bank_account_id)
    if account is None:
        raise Http404("No such bank account.")
    return account


def line_or_404(bank_transaction_id: int) -> BankTransaction:
    line = selectors.bank_line_get(bank_transaction_id)
    if line is None:
        raise Http404("No such bank line.")
    return line


def matching_url(request: OrgRequest, account_id: int, line_id: int | None = None) -> str:
    url = reverse(
        "banking:matching", kwargs={"org_slug": request.org.slug, "bank_account_id": account_id}
    )
    return f"{url}?line={line_id}" if line_id else url


def back_to(request: OrgRequest, fallback: str) -> str:
    """The `next` the form carried when it is a page of this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
