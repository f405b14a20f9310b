"""The import pages: upload, the summary, the problems of a refused file, and a large file
imported by a background job while its progress page polls."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ifm.banking.imports.tasks import on_job_failed, statement_import_job
from ifm.banking.imports.tests.conftest import month_of_lines
from ifm.banking.models import (
    BankAccount,
    BankTransaction,
    ImportStatus,
    Statement,
    StatementImport,
)
from ifm.banking.statements.generate import ofx_bytes
from ifm.banking.tests.factories import bank_account as other_org_account
from ifm.banking.tests.factories import statement_with_lines
from ifm.conftest import client_for
from ifm.core.org_context import org_context

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"banking:{name}", kwargs={"org_slug": "alpha", **kwargs})


@pytest.fixture
def finance_client(in_a: Any, cast: dict[str, Any]) -> Client:
    return client_for(cast["finance"])


def _ofx(days: int = 10, **kw: Any) -> bytes:
    kw.setdefault("account_number", "123456789")
    kw.setdefault("currency", "USD")
    return ofx_bytes(month_of_lines(date(2026, 3, 1), days, with_ids=True), **kw)


def _upload(client: Client, account: BankAccount, data: bytes, name: str = "march.ofx") -> Any:
    return client.post(
        url("import_new"), {"bank_account": account.pk, "file": SimpleUploadedFile(name, data)}
    )


def test_a_small_file_is_imported_and_summarised(
    finance_client: Client, checking: BankAccount
) -> None:
    form = finance_client.get(url("import_new"), {"bank_account": checking.pk})
    assert form.status_code == 200
    assert b"Statement file" in form.content
    done = _upload(finance_client, checking, _ofx())
    statement = Statement.objects.get()
    assert done.status_code == 302
    assert done["Location"] == url("import_result", statement_id=statement.pk)
    summary = finance_client.get(done["Location"]).content.decode()
    assert f'id="imported-count">{statement.imported_count}<' in summary
    assert "2026-03-01 \u2013 2026-03-10" in summary
    assert "Match the lines" in summary
    again = _upload(finance_client, checking, _ofx())
    second = finance_client.get(again["Location"]).content.decode()
    assert 'id="imported-count">0<' in second
    assert 'id="all-duplicates"' in second
    assert BankTransaction.objects.count() == statement.imported_count


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"OFXHEADER:100\r\n\r\n<OFX><BANKMSGSRSV1><STMTTRNRS>", "Nothing was imported"),
        (b"just some text\n", "Nothing was imported"),
    ],
)
def test_a_bad_file_shows_its_problems_and_stores_nothing(
    finance_client: Client, checking: BankAccount, data: bytes, says: str
) -> None:
    page = _upload(finance_client, checking, data)
    assert page.status_code == 422
    assert says in page.content.decode()
    assert 'id="import-problems"' in page.content.decode()
    assert not Statement.objects.exists()


def test_a_file_of_another_account_says_which(
    finance_client: Client, checking: BankAccount
) -> None:
    page = _upload(finance_client, checking, _ofx(account_number="99990000"))
    text = page.content.decode()
    assert page.status_code == 422
    assert "ending 0000" in text
    assert "ending 6789" in text
    assert not Statement.objects.exists()


def test_an_oversized_file_is_refused(
    finance_client: Client, checking: BankAccount, settings: Any
) -> None:
    settings.BANKING_IMPORT_MAX_MB = 1
    page = _upload(finance_client, checking, _ofx() + b" " * 2**20)
    assert page.status_code == 422
    assert b"larger than 1 MB" in page.content
    assert not Statement.objects.exists()
    assert not StatementImport.objects.exists()


def test_a_large_file_is_imported_by_a_job_with_a_progress_page(
    finance_client: Client,
    checking: BankAccount,
    settings: Any,
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BANKING_IMPORT_INLINE_LINES = 5
    with django_capture_on_commit_callbacks(execute=True):
        queued = _upload(finance_client, checking, _ofx(days=20))
    run = StatementImport.objects.get()
    assert queued["Location"] == url("import_progress", statementimport_id=run.pk)
    assert not Statement.objects.exists()
    page = finance_client.get(queued["Location"])
    assert b"Waiting for a worker" in page.content
    assert b'hx-trigger="every 2s"' in page.content
    assert run_jobs() == 1
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert run.statement is not None
    assert run.total == run.done == run.statement.line_count
    assert run.data == b""
    polled = finance_client.get(queued["Location"], HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == url("import_result", statement_id=run.statement.pk)
    assert finance_client.get(queued["Location"])["Location"] == polled["HX-Redirect"]


def test_a_large_file_with_problems_fails_its_run_with_the_list(
    finance_client: Client,
    checking: BankAccount,
    settings: Any,
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BANKING_IMPORT_INLINE_KB = 0
    with django_capture_on_commit_callbacks(execute=True):
        _upload(finance_client, checking, _ofx(currency="EUR"))
    run_jobs()
    run = StatementImport.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.data == b""
    assert run.errors[0]["field"] == "currency"
    page = finance_client.get(url("import_progress", statementimport_id=run.pk)).content.decode()
    assert "Nothing was imported" in page
    assert "EUR" in page
    assert "every 2s" not in page
    assert not Statement.objects.exists()


def test_a_job_that_dies_leaves_its_run_failed_after_the_last_attempt(
    checking: BankAccount, finance: dict[str, Any], in_a: Any
) -> None:
    run = StatementImport.objects.create(
        organization=in_a, bank_account=checking, filename="x.ofx", sha256="0" * 64, data=b"x"
    )
    kwargs = {"organization_id": in_a.pk, "statementimport_id": run.pk}
    path = statement_import_job.module_path
    on_job_failed(None, task_path=path, kwargs=kwargs, message="worker lost", final=False)
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    assert run.phase == "waiting to try again"
    on_job_failed(None, task_path=path, kwargs=kwargs, message="worker lost", final=True)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert "worker lost" in run.errors[0]["message"]


def test_a_viewer_sees_statements_but_may_not_import(
    in_a: Any, cast: dict[str, Any], checking: BankAccount
) -> None:
    viewer = client_for(cast["viewer"])
    statement = statement_with_lines(in_a, checking)
    assert viewer.get(url("import_result", statement_id=statement.pk)).status_code == 200
    assert (
        b"Match the lines"
        not in viewer.get(url("import_result", statement_id=statement.pk)).content
    )
    assert viewer.get(url("import_new")).status_code == 403
    assert _upload(viewer, checking, _ofx()).status_code == 403
    assert Statement.objects.count() == 1


def test_another_organizations_ids_are_404(
    finance_client: Client, checking: BankAccount, org_b: Any
) -> None:
    theirs = other_org_account(org_b)
    statement = statement_with_lines(org_b, theirs)
    with org_context(org_b):
        run = StatementImport.objects.create(
            organization=org_b, bank_account=theirs, filename="x.ofx", sha256="0" * 64
        )
    assert finance_client.get(url("import_result", statement_id=statement.pk)).status_code == 404
    assert finance_client.get(url("import_progress", statementimport_id=run.pk)).status_code == 404
    page = _upload(finance_client, theirs, _ofx())
    assert page.status_code == 422  # not among the choices
    with org_context(org_b):
        assert Statement.objects.count() == 1
