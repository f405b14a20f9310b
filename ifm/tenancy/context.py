from ifm.core.org_context import (  # noqa: F401
    NoOrganizationContext,
    all_organizations,
    all_orgs_active,
    current_org_id,
    org_context,
    require_org_id,
    set_current_org,
)
