"""How the API knows who is calling and for which organization.

Two ways in, tried in this order (the default auth of /api/v1):

* ``Authorization: Bearer <token>``: an API token is one user in one organization.
* The browser session (with CSRF on unsafe methods): the organization comes from the
  ``X-IFM-Organization`` header, else from the organization last opened in the pages.

Both set ``request.user``, ``request.org``, ``request.access`` and the organization context
(ifm.core.org_context), after refusing an operation of a module the organization has not
enabled (404, problem ``module-not-enabled``).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import F, QuerySet
from django.db.models.query import get_related_populators
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ifm.accounts.models import ApiToken
from ifm.accounts.twofactor import enrolment_required_message, must_enrol_2fa
from ifm.core import org_context
from ifm.core.api import ApiError
from ifm.tenancy import http as tenant_http
from ifm.tenancy import modules
from ifm.tenancy.models import Membership
from ifm.tenancy.selectors import access_for

ORG_HEADER = "X-IFM-Organization"
LAST_USED_RESOLUTION = timedelta(minutes=1)
INVALID_TOKEN = "The API token is missing, invalid or revoked."  # noqa: S105  (a message)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _enter(request: HttpRequest, user: Any, org: Any, access: Any) -> Any:
    if must_enrol_2fa(org, access, user):
        # The organization's two-factor rule holds for every door: a session, and tokens made
        # before the rule was turned on, work again once the member has enrolled.
        raise ApiError(
            403,
            enrolment_required_message(org),
            problem="second-factor-required",
            errors=[{"field": "Authorization", "message": "Two-factor enrolment is required."}],
        )
    # The operation's tags (recorded by ifm.core.api) name its module: one the organization
    # has not enabled answers 404, saying so.
    module = modules.module_for_api_tags(vars(request).get("api_tags"))
    if module is not None and not modules.is_module_enabled(org, module.key):
        raise ApiError(404, modules.not_enabled_message(module, org), problem="module-not-enabled")
    request.user = user
    tenant_http.enter(request, org, access)
    org_context.set_current_org(org)
    return user


# A token's organization never changes, so which organization a token hash belongs to may be
# remembered in the process: it only names the row-level security scope the lookup reads in
# (that organization's rows, the scope the rest of the request uses too, so no second scope
# switch is sent to the database). Every check (revoked, user and organization active, active
# membership, role) still runs in the database on every request; a remembered organization
# whose token is gone finds nothing and the lookup is repeated across organizations.
_TOKEN_ORGS: OrderedDict[str, int] = OrderedDict()
TOKEN_ORGS_MAX = 10_000
_TOKEN_ORGS_LOCK = threading.Lock()


def _remembered_org(digest: str) -> int | None:
    with _TOKEN_ORGS_LOCK:
        org_id = _TOKEN_ORGS.get(digest)
        if org_id is not None:
            _TOKEN_ORGS.move_to_end(digest)
        return org_id


def _remember_org(digest: str, org_id: int | None) -> None:
    with _TOKEN_ORGS_LOCK:
        if org_id is None:
            _TOKEN_ORGS.pop(digest, None)
            return
        _TOKEN_ORGS[digest] = org_id
        _TOKEN_ORGS.move_to_end(digest)
        while len(_TOKEN_ORGS) > TOKEN_ORGS_MAX:
            _TOKEN_ORGS.popitem(last=False)


def _token_membership_query(digest: str) -> QuerySet[Membership]:
    """The active membership a live token stands for, with its user and organization, in one
    query: the token not revoked, its user and organization active, the membership active."""
    return (
        Membership.all_orgs.select_related("user", "organization")
        .filter(
            is_active=True,
            user__is_active=True,
            organization__is_active=True,
            user__api_tokens__token_hash=digest,
            user__api_tokens__revoked_at__isnull=True,
            user__api_tokens__organization=F("organization"),
        )
        .annotate(
            token_id=F("user__api_tokens__pk"),
            token_last_used_at=F("user__api_tokens__last_used_at"),
        )
        .order_by("pk")[:1]
    )


_PLACEHOLDER = "ifm-token-hash-placeholder"


@dataclass(frozen=True)
class _CompiledLookup:
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    digest_at: int


@functools.cache
def _compiled_lookup(vendor: str) -> _CompiledLookup:
    """The lookup's SQL, built by the ORM once per process: only the hash changes between
    requests, and building and compiling the query cost more than running it."""
    compiler = _token_membership_query(_PLACEHOLDER).query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    return _CompiledLookup(compiler, sql, tuple(params), list(params).index(_PLACEHOLDER))


def _token_membership(digest: str) -> Membership | None:
    """_token_membership_query(digest).first(), from the SQL compiled once; the objects are
    made as the ORM makes them (its converters, select_related and annotations)."""
    lookup = _compiled_lookup(connection.vendor)
    params = list(lookup.params)
    params[lookup.digest_at] = digest
    with connection.cursor() as cursor:
        cursor.execute(lookup.sql, params)
        rows = cursor.fetchmany(1)
    if not rows:
        return None
    compiler = lookup.compiler
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    row = next(iter(compiler.results_iter([rows])))
    names = [f[0].target.attname for f in select[start:end]]
    membership = Membership.from_db(DEFAULT_DB_ALIAS, names, row[start:end])
    # Django 5.2's signature (the stubs already follow 6.0's, which adds fetch_mode): an
    # upgrade that changes it fails every token test at once.
    populators = get_related_populators(klass_info, select, DEFAULT_DB_ALIAS)  # type: ignore[call-arg]
    for populator in populators:
        populator.populate(row, membership)
    for name, position in compiler.annotation_col_map.items():
        setattr(membership, name, row[position])
    return membership


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer ifm_...``: an API token of one user in one organization."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token or len(token) > 200:
            raise AuthenticationError(message=INVALID_TOKEN)
        digest = token_hash(token)
        membership = None
        org_id = _remembered_org(digest)
        if org_id is not None:
            with org_context.org_context(org_id):
                membership = _token_membership(digest)
        if membership is None:
            # The token's organization is unknown until it is found: look across organizations.
            with org_context.all_organizations():
                membership = _token_membership(digest)
            _remember_org(digest, membership.organization_id if membership else None)
        if membership is None:
            raise AuthenticationError(message=INVALID_TOKEN)
        org = membership.organization
        now = timezone.now()
        last = vars(membership)["token_last_used_at"]
        if last is None or now - last >= LAST_USED_RESOLUTION:
            with org_context.org_context(org):
                ApiToken.objects.filter(pk=vars(membership)["token_id"]).update(last_used_at=now)
        return _enter(request, membership.user, org, membership)


class OrganizationSessionAuth(APIKeyCookie):
    """The signed-in browser session; CSRF is checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        slug = request.headers.get(ORG_HEADER) or request.session.get("org_slug")
        if not slug:
            raise ApiError(
                400,
                f"Say which organization: send the {ORG_HEADER} header with its slug.",
                errors=[{"field": ORG_HEADER, "message": "This header is required."}],
            )
        org, access = access_for(user, str(slug))
        if org is None or access is None:
            raise Http404("No such organization.")
        return _enter(request, user, org, access)


api_auth = [BearerTokenAuth(), OrganizationSessionAuth(csrf=True)]
