"""One message for one user of one organization: the template's fields filled (merge.py) from
the registry's values (registry.py), and the footer every announcement carries."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.urls import reverse

from ifm.support.comms import merge, registry
from ifm.support.comms.merge import Rendered
from ifm.tenancy.models import Organization

UNSUBSCRIBE_SALT = "ifm.support.comms.unsubscribe"


def known_fields() -> list[str]:
    return registry.field_keys()


def validate_template(*, subject: str, body: str) -> list[str]:
    """The fields the template uses; MergeError naming an unknown one, or template code."""
    known = known_fields()
    used = merge.validate(subject, known=known, field="subject")
    used += [f for f in merge.validate(body, known=known, field="body") if f not in used]
    return used


def organization_values(
    organization: Organization, subject: str, body: str, context: registry.SendContext
) -> dict[str, str | None]:
    keys = merge.fields_used(subject, body)
    return registry.organization_values(organization, keys, context)


def missing_for_organization(values: dict[str, str | None]) -> list[str]:
    """The labels of the organization-wide fields without a value."""
    labels = registry.field_labels()
    return [labels.get(k, k) for k, v in values.items() if v is None or not str(v).strip()]


def render(*, subject: str, body: str, org_values: dict[str, str | None], user: Any) -> Rendered:
    values = {**org_values, **registry.user_values(user)}
    return merge.render(subject, body, values, labels=registry.field_labels())


def render_for(
    *,
    subject: str,
    body: str,
    organization: Organization,
    user: Any,
    context: registry.SendContext,
) -> Rendered:
    """The message as `user` of `organization` would get it (MergeError: a field is empty)."""
    values = organization_values(organization, subject, body, context)
    return render(subject=subject, body=body, org_values=values, user=user)


# --- Unsubscribe -------------------------------------------------------------------------------


def unsubscribe_token(user: Any) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user.pk, "e": user.email})


def unsubscribe_user_id(token: str) -> tuple[int, str] | None:
    """The user id and address a token was made for; None for a forged or damaged one."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("e", ""))


def unsubscribe_url(user: Any) -> str:
    return registry.site_url(
        reverse("comms:unsubscribe", kwargs={"token": unsubscribe_token(user)})
    )


def footer(*, organization: Organization, user: Any, service_notice: bool) -> str:
    if service_notice:
        return (
            "\n--\nA service notice about the IFM platform, sent to every user of "
            f"{organization.name} (also to those who turned announcements off).\n"
        )
    return (
        f"\n--\nYou get this as a user of {organization.name} on the IFM platform.\n"
        f"Stop IFM announcement emails: {unsubscribe_url(user)}\n"
    )
