"""Helpers for the customer case pages: query strings that keep the list's filters."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some keys changed ("" or None removes a key).

    The page number is dropped unless it is one of the changes: a new filter starts at page 1.
    """
    params = context["request"].GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


# Icons the case pages need beyond ventanilla_ui's set (same 24×24 line style).
CASE_ICONS = {
    "paperclip": '<path d="m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 18 8.84'
    'l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48"/>',
    "upload": '<path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4"/><path d="m17 8-5-5-5 5"/>'
    '<path d="M12 3v12"/>',
    "video": '<path d="m22 8-6 4 6 4V8Z"/><rect x="2" y="6" width="14" height="12" rx="2"/>',
    "phone": '<path d="M22 16.92v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.5 19.5 0 0 1-6-6'
    " 19.79 19.79 0 0 1-3.07-8.67A2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72c.13.96.36 1.9.7 2.81a2 2 0 0"
    " 1-.45 2.11L8.09 9.91a16 16 0 0 0 6 6l1.27-1.27a2 2 0 0 1 2.11-.45c.91.34 1.85.57 2.81.7A2 2"
    ' 0 0 1 22 16.92z"/>',
    "star": '<path d="m12 2 3.09 6.26L22 9.27l-5 4.87 1.18 6.88L12 17.77l-6.18 3.25L7 14.14 2 9.27'
    'l6.91-1.01L12 2z"/>',
    "file": '<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z"/>'
    '<path d="M14 2v6h6"/>',
    "image": '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="9" cy="9" r="2"/>'
    '<path d="m21 15-3.09-3.09a2 2 0 0 0-2.82 0L6 21"/>',
    "download": '<path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4"/><path d="m7 10 5 5 5-5"/>'
    '<path d="M12 15V3"/>',
    "send": '<path d="m22 2-7 20-4-9-9-4Z"/><path d="M22 2 11 13"/>',
    "ban": '<circle cx="12" cy="12" r="10"/><path d="m4.9 4.9 14.2 14.2"/>',
    "rotate": '<path d="M3 12a9 9 0 1 0 9-9 9.75 9.75 0 0 0-6.74 2.74L3 8"/><path d="M3 3v5h5"/>',
    "filter": '<path d="M22 3H2l8 9.46V19l4 2v-8.54L22 3z"/>',
    "arrow-left": '<path d="M19 12H5M12 19l-7-7 7-7"/>',
}


@register.simple_tag
def case_icon(name, size=18, css_class=""):
    """Like ventanilla_ui's {% icon %} (decorative), with the case pages' extra drawings."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from ventanilla.core.templatetags.ventanilla_ui import ICONS

    body = CASE_ICONS.get(name) or ICONS.get(name, ICONS["info"])
    return format_html(
        '<svg class="icon {}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        'focusable="false" aria-hidden="true">{}</svg>',
        css_class,
        size,
        size,
        mark_safe(body),  # noqa: S308 (constant markup)
    )


@register.filter
def filesize_short(value):
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(value)


@register.filter
def get_count(counts, key):
    return (counts or {}).get(key, 0)


# ---- reads ---- (issue 7) the case list rows, built in Python (portal/rows.py)
@register.simple_tag
def case_rows(tickets, managed):
    """The <tr> rows of the customer case list: `{% case_rows page.object_list managed %}`."""
    from ventanilla.portal.rows import case_rows_html

    return case_rows_html(tickets, managed)
