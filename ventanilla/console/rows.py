"""Table rows built in Python for the hot read pages (issue 7, "Make it fast").

A 50-row queue through the template engine cost about 1 ms a row (tags, filters, {% url %},
{% translate %} and an inclusion tag per row); these functions give the same markup byte for byte
(console/tests/test_queue_rows.py renders both and compares them) for a fraction of it.
"""

from functools import lru_cache
from html import escape as _html_escape
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ventanilla.console.templatetags.console_ui import desk_time
from ventanilla.core.rows import Memo, ago_html, minute_date_format
from ventanilla.core.templatetags.ventanilla_ui import local

# What reverse() leaves unquoted in a path (django.urls.resolvers: RFC 3986 sub-delims + "/~:@").
_PATH_SAFE = "!$&'()*+,;=/~:@"


@lru_cache(maxsize=8)
def _url_prefixes(script_prefix):
    """The start of a case URL and of an organization URL (reverse once per script prefix)."""
    case = reverse("console:case_detail", args=["0"])
    organization = reverse("console:organization", args=[0])
    return case.removesuffix("0/"), organization.removesuffix("0/")


def case_url(number):
    """reverse("console:case_detail", args=[number]), without the resolver's cost per row."""
    start = _url_prefixes(get_script_prefix())[0]
    return f"{start}{quote(str(number), safe=_PATH_SAFE)}/"


def _organization_url(pk):
    return f"{_url_prefixes(get_script_prefix())[1]}{int(pk)}/"


def badge_html(clock, now):
    """sla/_badge.html for one clock, as sla_tags.badge_context computes it (tested equal):
    `sla_badge_html`'s markup with its labels translated once per language."""
    from ventanilla.sla import display
    from ventanilla.sla.clockmath import BUSINESS_UNITS

    if clock is None:
        return "\n"
    state, text = display.badge_state_text(clock, now)
    labels = _badge_labels(get_language())
    title = _esc(minute_date_format(local(clock.due_at)))
    if clock.unit in BUSINESS_UNITS:
        title += labels["business"]
    target = labels["targets"].get(clock.target)
    if target is None:
        target = _esc(_target_label(clock.target))
    if clock.kind == "internal":
        target += labels["internal"]
    return (
        f'<span class="sla-badge sla-badge--{_esc(state)}" title="{labels["due"]} '
        f'{title}"><span class="sla-badge__dot" aria-hidden="true"></span>'
        f'<span class="sla-badge__target">{target}</span>'
        f'<span class="sla-badge__left">{_esc(text)}</span></span>\n'
    )


_BADGE_LABELS = {}


def _badge_labels(language):
    """The translated, escaped constant parts of a badge, once per language (the catalogues do
    not change while the process runs)."""
    labels = _BADGE_LABELS.get(language)
    if labels is None:
        from ventanilla.sla.models import TargetKind

        labels = _BADGE_LABELS[language] = {
            "due": _esc(_("Due")),
            "business": " · " + _esc(_("business time")),
            "internal": " <small>(" + _esc(_("internal")) + ")</small>",
            "targets": {kind.value: _esc(kind.label) for kind in TargetKind},
        }
    return labels


def _esc(value):
    """django.utils.html.escape's text (html.escape of str()) without its lazy-string wrapper."""
    return _html_escape(str(value))


def _target_label(target):
    from ventanilla.sla.models import TargetKind

    try:
        return TargetKind(target).label
    except ValueError:
        return target


def next_clock(ticket):
    """The clock `{% sla_next_badge ticket %}` shows: the most urgent contractual one."""
    from ventanilla.sla.models import ClockState
    from ventanilla.sla.templatetags.sla_tags import _live_clocks

    clocks = [c for c in _live_clocks(ticket) if c.kind == "contractual"]
    running = [c for c in clocks if c.state == ClockState.RUNNING] or clocks
    return min(running, key=lambda c: c.due_at) if running else None


def sla_badge_html(badge):
    """The markup of templates/sla/_badge.html for one badge context (None/clock-less: "\\n")."""
    if not badge.get("clock"):
        return "\n"
    title = escape(badge["due_text"])
    if badge["business"]:
        title += " · " + escape(_("business time"))
    target = escape(badge["target"])
    if badge["internal"]:
        target += " <small>(" + escape(_("internal")) + ")</small>"
    return (
        f'<span class="sla-badge sla-badge--{escape(badge["state"])}" title="{escape(_("Due"))} '
        f'{title}"><span class="sla-badge__dot" aria-hidden="true"></span>'
        f'<span class="sla-badge__target">{target}</span>'
        f'<span class="sla-badge__left">{escape(badge["text"])}</span></span>\n'
    )


def queue_rows_html(tickets):
    """The <tr> rows of a console queue (the loop of console/queue.html, same markup), from
    `tickets.selectors.QueueRow`s (`queue_page_rows`) or Tickets (`queue_page`)."""
    from ventanilla.core.templatetags.ventanilla_ui import (
        priority_chip,
        severity_chip,
        status_badge,
    )
    from ventanilla.tickets.selectors import QueueRow

    now = timezone.now()

    labels = {
        key: _esc(_(text))
        for key, text in (
            ("case", "Case"),
            ("subject", "Subject"),
            ("status", "Status"),
            ("severity", "Severity"),
            ("sla", "Next deadline"),
            ("priority", "Priority"),
            ("assignee", "Assigned to"),
            ("activity", "Last activity"),
        )
    }
    phone = _esc(_("Phone"))
    nobody = _esc(_("Nobody"))
    select = _("Select %(number)s")
    statuses, severities, priorities = (
        Memo(status_badge),
        Memo(severity_chip),
        Memo(priority_chip),
    )
    people = Memo(_person_html)
    scheduled = Memo(lambda planned: _esc(desk_time(planned, "j M H:i")))
    case_start = _url_prefixes(get_script_prefix())[0]
    organization_start = _url_prefixes(get_script_prefix())[1]
    out = []
    for row in tickets:
        if not isinstance(row, QueueRow):
            row = QueueRow.from_ticket(row, next_clock(row))
        number = _esc(row.number)
        url = _esc(f"{case_start}{quote(str(row.number), safe=_PATH_SAFE)}/")
        meta = f"{_esc(row.organization_name)}</a> · {_esc(row.requester_name)}"
        if row.product_id:
            meta += f" · {_esc(row.product_name)}"
        if row.team_id:
            meta += f" · {_esc(row.team_name)}"
        status = statuses[row.status]
        if row.planned_at and row.status == "scheduled":
            status += f'<span class="cell__meta">{scheduled[row.planned_at]}</span>'
        if row.assignee_id:
            who = people[(row.assignee_full_name or "", row.assignee_email or "")]
        else:
            who = f'<span class="muted">{nobody}</span>'
        out.append(
            "\n          <tr data-row>\n"
            f'            <td class="cell--check"><input type="checkbox" name="numbers" '
            f'value="{number}" aria-label="{select % {"number": number}}"></td>\n'
            f'            <td class="cell--number" data-label="{labels["case"]}"><a '
            f'class="ticket-number" data-open href="{url}">{number}</a>'
            f"{f'<span class="cell__meta">{phone}</span>' if row.channel == 'phone' else ''}"
            "</td>\n"
            f'            <td class="cell--subject" data-label="{labels["subject"]}"><a '
            f'class="cell__link" href="{url}">{_esc(row.subject)}</a><span class="cell__meta">'
            f'<a class="cell__org" href="{organization_start}{int(row.organization_id)}/">'
            f"{meta}</span></td>\n"
            f'            <td class="cell--status" data-label="{labels["status"]}">{status}</td>\n'
            f'            <td data-label="{labels["severity"]}">'
            f"{severities[row.severity]}</td>\n"
            f'            <td class="cell--sla" data-label="{labels["sla"]}">'
            f"{badge_html(row.clock, now)}</td>\n"
            f'            <td class="cell--optional" data-label="{labels["priority"]}">'
            f"{priorities[row.priority]}</td>\n"
            f'            <td class="cell--optional" data-label="{labels["assignee"]}">{who}</td>\n'
            f'            <td class="cell--end cell--time" data-label="{labels["activity"]}">'
            f"{ago_html(row.last_activity_at)}</td>\n"
            "          </tr>\n          "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def _person_html(person):
    """`{% avatar user %}{{ user.get_short_name }}` in a `person` span, for (full name, email)."""
    from ventanilla.core.templatetags.ventanilla_ui import avatar
    from ventanilla.tickets.selectors import Person

    person = Person(*person)
    return f'<span class="person">{avatar(person)}{_esc(person.get_short_name())}</span>'
