"""The letter template sandbox: only the tags and filters a letter needs, loops only over the
receipt's data, and a budget of time, work and output for every render."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.donors.conftest import access_of
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, ReceiptRun, ReceiptSettings, RunStatus, TaxReceipt
from ifm.donors.models.receipts import DEFAULT_LETTER_TEMPLATE
from ifm.donors.people import services as people_services
from ifm.donors.receipts import letter_template
from ifm.donors.receipts.issue import receipt_issue, receipt_settings_get, receipt_settings_update
from ifm.donors.receipts.services import year_end_statements_start
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

FAST = 0.5  # seconds: a refused template is refused without rendering it

# The report's template: nested loops over a long literal, 6,000 characters in all.
_LITERAL = "x" * 2_950
REPORT_TEMPLATE = (
    '{% for a in "' + _LITERAL + '" %}{% for b in "' + _LITERAL + '" %}.{% endfor %}{% endfor %}'
)
assert 5_900 < len(REPORT_TEMPLATE) <= 6_000


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def admin_ctx(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["admin"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


@pytest.fixture
def finance(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["finance"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


@pytest.fixture
def donation(fundraiser: dict[str, Any], general_fund: Fund) -> Donation:
    donor = people_services.donor_create(
        **fundraiser, first_name="Ana", last_name="Reyes", email="ana@example.org"
    )
    return gift_services.donation_record(
        **fundraiser,
        donor=donor,
        amount=Decimal("180.00"),
        date=date.today(),
        method="card",
        fund=general_fund,
    )


def save(admin_ctx: dict[str, Any], template: str) -> ReceiptSettings:
    row = receipt_settings_get(organization=admin_ctx["organization"])
    return receipt_settings_update(
        **admin_ctx, expected_version=row.version, letter_template=template
    )


def store(org: Organization, template: str) -> None:
    """A template saved before the sandbox, written as it is in the table."""
    receipt_settings_get(organization=org)
    ReceiptSettings.objects.filter(organization=org).update(letter_template=template)


def settings_post(row: ReceiptSettings, template: str) -> dict[str, Any]:
    return {
        "version": row.version,
        "letter_template": template,
        "thank_you_text": row.thank_you_text,
        "signature_name": row.signature_name,
        "signature_title": row.signature_title,
        "email_subject": row.email_subject,
        "email_body": row.email_body,
    }


def refusal(template: str, context: dict[str, Any] | None = None) -> str:
    """The message rendering the template is refused with, and that it came fast."""
    started = time.monotonic()
    with pytest.raises(ServiceError) as refused:
        letter_template.render(template, context or letter_template.sample_context())
    assert time.monotonic() - started < FAST
    assert refused.value.errors[0]["field"] == "letter_template"
    return refused.value.message


# --- The report's templates ----------------------------------------------------------------------


def test_the_reported_loop_over_a_literal_is_refused_on_the_page_fast(
    admin_ctx: dict[str, Any], cast: dict[str, Any]
) -> None:
    org = admin_ctx["organization"]
    row = receipt_settings_get(organization=org)
    admin = client_for(cast["admin"])
    assert admin.get(f"/o/{org.slug}/donors/receipts/settings/").status_code == 200
    started = time.monotonic()
    response = admin.post(
        f"/o/{org.slug}/donors/receipts/settings/", settings_post(row, REPORT_TEMPLATE)
    )
    assert time.monotonic() - started < 2 * FAST
    assert response.status_code == 422
    assert b"{% for %} may only go over the receipt&#x27;s lists" in response.content
    row.refresh_from_db()
    assert row.letter_template == DEFAULT_LETTER_TEMPLATE
    assert row.version == 1

    # The fastest of three tries: a render would take its whole check budget every time, while a
    # pause of the machine's own (a checkpoint, a collection) only slows one of them.
    took = []
    for _ in range(3):
        started = time.monotonic()
        with pytest.raises(ServiceError) as refused:
            save(admin_ctx, REPORT_TEMPLATE)
        took.append(time.monotonic() - started)
        assert refused.value.errors[0]["field"] == "letter_template"
    assert min(took) < FAST


def test_the_reported_template_stored_earlier_fails_its_receipt_fast(
    finance: dict[str, Any], donation: Donation, cast: dict[str, Any]
) -> None:
    org = finance["organization"]
    store(org, REPORT_TEMPLATE)
    assert "never over text" in refusal(REPORT_TEMPLATE)

    started = time.monotonic()
    with pytest.raises(ServiceError):
        receipt_issue(**finance, donation=donation)
    response = api_client_for(cast["finance"], org).post(f"/api/v1/donations/{donation.pk}/receipt")
    assert time.monotonic() - started < 4 * FAST
    assert_problem(response, 422)
    assert response.json()["errors"][0]["field"] == "letter_template"
    assert not TaxReceipt.objects.exists()


def test_a_year_end_run_with_a_refused_template_stops_with_the_reason(
    finance: dict[str, Any],
    donation: Donation,
    run_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    store(finance["organization"], REPORT_TEMPLATE)
    with django_capture_on_commit_callbacks(execute=True):
        run = year_end_statements_start(**finance, year=date.today().year)
    started = time.monotonic()
    run_jobs()
    assert time.monotonic() - started < 10 * FAST
    run = ReceiptRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The letter template loops over")
    assert not TaxReceipt.objects.exists()


# --- {% debug %} and the other tags a letter has no use for ------------------------------------


def test_debug_is_refused_at_save(admin_ctx: dict[str, Any], cast: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as refused:
        save(admin_ctx, "<p>{% debug %}</p>")
    assert "{% debug %}" in refused.value.message
    org = admin_ctx["organization"]
    row = receipt_settings_get(organization=org)
    response = client_for(cast["admin"]).post(
        f"/o/{org.slug}/donors/receipts/settings/", settings_post(row, "<p>{% debug %}</p>")
    )
    assert response.status_code == 422
    assert b"uses tags letters may not use: {% debug %}" in response.content
    row.refresh_from_db()
    assert "debug" not in row.letter_template


def test_a_stored_debug_tag_never_reaches_a_letter(
    finance: dict[str, Any], donation: Donation, cast: dict[str, Any]
) -> None:
    org = finance["organization"]
    store(org, "<p>{{ receipt.number }}</p><pre>{% debug %}</pre>")
    response = api_client_for(cast["finance"], org).post(f"/api/v1/donations/{donation.pk}/receipt")
    assert_problem(response, 422)
    body = response.content.decode()
    assert "{% debug %}" in body
    for leak in ("sys.modules", "site-packages", "<module", "django.template"):
        assert leak not in body
    assert not TaxReceipt.objects.exists()

    # Preview of an issued letter: after the template is fixed, nothing of the modules shows.
    store(org, "<p>{{ receipt.number }}</p>")
    receipt = receipt_issue(**finance, donation=donation)
    letter = client_for(cast["finance"]).get(f"/o/{org.slug}/donors/receipts/{receipt.pk}/letter/")
    assert letter.status_code == 200
    assert b"site-packages" not in letter.content
    assert b"<module" not in letter.content


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("{% load static %}{% static 'x.css' %}", "{% load %}"),
        ('{% include "donors/receipts/settings.html" %}', "{% include %}"),
        ('{% extends "base.html" %}', "{% extends %}"),
        ('{% ssi "/etc/passwd" %}', "{% ssi %}"),
        ("{% templatetag openblock %} debug {% templatetag closeblock %}", "{% templatetag %}"),
        ("{% lorem 1000000 w %}", "{% lorem %}"),
        ("{% block body %}{% endblock %}", "{% block %}"),
        ("{% url 'home' %}", "{% url %}"),
        ("{% csrf_token %}", "{% csrf_token %}"),
        ("{% widthratio 1 1 1000000000 %}", "{% widthratio %}"),
        ("{% autoescape off %}{{ donor.name }}{% endautoescape %}", "{% autoescape %}"),
        ("{% verbatim %}{% debug %}{% endverbatim %}", "{% verbatim %}"),
        ("{% filter upper %}x{% endfilter %}", "{% filter %}"),
        ("{{ donor.name|center:'1000000000' }}", "center"),
        ("{{ thank_you|stringformat:'01000000000d' }}", "stringformat"),
        ("{{ donor.name|safe }}", "safe"),
        ("{{ gifts|pprint }}", "pprint"),
        ("{% with s=thank_you|join:thank_you %}{{ s }}{% endwith %}", "join"),
        ("{% if donor.name|add:donor.name %}x{% endif %}", "add"),
    ],
)
def test_tags_and_filters_letters_do_not_need_are_refused(template: str, named: str) -> None:
    message = refusal(template)
    assert "may not use" in message
    assert named in message


@pytest.mark.parametrize(
    "template",
    [
        '{% for c in "abc" %}{{ c }}{% endfor %}',
        "{% for n in 12345 %}{{ n }}{% endfor %}",
        '{% for c in "abc"|upper|slice:":2" %}{{ c }}{% endfor %}',
        '{% with s="xxxxxxxx" %}{% for a in s %}{% for b in s %}.{% endfor %}{% endfor %}'
        "{% endwith %}",
        '{% with gifts="xxxxxxxx" %}{% for a in gifts %}.{% endfor %}{% endwith %}',
        '{% if 1 %}{% now "YYYYYYYY" as gifts %}{% endif %}{% for a in gifts %}.{% endfor %}',
        '{% firstof "xxxxxxxx" as org %}{% for a in org %}.{% endfor %}',
        "{% for a in forloop %}.{% endfor %}",
    ],
)
def test_loops_over_anything_but_the_receipts_data_are_refused(template: str) -> None:
    assert "{% for %} may only go over the receipt's lists" in refusal(template)


def test_refused_tags_then_filters_are_each_named_once_in_the_order_they_appear() -> None:
    message = refusal(
        "{% load x %}{{ donor.name|safe }}{% debug %}{% load y %}{{ org.name|pprint|safe }}"
        "{% comment %}{% lorem %}{{ x|center:'9' }}{% endcomment %}{{ '|escapejs'|upper }}"
    )
    assert message.startswith(
        "The letter template uses tags letters may not use: {% load %}, {% debug %} (allowed: "
    )
    assert "; uses filters letters may not use: safe, pprint (allowed: " in message
    assert message.endswith(").")
    assert "lorem" not in message
    assert "center" not in message
    assert "escapejs" not in message


def test_a_commented_out_tag_is_not_held_against_the_template() -> None:
    out = letter_template.render(
        "{% comment %}{% debug %}{% load x %}{% endcomment %}<p>{{ receipt.number }}</p>",
        letter_template.sample_context(),
    )
    assert out == "<p>1234</p>"


# --- What letters may do --------------------------------------------------------------------------


ALLOWED = """\
{% spaceless %}<p>{{ receipt.title|upper }}</p>   <p>{{ org.phone|default:"no phone" }}</p>
{% endspaceless %}
{% with people=donor.members %}{% for name in people %}{{ forloop.counter }}. {{ name|title }}
{% empty %}nobody{% endfor %}{% endwith %}
{% for gift in gifts %}{% if forloop.first %}{{ gift.amount }} {{ gift.method_label|lower }}
{% elif gift.kind == "non-cash" %}non-cash: {{ gift.description|truncatewords:2 }}
{% else %}{% endif %}{% endfor %}
{{ gifts|length }} gift{{ gifts|length|pluralize }};
religious: {{ intangible_religious_benefits_only|yesno:"yes,no" }}
{{ receipt.number|floatformat:2 }} {{ receipt.number|floatformat:"900000000" }}
{% firstof signature.title "Friend" %} {% now "Y" as year %}{{ year|length }}
{{ thank_you|linebreaksbr }} {# a note #}{% comment %}hidden{% endcomment %}
"""


def test_allowed_tags_and_filters_render(
    admin_ctx: dict[str, Any], finance: dict[str, Any], donation: Donation
) -> None:
    for name in ("if", "for", "with", "comment", "now", "firstof", "spaceless"):
        assert "{% " + name in ALLOWED
    save(admin_ctx, ALLOWED)
    receipt = receipt_issue(**finance, donation=donation)
    html = receipt.content_html
    assert "<p>DONATION RECEIPT</p><p>no phone</p>" in html
    assert "nobody" in html  # a single donor has no household members
    assert "$180.00 card" in html
    assert "1 gift;\nreligious: no" in html
    assert "1.00 1" in html  # receipt number 1; floatformat's places are capped, not run
    assert "Friend 4" in html
    assert "hidden" not in html
    assert "a note" not in html


def test_the_default_letter_passes_and_renders_a_year_of_gifts() -> None:
    letter_template.check(DEFAULT_LETTER_TEMPLATE)
    out = letter_template.render(DEFAULT_LETTER_TEMPLATE, letter_template.sample_context())
    assert out.count("<tr>") == letter_template.SAMPLE_GIFTS + 2  # and the head and foot
    assert "John Smith, Jane Smith and Alex Smith" in out


def test_a_lookup_cannot_change_the_data_the_receipt_keeps(
    admin_ctx: dict[str, Any], finance: dict[str, Any], donation: Donation
) -> None:
    save(
        admin_ctx,
        "{{ gifts.clear }}{{ org.address.pop }}{{ org.clear }}"
        "{% for gift in gifts %}<b>{{ gift.amount }}</b>{% endfor %}",
    )
    receipt = receipt_issue(**finance, donation=donation)
    assert "<b>$180.00</b>" in receipt.content_html
    assert len(receipt.content_data["gifts"]) == 1
    assert receipt.content_data["org"]["name"]


# --- The budget ---------------------------------------------------------------------------------


def many_gifts(count: int) -> dict[str, Any]:
    context = letter_template.sample_context()
    context["gifts"] = [context["gifts"][0]] * count
    return context


def test_nested_loops_over_the_gifts_are_cut_off_by_the_node_budget(
    admin_ctx: dict[str, Any],
) -> None:
    nested = (
        "{% for a in gifts %}{% for b in gifts %}{% for c in gifts %}{% for d in gifts %}"
        "{{ d.amount }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    with pytest.raises(ServiceError) as refused:
        save(admin_ctx, nested)  # the test render of a year of gifts: 60**4 pieces
    assert "takes too much work to render" in refused.value.message
    assert "more than 10,000 pieces" in refused.value.message
    assert time.monotonic() - started < letter_template.CHECK_SECONDS + FAST

    # Two levels pass with the sample, yet a donor with 2,000 gifts is cut off on their receipt.
    two = "{% for a in gifts %}{% for b in gifts %}{{ b.amount }}{% endfor %}{% endfor %}"
    save(admin_ctx, two)
    started = time.monotonic()
    with pytest.raises(ServiceError) as cut:
        letter_template.render(two, many_gifts(2_000))
    assert "takes too much work to render" in cut.value.message
    assert "more than 50,000 pieces" in cut.value.message
    assert time.monotonic() - started < letter_template.RENDER_SECONDS


def test_a_render_is_stopped_at_its_deadline() -> None:
    # Empty inner loops render no pieces, so only the clock stops this one.
    idle = (
        "{% for a in gifts %}{% for b in gifts %}{% for c in gifts %}{% endfor %}{% endfor %}"
        "{% endfor %}"
    )
    started = time.monotonic()
    with pytest.raises(ServiceError) as cut:
        letter_template.render(idle, many_gifts(3_000))
    took = time.monotonic() - started
    assert f"more than {letter_template.RENDER_SECONDS:g} seconds" in cut.value.message
    assert letter_template.RENDER_SECONDS <= took < letter_template.RENDER_SECONDS + 1


def test_the_output_is_capped(admin_ctx: dict[str, Any]) -> None:
    bulk = "<p>" + "y" * 40_000 + "</p>"
    big = "{% for a in gifts %}{% for b in gifts %}" + bulk + "{% endfor %}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(ServiceError) as refused:
        save(admin_ctx, big)  # 60 x 60 x 40,000 characters
    assert "grew past" in refused.value.message
    assert time.monotonic() - started < FAST
    one_page = "{% for a in gifts %}" + bulk[:1_000] + "{% endfor %}"
    assert len(letter_template.render(one_page, letter_template.sample_context())) >= 60_000


def test_a_template_longer_than_the_limit_is_refused(admin_ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as refused:
        save(admin_ctx, "<p>" + "z" * 50_000 + "</p>")
    assert "longer than 50,000 characters" in refused.value.message


def test_blocks_nested_too_deep_are_refused_not_a_crash(
    admin_ctx: dict[str, Any], cast: dict[str, Any]
) -> None:
    deep = "{%if 1%}" * 2_000 + "x" + "{%endif%}" * 2_000  # would exhaust the parser's stack
    assert "nests blocks more than 20 deep" in refusal(deep)
    org = admin_ctx["organization"]
    row = receipt_settings_get(organization=org)
    response = client_for(cast["admin"]).post(
        f"/o/{org.slug}/donors/receipts/settings/", settings_post(row, deep)
    )
    assert response.status_code == 422
    assert b"nests blocks more than 20 deep" in response.content
    fine = "{% if 1 %}" * 20 + "x" + "{% endif %}" * 20
    assert letter_template.render(fine, letter_template.sample_context()) == "x"
