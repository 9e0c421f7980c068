"""System checks that catch a misconfigured deployment before it serves a request."""

from django.conf import settings
from django.core.checks import Error, Tags, register

UNSAFE_MAIL_BACKENDS = {
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.compatibility)
def check_time_is_utc(app_configs, **kwargs):
    errors = []
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        errors.append(
            Error(
                "Ventanilla stores time in UTC: TIME_ZONE must be 'UTC' and USE_TZ True.",
                hint="Local time belongs to business calendars and templates only.",
                id="ventanilla.E001",
            )
        )
    return errors


@register(Tags.security, deploy=False)
def check_production_settings(app_configs, **kwargs):
    if settings.ENVIRONMENT != "production":
        return []
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY or len(settings.SECRET_KEY) < 40:
        errors.append(
            Error(
                "Production refuses the development SECRET_KEY (or one shorter than 40 chars).",
                hint="Set SECRET_KEY in the environment to a long random value.",
                id="ventanilla.E002",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "Production refuses DEBUG=True.",
                hint="Unset VENTANILLA_DEBUG.",
                id="ventanilla.E003",
            )
        )
    errors.extend(_mail_errors())
    return errors


def _mail_errors():
    mailer = getattr(settings, "MAILERS", {}).get("default")
    errors = []
    if not mailer or mailer.get("BACKEND") in UNSAFE_MAIL_BACKENDS:
        errors.append(
            Error(
                "Production needs a real outgoing mailer.",
                hint="Set MAIL_URL=smtp://user:password@host:587?tls=1 (or an ESP backend).",
                id="ventanilla.E004",
            )
        )
    if "localhost" in settings.DEFAULT_FROM_EMAIL:
        errors.append(
            Error(
                "Production needs DEFAULT_FROM_EMAIL on the company's own domain.",
                hint="Set DEFAULT_FROM_EMAIL, e.g. 'Soporte <soporte@example.com>'.",
                id="ventanilla.E005",
            )
        )
    return errors
