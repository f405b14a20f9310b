"""The survey's form: a score 1-5 (or none, to dismiss it) and an optional comment."""

from __future__ import annotations

from typing import Any

from django import forms

SCORES = [
    (1, "1 · Very dissatisfied"),
    (2, "2 · Dissatisfied"),
    (3, "3 · Neutral"),
    (4, "4 · Satisfied"),
    (5, "5 · Very satisfied"),
]


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        label="How satisfied are you with the platform?",
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Anything you would like to tell us? (optional)",
    )
    action = forms.ChoiceField(
        choices=[("answer", "Send"), ("dismiss", "Not now")], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the prompt shares pages with other forms that have a score (a rating).
        kwargs.setdefault("auto_id", "survey-%s")
        super().__init__(*args, **kwargs)
