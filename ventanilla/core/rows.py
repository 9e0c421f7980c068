"""Helpers to build the rows of hot list pages in Python with the markup of the template tags
they stand for (issue 7, "Make it fast"): see ventanilla/console/rows.py and portal/rows.py."""

from html import escape as _html_escape

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.formats import date_format
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
        f'<time datetime="{_esc(value.isoformat())}" '
        f'title="{_esc(minute_date_format(local(value)))}">{_esc(naturaltime(value))}</time>'
    )


def _esc(value):
    """django.utils.html.escape's text (html.escape of str()) without its lazy-string wrapper."""
    return _html_escape(str(value))


class Memo(dict):
    """Per-render memo of chips and badges that depend only on a value (and the language)."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = str(self.function(key))
        return value


# ---- lists ---- (issue 7, round 3) a short cache of a list page's rows, read-your-writes
#
# What a list page shows of its cases (the rows' markup, the cursor or page, the count) is kept
# for settings.VENTANILLA_LIST_ROWS_SECONDS (a few seconds; 0 = off, as in tests) under a key
# that holds everything it depends on: the list, the viewer's visibility (see `rows_cache_key`),
# the filters and search words, the page or cursor, the language, the time zone and the current
# minute (SLA badges and "hace 5 minutos" are texts of the minute). Staleness: a change made by
# someone else shows up to that many seconds late (per process: Django's local-memory cache). A
# change made by the viewer shows at once: every non-GET response marks the browser with a
# cookie (`FreshReadsMiddleware`) and, while it lasts (the same seconds plus one), their lists
# are computed afresh and not stored.

FRESH_COOKIE = "vt_fresh"


def rows_cache_seconds(request):
    """The TTL for this request's list rows: 0 when off or when the viewer just wrote."""
    from django.conf import settings

    seconds = getattr(settings, "VENTANILLA_LIST_ROWS_SECONDS", 0)
    if not seconds:
        return 0
    stamp = request.COOKIES.get(FRESH_COOKIE, "")
    if stamp.isdigit() and int(stamp) + seconds + 1 >= _now_seconds():
        return 0
    return seconds


def _now_seconds():
    import time

    return int(time.time())


def rows_cache_key(kind, scope, parts):
    """A cache key for `kind` rows seen with visibility `scope`, for the request's language,
    time zone and minute, and `parts` (filters, page…: anything else the rows depend on)."""
    import hashlib

    from django.utils import timezone
    from django.utils.translation import get_language

    minute = _now_seconds() // 60
    text = "\x1f".join(
        [str(scope), get_language() or "", timezone.get_current_timezone_name(), str(minute)]
        + [f"{key}={value}" for key, value in parts]
    )
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return f"ventanilla:rows:{kind}:{digest}"


def cached_rows(request, kind, scope, parts, compute):
    """compute() (a picklable value: the rows' markup and what goes with it), cached as
    described above; `scope` must name the viewer's visibility (never shared between viewers
    who may see different cases)."""
    from django.core.cache import cache

    seconds = rows_cache_seconds(request)
    if not seconds:
        return compute()
    key = rows_cache_key(kind, scope, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


class FreshReadsMiddleware:
    """After any non-GET request (a write) of a signed-in person, a cookie that makes their list
    pages skip the rows cache until the cache's TTL has passed (read-your-writes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return response
        from django.conf import settings

        seconds = getattr(settings, "VENTANILLA_LIST_ROWS_SECONDS", 0)
        user = getattr(request, "user", None)
        if seconds and user is not None and user.is_authenticated:
            response.set_cookie(
                FRESH_COOKIE,
                str(_now_seconds()),
                max_age=seconds + 1,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
