"""GET /api/v1/audit-log (sentences, the page's filters, keyset pages) and its export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(cast: dict[str, Any], org_a: Organization, org_b: Organization) -> None:
    with org_context(org_a):
        member = Membership.objects.get(user=cast["staff"])
    audit_record(
        action="membership.update",
        actor=cast["admin"],
        organization=org_a,
        obj=member,
        changes={"role": {"before": "staff", "after": "viewer"}},
    )
    audit_record(
        action="donor.update",
        actor=cast["finance"],
        organization=org_a,
        object_type="donors.donor",
        object_id="17",
        object_repr="Grace Hopper",
        changes={"name": {"before": "G. Hopper", "after": "Grace Hopper"}},
    )
    audit_record(
        action="donor.update",
        actor=cast["other_admin"],
        organization=org_b,
        object_type="donors.donor",
        object_id="99",
        object_repr="Beta secret donor",
    )


def test_the_log_in_sentences_with_filters_and_pages(
    logged: None, cast: dict[str, Any], org_a: Organization
) -> None:
    client = api_client_for(cast["admin"], org_a)
    body = client.get("/api/v1/audit-log").json()
    sentences = [item["sentence"] for item in body["items"]]
    assert "Alpha Admin changed Alpha Staff's role from Staff to Viewer" in sentences
    assert not any("Beta" in s for s in sentences)
    with org_context(org_a):  # row-level security on PostgreSQL
        total = AuditEvent.objects.filter(organization=org_a).count()
    assert len(body["items"]) == total
    only = client.get("/api/v1/audit-log", {"action": "donor.update"}).json()["items"]
    assert [i["object"] for i in only] == ["Grace Hopper"]
    assert only[0]["actor"]["email"] == "finance@alpha.test"
    assert only[0]["changes"] == {"name": {"before": "G. Hopper", "after": "Grace Hopper"}}
    assert (
        client.get("/api/v1/audit-log", {"q": "hopper"}).json()["items"][0]["id"] == (only[0]["id"])
    )
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/audit-log", params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == [i["id"] for i in body["items"]]
    problem = assert_problem(
        client.get("/api/v1/audit-log", {"date_from": "2026-02-01", "date_to": "2026-01-01"}),
        422,
    )
    assert problem["errors"][0]["field"] == "date_to"
    assert_problem(client.get("/api/v1/audit-log", {"cursor": "nope"}), 400)


def test_export_follows_the_filters(
    logged: None, cast: dict[str, Any], org_a: Organization
) -> None:
    client = api_client_for(cast["admin"], org_a)
    response: Any = client.get("/api/v1/audit-log/export", {"action": "donor.update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[2] for r in rows[1:]] == ["donor.update"]
    assert "Beta secret donor" not in text
    xlsx = client.get("/api/v1/audit-log/export", {"format": "xlsx", "q": "hopper"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [r[5] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Grace Hopper"]
    assert_problem(client.get("/api/v1/audit-log/export", {"format": "pdf"}), 422)


def test_only_roles_with_audit_view(
    logged: None, cast: dict[str, Any], org_a: Organization
) -> None:
    finance = api_client_for(cast["finance"], org_a)
    assert finance.get("/api/v1/audit-log").status_code == 403
    assert finance.get("/api/v1/audit-log/export").status_code == 403
