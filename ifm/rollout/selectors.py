"""Reads of the rollout: phases, waves and where each organization stands.

The console reads across organizations: rows with an organization are read inside
`all_organizations()` (row-level security on PostgreSQL would show none otherwise), and every
query of one organization's rows names it.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ifm.core.org_context import all_organizations
from ifm.rollout.models import OnboardingSignOff, OrganizationRollout, Phase, Wave
from ifm.tenancy.models import Organization


def phase_list() -> QuerySet[Phase]:
    return Phase.objects.order_by("order")


def phase_get(key: str | int) -> Phase | None:
    """A phase by slug, by exact name (any case) or by its order number."""
    text = str(key).strip()
    phase = (
        Phase.objects.filter(slug=text).first() or Phase.objects.filter(name__iexact=text).first()
    )
    if phase is None and text.isdigit():
        phase = Phase.objects.filter(order=int(text)).first()
    return phase


def wave_list(phase: Phase | None = None) -> QuerySet[Wave]:
    qs = Wave.objects.select_related("phase")
    return qs.filter(phase=phase) if phase is not None else qs


def wave_get(*, phase: Phase, name: str) -> Wave | None:
    return Wave.objects.filter(phase=phase, name__iexact=name.strip()).first()


def organization_get(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def rollout_get(organization: Organization) -> OrganizationRollout | None:
    """The organization's rollout row (None: it was never placed in a phase)."""
    with all_organizations():
        return (
            OrganizationRollout.objects.select_related("phase", "wave")
            .filter(organization=organization)
            .first()
        )


def signoffs_for(organization: Organization) -> dict[str, OnboardingSignOff]:
    with all_organizations():
        rows = OnboardingSignOff.objects.select_related("done_by").filter(organization=organization)
        return {row.item: row for row in rows}


def organizations_with_rollout(
    *, active_only: bool = True
) -> list[tuple[Organization, OrganizationRollout | None]]:
    """Every organization by name, with its rollout row (None: never placed in a phase)."""
    with all_organizations():
        rollouts = {
            r.organization_id: r
            for r in OrganizationRollout.objects.select_related("phase", "wave")
        }
    orgs = Organization.objects.order_by("name")
    if active_only:
        orgs = orgs.filter(is_active=True)
    return [(org, rollouts.get(org.pk)) for org in orgs]


def phase_organization_counts() -> dict[int | None, int]:
    """How many organizations are in each phase (None: placed in none)."""
    with all_organizations():
        rows = OrganizationRollout.objects.values("phase_id").annotate(n=Count("pk"))
        return {row["phase_id"]: row["n"] for row in rows}
