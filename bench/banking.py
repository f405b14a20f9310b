"""Banking benchmarks: statement import, matching suggestions, and the server time of the
matching and reconciliation pages, each beside a floor and printed as a ratio to it.

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ifm_bench; created and
migrated if missing); without a PostgreSQL URL it runs in a temporary SQLite database. Each run
uses a new organization. BENCH_QUICK=1 runs a small version in seconds (the test suite runs it
so the benchmark cannot rot); the targets below are for the full sizes. BENCH_BANKING_PARTS
(comma-separated: import, suggest, pages, unmatched) runs only those parts.

(a) a 50,000-line OFX file, then a 50,000-line CAMT.053 file, imported through
    `statement_import` into a bank account that already has 500,000 lines (so duplicate
    detection looks through them), then the OFX file again (all duplicates). Target: each
    import under 5 s. Floor: the same number of rows written with one `bulk_create`, with no
    file to read and nothing to compare.
(b) `suggest_all` for 10,000 unmatched bank lines against 100,000 ledger lines on the bank
    account's cash account (made by `ifm.banking.matching.bench_data.build`). Target: under
    10 s. Floor: reading those bank lines and ledger lines once, as plain tuples.
(c) the matching page and the reconciliation page of a bank account with 100,000 lines:
    server time (Django's request handler in this process, signed in, median of BENCH_RUNS
    requests). Target: under 100 ms. Floor: a bare Django view behind the same middleware.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.ledger import DEFAULT_URL, _ensure_database, _env, _setup_django
from bench.server import BIN, ROOT

IMPORT_TARGET_S = 5.0
SUGGEST_TARGET_S = 10.0
PAGE_TARGET_S = 0.100
ACCOUNT_NUMBER = "000123456789"
PAYEES = [
    "Metro Utilities",
    "Office Depot",
    "City Print Shop",
    "Green Grocers",
    "Hartley & Co CPAs",
    "Deposit",
    "Online transfer",
    "Service charge",
    "Interest paid",
    "Check",
]


@dataclass(frozen=True)
class Sizes:
    import_lines: int = 50_000
    existing_lines: int = 500_000
    bank_lines: int = 10_000
    ledger_lines: int = 100_000
    page_lines: int = 100_000
    runs: int = 20


FULL = Sizes()
QUICK = Sizes(
    import_lines=400,
    existing_lines=4_000,
    bank_lines=100,
    ledger_lines=1_000,
    page_lines=1_000,
    runs=5,
)


@dataclass(frozen=True)
class Figure:
    """One measurement beside its floor: `ratio` is how many floors it costs."""

    name: str
    seconds: float
    floor_seconds: float
    target_seconds: float
    detail: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else float("inf")

    @property
    def met(self) -> bool:
        return self.seconds < self.target_seconds

    def line(self) -> str:
        mark = "ok" if self.met else "MISSED"
        return (
            f"  {self.name:<52} {_fmt(self.seconds):>9}  floor {_fmt(self.floor_seconds):>9}"
            f"  ratio {self.ratio:8.1f}  (target < {_fmt(self.target_seconds)}: {mark})"
            + (f"  {self.detail}" if self.detail else "")
        )


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


@contextmanager
def _timer() -> Iterator[list[float]]:
    box: list[float] = []
    t0 = time.perf_counter()
    yield box
    box.append(time.perf_counter() - t0)


# --- setting up ------------------------------------------------------------------------------


@dataclass
class Setup:
    org: Any
    user: Any
    who: dict[str, Any]  # organization and actor, for the services


def _setup(slug: str) -> Setup:
    from django.contrib.auth import get_user_model

    from ifm.accounts.services import membership_set
    from ifm.core.org_context import org_context
    from ifm.ledger.chart.services import chart_create_from_template
    from ifm.orgs.services import organization_create
    from ifm.tenancy.models import Membership

    org = organization_create(slug=slug, name=f"Benchmark banking {slug}")
    chart_create_from_template(organization=org)
    user = get_user_model().objects.create_user(
        email=f"{slug}@bench.test", password=None, full_name="Bench Finance"
    )
    membership_set(organization=org, user=user, role="finance")
    with org_context(org):
        access = Membership.objects.get(organization=org, user=user)
    return Setup(org=org, user=user, who={"organization": org, "actor": user, "access": access})


def _bank_account(setup: Setup, name: str, number: str) -> Any:
    from ifm.banking.accounts.services import bank_account_create
    from ifm.ledger.models import Account, Fund

    return bank_account_create(
        **setup.who,
        name=name,
        ledger_account=Account.objects.get(number=number),
        default_fund=Fund.objects.get(is_general=True),
        institution="Bench Bank",
        account_number=ACCOUNT_NUMBER,
    )


def _random_amount(rng: random.Random) -> Decimal:
    cents = rng.randrange(100, 250_000)
    return Decimal(cents if rng.random() < 0.4 else -cents) / 100


def _bulk_lines(setup: Setup, account: Any, count: int, start: date, prefix: str) -> float:
    """`count` lines written straight to the table (column-wise, as the fastest writer does)
    in one statement's name; the seconds the writing took (the import's floor)."""
    from ifm.banking.models import BankTransaction, Statement
    from ifm.core.bulk import insert_columns

    rng = random.Random(count)
    t0 = time.perf_counter()
    statement = Statement.objects.create(
        organization=setup.org,
        bank_account=account,
        format="ofx",
        filename=f"{prefix}.ofx",
        sha256=f"{prefix}-{count}",
        line_count=count,
        imported_count=count,
    )
    insert_columns(
        BankTransaction,
        {
            "organization_id": setup.org.pk,
            "bank_account_id": account.pk,
            "statement_id": statement.pk,
            "date": [start + timedelta(days=i * 365 // count) for i in range(count)],
            "amount": [_random_amount(rng) for _ in range(count)],
            "payee": [PAYEES[i % len(PAYEES)] for i in range(count)],
            "bank_id": [f"{prefix}{i}" for i in range(count)],
            "identity": [f"id:{prefix}{i}" for i in range(count)],
        },
        count,
    )
    return time.perf_counter() - t0


def _file_lines(count: int, start: date, prefix: str) -> list[Any]:
    from ifm.banking.statements.types import ParsedLine

    rng = random.Random(hash(prefix) & 0xFFFF)
    return [
        ParsedLine(
            date=start + timedelta(days=i * 365 // max(count, 1)),
            amount=_random_amount(rng),
            payee=PAYEES[i % len(PAYEES)],
            memo=f"Transaction {i}",
            reference=str(1000 + i) if i % 7 == 0 else "",
            bank_id=f"{prefix}{i}",
        )
        for i in range(count)
    ]


# --- (a) statement import --------------------------------------------------------------------


def bench_import(setup: Setup, sizes: Sizes) -> list[Figure]:
    from django.conf import settings
    from django.test import override_settings

    from ifm.banking.imports.services import statement_import
    from ifm.banking.statements.generate import camt_bytes, ofx_bytes

    account = _bank_account(setup, "Operating checking", "1010")
    history = date(2015, 1, 1)
    _bulk_lines(setup, account, sizes.existing_lines, history, "HIST")
    n = sizes.import_lines
    # The floor: the same number of rows written directly, on an account of its own.
    floor_account = _bank_account(setup, "Payroll checking", "1020")
    floor_s = _bulk_lines(setup, floor_account, n, history, "FLOOR")

    figures = []
    ofx_lines = _file_lines(n, date(2024, 1, 1), "OFX")
    closing = sum((line.amount for line in ofx_lines), Decimal("0.00"))
    ofx = ofx_bytes(ofx_lines, account_number=ACCOUNT_NUMBER, closing_balance=closing)
    with _timer() as took:
        result = statement_import(**setup.who, bank_account=account, data=ofx, filename="big.ofx")
    _expect(result.imported == n, f"OFX import added {result.imported} lines, not {n}")
    figures.append(
        Figure(
            f"import OFX, {n:,} lines",
            took[0],
            floor_s,
            IMPORT_TARGET_S,
            f"{sizes.existing_lines:,} lines there already; {len(ofx) / 1e6:.1f} MB",
        )
    )

    camt_lines = _file_lines(n, date(2025, 1, 1), "CAMT")
    opening = Decimal("1000.00")
    camt = camt_bytes(
        camt_lines,
        account_number=ACCOUNT_NUMBER,
        currency="USD",
        opening_balance=opening,
        closing_balance=opening + sum((line.amount for line in camt_lines), Decimal("0.00")),
    )
    # CAMT's XML is verbose (about 420 bytes an entry): 50,000 entries pass the default upload
    # limit (BANKING_IMPORT_MAX_MB, 20), which an operator raises for such files.
    limit_mb = max(int(settings.BANKING_IMPORT_MAX_MB), len(camt) // 2**20 + 1)
    with override_settings(BANKING_IMPORT_MAX_MB=limit_mb), _timer() as took:
        result = statement_import(**setup.who, bank_account=account, data=camt, filename="big.xml")
    _expect(result.imported == n, f"CAMT import added {result.imported} lines, not {n}")
    figures.append(
        Figure(
            f"import CAMT.053, {n:,} lines",
            took[0],
            floor_s,
            IMPORT_TARGET_S,
            f"{len(camt) / 1e6:.1f} MB (upload limit set to {limit_mb} MB)",
        )
    )

    with _timer() as took:
        result = statement_import(**setup.who, bank_account=account, data=ofx, filename="again.ofx")
    _expect(result.imported == 0, f"the same OFX again added {result.imported} lines")
    figures.append(
        Figure(
            "the same OFX again (all duplicates)",
            took[0],
            floor_s,
            IMPORT_TARGET_S,
            f"{result.duplicates:,} duplicates, 0 added",
        )
    )
    return figures


# --- (b) suggestions -------------------------------------------------------------------------


def bench_suggest(setup: Setup, sizes: Sizes) -> list[Figure]:
    from ifm.banking.matching import bench_data
    from ifm.banking.matching.suggest import suggest_all
    from ifm.banking.models import BankTransaction
    from ifm.ledger.models import JournalLine

    with _timer() as made:
        built = bench_data.build(
            setup.org, bank_lines=sizes.bank_lines, ledger_lines=sizes.ledger_lines
        )
    account = built.bank_account

    def floor() -> int:
        bank = list(
            BankTransaction.objects.filter(bank_account=account, status="unmatched").values_list(
                "id", "date", "amount", "payee", "memo", "reference"
            )
        )
        ledger = list(
            JournalLine.objects.filter(account_id=account.ledger_account_id).values_list(
                "id", "date", "debit", "credit", "memo", "entry__reference", "entry__memo"
            )
        )
        return len(bank) + len(ledger)

    with _timer() as floor_took:
        floor()
    with _timer() as took:
        suggestions = suggest_all(account)
    with_any = sum(1 for found in suggestions.values() if found)
    return [
        Figure(
            f"suggest_all {built.bank_lines:,} x {built.ledger_lines:,}",
            took[0],
            floor_took[0],
            SUGGEST_TARGET_S,
            f"{with_any:,} bank lines with a suggestion (data made in {made[0]:.1f} s)",
        )
    ]


# --- (c) page server time --------------------------------------------------------------------


def _median_request(client: Any, url: str, runs: int) -> float:
    for _ in range(2):  # warm-up: the first request of a process imports and compiles
        response = client.get(url)
        _expect(response.status_code == 200, f"GET {url} answered {response.status_code}")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


MAINTAINED = (
    "banking_banktransaction",
    "banking_banklinemonth",
    "banking_match",
    "banking_matchline",
    "ledger_journalline",
    "ledger_journalentry",
)


def _maintain() -> None:
    """What autovacuum does within a minute of a large write on a server where it is on (the
    default, and Heroku's): statistics for the planner and, outside a transaction, the
    visibility map index-only scans need. As the tables' owner (the app role may not)."""
    from django.db import connection

    from ifm.tenancy.db import owner_role

    if connection.vendor != "postgresql":
        return
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with owner_role(), connection.cursor() as cursor:
        cursor.execute(f"{verb} {', '.join(MAINTAINED)}")


def _page_figures(setup: Setup, sizes: Sizes, account: Any, rec: Any, shape: str) -> list[Figure]:
    """The matching page and the reconciliation page, each beside the bare view, once the
    tables are maintained as autovacuum would."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.urls import FLOOR_PATH

    _maintain()

    slug = setup.org.slug
    pages = {
        "matching page": reverse(
            "banking:matching", kwargs={"org_slug": slug, "bank_account_id": account.pk}
        ),
        "reconciliation page": reverse(
            "banking:reconciliation_detail",
            kwargs={"org_slug": slug, "reconciliation_id": rec.pk},
        ),
    }
    figures = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        client.force_login(setup.user, backend="django.contrib.auth.backends.ModelBackend")
        floor_s = _median_request(client, FLOOR_PATH, sizes.runs)
        for name, url in pages.items():
            took = _median_request(client, url, sizes.runs)
            figures.append(
                Figure(
                    f"{name}, {sizes.page_lines:,} lines {shape}",
                    took,
                    floor_s,
                    PAGE_TARGET_S,
                    f"median of {sizes.runs}",
                )
            )
    return figures


def bench_pages(setup: Setup, sizes: Sizes) -> list[Figure]:
    """An account as it looks after years of use: `page_lines` ledger lines and as many bank
    lines over three years, almost all matched, every month reconciled but the last, which is
    in progress (the reconciliation area's large-account builder, which writes its rows
    directly: they are rolled back afterwards)."""
    from django.db import transaction

    from ifm.banking.reconciliation.tests.large_data import build

    account = _bank_account(setup, "Operating checking", "1010")
    with transaction.atomic():
        large = build(setup.org, account, n=sizes.page_lines)
        figures = _page_figures(
            setup, sizes, account, large.open_reconciliation, "reconciled monthly"
        )
        transaction.set_rollback(True)
    return figures


def bench_pages_unmatched(setup: Setup, sizes: Sizes) -> list[Figure]:
    """The worst case: `page_lines` bank lines and ledger lines, none matched yet, and a first
    reconciliation over all of them (the matching area's benchmark data)."""
    from django.db.models import Max

    from ifm.banking.matching import bench_data
    from ifm.banking.models import BankTransaction
    from ifm.banking.reconciliation.services import reconciliation_start

    account = bench_data.build(
        setup.org, bank_lines=sizes.page_lines, ledger_lines=sizes.page_lines
    ).bank_account
    last = BankTransaction.objects.filter(bank_account=account).aggregate(d=Max("date"))["d"]
    rec = reconciliation_start(
        **setup.who,
        bank_account=account,
        statement_date=last,
        statement_balance=Decimal("1000.00"),
    )
    return _page_figures(setup, sizes, account, rec, "none matched")


# --- running ---------------------------------------------------------------------------------


class BenchError(AssertionError):
    """A benchmark did not do what it measures (a wrong count, an error page)."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


def run(
    sizes: Sizes, *, slug: str | None = None, out: Callable[[str], None] = print
) -> list[Figure]:
    """Every measurement, each part in a new organization of its own (each has its bank
    account on the operating cash account); prints each line as it comes."""
    from ifm.core.org_context import org_context

    slug = slug or f"bench-banking-{int(time.time())}"
    figures: list[Figure] = []
    out(f"  {'':<52} {'time':>9}  {'floor':>15}  {'ratio':>14}")
    steps = {
        "import": bench_import,
        "suggest": bench_suggest,
        "pages": bench_pages,
        "unmatched": bench_pages_unmatched,
    }
    wanted = [p for p in os.environ.get("BENCH_BANKING_PARTS", "").replace(",", " ").split() if p]
    unknown = sorted(set(wanted) - set(steps))
    if unknown:
        raise BenchError(f"BENCH_BANKING_PARTS: unknown part(s) {', '.join(unknown)}")
    for part, step in steps.items():
        if wanted and part not in wanted:
            continue
        setup = _setup(f"{slug}-{part}")
        with org_context(setup.org):
            for figure in step(setup, sizes):
                out(figure.line())
                figures.append(figure)
    return figures


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    if not url.startswith(("postgres://", "postgresql://")):
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ifm-bench-banking-')}/bench.sqlite3"
        subprocess.run(
            [str(BIN / "ifm"), "migrate", "--noinput", "-v0"], env=_env(url), cwd=ROOT, check=True
        )
    else:
        _ensure_database(url)
    _setup_django(url)
    sizes = QUICK if quick else FULL
    where = url.split("@")[-1] if "@" in url else "SQLite"
    print(f"Banking ({where}{', quick' if quick else ''})")
    run(sizes)


if __name__ == "__main__":
    main()
