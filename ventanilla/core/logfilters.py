"""Logging filters used by settings.LOGGING."""

import logging
import os

TASK_LOGGERS = ("django.tasks", "django_tasks_db")


class QuietTasks(logging.Filter):
    """Drop task loggers' records below LOG_LEVEL_TASKS (WARNING by default).

    `manage.py db_worker` sets its loggers to INFO at the default verbosity, which overrides a
    logger level set in settings; a filter on the handler still applies. One line per task
    drowned the first start's login box; failures (WARNING and above) still show."""

    def __init__(self, name=""):
        super().__init__(name)
        self.level = logging.getLevelName(os.environ.get("LOG_LEVEL_TASKS", "WARNING").upper())
        if not isinstance(self.level, int):
            self.level = logging.WARNING

    def filter(self, record):
        if record.name.startswith(TASK_LOGGERS):
            return record.levelno >= self.level
        return True
