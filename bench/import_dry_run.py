"""Time and peak memory of a donation-file dry run in the web process.

    DATABASE_URL=sqlite:///var/bench.sqlite3 python -m bench.import_dry_run [rows]

Makes an organization if there is none, generates a CSV of `rows` donations (290,000 by
default, about 14 MB) and posts it to /api/v1/imports as a dry run, as a client would, three
times after a small warm-up request (the first request of a process imports the URL modules,
which is not the import's cost). Prints each request's wall time and status, and the
process's peak resident memory before and after.
"""

from __future__ import annotations

import os
import resource
import sys
import time


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 290_000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifm.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from ifm.accounts.models import User
    from ifm.accounts.services import membership_set
    from ifm.core.org_context import all_organizations, org_context
    from ifm.core.tests.api_helpers import api_client_for
    from ifm.orgs.services import organization_create
    from ifm.tenancy.models import Membership, Organization
    from ifm.tenancy.roles import Role

    call_command("migrate", verbosity=0)
    with all_organizations():
        org = Organization.objects.filter(slug="bench-imports").first()
        user = User.objects.filter(email="bench-imports@example.org").first()
        if user is None:
            user = User.objects.create_user(email="bench-imports@example.org")
        if org is None:
            org = organization_create(name="Bench imports", slug="bench-imports")
        if not Membership.all_orgs.filter(user=user, organization=org).exists():
            membership_set(organization=org, user=user, role=Role.ADMIN)
    lines = ["Gift ID,Email,Gift Amount,Gift date,Payment type"]
    lines += [
        f"G-{i},p{i % 5000}@example.org,{i % 900 + 5}.00,2026-01-15,cash" for i in range(rows)
    ]
    data = ("\n".join(lines) + "\n").encode()
    del lines
    with org_context(org):
        client = api_client_for(user, org)
    warm = client.post(
        "/api/v1/imports",
        {"kind": "donations", "file": SimpleUploadedFile("warm.csv", data[:2000] + b"\n")},
    )
    assert warm.status_code == 200, warm.content
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(3):
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/imports",
            {"kind": "donations", "file": SimpleUploadedFile("bench.csv", data)},
        )
        times.append(time.perf_counter() - started)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"rows={rows} bytes={len(data)} status={answer.status_code}")
    print(
        "request " + ", ".join(f"{t:.2f}" for t in times) + f" s (best {min(times):.2f} s); "
        f"peak RSS {before / 1024:.0f} MB before, {after / 1024:.0f} MB after"
    )


if __name__ == "__main__":
    main()
