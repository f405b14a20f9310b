from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record
from ifm.conftest import client_for, make_user
from ifm.core.org_context import org_context
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def _url(name: str = "audit:audit_log", slug: str = "alpha") -> str:
    return reverse(name, kwargs={"org_slug": slug})


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.fixture
def events(cast: dict[str, Any], org_a: Any, org_b: Any) -> dict[str, AuditEvent]:
    admin = cast["admin"]
    return {
        "a_rename": audit_record(
            action="donor.update",
            actor=admin,
            organization=org_a,
            object_type="donors.donor",
            object_id="17",
            object_repr="Grace Hopper",
            changes={"name": {"before": "G. Hopper", "after": "Grace Hopper"}},
        ),
        "a_flag": audit_record(
            action="donor.flag",
            actor=cast["finance"],
            organization=org_a,
            object_type="donors.donor",
            object_id="18",
            object_repr='=HYPERLINK("http://evil")',
            changes={"do_not_contact": {"before": False, "after": True}},
        ),
        "b_secret": audit_record(
            action="donor.update",
            actor=cast["other_admin"],
            organization=org_b,
            object_type="donors.donor",
            object_id="99",
            object_repr="Beta secret donor",
            changes={"name": {"before": None, "after": "Beta secret donor"}},
        ),
        "signin": audit_record(action="user.sign_in", actor=cast["viewer"]),
    }


def test_admin_sees_own_organization_only(events: dict[str, AuditEvent], cast: Any) -> None:
    response = client_for(cast["admin"]).get(_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Grace Hopper" in body
    assert "G. Hopper" in body  # before → after shown inline
    assert "do_not_contact" in body
    assert "Beta secret donor" not in body
    assert "user.sign_in" not in body
    assert [e.pk for e in response.context["page"]][:2] == [
        events["a_flag"].pk,
        events["a_rename"].pk,
    ]
    assert all(
        e.organization_id == events["a_rename"].organization_id for e in response.context["page"]
    )


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_members_without_audit_view_get_403(events: Any, cast: Any, role: Role) -> None:
    client = client_for(cast[role.value])
    assert client.get(_url()).status_code == 403
    assert client.get(_url("audit:audit_export_csv")).status_code == 403
    assert client.get(_url("audit:audit_export_xlsx")).status_code == 403


def test_other_organization_and_outsider_get_404(events: Any, cast: Any) -> None:
    assert client_for(cast["other_admin"]).get(_url()).status_code == 404
    assert client_for(cast["other_admin"]).get(_url("audit:audit_export_csv")).status_code == 404
    assert client_for(cast["outsider"]).get(_url()).status_code == 404


def test_anonymous_is_sent_to_sign_in(events: Any) -> None:
    from django.test import Client

    response = Client().get(_url())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "donor.flag"}, {"a_flag"}),
        ({"actor_email": "finance@alpha"}, {"a_flag"}),
        ({"q": "hopper"}, {"a_rename"}),
        ({"q": "do_not_contact"}, {"a_flag"}),
        ({"object_type": "donors.donor", "object_id": "17"}, {"a_rename"}),
    ],
)
def test_filters(events: dict[str, AuditEvent], cast: Any, params: dict, expected: set) -> None:
    response = client_for(cast["admin"]).get(_url(), params)
    assert response.status_code == 200
    got = {e.pk for e in response.context["page"]}
    assert got == {events[k].pk for k in expected}


def test_date_filter_and_bad_range(events: dict[str, AuditEvent], cast: Any, org_a: Any) -> None:
    with org_context(org_a):
        old = AuditEvent.objects.create(
            organization=org_a,
            action="donor.update",
            object_repr="Ada old",
            created_at=timezone.now() - dt.timedelta(days=40),
        )
    client = client_for(cast["admin"])
    day = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    response = client.get(_url(), {"date_from": day, "date_to": day})
    assert [e.pk for e in response.context["page"]] == [old.pk]
    response = client.get(_url(), {"date_from": timezone.localdate().isoformat()})
    pks = {e.pk for e in response.context["page"]}
    assert old.pk not in pks
    assert events["a_rename"].pk in pks
    # An impossible range is reported beside the field and not applied.
    response = client.get(_url(), {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "on or after the start date" in response.content.decode()
    assert old.pk in {e.pk for e in response.context["page"]}


def test_unknown_choice_is_ignored_with_message(events: Any, cast: Any) -> None:
    response = client_for(cast["admin"]).get(_url(), {"action": "no.such"})
    assert response.status_code == 200
    assert response.context["form"].errors["action"]
    assert response.context["page"].paginator.count >= 2


def test_no_match_empty_state(events: Any, cast: Any) -> None:
    response = client_for(cast["admin"]).get(_url(), {"q": "nothing-like-this"})
    body = response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert "No events match these filters" in body
    assert "Clear the filters" in body


def test_first_use_empty_state(db: Any) -> None:
    from ifm.tenancy.models import Membership, Organization

    user = make_user("first@delta.test")
    delta = Organization.objects.create(slug="delta", name="Delta")
    with org_context(delta):
        Membership.objects.create(organization=delta, user=user, role=Role.ADMIN)
    response = client_for(user).get(_url(slug="delta"))
    assert response.status_code == 200
    assert "Nothing has been recorded yet" in response.content.decode()


def test_pagination(cast: Any, org_a: Any) -> None:
    with org_context(org_a):
        AuditEvent.objects.bulk_create(
            AuditEvent(organization=org_a, action="bulk.test", object_repr=f"row {i}")
            for i in range(120)
        )
    client = client_for(cast["admin"])
    first = client.get(_url(), {"action": "bulk.test"})
    assert len(first.context["page"]) == 50
    assert first.context["page"].paginator.num_pages == 3
    body = first.content.decode()
    assert "page=2" in body
    assert "action=bulk.test" in body
    third = client.get(_url(), {"action": "bulk.test", "page": "3"})
    assert len(third.context["page"]) == 20
    seen = {
        e.pk
        for p in (1, 2, 3)
        for e in client.get(_url(), {"action": "bulk.test", "page": str(p)}).context["page"]
    }
    assert len(seen) == 120
    # Out of range lands on the last page instead of failing.
    assert client.get(_url(), {"action": "bulk.test", "page": "99"}).context["page"].number == 3


def test_htmx_request_gets_the_table_fragment_only(events: Any, cast: Any) -> None:
    client = client_for(cast["admin"])
    response = client.get(_url(), {"action": "donor.flag"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in body
    assert "<form" not in body
    assert "HX-Request" in response["Vary"]
    full = client.get(_url(), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.content.decode()


def test_csv_export_follows_filters(events: dict[str, AuditEvent], cast: Any) -> None:
    response = client_for(cast["admin"]).get(_url("audit:audit_export_csv"), {"q": "donor"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = _streamed(response)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1:] == [
        "Who",
        "Action",
        "Object type",
        "Object id",
        "Object",
        "Changes",
        "IP",
        "Request id",
    ]
    body = rows[1:]
    assert [r[2] for r in body] == ["donor.flag", "donor.update"]
    assert body[1][1] == "admin@alpha.test"
    assert body[1][6] == "name: G. Hopper → Grace Hopper"
    assert body[0][6] == "do_not_contact: no → yes"
    # A value a spreadsheet would run as a formula is neutralised.
    assert body[0][5].startswith("'=")
    assert "Beta secret donor" not in text


def test_xlsx_export(events: dict[str, AuditEvent], cast: Any) -> None:
    response = client_for(cast["admin"]).get(
        _url("audit:audit_export_xlsx"), {"object_type": "donors.donor"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1:4] == ("Who", "Action", "Object type")
    assert len(rows) == 3
    assert rows[1][2] == "donor.flag"
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    assert rows[2][4] == "17"
    assert rows[2][6] == "name: G. Hopper → Grace Hopper"
    assert isinstance(rows[2][0], dt.datetime)
    assert abs(
        rows[2][0] - timezone.localtime(events["a_rename"].created_at).replace(tzinfo=None)
    ) < dt.timedelta(seconds=1)


def test_platform_staff_sees_every_organization(events: dict[str, AuditEvent]) -> None:
    staff = make_user("support@ifm.test", is_platform_staff=True)
    client = client_for(staff)
    response = client.get(reverse("platform_audit:platform_audit"), {"action": "donor.update"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Grace Hopper" in body
    assert "Beta secret donor" in body
    assert "Alpha Outreach" in body
    assert "Beta Shelter" in body
    response = client.get(
        reverse("platform_audit:platform_audit"), {"organization": "beta", "action": "donor.update"}
    )
    assert {e.pk for e in response.context["page"]} == {events["b_secret"].pk}
    response = client.get(reverse("platform_audit:platform_audit"), {"organization": "-"})
    no_org = list(response.context["page"])
    assert events["signin"].pk in {e.pk for e in no_org}
    assert all(e.organization_id is None for e in no_org)
    export = client.get(
        reverse("platform_audit:platform_audit_export_csv"), {"action": "donor.update"}
    )
    rows = list(csv.reader(io.StringIO(_streamed(export))))
    assert rows[0][1] == "Organization"
    assert sorted(r[1] for r in rows[1:]) == ["Alpha Outreach", "Beta Shelter"]
    xlsx = client.get(
        reverse("platform_audit:platform_audit_export_xlsx"),
        {"organization": "alpha", "action": "donor.update"},
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Alpha Outreach"]


def test_platform_log_is_404_for_everyone_else(events: Any, cast: Any) -> None:
    for user in (cast["admin"], cast["other_admin"], cast["outsider"]):
        client = client_for(user)
        assert client.get(reverse("platform_audit:platform_audit")).status_code == 404
        assert client.get(reverse("platform_audit:platform_audit_export_csv")).status_code == 404


def test_nav_shows_audit_log_only_to_roles_with_audit_view(cast: Any) -> None:
    link = reverse("audit:audit_log", kwargs={"org_slug": "alpha"})
    dashboard = reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})
    assert link in client_for(cast["admin"]).get(dashboard).content.decode()
    assert link not in client_for(cast["finance"]).get(dashboard).content.decode()
