"""Interface helpers for templates: icons, status badges, chips, times and the two sidebars.

Load with `{% load ventanilla_ui %}`. Everything returned here is built with format_html, so
values coming from the database are always escaped.
"""

from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ventanilla.accounts.roles import contact_of, is_supervisor
from ventanilla.organizations.models import Section
from ventanilla.tickets.workflow import Status

register = template.Library()

# Small line icons (24×24 grid, 2px stroke, drawn in currentColor).
ICONS = {
    "home": '<path d="M3 10.5 12 3l9 7.5"/><path d="M5 9.5V20a1 1 0 0 0 1 1h4v-6h4v6h4a1 1 0 0 0 '
    '1-1V9.5"/>',
    "inbox": '<path d="M22 12h-6l-2 3h-4l-2-3H2"/><path d="M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 '
    '2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "plus-circle": '<circle cx="12" cy="12" r="9"/><path d="M12 8v8M8 12h8"/>',
    "users": '<path d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" r="4"/>'
    '<path d="M22 21v-2a4 4 0 0 0-3-3.87"/><path d="M16 3.13a4 4 0 0 1 0 7.75"/>',
    "building": '<rect x="4" y="2" width="16" height="20" rx="2"/><path d="M9 22v-4h6v4"/>'
    '<path d="M8 6h.01M12 6h.01M16 6h.01M8 10h.01M12 10h.01M16 10h.01M8 14h.01M12 14h.01'
    'M16 14h.01"/>',
    "package": '<path d="m7.5 4.27 9 5.15"/><path d="M21 8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 '
    '4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73l7 4a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16Z"/>'
    '<path d="m3.3 7 8.7 5 8.7-5"/><path d="M12 22V12"/>',
    "refresh": '<path d="M21 12a9 9 0 0 0-9-9 9.75 9.75 0 0 0-6.74 2.74L3 8"/><path d="M3 3v5h5"/>'
    '<path d="M3 12a9 9 0 0 0 9 9 9.75 9.75 0 0 0 6.74-2.74L21 16"/><path d="M16 16h5v5"/>',
    "receipt": '<path d="M4 2v20l3-2 3 2 2-2 2 2 3-2 3 2V2l-3 2-3-2-2 2-2-2-3 2Z"/>'
    '<path d="M8 8h8M8 12h8M8 16h5"/>',
    "clipboard": '<rect x="8" y="2" width="8" height="4" rx="1"/><path d="M16 4h2a2 2 0 0 1 2 2v14'
    'a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2"/><path d="M9 12h6M9 16h4"/>',
    "network": '<rect x="16" y="16" width="6" height="6" rx="1"/><rect x="2" y="16" width="6" '
    'height="6" rx="1"/><rect x="9" y="2" width="6" height="6" rx="1"/><path d="M5 16v-3a1 1 0 '
    '0 1 1-1h12a1 1 0 0 1 1 1v3"/><path d="M12 12V8"/>',
    "bell": '<path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/>'  # notify
    '<path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/>',
    "lock": '<rect x="4" y="11" width="16" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "x": '<path d="M18 6 6 18M6 6l12 12"/>',
    "logout": '<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4"/><path d="m16 17 5-5-5-5"/>'
    '<path d="M21 12H9"/>',
    "globe": '<circle cx="12" cy="12" r="10"/><path d="M2 12h20"/><path d="M12 2a15.3 15.3 0 0 1 4 '
    '10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z"/>',
    "chevron-down": '<path d="m6 9 6 6 6-6"/>',
    "chevron-right": '<path d="m9 18 6-6-6-6"/>',
    "arrow-right": '<path d="M5 12h14M13 5l7 7-7 7"/>',
    "alert": '<circle cx="12" cy="12" r="10"/><path d="M12 8v4M12 16h.01"/>',
    "check-circle": '<path d="M22 11.08V12a10 10 0 1 1-5.93-9.14"/><path d="m22 4-10 10.01-3-3"/>',
    "info": '<circle cx="12" cy="12" r="10"/><path d="M12 16v-4M12 8h.01"/>',
    "message": '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/>',
    "reply": '<path d="m9 17-5-5 5-5"/><path d="M20 18v-2a4 4 0 0 0-4-4H4"/>',
    "clock": '<circle cx="12" cy="12" r="10"/><path d="M12 6v6l4 2"/>',
    "calendar": '<rect x="3" y="4" width="18" height="18" rx="2"/>'
    '<path d="M16 2v4M8 2v4M3 10h18"/>',
    "arrow-up": '<path d="m5 12 7-7 7 7"/><path d="M12 19V5"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M20 21a8 8 0 0 0-16 0"/>',
    "user-check": '<path d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" '
    'r="4"/><path d="m16 11 2 2 4-4"/>',
    "sparkles": '<path d="M12 3 13.9 8.1 19 10l-5.1 1.9L12 17l-1.9-5.1L5 10l5.1-1.9Z"/>'
    '<path d="M19 17v4M17 19h4"/>',
    "list": '<path d="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01"/>',
    "hourglass": '<path d="M5 22h14M5 2h14"/><path d="M17 22v-4.17a2 2 0 0 0-.59-1.42L12 12l-4.41'
    ' 4.41A2 2 0 0 0 7 17.83V22"/><path d="M7 2v4.17a2 2 0 0 0 .59 1.42L12 12l4.41-4.41A2 2 0 0 '
    '0 17 6.17V2"/>',
    "shield": '<path d="M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z"/>',
    "coffee": '<path d="M17 8h1a4 4 0 1 1 0 8h-1"/><path d="M3 8h14v9a4 4 0 0 1-4 4H7a4 4 0 0 '
    '1-4-4Z"/><path d="M6 2v2M10 2v2M14 2v2"/>',
    "search": '<circle cx="11" cy="11" r="8"/><path d="m21 21-4.3-4.3"/>',
    "key": '<path d="m15.5 7.5 2.3 2.3a1 1 0 0 0 1.4 0l2.1-2.1a1 1 0 0 0 0-1.4L19 4"/>'
    '<path d="m21 2-9.6 9.6"/><circle cx="7.5" cy="15.5" r="5.5"/>',
}


_ICON_HTML = {}  # floor: (name, size, label as shown, class) → markup; bounded below


@register.simple_tag
def icon(name, size=18, label="", css_class=""):
    """An inline SVG icon. Decorative (aria-hidden) unless a label is given."""
    key = (name, size, str(label), css_class)  # str(): a lazy label in the active language
    html = _ICON_HTML.get(key)
    if html is None:
        html = _icon_html(name, size, label, css_class)
        if len(_ICON_HTML) < 2048:
            _ICON_HTML[key] = html
    return html


def _icon_html(name, size, label, css_class):
    body = ICONS.get(name, ICONS["info"])
    if label:
        accessible = format_html('role="img" aria-label="{}"', label)
    else:
        accessible = mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="icon {}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        'focusable="false" {}>{}</svg>',
        css_class,
        size,
        size,
        accessible,
        mark_safe(body),  # noqa: S308 (constant markup from ICONS above)
    )


def _status_of(value):
    """A Status from a ticket, a Status, or a raw status string."""
    raw = getattr(value, "status", value)
    try:
        return Status(raw)
    except ValueError:
        return None


@register.simple_tag
def status_badge(value):
    """`badge badge--<status>` with the translated label (seed 000: ESPERANDO AYUDA…)."""
    status = _status_of(value)
    if status is None:
        return ""
    return format_html(
        '<span class="badge badge--{}">'
        '<span class="badge__dot" aria-hidden="true"></span>{}</span>',
        status.value,
        status.label,
    )


SEVERITY_HINT = {"A": _("Critical"), "B": _("Moderate"), "C": _("Minimal")}
PRIORITY_LABEL = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}


@register.simple_tag
def severity_chip(ticket):
    """Severity A/B/C (seed 003) with its meaning: "A Critical"."""
    severity = getattr(ticket, "severity", ticket) or ""
    if severity not in SEVERITY_HINT:
        return ""
    return format_html(
        '<span class="chip chip--sev chip--sev-{}"><span class="visually-hidden">{} </span>'
        '<b class="chip__key">{}</b>{}</span>',
        severity.lower(),
        _("Severity"),
        severity,
        SEVERITY_HINT[severity],
    )


@register.simple_tag
def priority_chip(ticket):
    priority = getattr(ticket, "priority", ticket) or ""
    if priority not in PRIORITY_LABEL:
        return ""
    bars = {"high": 3, "medium": 2, "low": 1}[priority]
    return format_html(
        '<span class="chip chip--prio chip--prio-{}"><span class="prio-bars prio-bars--{}" '
        'aria-hidden="true"><i></i><i></i><i></i></span>{}</span>',
        priority,
        bars,
        PRIORITY_LABEL[priority],
    )


@register.filter
def initials(person):
    """Two letters for an avatar, from a user, a contact or a plain name."""
    name = getattr(person, "full_name", None) or getattr(person, "name", None) or str(person or "")
    parts = [part for part in name.replace("@", " ").split() if part[:1].isalpha()]
    letters = "".join(part[0] for part in parts[:2]).upper()
    return letters or "?"


@register.simple_tag
def avatar(person, size="sm"):
    if person is None:
        return ""
    return format_html(
        '<span class="avatar avatar--{}" aria-hidden="true">{}</span>', size, initials(person)
    )


def _display_zone():
    return ZoneInfo(getattr(settings, "VENTANILLA_DISPLAY_TIME_ZONE", "Europe/Madrid"))


@register.filter
def local(value):
    """A datetime in the desk's display time zone (settings.VENTANILLA_DISPLAY_TIME_ZONE)."""
    if not value:
        return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(_display_zone())


@register.simple_tag
def ago(value):
    """`<time>` with a relative text ("hace 8 minutos") and the full local date as a tooltip."""
    if not value:
        return ""
    moment = local(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        date_format(moment, "DATETIME_FORMAT"),
        naturaltime(value),
    )


@register.simple_tag
def url_or_hash(viewname, *args, **kwargs):
    """reverse() that falls back to "#" for pages that are not built yet."""
    try:
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return "#"


def _current_view(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return getattr(match, "view_name", "")


def _nav_item(context, viewname, label, icon_name, *, allowed=True, count=None):
    url = url_or_hash(viewname)
    return {
        "label": label,
        "icon": icon_name,
        "url": url,
        "allowed": allowed,
        "soon": url == "#",
        "current": allowed and url != "#" and _current_view(context) == viewname,
        "count": count,
    }


# The customer area menu: (view name, label, icon, section that unlocks it or None).
PORTAL_NAV = (
    ("portal:home", _("Home"), "home", None),
    ("portal:case_list", _("My support cases"), "inbox", Section.CASES),
    ("portal:case_new", _("Open a case"), "plus-circle", Section.CASES),
    ("portal:contacts", _("Manage contacts"), "users", Section.CONTACTS),
    ("portal:company", _("Company data"), "building", Section.COMPANY),
    ("portal:services", _("Services"), "package", Section.SERVICES),
    ("portal:renewals", _("Renewals"), "refresh", Section.RENEWALS),
    ("portal:invoices", _("Invoices"), "receipt", Section.INVOICES),
    ("portal:work_reports", _("Work reports"), "clipboard", Section.WORK_REPORTS),
    ("portal:inventory", _("IT network"), "network", Section.INVENTORY),
)

SECTION_UI = {
    Section.CASES: ("portal:case_list", "inbox"),
    Section.CONTACTS: ("portal:contacts", "users"),
    Section.COMPANY: ("portal:company", "building"),
    Section.SERVICES: ("portal:services", "package"),
    Section.RENEWALS: ("portal:renewals", "refresh"),
    Section.INVOICES: ("portal:invoices", "receipt"),
    Section.WORK_REPORTS: ("portal:work_reports", "clipboard"),
    Section.INVENTORY: ("portal:inventory", "network"),
}


def _portal_allowed(contact):
    return tuple(
        section is None or (contact is not None and contact.has_section(section))
        for _viewname, _label, _icon, section in PORTAL_NAV
    )


def portal_nav_context(context, allowed=None):
    """The context of `components/sidebar_nav.html` for the customer area's menu."""
    if allowed is None:
        allowed = _portal_allowed(contact_of(context["request"].user))
    items = [
        _nav_item(context, viewname, label, icon_name, allowed=ok)
        for (viewname, label, icon_name, _section), ok in zip(PORTAL_NAV, allowed, strict=True)
    ]
    return {"groups": [(None, items)], "nav_label": _("Customer area")}


@register.simple_tag(takes_context=True)
def portal_nav(context):
    """The customer area's menu (floor: rendered once per language, page and unlocked sections;
    see `_nav_cached`)."""
    allowed = _portal_allowed(contact_of(context["request"].user))
    return _nav_cached(
        ("portal", _current_view(context), allowed),
        lambda: portal_nav_context(context, allowed),
    )


@register.simple_tag
def section_link(section):
    """{"url", "icon", "soon"} for a card of the customer area sections grid."""
    viewname, icon_name = SECTION_UI.get(Section(section), ("", "info"))
    url = url_or_hash(viewname) if viewname else "#"
    return {"url": url, "icon": icon_name, "soon": url == "#"}


@register.filter
def counts_total(rows):
    """Sum of the counts in [(status, count), …] rows."""
    return sum(row[-1] for row in rows or ())


@register.filter
def any_locked(sections):
    """True when some (section, label, allowed) row of the sections grid is locked."""
    return any(not row[-1] for row in sections or ())


@register.simple_tag(takes_context=True)
def console_nav(context):
    """The console's menu (floor: rendered once per language, page, counters and supervisor
    flag; see `_nav_cached`)."""
    from ventanilla.tickets.selectors import console_nav_counts  # reads: 2 queries, cached

    user = context["request"].user
    counts = console_nav_counts(user)
    supervisor = is_supervisor(user)
    return _nav_cached(
        ("console", _current_view(context), tuple(sorted(counts.items())), supervisor),
        lambda: console_nav_context(context, counts, supervisor),
    )


def console_nav_context(context, counts=None, supervisor=None):
    """The context of `components/sidebar_nav.html` for the console's menu."""
    from ventanilla.tickets.selectors import console_nav_counts

    user = context["request"].user
    if counts is None:
        counts = console_nav_counts(user)
    if supervisor is None:
        supervisor = is_supervisor(user)
    mine = counts["mine"]

    def item(viewname, label, icon_name, count=None):
        return _nav_item(context, viewname, label, icon_name, count=count)

    work = [
        item("console:home", _("Home"), "home"),
        item(
            "console:untriaged",
            _("Untriaged"),
            "sparkles",
            counts.get(Status.WAITING_FOR_SUPPORT, 0),
        ),
        item("console:mine", _("My cases"), "user-check", mine),
        item("console:team", _("My team"), "users"),
    ]
    views = [
        item(
            "console:waiting",
            _("Waiting on customer"),
            "hourglass",
            counts.get(Status.WAITING_ON_CUSTOMER, 0),
        ),
        item(
            "console:scheduled",
            pgettext_lazy("queue", "Scheduled"),
            "calendar",
            counts.get(Status.SCHEDULED, 0),
        ),
        item(
            "console:escalated",
            pgettext_lazy("queue", "Escalated"),
            "arrow-up",
            counts.get(Status.ESCALATED, 0),
        ),
        item("console:all", _("All cases"), "list"),
        item("console:sla_report", _("SLA compliance"), "clock"),  # sla branch
    ]
    groups = [(None, work), (_("Views"), views)]
    # ---- slaui ---- (the pill counts cases whose deadline is warned or passed: one query)
    work.append(
        item("console:breaching", _("Breaching soon"), "alert", counts["breaching"] or None)
    )
    # ---- console ----
    work.append(item("console:phone", _("Phone case"), "plus-circle"))
    if supervisor:
        groups.append(
            (
                _("Supervision"),
                [
                    item("console:canned_list", _("Canned replies"), "message"),
                    item("console:quarantine", _("Email quarantine"), "shield"),
                    item(
                        "console:sla_policies", pgettext_lazy("page", "SLA policies"), "clock"
                    ),  # slaedit
                    item("console:sla_automations", _("Automations"), "refresh"),  # slaedit
                ],
            )
        )
    return {"groups": groups, "nav_label": _("Agent console")}


# ---- floor ---- (issue 7 round 3: the layout every page pays)
# The sidebars were rendered through `components/sidebar_nav.html` on every page (≈ 0.8 ms:
# 15 `reverse()`, lazy labels, icons). Their markup depends only on what the key holds: the
# active language, the URL configuration and script prefix (the links), the current view (the
# highlighted item) and the tag's own inputs (counters and supervisor flag; unlocked sections).
# Each distinct output is rendered once per process from the same template and reused; nothing
# of a person is in it beyond those inputs, so an entry is correct for anyone with the same key.
# No staleness: a change of any input is a new key (the console counters themselves are cached
# upstream for VENTANILLA_NAV_COUNTS_SECONDS). Bounded: emptied when it reaches _NAV_CACHE_MAX.
_NAV_CACHE = {}
_NAV_CACHE_MAX = 512


def _nav_cached(key, build):
    from django.template.loader import get_template
    from django.urls import get_script_prefix, get_urlconf
    from django.utils.translation import get_language

    key = (get_language(), get_script_prefix(), get_urlconf(), *key)
    html = _NAV_CACHE.get(key)
    if html is None:
        html = get_template("components/sidebar_nav.html").render(build())
        if len(_NAV_CACHE) >= _NAV_CACHE_MAX:
            _NAV_CACHE.clear()
        _NAV_CACHE[key] = html
    return html


def _language_key():
    from django.urls import get_script_prefix, get_urlconf
    from django.utils.translation import get_language

    return (get_language(), get_script_prefix(), get_urlconf())


class OncePerLanguageNode(template.Node):
    """`{% once_per_language %}…{% endonce_per_language %}`: the enclosed markup is rendered once
    per process, language, script prefix and URL configuration, then reused. Only for markup
    that depends on nothing else (icons, `{% translate %}`, `{% url %}` without per-request
    arguments, settings such as the brand): no user, request, token or object inside. The node
    belongs to its compiled template (the cached loader keeps it per process; without that
    loader every render starts empty)."""

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered = {}

    def render(self, context):
        key = _language_key()
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


@register.tag
def once_per_language(parser, token):
    nodelist = parser.parse(("endonce_per_language",))
    parser.delete_first_token()
    return OncePerLanguageNode(nodelist)


# The language switch (`components/language_switch.html`, on every page): rendered once per
# language with two markers where the request's own values go (the CSRF token, the path to come
# back to), then filled in per request, escaped as the template escapes them.
_HOLE_TOKEN, _HOLE_PATH = "\x00csrf\x00", "\x00path\x00"
_SWITCH = {}


class _MarkedRequest:
    def get_full_path(self):
        return _HOLE_PATH


@register.simple_tag(takes_context=True)
def language_switch(context):
    """`{% include "components/language_switch.html" %}`, the same bytes, without rendering the
    template on every request."""
    from django.template.loader import get_template
    from django.utils.html import escape

    request = context.get("request")
    token = context.get("csrf_token")
    if request is None or not token or str(token) == "NOTPROVIDED":
        return get_template("components/language_switch.html").render(context.flatten(), request)
    key = _language_key()
    parts = _SWITCH.get(key)
    if parts is None:
        html = get_template("components/language_switch.html").render(
            {"request": _MarkedRequest(), "csrf_token": _HOLE_TOKEN}
        )
        before, rest = html.split(_HOLE_TOKEN)
        middle, after = rest.split(_HOLE_PATH)
        parts = _SWITCH[key] = (before, middle, after)
    before, middle, after = parts
    return mark_safe(  # noqa: S308 (template output; the two values escaped as it does)
        before + escape(str(token)) + middle + escape(request.get_full_path()) + after
    )
