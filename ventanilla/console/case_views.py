"""The case page of the console: timeline, composer, and one POST endpoint per action.

Every action calls one service; a refused action re-renders the page with the form and its errors
(what the agent typed is kept)."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.accounts.roles import is_supervisor
from ventanilla.console import forms
from ventanilla.core.decorators import staff_required
from ventanilla.core.fragments import cached_fragment, fragment_key
from ventanilla.sla.selectors import LIVE as SLA_LIVE
from ventanilla.sla.selectors import sla_rules
from ventanilla.sla.templatetags.sla_tags import TARGET_ORDER as SLA_TARGET_ORDER
from ventanilla.sla.templatetags.sla_tags import badge_context
from ventanilla.tickets import services
from ventanilla.tickets.access import actor_kind, can_see_internal, get_ticket_for_user_or_404
from ventanilla.tickets.models import Message
from ventanilla.tickets.selectors import (
    canned_replies_for,
    canned_reply_text,
    case_clocks,
    case_links,
    case_marks,
    case_newer_public_messages,
    case_participants,
    case_presence,
    case_staff_timeline,
)
from ventanilla.tickets.services import team_suggest
from ventanilla.tickets.workflow import Status, targets


def _ticket(request, number):
    return get_ticket_for_user_or_404(request.user, number, details=True)


def _status_targets(request, ticket):
    """The statuses the status panel offers (escalating and resolving have their own panels)."""
    return [
        s
        for s in targets(actor_kind(request.user), ticket.status)
        if s not in (Status.ESCALATED, Status.RESOLVED)
    ]


def _triage_form(ticket):
    initial = {
        "product": ticket.product,
        "version": ticket.product_version,
        "request_type": ticket.request_type,
        "severity": ticket.severity,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "next_status": Status.IN_PROGRESS,
    }
    return forms.TriageForm(initial=initial, prefix="triage")


# reads (issue 7, casepage): the rarely used forms are not rendered with the page. Each panel of
# the page is a <details> whose summary loads its form from `case_action` (GET) with htmx the
# first time it opens; without JavaScript the panel holds a link to the same URL, a page with
# the form. A refused POST re-renders the case page with that panel open and its bound form.
# name: (icon, label, submit button, red button)
PANELS = {
    "assign": ("user-check", gettext_lazy("Assign"), gettext_lazy("Assign"), False),
    "status": ("refresh", gettext_lazy("Change status"), gettext_lazy("Change status"), False),
    "update": (
        "alert",
        gettext_lazy("Severity and priority"),
        gettext_lazy("Save"),
        False,
    ),
    "escalate": ("arrow-up", gettext_lazy("Escalate"), gettext_lazy("Escalate case"), False),
    "request_info": (
        "hourglass",
        gettext_lazy("Ask the customer"),
        gettext_lazy("Send question"),
        False,
    ),
    "resolve": ("check-circle", gettext_lazy("Resolve"), gettext_lazy("Resolve case"), False),
    "merge": ("arrow-right", gettext_lazy("Merge into another case"), gettext_lazy("Merge"), False),
    "link": ("network", gettext_lazy("Link a related case"), gettext_lazy("Link"), False),
    "cancel": ("x", gettext_lazy("Cancel the case"), gettext_lazy("Cancel case"), True),
    "participant_add": (
        "plus",
        gettext_lazy("Add participant"),
        gettext_lazy("Add participant"),
        False,
    ),
    "split": ("plus", gettext_lazy("Split into a new case"), gettext_lazy("Create case"), False),
}


def _blank_form(request, ticket, name, message=None):
    """The unbound form of a panel, as the page used to render it."""
    if name == "status":
        return forms.StatusForm(targets=_status_targets(request, ticket), prefix="status")
    if name == "assign":
        return forms.AssignForm(initial={"assignee": ticket.assignee_id}, prefix="assign")
    if name == "update":
        initial = {"severity": ticket.severity, "priority": ticket.priority}
        return forms.UpdateForm(initial=initial, prefix="update")
    if name == "participant_add":
        return forms.ParticipantForm(organization=ticket.organization_id, prefix="part")
    if name == "split":
        return forms.SplitForm(initial={"message": message}, prefix="split")
    _key, form_class, prefix, _kwargs, _handler = ACTIONS[name]
    return form_class(prefix=prefix)


def _panel_context(ticket, name, form, *, message=None):
    icon, label, button, danger = PANELS[name]
    return {
        "ticket": ticket,
        "name": name,
        "form": form,
        "icon": icon,
        "label": label,
        "button": button,
        "danger": danger,
        "message_pk": message,
    }


_PANEL_NUMBER = "Z/9999/999999999"  # a stand-in case number (no series is "Z"; URLs accept it)
_BLANK_PANELS = {}  # (language, panel name) -> the unbound panel's HTML for _PANEL_NUMBER


def panels_html(request, ticket, bound):
    """{panel name: HTML} of the page's action panels (the split form sits under its message in
    the timeline). A bound form (a refused action) is rendered with its panel; an unbound panel
    (every page view: ten of them cost ≈ 0.7 ms through the template) is rendered once per
    process, language and panel for a stand-in number, then given this case's."""
    template = "console/partials/action_panel.html"
    language = get_language()
    stand_in_url = reverse("console:case_detail", args=[_PANEL_NUMBER])
    case_url = reverse("console:case_detail", args=[ticket.number])
    panels = {}
    for name in PANELS:
        if name == "split":
            continue
        if name in bound:
            action = _panel_context(ticket, name, bound[name]) | {"bound": True}
            html = render_to_string(template, {"ticket": ticket, "action": action}, request)
        else:
            html = _BLANK_PANELS.get((language, name))
            if html is None:
                stand_in = {"number": _PANEL_NUMBER}
                action = _panel_context(stand_in, name, None) | {"bound": False}
                html = render_to_string(template, {"ticket": stand_in, "action": action})
                _BLANK_PANELS[(language, name)] = html
            html = html.replace(stand_in_url, case_url)
        panels[name] = mark_safe(html)  # noqa: S308 (rendered by the template engine)
    return panels


def render_case_timeline(request, ticket, *, split=None):
    """The console timeline's HTML (messages, notes, files, events). It holds no form and no
    CSRF token (each message's "split" form loads on demand), so it can be cached; `split`, the
    context of a refused split, puts that form back under its message (then not cached)."""
    context = {
        "ticket": ticket,
        "timeline": case_staff_timeline(request.user, ticket),
        "is_open": ticket.is_open,
        "split": split,
    }
    return render_to_string(
        "console/partials/timeline.html", context, request=request if split else None
    )


def cached_case_timeline(request, ticket, marks):
    """`render_case_timeline`, cached (core/fragments.py) under what it shows: the case's marks
    (every message, note, event and file added or moved changes them), its status (the split
    links show on open cases only) and whether the viewer reads internal notes."""
    parts = ("console-timeline", ticket.pk, marks, ticket.status, can_see_internal(request.user))
    return cached_fragment(parts, lambda: render_case_timeline(request, ticket))


def case_sla_panel(ticket, now=None):
    """The context of the SLA explain panel (`sla_tags.sla_explain`: rules and clock badges)
    from one query of the case's clocks, which also gives the head's badges their live clocks
    (`ticket.live_clocks`, read by `{% sla_badges %}`). The explain tag would read the clocks a
    second time and the SLA events, which the side panel does not show."""
    clocks = case_clocks(ticket)
    ticket.live_clocks = [clock for clock in clocks if clock.state in SLA_LIVE]
    rules = sla_rules(ticket)
    rules.sort(key=lambda r: (r["kind"] != "contractual", SLA_TARGET_ORDER.index(r["target"])))
    return {"rules": rules, "badges": [badge_context(clock, now) for clock in clocks]}


def triage_fields(form, suggested_team):
    """The triage form's fields as HTML. Hundreds of <option>s (products, versions, teams,
    agents) rendered through Django's widget templates cost ≈ 10 ms, so a blank form is cached
    per language, time zone, initial values and suggested team for VENTANILLA_CHOICES_SECONDS
    (60 s, like the queue filter bar: a new product, version, team or agent shows in the form at
    most that late; 0 in tests). A bound form (refused triage) is rendered every time."""

    def render_fields():
        context = {"form": form, "suggested_team": suggested_team}
        return render_to_string("console/partials/triage_fields.html", context)

    seconds = settings.VENTANILLA_CHOICES_SECONDS
    if form.is_bound or seconds <= 0:
        return None  # the template includes the partial with the form itself
    initial = tuple(
        getattr(value, "pk", value) for value in (form.initial.get(name) for name in form.fields)
    )
    team = (suggested_team.pk, suggested_team.name) if suggested_team else None
    key = fragment_key("console-triage-fields", initial, team)
    html = cache.get(key)
    if html is None:
        html = render_fields()
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 (HTML rendered by the template engine)


_BLANK_COMPOSER = {}  # language -> the blank message form's fields (they depend on nothing else)


def composer_fields(form):
    """{"kind": radios HTML, "text": text field HTML} of the composer's message form. A blank form
    gives the same HTML on every page in a language: rendered once per process and language."""

    def render_fields():
        return {
            part: render_to_string(
                "console/partials/composer_fields.html", {"form": form, "part": part}
            )
            for part in ("kind", "text")
        }

    if form.is_bound:
        return render_fields()
    language = get_language()
    fields = _BLANK_COMPOSER.get(language)
    if fields is None:
        fields = _BLANK_COMPOSER[language] = render_fields()
    return fields


def _last_message_id(ticket):
    last = Message.objects.filter(ticket=ticket).order_by("-id").values_list("id", flat=True)
    return last.first() or 0


def _render_case(
    request, ticket, *, bound=None, open_panel="", collision=(), status=200, touch=False
):
    """The case page. `bound`: {panel or form name: bound form} shown open with its errors.
    `touch`: mark the viewer present (a page view), from the presence rows the page reads."""
    bound = dict(bound or {})
    present = list(case_presence(ticket, request.user, include_user=True))
    others = [row for row in present if row.user_id != request.user.pk]
    if touch:
        mine = next((row for row in present if row.user_id == request.user.pk), None)
        services.presence_touch(ticket=ticket, by=request.user, current=mine)
    marks = case_marks(ticket)
    seen_id = marks.last_message_id  # the page shows every message up to this one
    is_untriaged = ticket.status == Status.WAITING_FOR_SUPPORT
    message_form = bound.pop("message", None) or forms.MessageForm(initial={"seen": seen_id})
    triage_form = bound.pop("triage", None) or (_triage_form(ticket) if is_untriaged else None)
    split_form = bound.pop("split", None)
    suggested_team = (
        team_suggest(product=ticket.product, version=ticket.product_version, tier=ticket.tier)
        if is_untriaged
        else None
    )
    language = getattr(ticket.requester.user, "language", None) or "es"
    replies = sorted(canned_replies_for(), key=lambda r: (r.language != language, r.title))
    canned = [(reply, canned_reply_text(reply, ticket, request.user)) for reply in replies]
    if split_form is None:
        timeline = cached_case_timeline(request, ticket, marks)
    else:  # a refused split: that message's form open with its errors (not cached)
        try:
            message = int(split_form["message"].value())
        except (TypeError, ValueError):
            message = None
        split = _panel_context(ticket, "split", split_form, message=message)
        timeline = mark_safe(render_case_timeline(request, ticket, split=split))  # noqa: S308
    context = {
        "ticket": ticket,
        "timeline_html": timeline,
        "participants": case_participants(ticket) if marks.participants else (),
        "links": case_links(ticket) if marks.links else (),
        "presence": others,
        "forms": {"message": message_form, "triage": triage_form},
        "composer": composer_fields(message_form),
        "triage_fields": triage_fields(triage_form, suggested_team) if triage_form else None,
        "panels": panels_html(request, ticket, bound),
        "open_panel": open_panel,
        "collision": collision,
        "canned": canned,
        "suggested_team": suggested_team,
        "seen_id": seen_id,
        "is_untriaged": is_untriaged,
        "is_open": ticket.is_open,
        "has_status_targets": bool(_status_targets(request, ticket)),
        "is_supervisor": is_supervisor(request.user),
        "sla": case_sla_panel(ticket),
    }
    return render(request, "console/case_detail.html", context, status=status)


@staff_required
def case_detail(request, number):
    ticket = _ticket(request, number)
    return _render_case(request, ticket, touch=True)


def case_action_form(request, number, name):
    """GET of an action: its form alone (htmx, into the page's panel) or on a page of its own."""
    if name not in PANELS:
        if name in ACTIONS:
            return HttpResponseNotAllowed(["POST"])
        raise Http404
    ticket = _ticket(request, number)
    message = None
    if name == "split":
        try:
            message = int(request.GET.get("message", ""))
        except ValueError:
            raise Http404 from None
        if not Message.objects.filter(ticket=ticket, pk=message).exists():
            raise Http404
    form = _blank_form(request, ticket, name, message)
    context = _panel_context(ticket, name, form, message=message)
    if request.htmx:
        return render(request, "console/partials/action_form.html", context)
    return render(request, "console/case_action.html", context)


@staff_required
def case_presence_view(request, number):
    """htmx heartbeat: mark me present, list the others, and say if a message arrived since."""
    from ventanilla.tickets import polls

    ticket = polls.presence_case(request.user, number)  # floor: id and number, not 8 joins
    composing = request.GET.get("composing") == "1"
    services.presence_touch(ticket=ticket, by=request.user, composing=composing)
    try:
        seen = int(request.GET.get("seen", "0"))
    except ValueError:
        seen = 0
    if polls.presence_quiet(ticket, request.user, seen):  # floor: one prepared statement
        context = {"ticket": ticket, "presence": [], "newer": []}
        return render(request, "console/partials/presence.html", context)
    newer = case_newer_public_messages(ticket, seen).exclude(author=request.user)
    context = {
        "ticket": ticket,
        "presence": case_presence(ticket, request.user),
        "newer": list(newer[:5]),
    }
    return render(request, "console/partials/presence.html", context)


def _form_error(error, form):
    """Put a service ValidationError on the form (by field when it names one of the form's)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


ACTIONS = {}


def action(name, form_key, form_class, prefix=None, **form_kwargs):
    def register(handler):
        ACTIONS[name] = (form_key, form_class, prefix, form_kwargs, handler)
        return handler

    return register


@require_http_methods(["GET", "POST"])
@staff_required
def case_action(request, number, name):
    if request.method == "GET":
        return case_action_form(request, number, name)
    if name not in ACTIONS:
        raise Http404
    ticket = _ticket(request, number)
    _key, form_class, prefix, form_kwargs, handler = ACTIONS[name]
    kwargs = {key: value(request, ticket) for key, value in form_kwargs.items()}
    form = form_class(request.POST, request.FILES, prefix=prefix, **kwargs)
    if form.is_valid():
        try:
            response = handler(request, ticket, form.cleaned_data)
        except ValidationError as error:
            form.collision = getattr(error, "newer", ())
            _form_error(error, form)
        except PermissionDenied:
            messages.error(request, _("You cannot do that on this case."))
            return redirect("console:case_detail", number=ticket.number)
        else:
            if response is not None:
                return response
            return redirect("console:case_detail", number=ticket.number)
    collision = getattr(form, "collision", ())
    panel = "participant_add" if name == "participant_remove" else name
    return _render_case(
        request, ticket, bound={panel: form}, open_panel=name, collision=collision, status=400
    )


@action("message", "message", forms.MessageForm)
def _message(request, ticket, data):
    files = request.FILES.getlist("attachments")
    if data["kind"] == "public" and not data["send_anyway"]:
        newer = list(
            case_newer_public_messages(ticket, data["seen"] or 0).exclude(author=request.user)
        )
        if newer:
            raise _Collision(newer)
    if data["kind"] == "internal":
        services.ticket_add_note(
            ticket=ticket, by=request.user, text=data["text"], attachments=files
        )
        messages.success(request, _("Internal note added."))
    else:
        services.ticket_reply(ticket=ticket, by=request.user, text=data["text"], attachments=files)
        messages.success(request, _("Reply sent to the customer."))


class _Collision(ValidationError):
    def __init__(self, newer):
        super().__init__(
            _("The customer or a colleague wrote while you were typing. Read it, then send again.")
        )
        self.newer = newer


@action("triage", "triage", forms.TriageForm, "triage")
def _triage(request, ticket, data):
    services.ticket_triage(ticket=ticket, by=request.user, **data)
    messages.success(request, _("Case triaged."))
    return _after_change(request, ticket)


@action(
    "status",
    "status",
    forms.StatusForm,
    "status",
    targets=lambda r, t: targets(actor_kind(r.user), t.status),
)
def _status(request, ticket, data):
    if data["to_status"] == Status.SCHEDULED:
        services.ticket_update(ticket=ticket, by=request.user, planned_at=data["planned_at"])
    services.ticket_transition(
        ticket=ticket, to_status=data["to_status"], by=request.user, note=data["note"]
    )
    messages.success(request, _("Status changed."))


@action("assign", "assign", forms.AssignForm, "assign")
def _assign(request, ticket, data):
    services.ticket_assign(ticket=ticket, by=request.user, assignee=data["assignee"])
    messages.success(request, _("Assignment saved."))
    return _after_change(request, ticket)


@action("escalate", "escalate", forms.EscalateForm, "escalate")
def _escalate(request, ticket, data):
    services.ticket_escalate(ticket=ticket, by=request.user, **data)
    messages.success(request, _("Case escalated."))
    return _after_change(request, ticket)


@action("request_info", "request_info", forms.RequestInfoForm, "info")
def _request_info(request, ticket, data):
    services.ticket_request_info(ticket=ticket, by=request.user, question=data["question"])
    messages.success(request, _("Question sent; the case now waits on the customer."))


@action("resolve", "resolve", forms.ResolveForm, "resolve")
def _resolve(request, ticket, data):
    services.ticket_resolve(ticket=ticket, by=request.user, resolution=data["resolution"])
    messages.success(request, _("Case resolved."))


@action("cancel", "cancel", forms.CancelForm, "cancel")
def _cancel(request, ticket, data):
    services.ticket_cancel(ticket=ticket, by=request.user, reason=data["reason"])
    messages.success(request, _("Case cancelled."))


@action("update", "update", forms.UpdateForm, "update")
def _update(request, ticket, data):
    services.ticket_update(ticket=ticket, by=request.user, **data)
    messages.success(request, _("Changes saved."))


def _other_case(request, number, field="number"):
    try:
        return get_ticket_for_user_or_404(request.user, number.strip())
    except Http404:
        raise ValidationError({field: _("There is no case %(n)s.") % {"n": number}}) from None


@action("merge", "merge", forms.CaseNumberForm, "merge")
def _merge(request, ticket, data):
    target = _other_case(request, data["number"])
    services.ticket_merge(source=ticket, target=target, by=request.user)
    messages.success(request, _("Case merged into %(number)s.") % {"number": target.number})
    return redirect("console:case_detail", number=target.number)


@action("link", "link", forms.CaseNumberForm, "link")
def _link(request, ticket, data):
    other = _other_case(request, data["number"])
    services.ticket_link(ticket=ticket, other=other, by=request.user)
    messages.success(request, _("Cases linked."))


@action(
    "participant_add",
    "participant",
    forms.ParticipantForm,
    "part",
    organization=lambda r, t: t.organization,
)
def _participant_add(request, ticket, data):
    services.ticket_add_participant(ticket=ticket, by=request.user, contact=data["contact"])
    messages.success(request, _("Participant added."))


@action(
    "participant_remove",
    "participant",
    forms.ParticipantForm,
    "part",
    ticket=lambda r, t: t,
)
def _participant_remove(request, ticket, data):
    services.ticket_remove_participant(ticket=ticket, by=request.user, contact=data["contact"])
    messages.success(request, _("Participant removed."))


@action("split", "split", forms.SplitForm, "split")
def _split(request, ticket, data):
    message = Message.objects.filter(ticket=ticket, pk=data["message"]).first()
    if message is None:
        raise ValidationError({"subject": _("That message is not on this case.")})
    new = services.ticket_split(message=message, by=request.user, subject=data["subject"])
    messages.success(request, _("New case %(number)s created.") % {"number": new.number})
    return redirect("console:case_detail", number=new.number)


def _after_change(request, ticket):
    """After a change that may move the case out of the agent's sight, go back to the queue."""
    from ventanilla.tickets.access import can_see_ticket

    if can_see_ticket(request.user, ticket):
        return None
    return redirect(reverse("console:untriaged"))
