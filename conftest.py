"""Shared test set-up: the fixed cast, ticket factory, and the real browser (Debian's Chromium)."""

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(db):
    from ventanilla.testing.cast import build_cast

    return build_cast()


@pytest.fixture
def make_ticket(cast):
    """Open a ticket through the real service; defaults to the cast's customer in org A."""
    from ventanilla.testing.factories import open_ticket

    def make(**kwargs):
        return open_ticket(cast, **kwargs)

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "es-ES", "viewport": {"width": 1280, "height": 860}}
