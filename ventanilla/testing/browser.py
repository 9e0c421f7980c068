"""Helpers for Playwright browser tests: log in and out, take screenshots."""

import os
from pathlib import Path

from django.conf import settings
from django.urls import reverse

SCREENSHOT_DIR = Path(
    os.environ.get("VENTANILLA_SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots"
)


def login(page, live_server_url, email, password, *, expect_success=True):
    """Fill the login form and wait for the navigation that follows the submit.

    With expect_success, wait until the browser has left the login page (the home redirect).
    """
    login_path = reverse("accounts:login")
    page.goto(f"{live_server_url}{login_path}")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    if expect_success:
        page.wait_for_url(lambda url: login_path not in url)
    page.wait_for_load_state("load")


def logout(page):
    """Open the account menu and press the logout button (a POST form)."""
    page.locator("details[data-usermenu] > summary").click()
    logout_path = reverse("accounts:logout")
    with page.expect_navigation():
        page.locator(f"form[action='{logout_path}'] button[type=submit]").click()
    page.wait_for_load_state("load")


def screenshot(page, name):
    """A full-page screenshot in var/screenshots/<name>.png; returns the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
