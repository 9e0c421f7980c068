"""Helpers to build the rows of hot list pages in Python with the markup of the template tags
they stand for (issue 7, "Make it fast"): see ventanilla/console/rows.py and portal/rows.py."""

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import get_language

from ventanilla.core.templatetags.ventanilla_ui import local

_MINUTE_FORMATS = {}
_DATES = {}


def minute_date_format(value, fmt="DATETIME_FORMAT"):
    """date_format(value, fmt) memoised by (language, format, minute) when the format shows
    nothing finer than minutes (checked once per language and format by formatting the first and
    the last microsecond of a minute): the same rows come back on every refresh of a queue."""
    language = get_language()
    exact = _MINUTE_FORMATS.get((language, fmt))
    if exact is None:
        probe = value.replace(second=0, microsecond=0)
        exact = _MINUTE_FORMATS[(language, fmt)] = date_format(probe, fmt) == date_format(
            probe.replace(second=59, microsecond=999999), fmt
        )
    if not exact:
        return date_format(value, fmt)
    key = (language, fmt, value.replace(second=0, microsecond=0), value.utcoffset())
    text = _DATES.get(key)
    if text is None:
        if len(_DATES) > 20000:
            _DATES.clear()
        text = _DATES[key] = date_format(value, fmt)
    return text


def ago_html(value):
    """`{% ago value %}` of ventanilla_ui, with the tooltip date memoised (same markup)."""
    if not value:
        return ""
    return (
        f'<time datetime="{escape(value.isoformat())}" '
        f'title="{escape(minute_date_format(local(value)))}">{escape(naturaltime(value))}</time>'
    )


class Memo(dict):
    """Per-render memo of chips and badges that depend only on a value (and the language)."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = str(self.function(key))
        return value
