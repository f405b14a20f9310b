"""Real concurrent sign-ups and cancellations for one shift: threads, each with its own
database connection (Django's connections are per thread), released together by a barrier.
Used by the concurrency tests and by `make bench` (bench/volunteers.py).

While they run, a watcher counts the shift's confirmed sign-ups over and over from its own
connection: the largest count it ever saw is reported, so an overbooking that a later
cancellation would hide is caught too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.volunteers.models import Shift, SignUp, SignUpStatus, Volunteer
from ifm.volunteers.signups import services

WATCH_EVERY_S = 0.02


@dataclass
class RaceResult:
    statuses: list[str] = field(default_factory=list)  # of each sign-up made, as answered
    refusals: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # anything else: a bug or a deadlock
    cancelled: int = 0
    promoted: int = 0
    max_confirmed_seen: int = 0
    seconds: float = 0.0
    final: dict[str, int] = field(default_factory=dict)


def _counts(shift: Shift) -> dict[str, int]:
    rows = SignUp.objects.filter(shift_id=shift.pk).values_list("status", flat=True)
    final = dict.fromkeys(SignUpStatus.values, 0)
    for status in rows:
        final[status] += 1
    return final


def race(
    *,
    who: dict[str, Any],
    shift: Shift,
    volunteers: Sequence[Volunteer],
    cancel: Sequence[SignUp] = (),
    workers: int = 40,
) -> RaceResult:
    """Sign every volunteer up for the shift and cancel every sign-up in `cancel`, from
    `workers` threads at once; `who` is the service arguments (organization, actor, access).
    The caller's own transaction must not hold the rows (use a transactional test database)."""
    organization = who["organization"]

    def signing(volunteer: Volunteer) -> Callable[[], tuple[str, Any]]:
        return lambda: ("signup", services.sign_up(**who, shift=shift, volunteer=volunteer))

    def cancelling(signup: SignUp) -> Callable[[], tuple[str, Any]]:
        return lambda: ("cancel", services.cancel(**who, signup=signup))

    jobs = [signing(v) for v in volunteers] + [cancelling(s) for s in cancel]
    # Interleave cancellations with sign-ups, so they really meet.
    step = max(len(jobs) // max(len(cancel), 1), 1)
    if cancel:
        signups_only, cancels = jobs[: len(volunteers)], jobs[len(volunteers) :]
        jobs = []
        for i, job in enumerate(signups_only):
            jobs.append(job)
            if i % step == 0 and cancels:
                jobs.append(cancels.pop())
        jobs += cancels
    result = RaceResult()
    lock = threading.Lock()
    workers = max(1, min(workers, len(jobs)))
    barrier = threading.Barrier(workers + 1)
    done = threading.Event()

    def work(mine: list[Callable[[], Any]]) -> None:
        try:
            barrier.wait()
            for job in mine:
                try:
                    kind, answer = job()
                except ServiceError as exc:
                    with lock:
                        result.refusals.append(exc.message)
                    continue
                except Exception as exc:
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                with lock:
                    if kind == "signup":
                        result.statuses.append(answer.status)
                    else:
                        result.cancelled += 1
                        result.promoted += len(answer)
        finally:
            connections.close_all()

    def watch() -> None:
        try:
            with org_context(organization):
                while not done.is_set():
                    seen = SignUp.objects.filter(
                        shift_id=shift.pk, status=SignUpStatus.CONFIRMED
                    ).count()
                    result.max_confirmed_seen = max(result.max_confirmed_seen, seen)
                    # Often enough to catch a passing overbooking, seldom enough not to
                    # slow the racers down (they share the machine's cores with it).
                    time.sleep(WATCH_EVERY_S)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(jobs[i::workers],), daemon=True) for i in range(workers)
    ]
    watcher = threading.Thread(target=watch, daemon=True)
    for t in threads:
        t.start()
    watcher.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=120)
    result.seconds = time.perf_counter() - start
    done.set()
    watcher.join(timeout=10)
    with org_context(organization):
        result.final = _counts(shift)
        seen = result.final[SignUpStatus.CONFIRMED]
    result.max_confirmed_seen = max(result.max_confirmed_seen, seen)
    return result
