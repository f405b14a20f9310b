"""Forms of the import pages: the file to upload, and the column mapping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from ifm.donors.imports.mapping import FIELD_LABELS, FIELDS, REQUIRED
from ifm.donors.models import ImportKind
from ifm.tenancy.forms import BootstrapMixin

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=ImportKind.choices,
        initial=ImportKind.DONORS,
        widget=forms.RadioSelect,
        help_text="Import donors first: donations are matched to existing donors.",
    )
    file = forms.FileField(
        label="File",
        help_text="CSV (UTF-8) or Excel .xlsx, up to 50 MB. The header row is found by itself.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"


class MappingForm(BootstrapMixin, forms.Form):
    """One select per column of the file: the field it feeds, or nothing."""

    def __init__(
        self,
        *args: Any,
        kind: str,
        headers: Sequence[str],
        mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        by_column = {column: target for target, column in mapping.items()}
        required = set(REQUIRED[kind])
        choices = [("", "— not imported —")] + [
            (
                target,
                FIELD_LABELS.get(target, target) + (" *" if target in required else ""),
            )
            for target in FIELDS[kind]
        ]
        for i, header in enumerate(self.headers):
            self.fields[self.field_name(i)] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=by_column.get(header, ""),
            )
        # BootstrapMixin styled the fields present when it ran: style these too.
        for name in self.fields:
            self.fields[name].widget.attrs.setdefault("class", "form-select form-select-sm")

    @staticmethod
    def field_name(index: int) -> str:
        return f"column_{index}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fed_by: dict[str, str] = {}
        for i, header in enumerate(self.headers):
            target = data.get(self.field_name(i)) or ""
            if not target:
                continue
            if target in fed_by:
                label = FIELD_LABELS.get(target, target)
                self.add_error(
                    self.field_name(i),
                    f"{label} already comes from the column {fed_by[target]!r}: choose one.",
                )
            else:
                fed_by[target] = header
        return data

    def mapping(self) -> dict[str, str]:
        """{field: column}, as the import functions take it."""
        out: dict[str, str] = {}
        for i, header in enumerate(self.headers):
            target = self.cleaned_data.get(self.field_name(i)) or ""
            if target:
                out.setdefault(target, header)
        return out
