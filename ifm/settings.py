"""One settings module, configured by environment variables (see docs/configuration.md)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ifm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("IFM_VAR_DIR", str(BASE_DIR / "var")))

# IFM_ENV: "development" (the default, for `make run`), "test" or "production".
IFM_ENV = env_str("IFM_ENV", "development")
if IFM_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"Environment variable IFM_ENV={IFM_ENV!r} must be development, test or production."
    )
PRODUCTION = IFM_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when IFM_ENV=production.")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when IFM_ENV=production."
        )
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth, so our account/ and mfa/ templates override allauth's.
    "ifm.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # So the API docs page uses Ninja's own templates and static files (no CDN, no inline JS).
    "ninja",
    "ifm.core",
    "ifm.tenancy",
    "ifm.audit",
    "ifm.orgs",
    "ifm.ledger",
    "ifm.expenses",
    "ifm.donors",
    "ifm.banking",
    "ifm.volunteers",
    "ifm.reports",
    "ifm.support",
    "ifm.ops",
    "ifm.ops.backups",
    "ifm.support.help",
    "ifm.rollout",
]

MIDDLEWARE = [
    "ifm.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ifm.ops.middleware.CSPMiddleware",
    "ifm.ops.middleware.DebugPagesMiddleware",
    # After the security headers (its answers carry them), before anything reads the database.
    "ifm.core.input_guard.InputGuardMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Maintenance mode: after authentication (platform staff get through), before the rest.
    "ifm.ops.maintenance.middleware.MaintenanceMiddleware",
    "ifm.accounts.middleware.SessionIdleTimeoutMiddleware",
    "ifm.accounts.twofactor.SecondFactorSessionMiddleware",
    # A browser in kiosk mode reaches only the check-in kiosk of its organization.
    "ifm.volunteers.kiosk.middleware.KioskMiddleware",
    "ifm.tenancy.middleware.TenantMiddleware",
    "ifm.accounts.twofactor.TwoFactorRequiredMiddleware",
    # Axes last, so a lockout answers after everything else has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ifm.urls"
WSGI_APPLICATION = "ifm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ifm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ifm.tenancy.context_processors.tenancy",
            ],
        },
    }
]

# Database: SQLite under var/ by default; DATABASE_URL switches (postgres://...).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ifm.sqlite3'}")
try:
    _db = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    )
except Exception as exc:  # dj_database_url raises several types for a bad URL
    raise ImproperlyConfigured(
        f"Environment variable DATABASE_URL is not a valid database URL: {exc}"
    ) from exc
if _db["ENGINE"] not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    raise ImproperlyConfigured(
        f"Environment variable DATABASE_URL names an unsupported database ({_db['ENGINE']}): "
        "use sqlite:///path or postgres://user@host:port/name."
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] not in {":memory:", ""}:
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = False
else:
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("TEST", {})
# Database faults (docs/deploy.md, "Faults"): a database that accepts connections but never
# answers makes a connection attempt give up after DB_CONNECT_TIMEOUT seconds, and a web
# request's statement after DB_STATEMENT_TIMEOUT seconds (ifm/wsgi.py applies it to web
# processes only: jobs and migrations may run long statements). Both then answer 503.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5, minimum=2)
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 30, minimum=0)
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})["connect_timeout"] = DB_CONNECT_TIMEOUT
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (Index(include=...)) serve PostgreSQL's index-only reads of the ledger; SQLite
# keeps the index without the included columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The role the app runs its queries as on PostgreSQL (row-level security applies to it).
DB_APP_ROLE = env_str("DB_APP_ROLE", "ifm_app")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# allauth: email sign-in, no open sign-up (people join by invitation), TOTP + recovery codes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_ADAPTER = "ifm.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": None}  # lockout is django-axes' job
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "IFM"
MFA_ADAPTER = "ifm.accounts.adapter.MFAAdapter"
MFA_FORMS = {
    "activate_totp": "ifm.accounts.forms.ActivateTOTPForm",
    "authenticate": "ifm.accounts.forms.SecondFactorForm",
    "reauthenticate": "ifm.accounts.forms.SecondFactorReauthenticateForm",
}
# Wrong authenticator codes allowed in one half-finished sign-in before the password step comes
# again; each also counts as a failed sign-in of the account (the lockout below).
SECOND_FACTOR_ATTEMPTS = env_int("SECOND_FACTOR_ATTEMPTS", 3, minimum=1)

# Lockout (django-axes): per account and per IP, cleared by an admin.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "ifm.accounts.lockout.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ifm.accounts.lockout.lockout_response"
# The client address: behind TRUSTED_PROXY_COUNT proxies (nginx in docs/deploy.md is one), read
# from X-Forwarded-For as the proxies wrote it, never from what the client sent.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
AXES_CLIENT_IP_CALLABLE = "ifm.core.request_context.client_ip"

# Sessions: expire after inactivity.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1) * 60
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
INVITATION_TTL_HOURS = env_int("INVITATION_TTL_HOURS", 72, minimum=1)

# Email: console in development, SMTP from EMAIL_URL-style settings in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "IFM <no-reply@infocusministries.org>")

# Background jobs: django-tasks with its database backend, run by `ifm db_worker`.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A running job whose worker has not renewed its lease (heartbeat) for this long is taken to be
# dead: `ifm worker` marks it failed, and the retry policy queues it again or gives up.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 300, minimum=10)
# /readyz reports the job queue "behind" when a job has waited longer than this to start.
JOB_QUEUE_MAX_AGE_SECONDS = env_int("JOB_QUEUE_MAX_AGE_SECONDS", 300, minimum=1)
# Backups (docs/ops/runbook.md): where `ifm backup` and the worker's daily backup write (a
# directory or s3://bucket/prefix), and the key that encrypts them (none: not encrypted).
BACKUP_DESTINATION = env_str("BACKUP_DESTINATION", str(VAR_DIR / "backups"))
BACKUP_ENCRYPTION_KEY = env_str("BACKUP_ENCRYPTION_KEY", "")
# The worker runs a backup when the last good one is this old, and a restore check likewise.
BACKUP_EVERY_HOURS = env_int("BACKUP_EVERY_HOURS", 24, minimum=0)
BACKUP_VERIFY_EVERY_DAYS = env_int("BACKUP_VERIFY_EVERY_DAYS", 7, minimum=0)
# A PostgreSQL database that restore checks empty and use, where the role may not create one.
BACKUP_VERIFY_DATABASE_URL = env_str("BACKUP_VERIFY_DATABASE_URL", "")

# Monitoring (docs/ops/monitoring.md). /metrics answers only with this bearer token; unset, it
# is a 404. Request counts are written to the database at most every REQUEST_FLUSH_SECONDS.
METRICS_TOKEN = env_str("METRICS_TOKEN")
REQUEST_FLUSH_SECONDS = env_int("REQUEST_FLUSH_SECONDS", 10, minimum=0)
# Alerts (evaluated every minute by a job) go by email to ALERT_EMAILS (comma-separated) and
# as Slack-compatible JSON to ALERT_WEBHOOK_URL; either, both or none.
ALERT_EMAILS = env_list("ALERT_EMAILS", [])
ALERT_WEBHOOK_URL = env_str("ALERT_WEBHOOK_URL")
# Thresholds other than the seed's (ifm.ops.alerts.Thresholds names them), e.g. {"p95_ms": 800}.
ALERT_THRESHOLDS: dict[str, float] = {}
# Support (docs/support.md): holidays the business-hours SLA clocks skip (ISO dates,
# comma-separated), the on-call address of each tier (breach notices), and the address whose
# mail `ifm support_inbound_email` reads.
SUPPORT_HOLIDAYS = env_list("SUPPORT_HOLIDAYS", [])
for _holiday in SUPPORT_HOLIDAYS:
    try:
        date.fromisoformat(_holiday)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable SUPPORT_HOLIDAYS: {_holiday!r} is not a date like 2026-12-25."
        ) from None
SUPPORT_ON_CALL = {
    1: env_list("SUPPORT_ON_CALL_TIER1", []),
    2: env_list("SUPPORT_ON_CALL_TIER2", []),
    3: env_list("SUPPORT_ON_CALL_TIER3", []),
}
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@infocusministries.org")
# Imports: files up to this size are checked in the request, larger ones by a job with
# progress; an XLSX workbook may unzip to at most this many MB.
IMPORT_INLINE_CHECK_KB = env_int("IMPORT_INLINE_CHECK_KB", 256, minimum=0)
IMPORT_XLSX_MAX_MB = env_int("IMPORT_XLSX_MAX_MB", 50, minimum=1)
# Bank statement files: at most this many MB and lines; a file over the inline size or line
# count is imported by a job with a progress page (the API imports every file in the request).
BANKING_IMPORT_MAX_MB = env_int("BANKING_IMPORT_MAX_MB", 20, minimum=1)
BANKING_IMPORT_MAX_LINES = env_int("BANKING_IMPORT_MAX_LINES", 200_000, minimum=1)
BANKING_IMPORT_INLINE_KB = env_int("BANKING_IMPORT_INLINE_KB", 1024, minimum=0)
BANKING_IMPORT_INLINE_LINES = env_int("BANKING_IMPORT_INLINE_LINES", 2000, minimum=0)

# Static files: our own. Bootstrap's CSS (npm) is built into ifm/build/site.css and its
# JavaScript is not used (ifm/ui.js does the menus), so node_modules is not served.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "ifm" / "static"]
# Stored files (donation receipt PDFs, expense receipts, volunteers' documents, logos) go through
# Django's storage API, never a path: "default" for files that may have a URL (logos), "private"
# for files served only through a view that checks access (ifm/core/storage.py).
# STORAGE_BACKEND=filesystem (the default, for `make run`) keeps them under IFM_VAR_DIR;
# STORAGE_BACKEND=s3 keeps them in an S3-compatible bucket (django-storages), private, so they
# survive a restart of a web process with an ephemeral disk. docs/configuration.md.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem").strip().lower()
if STORAGE_BACKEND not in {"filesystem", "s3"}:
    raise ImproperlyConfigured(
        f"Environment variable STORAGE_BACKEND={STORAGE_BACKEND!r} must be filesystem or s3."
    )
# How long a signed download link to a stored file stays valid (S3 only).
STORAGE_URL_EXPIRE_SECONDS = env_int("STORAGE_URL_EXPIRE_SECONDS", 60, minimum=1, maximum=3600)
# The bucket and how to reach it; the keys may be left unset to use boto3's own chain
# (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role). Backups reuse this.
S3_STORAGE = {
    "bucket_name": env_str("STORAGE_S3_BUCKET"),
    "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL") or None,
    "region_name": env_str("STORAGE_S3_REGION") or None,
    "access_key": env_str("STORAGE_S3_ACCESS_KEY_ID") or None,
    "secret_key": env_str("STORAGE_S3_SECRET_ACCESS_KEY") or None,
}
# Keys start with this (e.g. "ifm/"), so one bucket may hold other things beside.
STORAGE_S3_PREFIX = env_str("STORAGE_S3_PREFIX").strip("/")
if STORAGE_BACKEND == "s3" and not S3_STORAGE["bucket_name"]:
    raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs STORAGE_S3_BUCKET.")


def s3_storage_options(
    location: str, *, s3: dict[str, Any] | None = None, prefix: str | None = None
) -> dict[str, Any]:
    """The OPTIONS of a private S3Storage keeping its files under `location` in the bucket
    (S3_STORAGE unless `s3` is given): no ACL sent (objects stay private to the bucket owner),
    URLs signed and short-lived, and a name already taken gets a new one instead of
    overwriting another file."""
    prefix = STORAGE_S3_PREFIX if prefix is None else prefix
    return {
        **(S3_STORAGE if s3 is None else s3),
        "location": f"{prefix}/{location}" if prefix else location,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": STORAGE_URL_EXPIRE_SECONDS,
        "signature_version": "s3v4",
        "file_overwrite": False,
        "object_parameters": {"CacheControl": "private, no-store"},
    }


FILE_STORAGES: dict[str, dict[str, dict[str, Any]]] = {
    "filesystem": {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(VAR_DIR / "media")},
        },
        # Rooted at PRIVATE_MEDIA_ROOT, read when used (tests move it).
        "private": {"BACKEND": "ifm.core.storage.PrivateStorage"},
    },
    "s3": {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options("media"),
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options("private"),
        },
    },
}
STORAGES = {
    **FILE_STORAGES[STORAGE_BACKEND],
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded documents people may only get through a permission-checking view (expense receipts):
# outside the web root, never served by a static or media URL.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Security headers; production turns on the HTTPS-only parts.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"Environment variable LOG_LEVEL={LOG_LEVEL!r} is not a log level.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ifm.ops.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "ifm.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 200

# Debug pages (DEBUG, `make run`): the technical page only for a browser on this machine, and
# secrets (connection URLs, passwords inside values) masked in it and in error reports.
DEFAULT_EXCEPTION_REPORTER = "ifm.ops.debug.LoopbackExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "ifm.ops.debug.SecretsExceptionReporterFilter"
