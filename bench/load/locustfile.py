"""The seed's Phase-4 users, for Locust: each simulated person is one prepared member of one
organization (bench/load/prepare.py), signs in through the real pages (with the authenticator
code when their role has one) and then works as their role does, thinking between steps.

Reads IFM_LOAD_DATA (the prepared JSON), IFM_LOAD_THINK ("min,max" seconds between steps),
IFM_LOAD_YEAR_END_AFTER (seconds into the run when one admin starts the year-end statements).

Request names group the figures: ``page ...`` is a page (session cookie), ``api ...`` a bearer
token call, ``sign-in ...`` the sign-in steps. Money is sent as strings, as the API wants.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.env import Environment
from urllib3.util.retry import Retry

DATA: dict[str, Any] = json.loads(Path(os.environ["IFM_LOAD_DATA"]).read_text())
ORGS = {org["slug"]: org for org in DATA["orgs"]}
_THINK = [float(x) for x in os.environ.get("IFM_LOAD_THINK", "5,25").split(",")]
YEAR_END_AFTER = float(os.environ.get("IFM_LOAD_YEAR_END_AFTER", "120"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEARCHES = ["smith", "an", "jo", "lee", "mar", "park", "@example", "ch", "wil", "ro"]

# One process, one gevent loop: plain shared state, no locks needed between greenlets.
_people = itertools.count()
_started = time.monotonic()
_submitted: dict[str, deque[int]] = defaultdict(deque)  # org -> expenses waiting for approval
_next_file: dict[tuple[str, str], int] = defaultdict(int)  # (org, kind) -> next file to import
_year_end_started: set[str] = set()


def totp(secret: str, at: float | None = None) -> str:
    """The authenticator app's code (RFC 6238: HMAC-SHA1, 30 s, 6 digits, allauth's default)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


class Person(HttpUser):
    """One member of one organization: signs in, then does their role's work."""

    wait_time = between(_THINK[0], _THINK[1])

    def on_start(self) -> None:
        n = next(_people)
        self.me = DATA["people"][n % len(DATA["people"])]
        self.org = ORGS[self.me["org"]]
        self.slug = self.org["slug"]
        self.rng = random.Random(n)
        # Production settings mark the session and CSRF cookies Secure; TLS ends at the proxy
        # this test leaves out, so the person keeps them and sends them over plain HTTP.
        self.jar: dict[str, str] = {}
        # The app runs behind one proxy (TRUSTED_PROXY_COUNT=1): each person their own address.
        self.client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        self.api_headers = {"Authorization": f"Bearer {self.me['token']}"}
        # As a browser does, a read (GET) whose reused keep-alive connection the server had just
        # closed is sent again once on a new one; writes are never resent.
        retry = Retry(
            total=1,
            connect=1,
            read=1,
            status=0,
            other=0,
            allowed_methods=frozenset({"GET", "HEAD"}),
            raise_on_status=False,
        )
        self.client.mount("http://", LocustHttpAdapter(pool_manager=None, max_retries=retry))
        self.sign_in()
        actions = ACTIONS[self.me["role"]]
        self.actions = [a for a, _w in actions]
        self.weights = [w for _a, w in actions]

    @task
    def work(self) -> None:
        self.rng.choices(self.actions, self.weights)[0](self)

    # --- doors --------------------------------------------------------------------------

    def sign_in(self) -> None:
        page = self.remember(
            self.client.get("/accounts/login/", name="sign-in page", cookies=self.jar)
        )
        form = {
            "csrfmiddlewaretoken": _csrf(page.text),
            "login": self.me["email"],
            "password": DATA["password"],
        }
        with self.client.post(
            "/accounts/login/",
            data=form,
            name="sign-in password",
            allow_redirects=False,
            catch_response=True,
            cookies=self.jar,
        ) as resp:
            self.remember(resp)
            if resp.status_code != 302:
                resp.failure(f"sign-in answered {resp.status_code}")
                return
            target = resp.headers.get("Location", "")
        if "/2fa/authenticate/" not in target:
            return
        page = self.remember(self.client.get(target, name="sign-in code page", cookies=self.jar))
        remaining = 30 - time.time() % 30
        if remaining < 2:  # the code must be checked within its own 30 seconds
            time.sleep(remaining + 0.1)
        form = {"csrfmiddlewaretoken": _csrf(page.text), "code": totp(self.me["totp"])}
        with self.client.post(
            target,
            data=form,
            name="sign-in code",
            allow_redirects=False,
            catch_response=True,
            cookies=self.jar,
        ) as resp:
            self.remember(resp)
            if resp.status_code != 302 or "2fa" in resp.headers.get("Location", ""):
                resp.failure(f"the code was not accepted ({resp.status_code})")

    def remember(self, resp: Any) -> Any:
        for r in [*resp.history, resp]:
            self.jar.update({c.name: c.value for c in r.cookies})
        return resp

    def page(self, path: str, name: str) -> Any:
        with self.client.get(
            f"/o/{self.slug}/{path}", name=f"page {name}", catch_response=True, cookies=self.jar
        ) as resp:
            self.remember(resp)
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code} for {path}: {resp.error or ''}")
            elif "/accounts/login/" in resp.url:
                resp.failure("signed out")
            return resp

    def api(
        self, method: str, path: str, name: str, expect: tuple[int, ...] = (200,), **kw: Any
    ) -> Any:
        with self.client.request(
            method,
            f"/api/v1/{path}",
            name=f"api {method} {name}",
            headers=self.api_headers,
            catch_response=True,
            **kw,
        ) as resp:
            if resp.status_code not in expect:
                resp.failure(f"{resp.status_code}: {resp.error or resp.text[:300]}")
            return resp

    def donor(self) -> int:
        return int(self.rng.choice(self.org["donors"]))

    def amount(self, low: int = 10, high: int = 500) -> str:
        return f"{self.rng.randint(low, high)}.{self.rng.randint(0, 99):02d}"


# --- What each role does (an action and how often, relative to the role's others) --------------


def dashboard(p: Person) -> None:
    p.page("", "dashboard")


def journal_post(p: Person) -> None:
    """A transfer to savings, posted by hand as a bookkeeper does."""
    amount = p.amount(50, 900)
    org = p.org
    p.api(
        "POST",
        "journal-entries",
        "journal-entries",
        expect=(201,),
        json={
            "date": date.today().isoformat(),
            "memo": "Transfer to savings",
            "lines": [
                {
                    "account_id": org["savings_account"],
                    "fund_id": org["general_fund"],
                    "debit": amount,
                },
                {
                    "account_id": org["cash_account"],
                    "fund_id": org["general_fund"],
                    "credit": amount,
                },
            ],
        },
    )


def journal_pages(p: Person) -> None:
    p.page("ledger/entries/", "journal")
    p.api("GET", "journal-entries?limit=25", "journal-entries")


def trial_balance(p: Person) -> None:
    p.page("ledger/trial-balance/", "trial balance")


def reconcile(p: Person) -> None:
    """Import the bank's next statement (when there is one left), then match lines."""
    account = p.org["bank_account"]
    files = p.org["statements"]
    key = (p.slug, "statement")
    if _next_file[key] < len(files):
        path = files[_next_file[key]]
        _next_file[key] += 1
        with open(path, "rb") as f:
            p.api(
                "POST",
                f"bank-accounts/{account}/statements",
                "bank statement import",
                expect=(200, 201),
                files={"file": (Path(path).name, f.read(), "application/x-ofx")},
            )
    p.page(f"banking/accounts/{account}/matching/", "bank matching")
    p.api("POST", f"bank-accounts/{account}/accept-confident", "accept confident matches")
    p.api("GET", f"bank-accounts/{account}/transactions?limit=25", "bank transactions")


def matching_page(p: Person) -> None:
    p.page(f"banking/accounts/{p.org['bank_account']}/matching/", "bank matching")


def approve(p: Person) -> None:
    """The approval queue, then one waiting expense approved (one a colleague submitted)."""
    p.page("expenses/queue/", "expense queue")
    waiting = _submitted[p.slug]
    if waiting:
        p.api("POST", f"expenses/{waiting.popleft()}/approve", "expenses/{id}/approve")


def record_gift(p: Person) -> None:
    p.api(
        "POST",
        "donations",
        "donations",
        expect=(201,),
        json={
            "donor_id": p.donor(),
            "amount": p.amount(),
            "date": date.today().isoformat(),
            "method": p.rng.choice(("check", "cash", "card")),
            "fund_id": p.org["general_fund"],
        },
    )


def gift_batch(p: Person) -> None:
    """A morning's mail: a batch of checks, entered one by one, then posted."""
    gifts = [(p.donor(), p.amount(20, 300)) for _ in range(p.rng.randint(3, 6))]
    total = sum(int(a.replace(".", "")) for _d, a in gifts)
    resp = p.api(
        "POST",
        "gift-batches",
        "gift-batches",
        expect=(201,),
        json={
            "date": date.today().isoformat(),
            "expected_count": len(gifts),
            "expected_total": f"{total // 100}.{total % 100:02d}",
            "method": "check",
            "fund_id": p.org["general_fund"],
        },
    )
    if resp.status_code != 201:
        return
    batch = resp.json()["id"]
    for i, (donor, amount) in enumerate(gifts):
        p.api(
            "POST",
            f"gift-batches/{batch}/gifts",
            "gift-batches/{id}/gifts",
            expect=(201,),
            json={"donor_id": donor, "amount": amount, "check_number": str(1000 + i)},
        )
    p.api("POST", f"gift-batches/{batch}/post", "gift-batches/{id}/post")


def search_donors(p: Person) -> None:
    q = p.rng.choice(SEARCHES)
    p.page(f"donors/?q={q}", "donor search")
    if p.me["token"]:  # viewers have none: they search on the page only
        p.api("GET", f"donors?q={q}&limit=25", "donors?q")


def donor_detail(p: Person) -> None:
    p.page(f"donors/{p.donor()}/", "donor")


def donation_list(p: Person) -> None:
    p.page("donors/donations/", "donations")


def import_donations(p: Person) -> None:
    """A file of online gifts: checked first (dry run), then imported by the worker."""
    files = p.org["donation_files"]
    key = (p.slug, "donations")
    if _next_file[key] >= len(files):
        search_donors(p)
        return
    path = files[_next_file[key]]
    _next_file[key] += 1
    data = Path(path).read_bytes()
    upload = {"file": (Path(path).name, data, "text/csv")}
    p.api("POST", "imports", "imports (dry run)", files=upload, data={"kind": "donations"})
    resp = p.api(
        "POST",
        "imports",
        "imports",
        expect=(200, 202),  # a small file is checked in the request, then queued (run_id)
        files=upload,
        data={"kind": "donations", "dry_run": "false"},
    )
    run = resp.json().get("run_id") or resp.json().get("id") if resp.ok else None
    if run:
        for _ in range(3):
            time.sleep(2)
            status = p.api("GET", f"imports/{run}", "imports/{id}")
            if status.status_code == 200 and status.json()["status"] not in ("queued", "running"):
                break


def submit_expense(p: Person) -> None:
    """A reimbursement claim, entered and submitted; it waits for an approver."""
    p.page("expenses/new/", "new expense")
    body: dict[str, Any] = {
        "kind": "claim",
        "payee": p.me["email"].split("@")[0],
        "date": date.today().isoformat(),
        "amount": p.amount(5, 150),
        "description": p.rng.choice(("Mileage", "Supplies", "Postage", "Volunteer lunch")),
        "fund_id": p.org["general_fund"],
    }
    if p.org["expense_categories"]:
        body["expense_category_id"] = p.rng.choice(p.org["expense_categories"])
    resp = p.api("POST", "expenses", "expenses", expect=(201,), json=body)
    if resp.status_code == 201:
        expense = resp.json()["id"]
        if p.api("POST", f"expenses/{expense}/submit", "expenses/{id}/submit").status_code == 200:
            _submitted[p.slug].append(expense)


def my_expenses(p: Person) -> None:
    p.page("expenses/", "expenses")
    p.api("GET", "expenses?limit=25", "expenses")


def year_end(p: Person) -> None:
    """Once a year, per organization: here once in a run, a while after the start."""
    if _year_end_started or time.monotonic() - _started < YEAR_END_AFTER:
        reports(p)
        return
    _year_end_started.add(p.slug)
    p.page("donors/receipts/year-end/", "year-end")
    resp = p.api(
        "POST", f"receipts/year-end?year={DATA['tax_year']}", "receipts/year-end", expect=(202,)
    )
    if resp.status_code == 202:
        run = resp.json()["id"]
        for _ in range(5):
            time.sleep(3)
            p.api("GET", f"receipts/runs/{run}", "receipts/runs/{id}")


# The financial statements (for those who may see the ledger) and the fundraising reports.
REPORT_PAGES = [
    ("reports/", "reports"),
    ("reports/financial-position/", "statement of financial position"),
    ("reports/activities/", "statement of activities"),
    ("reports/functional-expenses/", "functional expenses"),
    ("reports/cash-flow/", "cash flow"),
    ("reports/budget-vs-actual/", "budget vs actual"),
    ("ledger/trial-balance/", "trial balance"),
    ("ledger/fund-balances/", "fund balances"),
]
FUNDRAISING_REPORTS = [
    ("reports/fundraising/lybunt/", "LYBUNT"),
    ("reports/fundraising/top-donors/", "top donors"),
    ("reports/fundraising/monthly/", "monthly giving"),
    ("reports/fundraising/retention/", "retention"),
]


def reports(p: Person) -> None:
    path, name = p.rng.choice(REPORT_PAGES + FUNDRAISING_REPORTS)
    p.page(path, name)


def fundraising_reports(p: Person) -> None:
    path, name = p.rng.choice(FUNDRAISING_REPORTS)
    p.page(path, name)


def api_reports(p: Person) -> None:
    p.api("GET", "reports/statement-of-activities", "reports/statement-of-activities")
    p.api("GET", "reports/trial-balance", "reports/trial-balance")


def audit_log(p: Person) -> None:
    p.page("audit/", "audit log")


def volunteers(p: Person) -> None:
    p.page("volunteers/", "volunteers")


Action = Callable[[Person], None]
ACTIONS: dict[str, list[tuple[Action, float]]] = {
    "finance": [
        (dashboard, 3),
        (journal_post, 4),
        (journal_pages, 3),
        (trial_balance, 2),
        (reconcile, 1),
        (matching_page, 2),
        (approve, 2),
        (api_reports, 1),
    ],
    "fundraising": [
        (dashboard, 2),
        (search_donors, 5),
        (donor_detail, 3),
        (record_gift, 4),
        (gift_batch, 1),
        (donation_list, 2),
        (import_donations, 0.3),
        (fundraising_reports, 1),
    ],
    "staff": [(dashboard, 2), (submit_expense, 3), (my_expenses, 3)],
    "volunteer_coordinator": [(dashboard, 2), (volunteers, 3), (submit_expense, 1)],
    "admin": [
        (dashboard, 3),
        (approve, 4),
        (reports, 2),
        (audit_log, 1),
        (year_end, 0.5),
        (my_expenses, 1),
    ],
    "viewer": [(dashboard, 1), (reports, 6), (search_donors, 1)],
}


@events.init.add_listener
def _check_roles(environment: Environment, **_kw: Any) -> None:
    missing = {p["role"] for p in DATA["people"]} - set(ACTIONS)
    if missing:
        raise SystemExit(f"No actions for the roles {sorted(missing)}")
