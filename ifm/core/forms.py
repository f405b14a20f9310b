"""A form's fields by their kind, for forms that set choices, querysets or limits when they are
made: `choice_field(self, "fund").choices = ...` is checked (by mypy, and at run time) where
`self.fields["fund"].choices` is not."""

from __future__ import annotations

from typing import TypeVar

from django import forms

F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not {kind}.")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return field_of(form, name, forms.ChoiceField)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return field_of(form, name, forms.ModelChoiceField)


def integer_field(form: forms.BaseForm, name: str) -> forms.IntegerField:
    return field_of(form, name, forms.IntegerField)
