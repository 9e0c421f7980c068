import logging

from ventanilla.core.logfilters import QuietTasks


def record(name, level):
    return logging.LogRecord(name, level, __file__, 1, "x", None, None)


def test_task_info_lines_are_dropped_but_failures_and_other_loggers_stay(monkeypatch):
    monkeypatch.delenv("LOG_LEVEL_TASKS", raising=False)
    quiet = QuietTasks()
    assert not quiet.filter(record("django.tasks", logging.INFO))
    assert not quiet.filter(record("django_tasks_db", logging.INFO))
    assert quiet.filter(record("django.tasks", logging.ERROR))
    assert quiet.filter(record("django.request", logging.INFO))


def test_log_level_tasks_brings_the_lines_back(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL_TASKS", "INFO")
    assert QuietTasks().filter(record("django.tasks", logging.INFO))
