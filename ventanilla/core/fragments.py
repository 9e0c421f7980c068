"""Rendered fragments of pages kept in the cache under a key that names everything they show
(issue 7, round 3: the timelines of the case pages).

`cached_fragment(parts, render)` returns `render()`'s HTML, kept in Django's default cache
(per process: local memory unless a shared cache is configured) for
`settings.VENTANILLA_FRAGMENT_SECONDS` (0 = never cached, as in tests). The caller's `parts`
must change whenever the content changes: for a case timeline, the case's `CaseMarks` (counts and
newest ids of its messages, events and files: every write that adds, moves or deletes one changes
them), its status, the viewer's kind (staff see internal notes, customers never do), the language
and the time zone. Because the key is read from the database on every request, a change made by
any process is seen at once by every other one.

What the key cannot see, and so may show stale for at most those seconds: a person renamed (the
names of authors and actors on an old message).

Relative times go stale as the clock moves ("hace 5 minutos"), so every `<time>` of `{% ago %}`
in a fragment taken from the cache is written again for now (`refresh_ago`).
"""

import hashlib
import re
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ventanilla.core.rows import ago_html

# The markup of `{% ago %}` (ventanilla_ui.ago) and of core.rows.ago_html.
_AGO = re.compile(r'<time datetime="([^"<>]+)" title="[^"<>]*">[^<>]*</time>')


def refresh_ago(html):
    """Every `{% ago %}` of `html` written again for the current time."""
    return _AGO.sub(lambda match: ago_html(datetime.fromisoformat(match[1])), html)


def fragment_key(*parts):
    """A cache key for `parts` plus the active language and time zone."""
    parts = (
        *parts,
        get_language(),
        timezone.get_current_timezone_name(),
        getattr(settings, "VENTANILLA_DISPLAY_TIME_ZONE", ""),
    )
    return "fragment:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_fragment(parts, render):
    """`render()` (an HTML string), cached under `fragment_key(*parts)`."""
    seconds = getattr(settings, "VENTANILLA_FRAGMENT_SECONDS", 0)
    if seconds <= 0:
        return mark_safe(render())  # noqa: S308 (HTML rendered by the template engine)
    key = fragment_key(*parts)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, seconds)
        return mark_safe(html)  # noqa: S308 (idem)
    return mark_safe(refresh_ago(html))  # noqa: S308 (that HTML, its <time>s rewritten)
