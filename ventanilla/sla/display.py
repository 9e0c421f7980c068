"""How a clock looks to people: its state colour, the time left, the customer's sentence."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ventanilla.core.templatetags.ventanilla_ui import local
from ventanilla.sla import clockmath
from ventanilla.sla.models import ClockState
from ventanilla.sla.services import calendar_of


def clock_state(clock, now=None):
    """ok / warning / breached / paused / met / cancelled."""
    now = now or timezone.now()
    if clock.state == ClockState.MET:
        return "met"
    if clock.state == ClockState.MISSED:
        return "breached"
    if clock.state == ClockState.CANCELLED:
        return "cancelled"
    if clock.state == ClockState.PAUSED:  # its deadline moves on when it resumes
        return "breached" if clock.breached_at is not None else "paused"
    if clock.breached_at is not None or clock.due_at <= now:
        return "breached"
    if clock.warned_at is not None or clock.warn_at <= now:
        return "warning"
    return "ok"


def minutes_left(clock, now=None):
    """Time left in the clock's own measure (business minutes on business targets)."""
    now = now or timezone.now()
    moment = clock.paused_since if clock.state == ClockState.PAUSED else now
    return clockmath.elapsed(calendar_of(clock.policy), clock.unit, moment, clock.due_at)


def badge_state_text(clock, now):
    """(state, short text) of a clock's badge: "2 h left", "overdue by 15 min", "met"…
    The one place both the badge template tag and the Python-built queue rows read."""
    from ventanilla.sla.clockmath import BUSINESS_UNITS

    state = clock_state(clock, now)
    business = clock.unit in BUSINESS_UNITS
    if state in ("ok", "warning"):
        left = duration(minutes_left(clock, now), business=business)
        return state, _("%(left)s left") % {"left": left}
    if state == "breached" and clock.is_live:
        late = duration(-minutes_left(clock, now), business=business)
        return state, _("overdue by %(late)s") % {"late": late}
    if state == "paused":
        left = duration(minutes_left(clock, now), business=business)
        return state, _("on hold · %(left)s left") % {"left": left}
    return state, {"met": _("met"), "breached": _("missed"), "cancelled": _("cancelled")}[state]


def duration(minutes, *, business=False):
    """2 h 15 min, 45 min, 3 d 4 h (days only for elapsed time: a business day is not 24 h)."""
    minutes = round(abs(minutes))
    days, rest = divmod(minutes, 24 * 60)
    if days and not business:
        hours = rest // 60
        return (
            _("%(d)s d %(h)s h") % {"d": days, "h": hours} if hours else _("%(d)s d") % {"d": days}
        )
    hours, mins = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": mins}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": mins} if mins else _("%(h)s h") % {"h": hours}


def local_phrase(moment, now=None):
    """When, with its preposition: "today by 10:30", "by Monday 24 at 10:30" (es: "hoy antes de
    las 10:30", "antes del lunes 24 a las 10:30"); the month is named a week or more ahead."""
    now = local(now or timezone.now())
    moment = local(moment)
    time = date_format(moment, "H:i")
    days = (moment.date() - now.date()).days
    if days == 0:
        return _("today by %(time)s") % {"time": time}
    if days == 1:
        return _("tomorrow by %(time)s") % {"time": time}
    fmt = "l j" if days < 7 else "l j \\d\\e F"
    return _("by %(date)s at %(time)s") % {"date": date_format(moment, fmt), "time": time}


def customer_sentence(clocks, now=None):
    """The contractual promise a customer sees, in plain words; '' when there is none."""
    now = now or timezone.now()
    live = [c for c in clocks if c.kind == "contractual" and c.state in ("running", "paused")]
    if not live:
        return ""
    if any(c.state == ClockState.PAUSED for c in live):
        return _("The deadline is on hold while we wait for your answer.")
    order = ["first_response", "next_response", "start_of_work", "resolution"]
    live.sort(key=lambda c: (order.index(c.target), c.due_at))
    clock = live[0]
    if clock.due_at <= now:
        return _("We are working on your case and will answer you as soon as possible.")
    when = local_phrase(clock.due_at, now)
    return {
        "first_response": _("We will answer you %(when)s."),
        "next_response": _("We will answer you %(when)s."),
        "start_of_work": _("We will start working on your case %(when)s."),
        "resolution": _("We expect to resolve your case %(when)s."),
    }[clock.target] % {"when": when}


# ---- slaedit: policies and automations in plain words ----


def target_phrase(amount, unit):
    """1 h en 24×7, 3 días naturales, 2 días hábiles, 7 h 36 min en horario laboral."""
    from django.utils.translation import ngettext

    if unit == "business_days":
        return ngettext("%(n)s business day", "%(n)s business days", amount) % {"n": amount}
    if unit == "calendar_days":
        return ngettext("%(n)s calendar day", "%(n)s calendar days", amount) % {"n": amount}
    if unit == "business_minutes":
        return _("%(duration)s of business hours") % {"duration": duration(amount, business=True)}
    return _("%(duration)s in 24×7") % {"duration": duration(amount)}


def policy_conditions(policy):
    """The policy's conditions as short Spanish phrases; ["Todos los casos"] when none."""
    from ventanilla.tickets.models import Channel, Priority, Severity

    parts = []
    if policy.severity:
        parts.append(_("Severity %(value)s") % {"value": Severity(policy.severity).label})
    if policy.priority:
        parts.append(_("Priority: %(value)s") % {"value": Priority(policy.priority).label})
    if policy.organization_id:
        parts.append(_("Organization: %(value)s") % {"value": policy.organization})
    if policy.product_id:
        parts.append(_("Product: %(value)s") % {"value": policy.product})
    if policy.request_type_id:
        parts.append(_("Request type: %(value)s") % {"value": policy.request_type})
    if policy.channel:
        parts.append(_("Channel: %(value)s") % {"value": Channel(policy.channel).label})
    return parts or [_("Any case")]


def policy_actions(policy):
    """What happens when a deadline nears or passes, in short phrases."""
    parts = [_("Warning at %(n)s %%") % {"n": policy.warning_percent}]
    if policy.notify_assignee:
        parts.append(_("notifies the assignee"))
    if policy.notify_team:
        parts.append(_("notifies the team"))
    if policy.notify_supervisors:
        parts.append(_("notifies supervisors on breach"))
    if policy.breach_raise_tier:
        parts.append(_("raises the support tier on breach"))
    if policy.breach_reassign_to_id:
        name = policy.breach_reassign_to.get_full_name() or policy.breach_reassign_to.email
        parts.append(_("reassigns to %(name)s on breach") % {"name": name})
    return parts
