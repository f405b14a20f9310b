"""The database is out of reach for a moment: answer 503 with Retry-After, not a 500 page.

PostgreSQL restarting, a failover, a network blip, a pool full or a statement cancelled by its
timeout raise `OperationalError` (or `InterfaceError` on a connection already lost). Such a
request changed nothing (its transaction never committed), so the honest answer is "try again
in a few seconds": 503 with `Retry-After`, as an RFC 9457 problem for the API and a short page
for a browser. Django drops the broken connection when the request ends (`CONN_HEALTH_CHECKS`),
and the next request opens a new one, so the app recovers by itself once the database is back.

Errors that are not about reaching the database (a missing table, a syntax error) stay 500s.
"""

from __future__ import annotations

import sqlite3
import sys
from http import HTTPStatus

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from ifm.core.problems import problem_response

RETRY_AFTER_SECONDS = 5

# PostgreSQL SQLSTATEs that mean "not now" rather than "never": connection exceptions (08),
# operator intervention (57: shutdown, crash recovery, cannot connect now, statement timeout),
# insufficient resources (53: too many connections, out of memory or disk), serialization
# failure and deadlock (40001, 40P01), lock not available (55P03).
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "57", "53", "40001", "40P01", "55P03")

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back in a moment · IFM</title></head>
<body>
<main>
  <h1>Back in a moment</h1>
  <p>The database is not answering right now (it may be restarting). Nothing you sent in the
     last step was saved. Please try again in a few seconds.</p>
  <p><a href="">Try again</a></p>
</main>
</body>
</html>
"""


def database_unavailable(exc: BaseException | None) -> bool:
    """The exception says the database could not be reached or could not answer now. Django
    wraps the driver's errors; code that runs SQL on the driver's own cursor raises them raw."""
    if isinstance(exc, InterfaceError | psycopg.InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        cause = exc.__cause__
    elif isinstance(exc, psycopg.OperationalError):
        cause = exc
    else:
        return False
    if isinstance(cause, sqlite3.OperationalError):
        return "locked" in str(cause) or "busy" in str(cause)
    if isinstance(cause, psycopg.OperationalError):
        # No SQLSTATE: the client lost or could not open its connection.
        sqlstate = cause.sqlstate
        return sqlstate is None or sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES)
    return False


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: a problem document under /api/, a short page elsewhere."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return problem_response(
            request,
            HTTPStatus.SERVICE_UNAVAILABLE,
            "The database is not answering right now; nothing was saved. Send the request "
            f"again after {RETRY_AFTER_SECONDS} seconds (with the same Idempotency-Key).",
            problem="service-unavailable",
            headers=headers,
        )
    response = HttpResponse(_PAGE, status=HTTPStatus.SERVICE_UNAVAILABLE)
    for name, value in headers.items():
        response[name] = value
    return response


# The failed request's id, kept for an hour so the Help form can name the error (support).
LAST_ERROR_COOKIE = "ifm_last_error"
LAST_ERROR_MAX_AGE = 60 * 60


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: Django calls it while handling the uncaught exception, from a view or a
    middleware (a session read, say), so the exception is at hand in `sys.exc_info()`.

    The page shows the request's id (the one in the log line) and links to the Help form, and
    a cookie remembers it, so a ticket opened afterwards carries it without copying."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    request_id = str(getattr(request, "request_id", "") or "")
    try:
        # A plain context: no context processor (the session, the user) runs on a broken request.
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # the page must not fail in its turn: Django's own plain answer
        return defaults.server_error(request)
    response = HttpResponseServerError(body)
    if request_id:
        response.set_cookie(
            LAST_ERROR_COOKIE,
            request_id,
            max_age=LAST_ERROR_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def limit_web_statements() -> None:
    """In a web process (ifm/wsgi.py), before any connection opens: every PostgreSQL statement
    is cancelled after DB_STATEMENT_TIMEOUT seconds (0: never), so a request on a database that
    stopped answering ends as a 503 instead of holding its worker until gunicorn kills it."""
    seconds = int(getattr(settings, "DB_STATEMENT_TIMEOUT", 0))
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if seconds <= 0 or settings_dict["ENGINE"] != "django.db.backends.postgresql":
            continue
        options = settings_dict.setdefault("OPTIONS", {})
        if "statement_timeout" not in str(options.get("options", "")):
            options["options"] = f"{options.get('options', '')} -c statement_timeout={seconds}s"
            options["options"] = options["options"].strip()
