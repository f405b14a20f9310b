"""The search across the organization: its registry, the service, the page and the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.gifts.services import donation_record
from ifm.donors.people.services import donor_create
from ifm.expenses import services as expense_services
from ifm.ledger.chart.selectors import general_fund
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account
from ifm.orgs import search
from ifm.tenancy.models import Membership, Organization

TODAY = date.today()


def _args(org: Organization, user: Any) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "actor": user, "access": access}


def _donor(org: Organization, user: Any, first: str, last: str, **extra: Any) -> Any:
    return donor_create(**_args(org, user), first_name=first, last_name=last, **extra)


def _gift(org: Organization, user: Any, donor: Any, amount: str = "250.00") -> Any:
    with org_context(org):
        fund = general_fund()
    return donation_record(
        **_args(org, user), donor=donor, amount=amount, date=TODAY, method="cash", fund=fund
    )


def _entry(org: Organization, memo: str) -> Any:
    with org_context(org):
        fund = general_fund()
        cash = Account.objects.get(number="1010")
        supplies = Account.objects.get(number="8110")
        return post_entry(
            organization=org,
            actor=None,
            date=TODAY,
            memo=memo,
            lines=[
                LineInput(account=supplies, fund=fund, debit=Decimal("40.00"), credit=Decimal(0)),
                LineInput(account=cash, fund=fund, debit=Decimal(0), credit=Decimal("40.00")),
            ],
        )


def _expense(org: Organization, user: Any, payee: str) -> Any:
    with org_context(org):
        fund = general_fund()
        category = Account.objects.get(number="8110")
    return expense_services.expense_create(
        **_args(org, user),
        kind="claim",
        payee=payee,
        date=TODAY,
        function="program",
        amount=Decimal("12.50"),
        category=category,
        fund=fund,
        description="Printer paper",
    )


@pytest.fixture
def records(org_a: Organization, org_b: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    """In A: a donor "Marigold Quist" with a gift, a journal entry and two people's expenses
    naming her; in B a donor of the same name."""
    donor = _donor(org_a, cast["fundraising"], "Marigold", "Quist", email="mq@example.org")
    return {
        "donor": donor,
        "gift": _gift(org_a, cast["fundraising"], donor),
        "entry": _entry(org_a, "Quist printing refund"),
        "staff_expense": _expense(org_a, cast["staff"], "Quist Printing"),
        "finance_expense": _expense(org_a, cast["finance"], "Quist Stationers"),
        "their_donor": _donor(org_b, cast["other_admin"], "Marigold", "Quist"),
    }


def _found(groups: list[Any]) -> dict[str, list[str]]:
    return {g.key: [h.url for h in g.hits] for g in groups}


def test_it_finds_each_kind_of_record_and_links_to_its_page(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    groups = search.search_run(**_args(org_a, cast["admin"]), q="quist")
    found = _found(groups)
    assert [g.key for g in groups] == [
        "donors",
        "donations",
        "journal",
        "volunteers",
        "volunteer_opportunities",
        "expenses",
    ]
    assert found["donors"] == [f"/o/alpha/donors/{records['donor'].pk}/"]
    assert found["donations"] == [f"/o/alpha/donors/donations/{records['gift'].pk}/"]
    # The manual entry, and the gift's own posting (its memo names the donor).
    assert f"/o/alpha/ledger/entries/{records['entry'].pk}/" in found["journal"]
    assert f"/o/alpha/ledger/entries/{records['gift'].journal_entry_id}/" in found["journal"]
    assert sorted(found["expenses"]) == sorted(
        f"/o/alpha/expenses/{records[k].pk}/" for k in ("staff_expense", "finance_expense")
    )
    gift_hit = groups[1].hits[0]
    assert gift_hit.title == "250.00 from Quist, Marigold"


def test_another_organizations_donor_never_appears(
    org_a: Organization, org_b: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    theirs = f"/donors/{records['their_donor'].pk}/"
    ours = _found(search.search_run(**_args(org_a, cast["admin"]), q="Marigold"))
    assert all(theirs not in url for urls in ours.values() for url in urls)
    # The API with A's token, and B's own search, each see only their own.
    body = api_client_for(cast["admin"], org_a).get("/api/v1/search?q=Marigold").json()
    donors = next(g["items"] for g in body["groups"] if g["type"] == "donors")
    assert [d["url"] for d in donors] == [f"/o/alpha/donors/{records['donor'].pk}/"]
    urls = [item["url"] for group in body["groups"] for item in group["items"]]
    assert all(url.startswith("/o/alpha/") and theirs not in url for url in urls)
    beta = _found(search.search_run(**_args(org_b, cast["other_admin"]), q="Marigold"))
    assert beta["donors"] == [f"/o/beta/donors/{records['their_donor'].pk}/"]


def test_a_role_searches_only_what_it_may_see(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    staff = _found(search.search_run(**_args(org_a, cast["staff"]), q="quist"))
    # Staff see no donors, gifts or journal, and only their own expenses (and the volunteers
    # and their opportunities, none of which matches).
    assert staff == {
        "expenses": [f"/o/alpha/expenses/{records['staff_expense'].pk}/"],
        "volunteers": [],
        "volunteer_opportunities": [],
    }
    viewer = _found(search.search_run(**_args(org_a, cast["viewer"]), q="quist"))
    assert set(viewer) == {
        "donors",
        "donations",
        "journal",
        "volunteers",
        "volunteer_opportunities",
    }
    fundraiser = _found(search.search_run(**_args(org_a, cast["fundraising"]), q="quist"))
    assert set(fundraiser) == {"donors", "donations", "expenses"}
    assert fundraiser["expenses"] == []  # someone else's expenses are not the fundraiser's


def test_the_page_shows_only_what_the_role_may_see(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    page = client_for(cast["staff"]).get("/o/alpha/search/?q=quist")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/o/alpha/expenses/{records['staff_expense'].pk}/" in html
    assert f"/o/alpha/expenses/{records['finance_expense'].pk}/" not in html
    assert f"/o/alpha/donors/{records['donor'].pk}/" not in html
    assert "Journal entries" not in html


def test_an_outsider_cannot_search_the_organization(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    assert client_for(cast["other_admin"]).get("/o/alpha/search/?q=quist").status_code == 404


def test_queries_do_not_grow_with_the_matches(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    client = client_for(cast["admin"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/o/alpha/search/?q=quist")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count()  # the session's first request writes to it
    few = count()
    for n in range(12):
        donor = _donor(org_a, cast["fundraising"], f"Rowan{n}", "Quist", email=f"r{n}@example.org")
        _gift(org_a, cast["fundraising"], donor)
        _entry(org_a, f"Quist refund {n}")
        _expense(org_a, cast["finance"], f"Quist Printing {n}")
    many = count()
    assert many == few
    assert many <= 20


def test_the_typeahead_asks_for_five_of_each_and_tells_of_more(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    for n in range(6):
        _donor(org_a, cast["fundraising"], f"Ash{n}", "Quist", email=f"a{n}@example.org")
    groups = search.search_run(**_args(org_a, cast["admin"]), q="quist")
    donors = groups[0]
    assert len(donors.hits) == search.DEFAULT_LIMIT
    assert donors.has_more
    assert donors.more_url == "/o/alpha/donors/?q=quist"
    fragment = client_for(cast["admin"]).get("/o/alpha/search/?q=quist", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html
    # The search page has its own results: the top bar's repeat none of its ids.
    assert 'id="search-results"' not in html
    assert 'id="search-group-' not in html
    # five donors, one gift, two journal entries (the gift's and the manual one), two expenses
    assert html.count('class="search-hit') == 5 + 1 + 2 + 2
    assert "All matching donors" in html


@pytest.mark.parametrize(
    ("q", "message"),
    [("", "at least 2"), ("x", "at least 2"), ("  ", "at least 2"), ("q" * 101, "at most 100")],
)
def test_the_api_refuses_an_empty_or_too_long_query(
    org_a: Organization, cast: dict[str, Any], q: str, message: str
) -> None:
    client = api_client_for(cast["admin"], org_a)
    problem = assert_problem(client.get("/api/v1/search", {"q": q}), 422)
    assert message in problem["detail"]
    assert problem["errors"][0]["field"] == "q"


def test_the_api_refuses_a_huge_query_or_limit_without_a_500(
    org_a: Organization, cast: dict[str, Any]
) -> None:
    client = api_client_for(cast["admin"], org_a)
    assert_problem(client.get("/api/v1/search", {"q": "q" * 5000}), 422)
    assert_problem(client.get("/api/v1/search?q=quist&limit=1000"), 422)
    assert_problem(client.get("/api/v1/search?q=quist&limit=x"), 422)


def test_the_page_explains_an_empty_or_too_long_query(
    org_a: Organization, cast: dict[str, Any]
) -> None:
    client = client_for(cast["admin"])
    empty = client.get("/o/alpha/search/")
    assert empty.status_code == 200
    assert "At least 2 characters" in empty.content.decode()
    long = client.get("/o/alpha/search/", {"q": "q" * 300})
    assert long.status_code == 400
    assert "Search for at most 100 characters" in long.content.decode()
    # The typeahead shows the message in place of the results.
    typed = client.get("/o/alpha/search/", {"q": "x"}, HTTP_HX_REQUEST="true")
    assert typed.status_code == 200
    assert "Type at least 2 characters" in typed.content.decode()


def test_words_that_look_like_markup_or_wildcards_are_only_text(
    org_a: Organization, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    client = client_for(cast["admin"])
    response = client.get("/o/alpha/search/", {"q": "<script>%_"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>%_" not in html
    assert "Nothing matches" in html


@pytest.fixture
def extra_provider() -> Iterator[None]:
    def find(query: search.SearchQuery) -> list[search.SearchHit]:
        return [search.SearchHit(title=f"Shift for {query.text}", url="/shift/1/")]

    search.register("shifts", label="Shifts", perms=("members.view",), find=find, order=99)
    yield
    search._PROVIDERS.pop("shifts")


def test_an_app_joins_the_search_by_registering(
    org_a: Organization, cast: dict[str, Any], extra_provider: None
) -> None:
    admin = search.search_run(**_args(org_a, cast["admin"]), q="quist")
    assert admin[-1].key == "shifts"
    assert admin[-1].hits[0].title == "Shift for quist"
    staff = search.search_run(**_args(org_a, cast["staff"]), q="quist")
    assert "shifts" not in [g.key for g in staff]


def test_a_provider_must_name_its_permissions() -> None:
    with pytest.raises(ValueError, match="permissions"):
        search.register("loose", label="Loose", perms=(), find=lambda q: [])
