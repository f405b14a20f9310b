"""The load test's data: `python -m bench.load.prepare OUT.json --orgs 34 --scale 1 --users 300`.

Run against the database in DATABASE_URL (migrated). It makes:

* the organizations and their ledgers with ``ifm generate_data`` (the same arguments, the same
  data; organizations already generated are skipped);
* in each organization one person of each role (each app's demo step needs them) and then more
  finance, fundraising and staff people until there are ``--users`` in all; admins and finance
  people sign in with an authenticator app (the organization requires it for those roles), so
  each gets a TOTP secret;
* each app's demo data for each organization (donors, gifts, bills, a bank account with a
  statement: the steps of ``ifm seed_demo`` but the volunteers'), with ``--donors`` donors;
* an API token for everyone whose role may have one, and statement and donation files to
  import.

Then it writes OUT.json: the people (email, password, role, organization, TOTP secret,
token) and, per organization, the ids the simulated people use (accounts, funds, donors, bank
account). Running it again with the same arguments only rewrites OUT.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

PASSWORD = "load-pass-2026"  # noqa: S105  (a load-test database's own users)
# Beyond the one person of each role, who the other people of an organization are (in turn).
EXTRA_ROLES = ("fundraising", "finance", "staff", "fundraising", "staff", "finance", "viewer")
TWO_FACTOR_ROLES = ("admin", "finance")
STATEMENT_FILES = 6  # per organization: a finance person imports the next one
STATEMENT_LINES = 40
DONATION_FILES = 4  # per organization: a fundraiser imports the next one
DONATION_ROWS = 60
# Each app's demo data the simulated people work with (volunteers' is left out: it takes long
# to make and no one here uses it).
DEMO_STEPS = ("ledger", "donors", "expenses", "banking", "reports")


@dataclass(frozen=True)
class Options:
    orgs: int
    scale: float
    users: int
    donors: int
    years: int = 5
    prefix: str = "load"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifm.settings")
    import django

    django.setup()


def _generate(opts: Options) -> None:
    from django.core.management import call_command

    call_command(
        "generate_data",
        orgs=opts.orgs,
        scale=opts.scale,
        years=opts.years,
        first_year=date.today().year - opts.years + 1,
        prefix=opts.prefix,
        stdout=io.StringIO(),
    )


def _roles_per_org(opts: Options) -> list[list[str]]:
    """Each organization's people by role: one of each, then the extra roles dealt round."""
    from ifm.tenancy.roles import Role

    people = [[role.value for role in Role] for _ in range(opts.orgs)]
    extra = max(0, opts.users - sum(len(p) for p in people))
    for i in range(extra):
        people[i % opts.orgs].append(EXTRA_ROLES[(i // opts.orgs) % len(EXTRA_ROLES)])
    return people


def _person(org: Any, role: str, n: int, secrets_by_email: dict[str, str]) -> dict[str, Any]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    from ifm.accounts.services import membership_set

    User = get_user_model()
    email = f"{role}-{n}@{org.slug}.load"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=PASSWORD, full_name=f"{role} {n}")
    membership_set(organization=org, user=user, role=role)
    secret = ""
    if role in TWO_FACTOR_ROLES:
        secret = secrets_by_email.get(email, "")
        if not secret or not Authenticator.objects.filter(user=user).exists():
            Authenticator.objects.filter(user=user).delete()
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
    return {"email": email, "role": role, "org": org.slug, "totp": secret, "user": user}


def _token(org: Any, person: dict[str, Any]) -> str:
    from ifm.accounts.models import ApiToken
    from ifm.accounts.services import api_token_create
    from ifm.tenancy.permissions import has_perm
    from ifm.tenancy.selectors import access_for

    _org, access = access_for(person["user"], org.slug)
    if access is None or not has_perm(access, "tokens.manage"):
        return ""
    ApiToken.objects.filter(user=person["user"], name="load test").delete()
    _token_row, secret = api_token_create(
        organization=org, user=person["user"], access=access, name="load test"
    )
    return secret


def _ids(org: Any) -> dict[str, Any]:
    """What the simulated people pick from, read once here so the load is only their work."""
    from ifm.banking.models import BankAccount
    from ifm.donors.models import Donor
    from ifm.expenses.models import ExpenseCategory
    from ifm.ledger.models import Account, Fund

    def account(code: str) -> int:
        return Account.objects.values_list("pk", flat=True).get(number=code)

    bank = BankAccount.objects.filter(is_archived=False).order_by("pk").first()
    return {
        "slug": org.slug,
        "cash_account": account("1010"),
        "savings_account": account("1070"),
        "insurance_account": account("8520"),
        "general_fund": Fund.objects.values_list("pk", flat=True).get(is_general=True),
        "donors": list(Donor.objects.order_by("pk").values_list("pk", flat=True)[:500]),
        "bank_account": bank.pk if bank else None,
        "expense_categories": list(ExpenseCategory.objects.values_list("pk", flat=True)[:10]),
    }


def _statement_files(org: Any, out: Path) -> list[str]:
    from ifm.banking.demo import ACCOUNT_NUMBER
    from ifm.banking.statements.generate import ofx_bytes
    from ifm.banking.statements.types import ParsedLine

    rng = random.Random(org.slug)
    names = []
    start = date.today() - timedelta(days=STATEMENT_FILES * 7)
    for n in range(STATEMENT_FILES):
        lines = [
            ParsedLine(
                date=start + timedelta(days=n * 7 + i % 7),
                amount=Decimal(rng.randint(-90000, 120000)) / 100 or Decimal("1.00"),
                payee=rng.choice(("Grocer", "City Water", "Payroll", "Deposit", "Printer")),
                memo=f"Load line {n}-{i}",
                bank_id=f"LOAD-{n}-{i}",
            )
            for i in range(STATEMENT_LINES)
        ]
        path = out / f"{org.slug}-statement-{n}.ofx"
        path.write_bytes(ofx_bytes(lines, account_number=ACCOUNT_NUMBER, currency=org.currency))
        names.append(str(path))
    return names


def _donation_files(org: Any, ids: dict[str, Any], out: Path) -> list[str]:
    from ifm.donors.models import Donor

    emails = list(
        Donor.objects.filter(pk__in=ids["donors"][:200])
        .exclude(email="")
        .values_list("email", flat=True)
    )
    rng = random.Random(org.slug + "gifts")
    names = []
    for n in range(DONATION_FILES):
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["Email", "Amount", "Date", "Method", "Fund"])
        for _ in range(DONATION_ROWS):
            writer.writerow(
                [
                    rng.choice(emails),
                    f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}",
                    (date.today() - timedelta(days=rng.randint(1, 60))).isoformat(),
                    rng.choice(("Check", "Cash", "Online")),
                    "GEN",
                ]
            )
        path = out / f"{org.slug}-donations-{n}.csv"
        path.write_text(buf.getvalue())
        names.append(str(path))
    return names


def prepare(opts: Options, out: Path, log: Any = print) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from ifm.core.org_context import org_context
    from ifm.orgs.demo import seed_organization
    from ifm.tenancy.models import Organization

    started = time.monotonic()
    _generate(opts)
    log(f"  organizations and ledgers ready ({time.monotonic() - started:.0f} s)")
    files = out.parent / "files"
    files.mkdir(parents=True, exist_ok=True)
    old = json.loads(out.read_text()) if out.exists() else {"people": []}
    secrets_by_email = {p["email"]: p["totp"] for p in old["people"] if p.get("totp")}
    slugs = [f"{opts.prefix}-{i:02d}" for i in range(1, opts.orgs + 1)]
    orgs = list(Organization.objects.filter(slug__in=slugs).order_by("slug"))
    Organization.objects.filter(pk__in=[o.pk for o in orgs]).update(
        require_2fa_for_admin_finance=True
    )
    people: list[dict[str, Any]] = []
    orgs_out = []
    for org, roles in zip(orgs, _roles_per_org(opts), strict=True):
        org.refresh_from_db()
        with org_context(org):
            counts: dict[str, int] = {}
            mine = []
            for role in roles:
                counts[role] = counts.get(role, 0) + 1
                mine.append(_person(org, role, counts[role], secrets_by_email))
            first = {p["role"]: p["user"] for p in reversed(mine)}
            seed_organization(org, first, donors=opts.donors, only=DEMO_STEPS)
            for person in mine:
                person["token"] = _token(org, person)
            ids = _ids(org)
            ids["statements"] = _statement_files(org, files)
            ids["donation_files"] = _donation_files(org, ids, files)
        orgs_out.append(ids)
        people.extend(mine)
        log(f"  {org.slug}: {len(mine)} people, {len(ids['donors'])} donors")
    for person in people:
        del person["user"]
    data = {
        "password": PASSWORD,
        "orgs": orgs_out,
        "people": people,
        "tax_year": date.today().year - 1,
        "users": get_user_model().objects.count(),
    }
    out.write_text(json.dumps(data, indent=1))
    log(f"  data ready in {time.monotonic() - started:.0f} s: {len(people)} people")
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--orgs", type=int, default=34)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--donors", type=int, default=200)
    args = parser.parse_args(argv)
    _setup_django()
    opts = Options(orgs=args.orgs, scale=args.scale, users=args.users, donors=args.donors)
    prepare(opts, args.out)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
