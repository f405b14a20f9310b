"""`ifm storage_check`: do the stored files and the rows that name them agree?

Every FileField of every model is read (across organizations) and each named file is looked up
in its storage through the storage API, whatever the backend (local disk or object storage);
then each storage is walked, and a file that no row names is an orphan. A missing file is a
loss (a download would 404, a receipt would be re-made from its frozen letter); an orphan only
costs space (left by a crash between writing a file and committing its row, or by a restore of
an older database)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import Storage, default_storage, storages
from django.db import models

from ifm.core.org_context import all_organizations
from ifm.core.storage import PRIVATE_ALIAS, ConfiguredPrivateStorage, walk


@dataclass(frozen=True)
class Reference:
    """A row's file field that names a stored file."""

    model: str
    pk: object
    field: str
    name: str


@dataclass
class StorageReport:
    """What `storage_check` found, per storage alias ("default", "private")."""

    referenced: dict[str, int] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    missing: list[tuple[str, Reference]] = field(default_factory=list)
    orphans: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing


def _alias(storage: Storage) -> str | None:
    """The STORAGES alias a field's storage stands for; None for one of its own (a test's)."""
    if isinstance(storage, ConfiguredPrivateStorage):
        return PRIVATE_ALIAS
    if storage is default_storage:
        return "default"
    return None


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every concrete model's file fields (ImageField included)."""
    found = []
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                found.append((model, model_field))
    return found


def references() -> dict[str, list[Reference]]:
    """Each storage alias's files as the database names them, every organization's."""
    named: dict[str, list[Reference]] = defaultdict(list)
    with all_organizations():
        for model, model_field in file_fields():
            alias = _alias(model_field.storage)
            if alias is None:
                continue
            manager = getattr(model, "all_orgs", model._base_manager)
            rows = (
                manager.exclude(**{model_field.attname: ""})
                .exclude(**{f"{model_field.attname}__isnull": True})
                .values_list("pk", model_field.attname)
                .order_by("pk")
            )
            label = model._meta.label
            for pk, name in rows.iterator(chunk_size=2000):
                named[alias].append(Reference(label, pk, model_field.name, str(name)))
    return named


def storage_check() -> StorageReport:
    """Compare the files the database names with the files the storages hold."""
    report = StorageReport()
    named = references()
    for alias in ("default", PRIVATE_ALIAS):
        storage = storages[alias]
        stored = set(walk(storage))
        refs = named.get(alias, [])
        wanted = {ref.name for ref in refs}
        report.referenced[alias] = len(wanted)
        report.stored[alias] = len(stored)
        for ref in refs:
            # Listing is the cheap test; a name the listing lacks is asked for once more.
            if ref.name not in stored and not storage.exists(ref.name):
                report.missing.append((alias, ref))
        report.orphans.extend((alias, name) for name in sorted(stored - wanted))
    return report
