"""Ventanilla settings: one file, driven by environment variables.

Safe embedded defaults (SQLite in ./var, mail written to ./var/mail): a fresh clone runs with no
configuration. Production is declared with VENTANILLA_ENV=production; the system checks in
ventanilla/core/checks.py then refuse the development secret key, DEBUG and unconfigured mail.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VENTANILLA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("VENTANILLA_ENV", "development")
TESTING = ENVIRONMENT == "test"
DEV_SECRET_KEY = "ventanilla-development-key-not-for-production"  # noqa: S105 (refused by checks)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("VENTANILLA_DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    # domain apps
    "ventanilla.core",
    "ventanilla.accounts",
    "ventanilla.organizations",
    "ventanilla.catalog",
    "ventanilla.staff",
    "ventanilla.tickets",
    "ventanilla.sla",
    "ventanilla.mail",
    "ventanilla.demo",
    # interface apps
    "ventanilla.portal",
    "ventanilla.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ventanilla.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"
ASGI_APPLICATION = "ventanilla.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ventanilla" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ventanilla.core.context_processors.ventanilla",
            ],
        },
    },
]

# --- Database ---
# SQLite (WAL, IMMEDIATE transactions) by default; PostgreSQL when DATABASE_URL is set.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "600"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("VENTANILLA_SQLITE_PATH", VAR_DIR / "ventanilla.sqlite3"),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=ENVIRONMENT == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation: Spanish first, English second; time stored in UTC ------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Local time of the support desk, used only in templates and business calendars.
VENTANILLA_DISPLAY_TIME_ZONE = os.environ.get("VENTANILLA_DISPLAY_TIME_ZONE", "Europe/Madrid")

# --- Static and media (through Django's STORAGES) -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "ventanilla" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: attachments go through an access-checked view
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# --- Outgoing mail through MAILERS ---------------------------------------------------------------
# MAIL_URL: smtp://user:password@host:587?tls=1 | smtps://…:465 | file:///path | console: | memory:
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Ventanilla <soporte@ventanilla.localhost>"
)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)


def mailer_from_url(url):
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme in {"smtp", "smtps"}:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname or "localhost",
                "port": parts.port or (465 if parts.scheme == "smtps" else 25),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_ssl": parts.scheme == "smtps",
                "use_tls": query.get("tls") in {"1", "true"},
                "timeout": 20,
            },
        }
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": parts.path},
        }
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


MAIL_URL = os.environ.get("MAIL_URL") or ("memory:" if TESTING else f"file://{VAR_DIR / 'mail'}")
MAILERS = {"default": mailer_from_url(MAIL_URL)}

# --- Background tasks: django.tasks with the database backend -----------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING and not env_bool("VENTANILLA_REAL_TASKS")
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"quiet_tasks": {"()": "ventanilla.core.logfilters.QuietTasks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["quiet_tasks"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One INFO line per task drowns the console; failures still log at WARNING and above.
        "django.tasks": {"level": os.environ.get("LOG_LEVEL_TASKS", "WARNING")},
        "django_tasks_db": {"level": os.environ.get("LOG_LEVEL_TASKS", "WARNING")},
    },
}

# --- Ventanilla ---
VENTANILLA_TICKET_SERIES = os.environ.get("VENTANILLA_TICKET_SERIES", "C")
# Which tickets agents see: "all", or "teams" (their teams' tickets, untriaged ones, and their own).
VENTANILLA_AGENT_SCOPE = os.environ.get("VENTANILLA_AGENT_SCOPE", "all")
# Attachments: allowed types and size (seed 000: 12 types, 5 MB each; webm: screen recordings).
VENTANILLA_UPLOAD_EXTENSIONS = env_list(
    "VENTANILLA_UPLOAD_EXTENSIONS", "jpg,jpeg,png,gif,pdf,xls,xlsx,doc,docx,xml,txt,zip,webm"
)
VENTANILLA_UPLOAD_MAX_BYTES = int(os.environ.get("VENTANILLA_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
# Version of the data-processing consent text shown on the new-case form (stored on each ticket).
VENTANILLA_CONSENT_VERSION = os.environ.get("VENTANILLA_CONSENT_VERSION", "2026-01")
# A customer's reply reopens a resolved case within this many days; later, they open a new case.
VENTANILLA_REOPEN_DAYS = int(os.environ.get("VENTANILLA_REOPEN_DAYS", "7"))
VENTANILLA_BRAND = os.environ.get("VENTANILLA_BRAND", "Ventanilla")
# The cache of each process (sidebar and list counts, list rows, case timelines, filter bars):
# local memory, bounded in entries so that a worker's memory stays flat. The largest entries (a
# queue page's rows) are ~130 KB, a case timeline 10-60 KB: at most ~10-15 MB a worker. When it
# is full, the least recently used half is dropped. Every cached value is keyed or bounded in
# time to stay correct per process (docs/architecture.md), so a shared cache is not required.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {
            "MAX_ENTRIES": int(os.environ.get("VENTANILLA_CACHE_MAX_ENTRIES", "200")),
            "CULL_FREQUENCY": 2,
        },
    }
}
# reads: seconds the console sidebar's counters are cached per agent (0 = count on every page).
VENTANILLA_NAV_COUNTS_SECONDS = int(
    os.environ.get("VENTANILLA_NAV_COUNTS_SECONDS", "0" if TESTING else "20")
)
# reads: seconds the customer case list's sidebar counts are cached per person (0 = never).
VENTANILLA_LIST_COUNTS_SECONDS = int(
    os.environ.get("VENTANILLA_LIST_COUNTS_SECONDS", "0" if TESTING else "15")
)
# reads: seconds the queue filter bar (organizations, sites, agents… as options) is cached.
VENTANILLA_CHOICES_SECONDS = int(
    os.environ.get("VENTANILLA_CHOICES_SECONDS", "0" if TESTING else "60")
)

# --- access (login throttling, "¿No puedes acceder?", account creation) ---
# Failed logins allowed per email and per IP address within the window before a lockout.
VENTANILLA_LOGIN_MAX_FAILURES = int(os.environ.get("VENTANILLA_LOGIN_MAX_FAILURES", "5"))
VENTANILLA_LOGIN_MAX_FAILURES_PER_IP = int(
    os.environ.get("VENTANILLA_LOGIN_MAX_FAILURES_PER_IP", "30")
)
VENTANILLA_LOGIN_WINDOW_MINUTES = int(os.environ.get("VENTANILLA_LOGIN_WINDOW_MINUTES", "15"))
# Requests of the recovery and sign-up forms per IP / per email within the same window.
VENTANILLA_LOGIN_HELP_MAX_PER_IP = int(os.environ.get("VENTANILLA_LOGIN_HELP_MAX_PER_IP", "10"))
VENTANILLA_LOGIN_HELP_MAX_PER_EMAIL = int(
    os.environ.get("VENTANILLA_LOGIN_HELP_MAX_PER_EMAIL", "3")
)
# Hours a password or account-creation link sent by email stays valid.
VENTANILLA_LOGIN_LINK_HOURS = int(os.environ.get("VENTANILLA_LOGIN_LINK_HOURS", "24"))
# --- Email intake (mail app) ---
# Domain of the intake addresses a@, b@, c@ (seed 003) and of the reply address soporte+<token>@.
VENTANILLA_INTAKE_DOMAIN = os.environ.get("VENTANILLA_INTAKE_DOMAIN", "soporte.localhost")
VENTANILLA_INTAKE_REPLY_LOCALPART = os.environ.get("VENTANILLA_INTAKE_REPLY_LOCALPART", "soporte")
# Messages from one sender in one hour beyond this number are quarantined (loops, floods).
VENTANILLA_INTAKE_FLOOD_PER_HOUR = int(os.environ.get("VENTANILLA_INTAKE_FLOOD_PER_HOUR", "30"))
# Inbound webhooks through django-anymail (Mailgun): signing key of the Mailgun account.
# Empty disables the webhook (404); tests use a fixed placeholder key.
ANYMAIL = {
    "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get(
        "MAILGUN_WEBHOOK_SIGNING_KEY", "test-signing-key" if TESTING else ""
    )
}

# --- floor (issue 7 round 3): what every request pays before its own content ---
# Sessions read and the user loaded (with agent, contact and organization) by prepared raw
# statements instead of 3–4 ORM queries; nothing about who someone is is cached between
# requests (ventanilla/accounts/fastauth.py).
SESSION_ENGINE = "ventanilla.accounts.fastauth"
MIDDLEWARE[MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")] = (
    "ventanilla.accounts.fastauth.AuthenticationMiddleware"
)

# ---- intake ----
# Stored messages processed per transaction by the batch intake (IMAP fetch, leftovers after a
# crash): one transaction and one savepoint per message instead of one transaction each
# (docs/perf-writes.md, branch intake). 1 processes every message in its own transaction, as
# the tests do unless they set it (the batch tests do).
VENTANILLA_INTAKE_BATCH = int(os.environ.get("VENTANILLA_INTAKE_BATCH", "1" if TESTING else "50"))

# ---- casepage ----
# reads: seconds a case page's rendered timeline is kept per process (core/fragments.py; 0 =
# never). Its key changes with every message, note, event, file and status of the case, so this
# bounds only what the key cannot see: a person renamed shows under the old name on old messages.
VENTANILLA_FRAGMENT_SECONDS = int(
    os.environ.get("VENTANILLA_FRAGMENT_SECONDS", "0" if TESTING else "300")
)

# ---- lists ----
# Seconds the rows of the agent queues and of the customer case list are kept (per viewer
# scope, filters, page, language, time zone and minute; core/rows.py). 0 turns it off (tests,
# and `VENTANILLA_LIST_ROWS_SECONDS=0` to measure without it). After their own write (any non-GET
# request) a person's lists bypass it for as long (FreshReadsMiddleware sets a cookie).
VENTANILLA_LIST_ROWS_SECONDS = int(
    os.environ.get("VENTANILLA_LIST_ROWS_SECONDS", "0" if TESTING else "5")
)
MIDDLEWARE = [*MIDDLEWARE, "ventanilla.core.rows.FreshReadsMiddleware"]
