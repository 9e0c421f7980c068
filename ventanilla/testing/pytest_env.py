"""Loaded by pytest with `-p` (see pyproject.toml) before pytest-django imports the settings."""

import os

os.environ.setdefault("VENTANILLA_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
