"""The module registry: what each app declares, and an organization's enabled set."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.tenancy import modules
from ifm.tenancy.models import Organization


def test_each_domain_app_declares_its_module() -> None:
    assert modules.module_keys() == [
        "ledger",
        "donors",
        "expenses",
        "banking",
        "reports",
        "volunteers",
    ]
    assert modules.core_module_keys() == ["ledger", "donors", "expenses", "banking", "reports"]
    assert modules.module_for_namespace("donors").key == "donors"  # type: ignore[union-attr]
    assert modules.module_for_namespace("volunteer_public").key == "volunteers"  # type: ignore[union-attr]
    assert modules.module_for_namespace("orgs") is None  # always there
    assert modules.module_for_api_tags(["reconciliations"]).key == "banking"  # type: ignore[union-attr]
    assert modules.module_for_api_tags(["members"]) is None


def test_a_namespace_or_tag_belongs_to_one_module() -> None:
    with pytest.raises(ValueError, match="already claimed by 'donors'"):
        modules.register_module(modules.Module(key="other", name="Other", api_tags=("pledges",)))
    assert "other" not in modules.module_keys()


def test_null_means_every_module_and_a_list_means_exactly_those(db: Any) -> None:
    org = Organization(slug="x", name="X")
    assert modules.enabled_module_keys(org) == frozenset(modules.module_keys())
    org.enabled_modules = ["ledger", "donors", "retired-module"]
    assert modules.enabled_module_keys(org) == {"ledger", "donors"}
    assert modules.is_module_enabled(org, "donors")
    assert not modules.is_module_enabled(org, "volunteers")
    assert modules.enabled_module_keys(None) == frozenset()


def test_unknown_keys_are_named() -> None:
    assert modules.clean_module_keys(["donors", "ledger", "donors"]) == ["donors", "ledger"]
    with pytest.raises(ValueError, match="Unknown module fundraising; the modules are ledger"):
        modules.clean_module_keys(["fundraising"])
    with pytest.raises(LookupError, match="No module 'x'"):
        modules.get_module("x")
