"""The /api/v1 Ninja API. Each app plugs in its router here.

Shared behaviour lives in ifm.core.api: problem-details errors, keyset pagination
(`@paginated`), `@idempotent` creating POSTs. Authentication (bearer token or browser
session) is the default of every operation: see ifm.accounts.api_auth.
"""

from __future__ import annotations

from ifm.accounts.api import router as me_router
from ifm.accounts.api_auth import api_auth
from ifm.audit.api import router as audit_router
from ifm.banking.api import router as banking_router
from ifm.core.api import ProblemNinjaAPI
from ifm.donors.api import router as donors_router
from ifm.expenses.api import router as expenses_router
from ifm.ledger.api import router as ledger_router
from ifm.ops.api import router as jobs_router
from ifm.ops.maintenance.api import router as maintenance_router
from ifm.ops.usage_api import router as usage_router
from ifm.orgs.api import router as members_router
from ifm.orgs.api import settings_router as organization_router
from ifm.orgs.search_api import router as search_router
from ifm.reports.api import router as reports_router
from ifm.reports.budgets.api import budgets_router
from ifm.rollout.api import onboarding_router
from ifm.rollout.api import router as rollout_router
from ifm.support.api import platform_router as support_platform_router
from ifm.support.api import router as support_router
from ifm.support.comms.api import preferences_router as comms_preferences_router
from ifm.support.comms.api import router as comms_router
from ifm.support.desk_api import router as support_desk_router
from ifm.support.help.api import router as help_router
from ifm.support.survey.api import router as survey_router
from ifm.volunteers.api import router as volunteers_router

api = ProblemNinjaAPI(
    title="IFM platform API",
    version="1.0.0",
    urls_namespace="api",
    auth=api_auth,
    description=(
        "Organization-scoped API. Authenticate with `Authorization: Bearer <token>` "
        "(a token is one user in one organization), or from the browser with the session "
        "cookie, the `X-CSRFToken` header on writes and `X-IFM-Organization: <slug>`. "
        "Errors are RFC 9457 `application/problem+json`; lists take `limit` and `cursor` "
        "and answer `{items, next}`. See docs/api.md."
    ),
)

api.add_router("/me", me_router)
api.add_router("/members", members_router)
api.add_router("/organization", organization_router)
api.add_router("/audit-log", audit_router)
api.add_router("/expenses", expenses_router)
api.add_router("/search", search_router)
api.add_router("", ledger_router)
api.add_router("", donors_router)
api.add_router("", jobs_router)
api.add_router("", maintenance_router)
api.add_router("", usage_router)
api.add_router("", banking_router)
api.add_router("", volunteers_router)
api.add_router("/reports", reports_router)
api.add_router("/budgets", budgets_router)
api.add_router("", help_router)
api.add_router("", support_router)
api.add_router("", support_platform_router)
api.add_router("", support_desk_router)
api.add_router("", survey_router)
api.add_router("", comms_router)
api.add_router("", comms_preferences_router)
api.add_router("", rollout_router)
api.add_router("", onboarding_router)
