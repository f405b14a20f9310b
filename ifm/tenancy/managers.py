from ifm.core.org_context import TenantManager  # noqa: F401
