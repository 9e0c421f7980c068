"""Production-like settings for the django-helpdesk peer of the speed benchmark.

Environment:
  PEER_WORKDIR   directory for the SQLite file and the local mailbox (default: bench/.data/peer)
  DATABASE_URL   postgresql://user:pass@host:port/name to use PostgreSQL instead of SQLite
  PEER_DEBUG     "1" only to debug the peer itself (the benchmark never sets it)
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
WORKDIR = Path(os.environ.get("PEER_WORKDIR", BASE_DIR.parent / ".data" / "peer"))
WORKDIR.mkdir(parents=True, exist_ok=True)
PEER_MAILBOX_DIR = WORKDIR / "mailbox"

# Not a secret: a throw-away key for a local benchmark server on 127.0.0.1.
SECRET_KEY = "peer-benchmark-only-not-a-secret-0123456789abcdefghijklmnop"  # noqa: S105
DEBUG = os.environ.get("PEER_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
    "peer_seed",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "peer_site.urls"
WSGI_APPLICATION = "peer_site.wsgi.application"

# APP_DIRS with DEBUG off: Django wraps the loaders in the cached loader by itself.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "600"))


def _postgres(url):
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _postgres(os.environ["DATABASE_URL"])}
else:
    # The same SQLite set-up as Ventanilla's: WAL, IMMEDIATE transactions, NORMAL sync.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": WORKDIR / "helpdesk.sqlite3",
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

LANGUAGE_CODE = "es"
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = WORKDIR / "static"  # empty unless collectstatic ran; the benchmark fetches no assets
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = WORKDIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"

# Outgoing mail is dropped: the figures are about the web and intake paths, not SMTP.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "soporte@helpdesk.test"

# django-helpdesk options, as a small company would set them.
HELPDESK_PUBLIC_TICKET_QUEUE = "soporte"
HELPDESK_PUBLIC_TICKET_PRIORITY = 3
# HELPDESK_KB_ENABLED=False breaks helpdesk/urls.py in 2.6.1 (NameError on kb), so the KB stays on.
HELPDESK_TEAMS_MODE_ENABLED = False  # pinax-teams is an optional extra
HELPDESK_SUBMIT_A_TICKET_PUBLIC = True
HELPDESK_VIEW_A_TICKET_PUBLIC = True
# Only staff in the "assigned to" lists: the default offers every active user (every customer)
# on each ticket page, which no company with thousands of customers would run.
HELPDESK_STAFF_ONLY_TICKET_OWNERS = True
HELPDESK_STAFF_ONLY_TICKET_CC = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
