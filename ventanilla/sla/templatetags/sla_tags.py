"""SLA partials for the console and the customer area (include snippets in docs/sla.md)."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from ventanilla.core.templatetags.ventanilla_ui import local
from ventanilla.sla import display
from ventanilla.sla.clockmath import BUSINESS_UNITS
from ventanilla.sla.models import ClockState, SlaClock
from ventanilla.sla.selectors import LIVE, sla_explanation

register = template.Library()


def _live_clocks(ticket):
    clocks = getattr(ticket, "live_clocks", None)  # from selectors.with_sla_clocks
    if clocks is None:
        clocks = SlaClock.objects.filter(ticket=ticket, state__in=LIVE).select_related(
            "policy__calendar"
        )
    return sorted(clocks, key=lambda c: (c.kind != "contractual", c.due_at))


def badge_context(clock, now=None):
    now = now or timezone.now()
    state, text = display.badge_state_text(clock, now)
    due = local(clock.due_at)
    return {
        "clock": clock,
        "state": state,
        "target": clock.get_target_display(),
        "internal": clock.kind == "internal",
        "text": text,
        "due": due,
        "due_text": date_format(due, "DATETIME_FORMAT"),
        "due_short": date_format(due, "SHORT_DATETIME_FORMAT"),
        "business": clock.unit in BUSINESS_UNITS,
    }


@register.inclusion_tag("sla/_badge.html")
def sla_badge(clock, now=None):
    """One deadline: `{% sla_badge clock %}`."""
    return badge_context(clock, now)


@register.inclusion_tag("sla/_badges.html")
def sla_badges(ticket, internal=True, now=None):
    """Every live deadline of a case: `{% sla_badges ticket %}` (internal=False hides ours)."""
    clocks = [c for c in _live_clocks(ticket) if internal or c.kind == "contractual"]
    return {"badges": [badge_context(c, now) for c in clocks]}


@register.inclusion_tag("sla/_badge.html")
def sla_next_badge(ticket, now=None):
    """The most urgent contractual deadline, for list rows: `{% sla_next_badge ticket %}`."""
    clocks = [c for c in _live_clocks(ticket) if c.kind == "contractual"]
    running = [c for c in clocks if c.state == ClockState.RUNNING] or clocks
    if not running:
        return {"clock": None}
    return badge_context(min(running, key=lambda c: c.due_at), now)


@register.inclusion_tag("sla/_customer_promise.html")
def sla_promise(ticket, now=None):
    """The customer's sentence: `{% sla_promise ticket %}` ("Te responderemos antes del…")."""
    clocks = list(_live_clocks(ticket))
    return {
        "sentence": display.customer_sentence(clocks, now),
        "paused": any(c.kind == "contractual" and c.state == ClockState.PAUSED for c in clocks),
    }


@register.filter
def sla_when(value, fmt="SHORT_DATETIME_FORMAT"):
    """A datetime (or ISO string) formatted in the desk's display time zone."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return date_format(local(value), fmt)


TARGET_ORDER = ["first_response", "next_response", "start_of_work", "resolution"]


@register.inclusion_tag("sla/_explain.html")
def sla_explain(ticket, now=None):
    """Why these deadlines (staff only): `{% sla_explain ticket %}`."""
    data = sla_explanation(ticket)
    data["rules"].sort(key=lambda r: (r["kind"] != "contractual", TARGET_ORDER.index(r["target"])))
    data["badges"] = [badge_context(c, now) for c in data["clocks"]]
    return data


# ---- slaui ----
@register.inclusion_tag("sla/_explain_side.html")
def sla_explain_side(ticket, now=None):
    """The explain partial laid out for a narrow side column (console case page)."""
    return sla_explain(ticket, now)
