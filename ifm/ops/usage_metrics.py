"""The rollout plan's metrics over a window of days, per organization and overall, computed from
what the platform counted (docs/usage-metrics.md has the definitions; DOMAIN.md the terms):

- adoption: daily active users ÷ active members, averaged over the window's weekdays, and
  users active in the window ÷ active members (the monthly figure, for a month's window);
- feature usage: features of the organization's enabled modules used in the window ÷ those
  features;
- task completion: tasks completed ÷ started, where a start is opening the task's page and a
  completion counts only up to the starts of the same user on the same day (so work done
  through the API, which has no page to open, neither helps nor hurts it);
- error rate: 5xx answers ÷ all answers, and the API's p95 response time (request counts);
- page load: the p75 of real users' Largest Contentful Paint, overall and per page.

Every figure carries its numerator and denominator; a figure with nothing to divide by is None
("no data"), never zero. Targets per phase are the rollout console's business, not this one's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from ifm.core.org_context import all_organizations
from ifm.ops import selectors
from ifm.ops.models import PAGE_LOAD_EDGES_MS, PAGE_LOAD_FIELDS, PageLoadDay, UsageDay
from ifm.ops.request_days import RequestDays, read_request_days
from ifm.ops.usage import ACTIVE, START_SUFFIX
from ifm.tenancy import modules
from ifm.tenancy.models import Membership, Organization

MAX_DAYS = 731  # the usage table keeps two years


@dataclass(frozen=True)
class Ratio:
    """A figure with what it was computed from; `value` is None where `whole` is zero."""

    part: float
    whole: float

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "value": None if value is None else round(value, 4),
            "part": round(self.part, 2),
            "whole": round(self.whole, 2),
        }


@dataclass
class OrgUsage:
    organization_id: int
    slug: str = ""
    name: str = ""
    members: int = 0
    daily_active: Ratio = Ratio(0, 0)
    monthly_active: Ratio = Ratio(0, 0)
    feature_usage: Ratio = Ratio(0, 0)
    task_completion: Ratio = Ratio(0, 0)
    error_rate: Ratio = Ratio(0, 0)
    api_p95_ms: float | None = None
    page_load_p75_ms: float | None = None
    features_used: list[str] = field(default_factory=list)
    features_unused: list[str] = field(default_factory=list)
    tasks: dict[str, Ratio] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization": self.slug,
            "name": self.name,
            "active_members": self.members,
            "daily_active": self.daily_active.as_dict(),
            "monthly_active": self.monthly_active.as_dict(),
            "feature_usage": self.feature_usage.as_dict(),
            "features_used": self.features_used,
            "features_unused": self.features_unused,
            "task_completion": self.task_completion.as_dict(),
            "tasks": {key: ratio.as_dict() for key, ratio in sorted(self.tasks.items())},
            "error_rate": self.error_rate.as_dict(),
            "api_p95_ms": _ms(self.api_p95_ms),
            "page_load_p75_ms": _ms(self.page_load_p75_ms),
        }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def window(start: date | None, end: date | None, *, default_days: int = 30) -> tuple[date, date]:
    """The window's first and last day (both included): the last `default_days` days by
    default; refused (ValueError) when reversed or longer than the data is kept."""
    end = end or timezone.localdate()
    start = start or end - timedelta(days=default_days - 1)
    if start > end:
        raise ValueError("The window's start is after its end.")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"A window is at most {MAX_DAYS} days (usage is kept two years).")
    return start, end


def weekdays(start: date, end: date) -> list[date]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    working = [d for d in days if d.weekday() < 5]
    return working or days


def active_members(organization_ids: list[int]) -> dict[int, int]:
    """Active members of active accounts, per organization."""
    with all_organizations():
        rows = (
            Membership.all_orgs.filter(
                organization_id__in=organization_ids, is_active=True, user__is_active=True
            )
            .order_by()
            .values_list("organization_id")
            .annotate(n=Sum(1))
        )
        counts = {int(org): int(n) for org, n in rows}
    return {org: counts.get(org, 0) for org in organization_ids}


def _task_keys() -> list[str]:
    return [f.key for m in modules.all_modules() for f in m.features if f.starts]


def _tasks(org_ids: list[int], start: date, end: date) -> dict[tuple[int, str], tuple[int, int]]:
    """(organization, task) -> (started, completed), completions capped per user and day."""
    keys = _task_keys()
    if not keys or not org_ids:
        return {}
    q = connection.ops.quote_name
    table = q(UsageDay._meta.db_table)
    names = keys + [k + START_SUFFIX for k in keys]
    key_marks = ", ".join(["%s"] * len(names))
    org_marks = ", ".join(["%s"] * len(org_ids))
    is_start = "feature LIKE %s"
    # One pass over the window's task rows: per user and day, starts and completions; then the
    # completions that had a start, per organization and task. Our own table name, quoted; the
    # values are parameters.
    sql = f"""
        SELECT organization_id, task, SUM(starts), SUM(CASE WHEN done < starts THEN done ELSE starts END)
        FROM (
            SELECT organization_id, user_id, day, REPLACE(feature, %s, '') AS task,
                   SUM(CASE WHEN {is_start} THEN count ELSE 0 END) AS starts,
                   SUM(CASE WHEN {is_start} THEN 0 ELSE count END) AS done
            FROM {table}
            WHERE day >= %s AND day <= %s AND feature IN ({key_marks})
              AND organization_id IN ({org_marks})
            GROUP BY organization_id, user_id, day, REPLACE(feature, %s, '')
        ) AS per_day
        WHERE starts > 0
        GROUP BY organization_id, task
    """  # noqa: S608, E501
    like = "%" + START_SUFFIX
    params: list[Any] = [START_SUFFIX, like, like, start, end, *names, *org_ids, START_SUFFIX]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (int(org), str(task)): (int(started), int(done))
            for org, task, started, done in cursor.fetchall()
        }


def _page_loads(org_ids: list[int] | None, start: date, end: date) -> dict[Any, list[int]]:
    """Per-bucket LCP counts per organization and per (None, route) for the pages, from the
    window's rows summed per organization and page in the database."""
    rows = PageLoadDay.objects.filter(day__gte=start, day__lte=end)
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    sums = {name: Sum(name) for name in PAGE_LOAD_FIELDS}
    out: dict[Any, list[int]] = defaultdict(lambda: [0] * len(PAGE_LOAD_FIELDS))
    for org, route, *buckets in (
        rows.order_by().values_list("organization_id", "route").annotate(**sums)
    ):
        for key in (int(org), (None, route)):
            acc = out[key]
            for i, n in enumerate(buckets):
                acc[i] += int(n or 0)
    return out


def _p75(buckets: list[int] | None) -> float | None:
    if not buckets or not sum(buckets):
        return None
    return selectors.latency_quantile(buckets, 0.75, PAGE_LOAD_EDGES_MS)


def usage_metrics(
    *,
    organization_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    groups: dict[str, list[int]] | None = None,
    request_days: RequestDays | None = None,
) -> dict[str, Any]:
    """The metrics of the window for the given organizations (every active one by default):
    `organizations` (one dict each), `overall` (the same figures over all of them),
    `pages` (LCP p75 per page) and `daily` (active users per day, for a chart). `groups`
    (a name: organization ids) adds `groups`, the overall figures of each group's
    organizations, from the same reads. `request_days`: the same window's request counts when
    the caller has read them already (the console's charts read them too)."""
    start, end = window(start, end)
    orgs = Organization.objects.filter(is_active=True).order_by("name")
    if organization_ids is not None:
        orgs = orgs.filter(pk__in=organization_ids)
    org_list = list(orgs)
    ids = [int(o.pk) for o in org_list]
    result: dict[int, OrgUsage] = {
        int(o.pk): OrgUsage(organization_id=int(o.pk), slug=o.slug, name=o.name) for o in org_list
    }
    members = active_members(ids)
    days = weekdays(start, end)
    usage = UsageDay.objects.filter(day__gte=start, day__lte=end, organization_id__in=ids)

    # Adoption: active users per organization and day, and in the whole window.
    per_day: dict[int, dict[date, int]] = defaultdict(dict)
    daily_total: dict[date, int] = defaultdict(int)
    for org, day, n in (
        usage.filter(feature=ACTIVE)
        .order_by()
        .values_list("organization_id", "day")
        .annotate(n=Sum(1))
    ):
        per_day[int(org)][day] = int(n)
        daily_total[day] += int(n)
    distinct_users = _distinct_users(ids, start, end)

    # Feature usage: which features each organization used.
    used: dict[int, set[str]] = defaultdict(set)
    for org, feature in (
        usage.exclude(feature=ACTIVE)
        .exclude(feature__endswith=START_SUFFIX)
        .order_by()
        .values_list("organization_id", "feature")
        .distinct()
    ):
        used[int(org)].add(feature)

    tasks = _tasks(ids, start, end)
    if request_days is None or not request_days.covers(ids, start, end):
        request_days = read_request_days(ids, start, end)
    requests, api = request_days.per_organization()
    loads = _page_loads(ids, start, end)

    for org in org_list:
        u = result[int(org.pk)]
        u.members = members.get(u.organization_id, 0)
        on_days = per_day.get(u.organization_id, {})
        u.daily_active = Ratio(sum(on_days.get(d, 0) for d in days) / len(days), float(u.members))
        u.monthly_active = Ratio(float(distinct_users.get(u.organization_id, 0)), float(u.members))
        enabled = [
            f.key
            for m in modules.all_modules()
            if modules.is_module_enabled(org, m.key)
            for f in m.features
        ]
        u.features_used = [k for k in enabled if k in used.get(u.organization_id, set())]
        u.features_unused = [k for k in enabled if k not in used.get(u.organization_id, set())]
        u.feature_usage = Ratio(float(len(u.features_used)), float(len(enabled)))
        task_keys = {f.key for m in modules.all_modules() for f in m.features if f.starts}
        u.tasks = {
            task: Ratio(float(done), float(started))
            for (o, task), (started, done) in tasks.items()
            if o == u.organization_id and task in task_keys
        }
        u.task_completion = Ratio(
            sum(r.part for r in u.tasks.values()), sum(r.whole for r in u.tasks.values())
        )
        stats = requests.get(u.organization_id, selectors.WindowStats())
        u.error_rate = Ratio(float(stats.errors), float(stats.count))
        api_stats = api.get(u.organization_id)
        u.api_p95_ms = api_stats.p95_ms if api_stats and api_stats.count else None
        u.page_load_p75_ms = _p75(loads.get(u.organization_id))

    overall = _overall(list(result.values()), requests, api, loads, days, daily_total)
    by_group = {}
    for name, members_ids in (groups or {}).items():
        chosen = [i for i in members_ids if i in result]
        group_daily: dict[date, int] = defaultdict(int)
        for i in chosen:
            for day, n in per_day.get(i, {}).items():
                group_daily[day] += n
        by_group[name] = _overall(
            [result[i] for i in chosen],
            {i: s for i, s in requests.items() if i in chosen},
            {i: s for i, s in api.items() if i in chosen},
            {k: b for k, b in loads.items() if isinstance(k, int) and k in chosen},
            days,
            group_daily,
        )
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "weekdays": len(days),
        "overall": overall,
        "organizations": [result[int(o.pk)].as_dict() for o in org_list],
        **({"groups": by_group} if groups is not None else {}),
        "pages": sorted(
            (
                {"page": key[1], "lcp_p75_ms": _ms(_p75(buckets)), "loads": sum(buckets)}
                for key, buckets in loads.items()
                if isinstance(key, tuple)
            ),
            key=lambda row: row["page"],
        ),
        "daily": [
            {"day": d.isoformat(), "active_users": daily_total.get(d, 0)}
            for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
        ],
    }


def _distinct_users(org_ids: list[int], start: date, end: date) -> dict[int, int]:
    rows = (
        UsageDay.objects.filter(
            day__gte=start, day__lte=end, organization_id__in=org_ids, feature=ACTIVE
        )
        .order_by()
        .values_list("organization_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {int(org): int(n) for org, n in rows}


def _overall(
    rows: list[OrgUsage],
    requests: dict[int, selectors.WindowStats],
    api: dict[int, selectors.WindowStats],
    loads: dict[Any, list[int]],
    days: list[date],
    daily_total: dict[date, int],
) -> dict[str, Any]:
    members = sum(r.members for r in rows)
    api_buckets = [0] * len(selectors.BUCKET_FIELDS)
    for stats in api.values():
        for i, n in enumerate(stats.buckets):
            api_buckets[i] += n
    load_buckets = [0] * len(PAGE_LOAD_FIELDS)
    for key, buckets in loads.items():
        if isinstance(key, int):
            for i, n in enumerate(buckets):
                load_buckets[i] += n
    return {
        "organizations": len(rows),
        "active_members": members,
        "daily_active": Ratio(
            sum(daily_total.get(d, 0) for d in days) / len(days), float(members)
        ).as_dict(),
        "monthly_active": Ratio(sum(r.monthly_active.part for r in rows), float(members)).as_dict(),
        "feature_usage": Ratio(
            sum(r.feature_usage.part for r in rows), sum(r.feature_usage.whole for r in rows)
        ).as_dict(),
        "task_completion": Ratio(
            sum(r.task_completion.part for r in rows), sum(r.task_completion.whole for r in rows)
        ).as_dict(),
        "error_rate": Ratio(
            float(sum(s.errors for s in requests.values())),
            float(sum(s.count for s in requests.values())),
        ).as_dict(),
        "api_p95_ms": _ms(
            selectors.latency_quantile(api_buckets, 0.95) if sum(api_buckets) else None
        ),
        "page_load_p75_ms": _ms(_p75(load_buckets)),
    }
