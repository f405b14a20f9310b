"""Every page passes axe-core (no serious or critical violation), at desktop and phone size.

The pages are found, not listed: the crawl starts from the dashboard and from every page of
the app's own URLs that takes no id, follows every link it sees (menus, tabs, rows, detail
pages of the demo data), and checks one page per URL name and set of query parameters. A new
page that is linked from anywhere joins by construction; `MUST_VISIT` names the pages the
crawl has to reach, so a crawl that went nowhere cannot pass quietly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from e2e.axe import axe_violations, duplicate_ids, format_violations
from ifm.accounts.services import invitation_create, membership_set
from ifm.banking.models import BankTransaction, Reconciliation
from ifm.conftest import client_for, make_user
from ifm.core.org_context import org_context
from ifm.donors.gifts.batches import gift_batch_create
from ifm.donors.imports.mapping import suggest_mapping
from ifm.donors.imports.uploads import import_upload_create, import_upload_map
from ifm.expenses.models import Kind
from ifm.expenses.services import expense_create
from ifm.orgs.demo import seed_organization
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGE_LIMIT = 300  # a safety stop: the crawl keys pages by URL name, so it stays far below

# URL namespaces of pages people use; the API (JSON and its docs), the Django admin and
# allauth's own views beyond ours are not the app's pages.
APP_NAMESPACES = {"orgs", "donors", "ledger", "expenses", "banking", "audit", "ops", "accounts"}
APP_NAMESPACES |= {"reports"}
APP_NAMESPACES |= {"platform_audit", "platform_ops"}
APP_NAMESPACES |= {"volunteers", "volunteer_public"}
SKIP_PATH = re.compile(r"^/(api|admin|static)/|/logout/|\.(csv|xlsx|pdf|json)$|/pdf/$|/export[./]")
# Pages reached over GET that are not pages: htmx fragments and pickers, file downloads.
SKIP_NAMES = {
    "ledger:ledger_entry_balance",
    "ledger:ledger_entry_line",
    "ledger:ledger_pick_accounts",
    "ledger:ledger_pick_funds",
    "donors:donor_pick",
    "donors:donation_links",
    "donors:receipt_run_progress",
    "expenses:expense_receipt",
}
# The pages the crawl must reach (their URL names): the spine of every module.
MUST_VISIT = {
    "orgs:dashboard",
    "donors:donor_list",
    "donors:donor_detail",
    "donors:donor_new",
    "donors:donor_edit",
    "donors:household_list",
    "donors:household_detail",
    "donors:donation_list",
    "donors:donation_detail",
    "donors:donation_new",
    "donors:gift_batch_list",
    "donors:gift_batch_detail",
    "donors:pledge_list",
    "donors:pledge_detail",
    "donors:recurring_list",
    "donors:recurring_detail",
    "donors:campaign_list",
    "donors:receipt_list",
    "donors:receipt_detail",
    "donors:receipt_settings",
    "donors:donor_import_list",
    "donors:donor_import_new",
    "donors:donor_import_check",
    "ledger:ledger_entries",
    "ledger:ledger_entry_create",
    "ledger:ledger_entry_detail",
    "ledger:ledger_trial_balance",
    "ledger:ledger_fund_balances",
    "ledger:ledger_periods",
    "ledger:ledger_chart",
    "ledger:ledger_account",
    "ledger:ledger_funds",
    "ledger:ledger_programs",
    "ledger:ledger_import",
    "expenses:expense_list",
    "expenses:expense_new",
    "expenses:expense_detail",
    "expenses:expense_edit",
    "expenses:expense_queue",
    "expenses:expense_settings",
    "banking:account_list",
    "banking:account_detail",
    "banking:account_new",
    "banking:account_edit",
    "banking:profile_list",
    "banking:profile_new",
    "banking:import_new",
    "banking:import_result",
    "banking:matching",
    "banking:matching_accept_confident",
    "banking:matching_apply_rules",
    "banking:matching_create_entry",
    "banking:matching_unmatch",
    "banking:matching_rules",
    "banking:matching_rule_new",
    "banking:matching_rule_edit",
    "banking:reconciliation_list",
    "banking:reconciliation_new",
    "banking:reconciliation_account_list",
    "banking:reconciliation_detail",
    "banking:reconciliation_reopen",
    "reports:home",
    "reports:financial_position",
    "reports:activities",
    "reports:functional_expenses",
    "orgs:members",
    "orgs:org_settings",
    "orgs:api_tokens",
    "audit:audit_log",
    "ops:org_jobs",
    "platform_audit:platform_audit",
    "platform_ops:platform_jobs",
    "accounts:profile",
    "account_change_password",
    "mfa_index",
    "mfa_activate_totp",
}
MUST_VISIT |= {
    "volunteers:volunteer_list",
    "volunteers:volunteer_detail",
    "volunteers:opportunity_list",
    "volunteers:opportunity_detail",
    "volunteers:shift_list",
    "volunteers:shift_detail",
    "volunteers:hours_list",
    "volunteers:hours_queue",
    "volunteers:hours_reports",
    "volunteers:kiosk",
}
SIGNED_OUT_MUST_VISIT = {"account_login", "account_reset_password", "accounts:invitation_accept"}
SIGNED_OUT_MUST_VISIT |= {"volunteer_public:home", "volunteer_public:shift"}

IMPORT_FILE = b"First Name,Last Name,Email\r\nAna,Reyes,ana@example.org\r\nBen,,not-an-email\r\n"


@dataclass
class Crawl:
    visited: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    checked: int = 0

    def names(self) -> set[str]:
        return {name for name, _params in self.visited}


def _page_key(url: str, origin: str) -> tuple[str, tuple[str, ...]] | None:
    """(URL name, query parameter names) for a page of ours worth checking, else None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIP_PATH.search(parts.path):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if not match.namespace and not match.url_name:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)
    if name in SKIP_NAMES or (match.namespace and match.namespace not in APP_NAMESPACES):
        return None
    params = tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))
    return name, params


def _walk(patterns: Iterable[Any], prefix: str = "", ns: str = "") -> Iterable[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(x for x in (ns, pattern.namespace or "") if x)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), f"{ns}:{pattern.name}" if ns else pattern.name


def pages_without_ids(org_slug: str) -> list[str]:
    """Every route of ours whose only parameter is the organization: the crawl's seeds."""
    urls = []
    for route, _name in _walk(get_resolver().url_patterns):
        if route.startswith("^") or "(?P" in route:
            continue
        route = route.replace("<slug:org_slug>", org_slug)
        if "<" not in route:
            urls.append("/" + route)
    return urls


def _check_page(page: Any, where: str, crawl: Crawl) -> None:
    duplicates = duplicate_ids(page)
    if duplicates:
        listed = ", ".join(f"#{name} ({count}x)" for name, count in sorted(duplicates.items()))
        crawl.failures.append(f"Duplicate ids on {where}: {listed}")
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        crawl.checked += 1
        if violations:
            crawl.failures.append(format_violations(violations, f"{where} ({size_name})"))
    page.set_viewport_size(DESKTOP)


def crawl_site(page: Any, origin: str, seeds: list[str]) -> Crawl:
    crawl = Crawl()
    queue = list(seeds)
    seen_urls: set[str] = set()
    while queue and len(crawl.visited) < PAGE_LIMIT:
        url = queue.pop(0)
        absolute = url if url.startswith("http") else origin + url
        key = _page_key(absolute, origin)
        if key is None or key in crawl.visited or absolute in seen_urls:
            continue
        seen_urls.add(absolute)
        # Asked first without the browser: a download, a fragment, JSON or a POST-only
        # address (405) is no page to check.
        answer = page.request.get(absolute)
        final_key = _page_key(answer.url, origin)
        if final_key is None or final_key in crawl.visited:
            continue
        if answer.status >= 500:
            crawl.broken.append(f"{answer.status} {url}")
            continue
        html = "text/html" in answer.headers.get("content-type", "")
        if answer.status >= 400 or not html or "<main" not in answer.text():
            continue
        page.goto(answer.url)
        crawl.visited[final_key] = page.url
        crawl.visited.setdefault(key, page.url)
        _check_page(page, f"{final_key[0]} {urlsplit(page.url).path}", crawl)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        queue.extend(link.split("#")[0] for link in links)
    return crawl


@pytest.fixture
def site(transactional_db: Any) -> dict[str, Any]:
    """An organization with one member of each role and the demo data, plus an open batch, an
    invitation and a dry run with problems; its admin is also platform staff, so the platform
    pages are in reach."""
    org_a = organization_create(slug="alpha", name="Alpha Outreach", ein="11-1111111")
    cast = {}
    for role in Role:
        cast[role.value] = make_user(f"{role.value}@alpha.test", full_name=f"Alpha {role.label}")
        membership_set(organization=org_a, user=cast[role.value], role=role)
    seed_organization(org_a, cast, donors=12, today=date.today())
    admin = cast["admin"]
    admin.is_platform_staff = True
    admin.save(update_fields=["is_platform_staff"])
    with org_context(org_a):
        access = Membership.objects.get(organization=org_a, user=admin)
        who = {"organization": org_a, "actor": admin, "access": access}
        gift_batch_create(
            **who,
            name="Sunday checks",
            date=date.today(),
            expected_count=2,
            expected_total="150.00",
        )
        _invitation, token = invitation_create(
            organization=org_a,
            email="new@alpha.test",
            role=Role.STAFF,
            actor=admin,
            actor_access=access,
        )
        upload = import_upload_create(**who, kind="donors", data=IMPORT_FILE, filename="people.csv")
        headers = ["First Name", "Last Name", "Email"]
        import_upload_map(**who, upload=upload, mapping=suggest_mapping("donors", headers))
        dry_run = f"/o/{org_a.slug}/donors/imports/uploads/{upload.pk}/check/"
        # The admin's own draft: only its author may edit a draft.
        draft = expense_create(
            **who, kind=Kind.CLAIM, payee="Post office", date=date.today(), function="program"
        )
        # Pages linked only in a state the demo's month-end is not in: the unmatch form of a
        # line matched but not reconciled, the reopen form of the finished reconciliation
        # (offered once the one in progress is finished or discarded).
        matched = BankTransaction.objects.filter(status="matched").earliest("pk")
        finished = Reconciliation.objects.filter(status="finished").earliest("pk")
        banking = [
            reverse(
                "banking:matching_unmatch",
                kwargs={"org_slug": org_a.slug, "bank_transaction_id": matched.pk},
            ),
            reverse(
                "banking:reconciliation_reopen",
                kwargs={"org_slug": org_a.slug, "reconciliation_id": finished.pk},
            ),
        ]
    extra = [
        dry_run,
        "/accounts/2fa/totp/activate/",
        f"/o/{org_a.slug}/expenses/{draft.pk}/edit/",
        *banking,
    ]
    return {
        "admin": admin,
        "org": org_a,
        "extra": extra,
        "invitation": f"/accounts/invitation/{token}/",
    }


def _signed_in_context(browser: Any, live_server: Any, user: Any) -> Any:
    """A browser context carrying the session of a full sign-in (second factor included)."""
    client = client_for(user)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def _report(crawl: Crawl, must_visit: set[str]) -> None:
    problems = []
    if crawl.broken:
        problems.append("Pages answering with a server error:\n  " + "\n  ".join(crawl.broken))
    missing = sorted(must_visit - crawl.names())
    if missing:
        problems.append("The crawl did not reach: " + ", ".join(missing))
    problems.extend(crawl.failures)
    if problems:
        summary = f"{len(crawl.visited)} pages, {crawl.checked} axe runs"
        pytest.fail(f"{summary}\n\n" + "\n\n".join(problems), pytrace=False)


def test_every_signed_in_page_passes_axe(browser: Any, live_server: Any, site: dict) -> None:
    context = _signed_in_context(browser, live_server, site["admin"])
    page = context.new_page()
    try:
        slug = site["org"].slug
        seeds = [f"/o/{slug}/", *site["extra"], *pages_without_ids(slug)]
        crawl = crawl_site(page, live_server.url, seeds)
    finally:
        context.close()
    _report(crawl, MUST_VISIT)


def test_signed_out_pages_pass_axe(browser: Any, live_server: Any, site: dict) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    try:
        crawl = crawl_site(
            page,
            live_server.url,
            ["/accounts/login/", "/", site["invitation"], f"/volunteer/{site['org'].slug}/"],
        )
    finally:
        context.close()
    _report(crawl, SIGNED_OUT_MUST_VISIT)
