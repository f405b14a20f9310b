"""Form helpers every app's pages share: Bootstrap widgets, and service errors on their fields."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.core.errors import ServiceError


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        field = error.get("field") or None
        form.add_error(field if field in form.fields else None, error["message"])


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors."""

    fields: dict[str, forms.Field]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            self._mark_invalid(name)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        if field:
            self._mark_invalid(field)

    def _mark_invalid(self, name: str) -> None:
        field = self.fields.get(name)
        if field is not None and "is-invalid" not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} is-invalid"
