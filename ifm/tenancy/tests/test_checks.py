"""ifm.E001: every tenant model's default manager is scoped to the current organization."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from ifm.core.models import TenantModel
from ifm.core.org_context import TenantManager
from ifm.tenancy.checks import tenant_models_keep_tenant_manager


@pytest.fixture
def isolated() -> Iterator[Apps]:
    """A registry of its own for the models a test defines, so the project's stays untouched."""
    with isolate_apps("ifm.tenancy") as apps:
        assert apps is not None
        yield apps


def test_the_project_models_pass() -> None:
    assert tenant_models_keep_tenant_manager() == []
    # The check is registered, so `ifm check` and the test runner run it.
    assert tenant_models_keep_tenant_manager in checks.registry.registry.get_checks()


def test_the_check_sees_the_project_tenant_models() -> None:
    from django.apps import apps

    tenant_models = [m for m in apps.get_models() if issubclass(m, TenantModel)]
    assert len(tenant_models) > 10
    assert all(isinstance(m._default_manager, TenantManager) for m in tenant_models)


def test_core_tenant_rows_are_tenant_models_and_pass() -> None:
    """The idempotency records of the API are tenant rows like any other, so the check sees them."""
    from ifm.core.models import IdempotencyRecord

    assert issubclass(IdempotencyRecord, TenantModel)
    assert isinstance(IdempotencyRecord._default_manager, TenantManager)
    assert IdempotencyRecord._base_manager.name == "all_orgs"
    assert tenant_models_keep_tenant_manager(apps=None) == []


def test_a_plain_manager_declared_as_objects_fails(isolated: Apps) -> None:
    class Leaky(TenantModel):
        objects = models.Manager()  # type: ignore[assignment]  # the mistake under test

    errors = tenant_models_keep_tenant_manager(apps=isolated)
    assert [(e.id, e.obj) for e in errors] == [("ifm.E001", Leaky)]
    assert isinstance(errors[0], checks.Error)
    assert "tenancy.Leaky" in errors[0].msg
    assert "'objects'" in errors[0].msg


def test_the_unscoped_manager_as_default_fails(isolated: Apps) -> None:
    class AllOrgsByDefault(TenantModel):
        class Meta:
            default_manager_name = "all_orgs"

    errors = tenant_models_keep_tenant_manager(apps=isolated)
    assert [(e.id, e.obj) for e in errors] == [("ifm.E001", AllOrgsByDefault)]
    assert "tenancy.AllOrgsByDefault" in errors[0].msg


def test_a_tenant_manager_subclass_and_other_models_pass(isolated: Apps) -> None:
    class ScopedSubclass(TenantManager[models.Model]):
        pass

    class Fine(TenantModel):
        objects = ScopedSubclass()  # type: ignore[assignment]

    class NotTenant(models.Model):  # noqa: DJ008
        pass

    class AbstractLeaky(TenantModel):
        objects = models.Manager()  # type: ignore[assignment]

        class Meta:
            abstract = True

    assert tenant_models_keep_tenant_manager(apps=isolated) == []
    assert AbstractLeaky._meta.abstract
    assert not NotTenant._meta.abstract
    assert isinstance(Fine._default_manager, ScopedSubclass)
