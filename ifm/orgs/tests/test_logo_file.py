"""An organization's logo file belongs to the transaction that saves it: rolled back, no file is
left in the media directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ifm.core.org_context import org_context
from ifm.orgs.services import organization_update
from ifm.orgs.tests.test_settings_page import _png
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_rolled_back_logo_leaves_no_file(
    cast: dict[str, Any], org_a: Organization, media: Path
) -> None:
    admin = cast["admin"]

    def save_then_fail() -> None:
        with org_context(org_a), transaction.atomic():
            access = Membership.objects.get(user=admin)
            org = organization_update(
                organization=org_a,
                actor=admin,
                access=access,
                expected_version=org_a.version,
                logo=SimpleUploadedFile("logo.png", _png(), content_type="image/png"),
            )
            assert (media / str(org.logo.name)).exists()
            raise Boom

    with pytest.raises(Boom):
        save_then_fail()
    assert not Organization.objects.get(pk=org_a.pk).logo
    assert [p for p in media.rglob("*") if p.is_file()] == []
