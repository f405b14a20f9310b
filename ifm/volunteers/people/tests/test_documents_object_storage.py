"""A volunteer's qualification document in object storage (STORAGE_BACKEND=s3): kept in the
bucket, handed out after the access check as a signed link, never to another organization."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.volunteers.tests import factories as vf

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_document_in_the_bucket_is_a_signed_link_after_the_check(
    org_a: Any, org_b: Any, cast: dict[str, Any], s3_storages: dict[str, Any]
) -> None:
    q = vf.qualification(org_a)
    with org_context(org_a):
        q.document.save("x", SimpleUploadedFile("card.pdf", PDF))
        q.document_name = "first aid card.pdf"
        q.save()
    key = f"private/{q.document.name}"
    body = s3_storages["client"].get_object(Bucket=s3_storages["bucket"], Key=key)["Body"]
    assert body.read() == PDF

    url = f"/o/{org_a.slug}/volunteers/qualifications/{q.pk}/document/"
    answer = client_for(cast["viewer"]).get(url)
    assert answer.status_code == 302
    with urllib.request.urlopen(answer["Location"], timeout=10) as got:  # noqa: S310
        assert got.read() == PDF
        assert got.headers["Content-Type"] == "application/pdf"
        assert "first%20aid%20card.pdf" in got.headers["Content-Disposition"]
    assert client_for(cast["fundraising"]).get(url).status_code == 403
    theirs = f"/o/{org_b.slug}/volunteers/qualifications/{q.pk}/document/"
    assert client_for(cast["other_admin"]).get(theirs).status_code == 404
