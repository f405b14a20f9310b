"""Merge fields: only the registered ones, no template code, nothing left unfilled."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.support.comms import merge, rendering, services
from ifm.support.comms.defaults import TEMPLATES
from ifm.support.comms.merge import MergeError
from ifm.support.comms.models import MessageTemplate
from ifm.support.comms.registry import SendContext, field_keys


def test_an_unknown_field_is_refused_by_name(staff: Any) -> None:
    with pytest.raises(MergeError) as err:
        services.template_create(
            actor=staff, name="Hello", subject="Hi {{ frist_name }}", body="Body"
        )
    assert err.value.errors[0]["field"] == "subject"
    assert "{{ frist_name }}" in err.value.message
    assert not MessageTemplate.objects.filter(name="Hello").exists()


@pytest.mark.parametrize(
    "body",
    [
        "{{ settings.SECRET_KEY }}",
        "{{ organization_name.pk }}",
        "{{ organization_name|upper }}",
        "{% load static %}hello",
        "{% debug %}",
        "{# hidden #}",
        "Dear [Nonprofit Name],",
        "Training on [Date/Time]",
        "a stray {{ brace",
    ],
)
def test_template_code_and_seed_placeholders_are_refused(staff: Any, body: str) -> None:
    with pytest.raises(MergeError) as err:
        services.template_create(actor=staff, name="Bad", subject="Subject", body=body)
    assert err.value.errors[0]["field"] == "body"


def test_a_value_that_looks_like_a_field_stays_text() -> None:
    out, missing = merge.substitute("Hi {{ a }} and {{ b }}", {"a": "{{ b }}", "b": "{% debug %}"})
    assert out == "Hi {{ b }} and {% debug %}"
    assert missing == []


def test_rendering_refuses_an_empty_field_naming_it() -> None:
    with pytest.raises(MergeError) as err:
        merge.render(
            "S",
            "On {{ training_date }}",
            {"training_date": None},
            labels={"training_date": "Training date"},
        )
    assert "Training date" in err.value.message


def test_every_default_template_uses_known_fields_only() -> None:
    known = set(field_keys())
    for values in TEMPLATES:
        used = rendering.validate_template(subject=values["subject"], body=values["body"])
        assert set(used) <= known, values["key"]


def test_every_default_template_renders_with_no_placeholder_left(
    pilot: dict[str, Any], org_a: Any, cast: dict[str, Any], settings: Any
) -> None:
    from datetime import UTC, datetime

    from ifm.ops.models import MaintenanceMode

    MaintenanceMode.objects.update_or_create(
        pk=MaintenanceMode.SINGLETON_ID,
        defaults={
            "window_starts_at": datetime(2026, 5, 9, 22, 0, tzinfo=UTC),
            "window_ends_at": datetime(2026, 5, 9, 23, 30, tzinfo=UTC),
        },
    )
    phase = pilot["phase"]
    phase.planned_start, phase.planned_end = datetime(2026, 5, 1).date(), None
    phase.save()
    context = SendContext(sender_name="Sam Staff", message="Thank you all.")
    for template in MessageTemplate.objects.all():
        rendered = rendering.render_for(
            subject=template.subject,
            body=template.body,
            organization=org_a,
            user=cast["admin"],
            context=context,
        )
        for text in (rendered.subject, rendered.body):
            assert "{{" not in text, template.key
            assert "}}" not in text, template.key
            assert "[Date" not in text, template.key
    kickoff = MessageTemplate.objects.get(key="phase-kickoff")
    rendered = rendering.render_for(
        subject=kickoff.subject,
        body=kickoff.body,
        organization=org_a,
        user=cast["admin"],
        context=context,
    )
    assert rendered.subject == "IFM MVP Platform - Pilot Beginning Monday, May 4, 2026"
    assert "Dear Alpha Outreach," in rendered.body
    assert "Training session: Wednesday, May 6, 2026" in rendered.body
    assert "Go-live date: Monday, May 11, 2026" in rendered.body
    assert f"Contact: {settings.SUPPORT_EMAIL}" in rendered.body
    assert "/help/getting-started/" in rendered.body
