"""An issued receipt's PDF in object storage (STORAGE_BACKEND=s3): written to a real
S3-compatible server, still there when the web process's local disk is gone, and downloaded
only through the page that checks access."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.urls import reverse

from ifm.conftest import client_for
from ifm.donors.conftest import access_of
from ifm.donors.receipts.tests.test_receipts import give, issue, make_donor
from ifm.ledger.models import Fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(donors_org: Any, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["finance"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


def test_a_receipt_pdf_lives_in_the_bucket_and_survives_losing_the_local_disk(
    s3_storages: dict[str, Any],
    fundraiser: dict[str, Any],
    finance: dict[str, Any],
    general_fund: Fund,
    cast: dict[str, Any],
    org_b: Any,
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    gift = give(fundraiser, make_donor(fundraiser), general_fund, "250.00")
    receipt = issue(finance, gift)
    key = f"private/{receipt.pdf.name}"
    stored = s3_storages["client"].get_object(Bucket=s3_storages["bucket"], Key=key)
    pdf = stored["Body"].read()
    assert pdf.startswith(b"%PDF")

    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        assert not any(p.is_file() for p in root.rglob("*")) if root.exists() else True
        shutil.rmtree(root, ignore_errors=True)

    org = finance["organization"]
    link = reverse(
        "donors:receipt_pdf", kwargs={"org_slug": org.slug, "tax_receipt_id": receipt.pk}
    )
    download = client_for(cast["finance"]).get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == pdf  # the stored file, not a PDF made again

    theirs = reverse(
        "donors:receipt_pdf", kwargs={"org_slug": org_b.slug, "tax_receipt_id": receipt.pk}
    )
    assert client_for(cast["other_admin"]).get(theirs).status_code == 404
