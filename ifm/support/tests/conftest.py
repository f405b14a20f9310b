from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership, Organization


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any, run_jobs: Any, mailoutbox: list[Any]) -> Any:
    """Run a callable as a request would (its after-commit work included), then the jobs it
    queued; returns the emails sent since."""

    def run(action: Any) -> list[Any]:
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        run_jobs()
        run.result = result  # type: ignore[attr-defined]
        return list(mailoutbox[before:])

    return run


@pytest.fixture
def staff(db: Any) -> Any:
    return make_user("desk@ifm.test", full_name="Dana Desk", is_platform_staff=True)


def member(org: Organization, user: Any) -> dict[str, Any]:
    """The keyword arguments a member's service call takes."""
    with org_context(org):
        access = Membership.objects.get(organization=org, user=user)
    return {"organization": org, "actor": user, "access": access}


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")
