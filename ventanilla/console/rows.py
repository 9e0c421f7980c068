"""Table rows built in Python for the hot read pages (issue 7, "Make it fast").

A 50-row queue through the template engine cost about 1 ms a row (tags, filters, {% url %},
{% translate %} and an inclusion tag per row); these functions give the same markup byte for byte
(console/tests/test_queue_rows.py renders both and compares them) for a fraction of it.
"""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
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
    """sla/_badge.html for one clock, as sla_tags.badge_context computes it (tested equal)."""
    from ventanilla.sla import display
    from ventanilla.sla.clockmath import BUSINESS_UNITS

    if clock is None:
        return "\n"
    state, text = display.badge_state_text(clock, now)
    return sla_badge_html(
        {
            "clock": clock,
            "state": state,
            "target": _target_label(clock.target),
            "internal": clock.kind == "internal",
            "text": text,
            "due_text": minute_date_format(local(clock.due_at)),
            "business": clock.unit in BUSINESS_UNITS,
        }
    )


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
    """The <tr> rows of a console queue (the loop of console/queue.html, same markup)."""
    from ventanilla.core.templatetags.ventanilla_ui import (
        avatar,
        priority_chip,
        severity_chip,
        status_badge,
    )

    now = timezone.now()

    labels = {
        key: escape(_(text))
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
    phone = escape(_("Phone"))
    nobody = escape(_("Nobody"))
    select = _("Select %(number)s")
    statuses, severities, priorities = (
        Memo(status_badge),
        Memo(severity_chip),
        Memo(priority_chip),
    )
    avatars = Memo(avatar)
    out = []
    for ticket in tickets:
        number = escape(ticket.number)
        url = escape(case_url(ticket.number))
        meta = f"{escape(ticket.organization.name)}</a> · {escape(ticket.requester.name)}"
        if ticket.product_id:
            meta += f" · {escape(ticket.product.name)}"
        if ticket.team_id:
            meta += f" · {escape(ticket.team.name)}"
        status = statuses[ticket.status]
        if ticket.planned_at and ticket.status == "scheduled":
            status += (
                f'<span class="cell__meta">{escape(desk_time(ticket.planned_at, "j M H:i"))}</span>'
            )
        if ticket.assignee_id:
            assignee = ticket.assignee
            who = (
                f'<span class="person">{avatars[assignee]}'
                f"{escape(assignee.get_short_name())}</span>"
            )
        else:
            who = f'<span class="muted">{nobody}</span>'
        out.append(
            "\n          <tr data-row>\n"
            f'            <td class="cell--check"><input type="checkbox" name="numbers" '
            f'value="{number}" aria-label="{select % {"number": number}}"></td>\n'
            f'            <td class="cell--number" data-label="{labels["case"]}"><a '
            f'class="ticket-number" data-open href="{url}">{number}</a>'
            f"{f'<span class="cell__meta">{phone}</span>' if ticket.channel == 'phone' else ''}"
            "</td>\n"
            f'            <td class="cell--subject" data-label="{labels["subject"]}"><a '
            f'class="cell__link" href="{url}">{escape(ticket.subject)}</a><span class="cell__meta">'
            f'<a class="cell__org" href="{_organization_url(ticket.organization_id)}">'
            f"{meta}</span></td>\n"
            f'            <td class="cell--status" data-label="{labels["status"]}">{status}</td>\n'
            f'            <td data-label="{labels["severity"]}">'
            f"{severities[ticket.severity]}</td>\n"
            f'            <td class="cell--sla" data-label="{labels["sla"]}">'
            f"{badge_html(next_clock(ticket), now)}</td>\n"
            f'            <td class="cell--optional" data-label="{labels["priority"]}">'
            f"{priorities[ticket.priority]}</td>\n"
            f'            <td class="cell--optional" data-label="{labels["assignee"]}">{who}</td>\n'
            f'            <td class="cell--end cell--time" data-label="{labels["activity"]}">'
            f"{ago_html(ticket.last_activity_at)}</td>\n"
            "          </tr>\n          "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
