"""Login throttling: lockout per email and per address, its message, its end, reset on success."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts import throttle
from ventanilla.accounts.models import AccessAttempt
from ventanilla.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db
LOCKED = "Demasiados intentos"
WRONG = "wrong-password"


def attempt(client, email, password=WRONG, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_email_even_with_the_right_password(client, cast):
    for _ in range(4):
        assert LOCKED not in attempt(client, cast.customer.email).content.decode()
    fifth = attempt(client, cast.customer.email).content.decode()
    assert "Demasiados intentos. Por tu seguridad, espera 15 minutos" in fifth

    response = attempt(client, cast.customer.email, PASSWORD)
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another person on the same address is not locked by this email
    assert attempt(client, cast.colleague.email, PASSWORD).status_code == 302


def test_an_unknown_email_is_locked_the_same_way(client, cast):
    """The lockout never tells whether an email has an account."""
    known = [attempt(client, cast.customer.email).content.decode() for _ in range(6)]
    unknown = [attempt(client, "nadie@ejemplo.es").content.decode() for _ in range(6)]
    assert [LOCKED in page for page in known] == [LOCKED in page for page in unknown]
    assert [LOCKED in page for page in known] == [False] * 4 + [True] * 2


def test_the_lockout_ends_after_the_window_and_the_message_counts_down(client, cast):
    with time_machine.travel("2026-11-23 10:00Z", tick=False):
        for _ in range(5):
            attempt(client, cast.customer.email)
    with time_machine.travel("2026-11-23 10:10:30Z", tick=False):
        page = attempt(client, cast.customer.email, PASSWORD).content.decode()
        assert "espera 5 minutos" in page
    with time_machine.travel("2026-11-23 10:14:30Z", tick=False):
        page = attempt(client, cast.customer.email, PASSWORD).content.decode()
        assert "espera 1 minuto y" in page
    with time_machine.travel("2026-11-23 10:15:01Z", tick=False):
        assert attempt(client, cast.customer.email, PASSWORD).status_code == 302


def test_attempts_during_a_lockout_do_not_extend_it(client, cast):
    with time_machine.travel("2026-11-23 10:00Z", tick=False):
        for _ in range(5):
            attempt(client, cast.customer.email)
    with time_machine.travel("2026-11-23 10:14Z", tick=False):
        for _ in range(10):
            attempt(client, cast.customer.email)
    with time_machine.travel("2026-11-23 10:15:01Z", tick=False):
        assert attempt(client, cast.customer.email, PASSWORD).status_code == 302


def test_a_successful_login_clears_the_email_counter(client, cast):
    for _ in range(4):
        attempt(client, cast.customer.email)
    assert attempt(client, cast.customer.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert LOCKED not in attempt(client, cast.customer.email).content.decode()


def test_one_address_trying_many_emails_is_locked(client, cast, settings):
    settings.VENTANILLA_LOGIN_MAX_FAILURES_PER_IP = 3
    for number in range(3):
        attempt(client, f"persona{number}@ejemplo.es", ip="10.9.9.9")
    assert LOCKED in attempt(client, cast.customer.email, PASSWORD, ip="10.9.9.9").content.decode()
    assert attempt(client, cast.customer.email, PASSWORD, ip="10.1.1.1").status_code == 302


def test_limits_come_from_settings(client, cast, settings):
    settings.VENTANILLA_LOGIN_MAX_FAILURES = 2
    settings.VENTANILLA_LOGIN_WINDOW_MINUTES = 60
    attempt(client, cast.customer.email)
    assert "espera 60 minutos" in attempt(client, cast.customer.email).content.decode()


def test_counters_keep_no_addresses_and_old_rows_are_pruned(client, cast):
    with time_machine.travel("2026-11-23 08:00Z", tick=False):
        attempt(client, cast.customer.email)
    assert AccessAttempt.objects.count() == 2
    assert not AccessAttempt.objects.filter(key__contains="@").exists()
    assert not AccessAttempt.objects.filter(key="10.0.0.1").exists()
    with time_machine.travel("2026-11-23 09:00Z", tick=False):
        attempt(client, cast.colleague.email)
    assert AccessAttempt.objects.count() == 2  # the two rows of 08:00 are gone


def test_wait_is_zero_when_the_limit_is_turned_off(cast, settings):
    settings.VENTANILLA_LOGIN_MAX_FAILURES = 0
    settings.VENTANILLA_LOGIN_MAX_FAILURES_PER_IP = 0
    now = timezone.now()
    for _ in range(10):
        throttle.login_failed(email="a@b.es", ip="1.2.3.4", now=now)
    assert throttle.login_wait(email="a@b.es", ip="1.2.3.4", now=now + timedelta(seconds=1)) == 0
