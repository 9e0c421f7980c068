"""Throttling of the doors into the customer area: the login form and the "¿No puedes
acceder?" / sign-up forms. Counters live in the database (AccessAttempt) so every worker shares
them; emails and IP addresses are stored only as hashes.

Login: after VENTANILLA_LOGIN_MAX_FAILURES failures for one email (or ..._PER_IP for one
address) within VENTANILLA_LOGIN_WINDOW_MINUTES, further attempts are refused without checking
the password, whether the email exists or not. Attempts refused while locked are not counted, so
the lockout ends on time. A successful login clears the email's counter.
"""

import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from ventanilla.accounts.models import AccessAttempt
from ventanilla.accounts.selectors import attempt_wait_seconds
from ventanilla.accounts.services import access_attempt_record, access_attempts_clear

Scope = AccessAttempt.Scope


def hashed(value):
    return hashlib.sha256(
        f"ventanilla.throttle:{(value or '').strip().lower()}".encode()
    ).hexdigest()


def client_ip(request):
    """The peer address. Behind a reverse proxy, the proxy must set REMOTE_ADDR correctly."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def window():
    return timedelta(minutes=settings.VENTANILLA_LOGIN_WINDOW_MINUTES)


def _wait(checks, now):
    return max(
        (
            attempt_wait_seconds(
                scope=scope, key=hashed(value), limit=limit, window=window(), now=now
            )
            for scope, value, limit in checks
        ),
        default=0,
    )


def _login_checks(email, ip):
    return [
        (Scope.LOGIN_EMAIL, email, settings.VENTANILLA_LOGIN_MAX_FAILURES),
        (Scope.LOGIN_IP, ip, settings.VENTANILLA_LOGIN_MAX_FAILURES_PER_IP),
    ]


def login_wait(*, email, ip, now=None):
    """Seconds this email or address must wait before trying to log in again (0: may try)."""
    return _wait(_login_checks(email, ip), now or timezone.now())


def login_failed(*, email, ip, now=None):
    now = now or timezone.now()
    access_attempt_record(scope=Scope.LOGIN_EMAIL, key=hashed(email), now=now, window=window())
    access_attempt_record(scope=Scope.LOGIN_IP, key=hashed(ip), now=now, window=window())


def login_succeeded(*, email):
    access_attempts_clear(scope=Scope.LOGIN_EMAIL, key=hashed(email))


def help_wait(*, ip, now=None):
    """Seconds this address must wait before using the recovery or sign-up forms again."""
    checks = [(Scope.HELP_IP, ip, settings.VENTANILLA_LOGIN_HELP_MAX_PER_IP)]
    return _wait(checks, now or timezone.now())


def help_request_count(*, email, ip, now=None):
    """Count one recovery / sign-up request. Returns False when this email has had enough emails
    in the window: the caller then answers as usual but sends nothing (no mailbox flooding)."""
    now = now or timezone.now()
    access_attempt_record(scope=Scope.HELP_IP, key=hashed(ip), now=now, window=window())
    checks = [(Scope.HELP_EMAIL, email, settings.VENTANILLA_LOGIN_HELP_MAX_PER_EMAIL)]
    if _wait(checks, now):
        return False
    access_attempt_record(scope=Scope.HELP_EMAIL, key=hashed(email), now=now, window=window())
    return True


def wait_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts. For your security, please wait %(minutes)d minute and try again.",
        "Too many attempts. For your security, please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
