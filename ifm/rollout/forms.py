"""Forms of the rollout pages: they only parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.rollout.models import ALL, CORE, Phase, SignOffItem, Wave
from ifm.tenancy import modules
from ifm.tenancy.forms import BootstrapMixin

DATE = forms.DateInput(attrs={"type": "date"})

# A module's state on an organization's modules form.
AS_PHASE, ON, OFF = "phase", "on", "off"


def _dates(form: forms.Form) -> None:
    for name, label in (
        ("kickoff_on", "Kickoff"),
        ("training_on", "Training"),
        ("go_live_on", "Go-live"),
    ):
        form.fields[name] = forms.DateField(label=label, required=False, widget=DATE)


class MoveForm(BootstrapMixin, forms.Form):
    phase = forms.ModelChoiceField(queryset=Phase.objects.order_by("order"), to_field_name="slug")
    wave = forms.ModelChoiceField(
        queryset=Wave.objects.select_related("phase"),
        required=False,
        empty_label="No wave",
        help_text="A wave of the phase chosen; its dates apply where the organization's are blank.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)


class ModulesForm(BootstrapMixin, forms.Form):
    """One choice per registered module: as the phase says, always on, or always off."""

    def __init__(self, *args: Any, phase_keys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for module in modules.all_modules():
            default = "on" if module.key in phase_keys else "off"
            self.fields[f"module_{module.key}"] = forms.ChoiceField(
                label=module.name,
                choices=[
                    (AS_PHASE, f"As the phase ({default})"),
                    (ON, "Enabled for this organization"),
                    (OFF, "Disabled for this organization"),
                ],
                initial=AS_PHASE,
            )

    def overrides(self) -> tuple[list[str], list[str]]:
        enabled, disabled = [], []
        for name, value in self.cleaned_data.items():
            key = name.removeprefix("module_")
            if value == ON:
                enabled.append(key)
            elif value == OFF:
                disabled.append(key)
        return enabled, disabled


class PhaseForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100)
    order = forms.IntegerField(min_value=1, max_value=1000)
    module_set = forms.ChoiceField(
        label="Modules",
        choices=[(ALL, "All modules"), (CORE, "Core features only"), ("list", "These modules:")],
    )
    module_keys = forms.MultipleChoiceField(
        label="Modules of the list",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    planned_start = forms.DateField(required=False, widget=DATE)
    planned_end = forms.DateField(required=False, widget=DATE)
    target_organizations = forms.IntegerField(
        label="Organizations planned", required=False, min_value=0, max_value=100_000
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    success_criteria = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One criterion a line.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = self.fields["module_keys"]
        assert isinstance(keys, forms.MultipleChoiceField)
        keys.choices = [(m.key, m.name) for m in modules.all_modules()]

    @classmethod
    def initial_for(cls, phase: Phase) -> dict[str, Any]:
        listed = phase.modules not in (ALL, CORE)
        return {
            "name": phase.name,
            "order": phase.order,
            "module_set": "list" if listed else phase.modules,
            "module_keys": phase.modules if listed else [],
            "planned_start": phase.planned_start,
            "planned_end": phase.planned_end,
            "target_organizations": phase.target_organizations,
            "description": phase.description,
            "success_criteria": phase.success_criteria,
        }

    def modules_value(self) -> Any:
        chosen = self.cleaned_data["module_set"]
        return self.cleaned_data["module_keys"] if chosen == "list" else chosen

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "order": data["order"],
            "modules_value": self.modules_value(),
            "planned_start": data["planned_start"],
            "planned_end": data["planned_end"],
            "target_organizations": data["target_organizations"],
            "description": data["description"],
            "success_criteria": data["success_criteria"],
        }


class WaveForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)


class SignOffForm(BootstrapMixin, forms.Form):
    item = forms.ChoiceField(choices=SignOffItem.choices, widget=forms.HiddenInput)
    done = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=500)
