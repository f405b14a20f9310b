"""Statement import pages: the upload, the progress of a large file's import, and the summary
of an imported statement. Thin: `runs.statement_import_start` decides inline or job."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from ifm.accounts.http import OrgRequest, service_args
from ifm.banking.accounts.selectors import bank_account_get, statement_get
from ifm.banking.imports.forms import StatementUploadForm
from ifm.banking.imports.runs import statement_import_start
from ifm.banking.imports.services import StatementImportError, max_bytes
from ifm.banking.models import BankAccount, ImportStatus, Statement, StatementImport
from ifm.banking.statements import Problem
from ifm.core.errors import ServiceError
from ifm.core.pages import is_htmx_partial, org_url
from ifm.tenancy.permissions import has_perm, require_perm


def _initial_account(request: OrgRequest) -> int | None:
    raw = request.GET.get("bank_account", "")
    if raw.isdigit() and len(raw) < 19:
        account = bank_account_get(int(raw))
        if account is not None:
            return account.pk
    return None


@login_required
def import_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.import")
    problems: list[Problem] = []
    if request.method == "POST":
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > max_bytes():  # refused before it is read into memory
                    raise StatementImportError(
                        [
                            Problem(
                                "file",
                                "file",
                                f"The file is larger than {max_bytes() // 2**20} MB.",
                            )
                        ]
                    )
                started = statement_import_start(
                    **service_args(request),
                    bank_account=form.cleaned_data["bank_account"],
                    data=upload.read(),
                    filename=upload.name or "",
                    profile=form.cleaned_data["profile"],
                )
            except StatementImportError as exc:
                problems = exc.problems
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                if started.run is not None:
                    return redirect(
                        "banking:import_progress",
                        org_slug=org_slug,
                        statementimport_id=started.run.pk,
                    )
                assert started.result is not None
                for note in started.result.notes:
                    messages.info(request, note)
                return redirect(
                    "banking:import_result",
                    org_slug=org_slug,
                    statement_id=started.result.statement.pk,
                )
    else:
        form = StatementUploadForm(initial={"bank_account": _initial_account(request)})
    refused = bool(problems) or (form.is_bound and bool(form.errors))
    return render(
        request,
        "banking/imports/new.html",
        {
            "form": form,
            "problems": problems,
            "max_mb": max_bytes() // 2**20,
            "has_accounts": form.fields["bank_account"].queryset.exists(),  # type: ignore[attr-defined]
        },
        status=422 if refused else 200,
    )


def _run_or_404(statementimport_id: int) -> StatementImport:
    run = (
        StatementImport.objects.select_related("bank_account", "created_by", "statement")
        .defer("data")
        .filter(pk=statementimport_id)
        .first()
    )
    if run is None:
        raise Http404("No such import.")
    return run


@login_required
def import_progress(
    request: OrgRequest, org_slug: str, statementimport_id: int
) -> HttpResponseBase:
    """A large file's import; with htmx only its panel, polled until it is done or failed."""
    require_perm(request.access, "banking.import")
    run = _run_or_404(statementimport_id)
    polling = run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    if run.status == ImportStatus.DONE and run.statement_id is not None:
        target = org_url(request, "banking:import_result", statement_id=run.statement_id)
        if is_htmx_partial(request):
            return HttpResponseClientRedirect(target)
        return redirect(target)
    context = {"run": run, "polling": polling}
    template = "_progress.html" if is_htmx_partial(request) else "progress.html"
    response = render(request, f"banking/imports/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def matching_url(request: OrgRequest, account: BankAccount) -> str:
    """The matching page of the account when the app has one, else its unmatched lines."""
    for name, kwargs in (
        ("banking:matching", {"bank_account_id": account.pk}),
        ("banking:matching", {}),
    ):
        try:
            url = reverse(name, kwargs={"org_slug": request.org.slug, **kwargs})
        except NoReverseMatch:
            continue
        return url if kwargs else f"{url}?bank_account={account.pk}"
    detail = org_url(request, "banking:account_detail", bank_account_id=account.pk)
    return f"{detail}?status=unmatched"


def _statement_or_404(statement_id: int) -> Statement:
    statement = statement_get(statement_id)
    if statement is None:
        raise Http404("No such statement.")
    return statement


@login_required
def import_result(request: OrgRequest, org_slug: str, statement_id: int) -> HttpResponse:
    """What an import added and skipped, the period and the file's balances."""
    require_perm(request.access, "banking.view")
    statement = _statement_or_404(statement_id)
    account = bank_account_get(statement.bank_account_id) or statement.bank_account
    return render(
        request,
        "banking/imports/result.html",
        {
            "statement": statement,
            "account": account,
            "matching_url": matching_url(request, account),
            "can_import": has_perm(request.access, "banking.import"),
            "can_match": has_perm(request.access, "banking.match"),
        },
    )
