"""The case page of the console: timeline, composer, and one POST endpoint per action.

Every action calls one service; a refused action re-renders the page with the form and its errors
(what the agent typed is kept)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.accounts.roles import is_supervisor
from ventanilla.console import forms
from ventanilla.core.decorators import staff_required
from ventanilla.tickets import services
from ventanilla.tickets.access import actor_kind, get_ticket_for_user_or_404
from ventanilla.tickets.models import Message
from ventanilla.tickets.selectors import (
    canned_replies_for,
    canned_reply_text,
    case_links,
    case_newer_public_messages,
    case_presence,
    case_timeline,
)
from ventanilla.tickets.services import team_suggest
from ventanilla.tickets.workflow import Status, targets

DETAIL_RELATED = (
    "organization",
    "site__region",
    "requester__user",
    "product",
    "product_version",
    "request_type",
    "team",
    "assignee",
)


def _ticket(request, number):
    from ventanilla.tickets.models import Ticket

    queryset = Ticket.objects.select_related(*DETAIL_RELATED)
    return get_ticket_for_user_or_404(request.user, number, queryset=queryset)


def _default_forms(request, ticket, *, seen_id=None):
    status_targets = [
        s
        for s in targets(actor_kind(request.user), ticket.status)
        if s not in (Status.ESCALATED, Status.RESOLVED)
    ]
    triage_initial = {
        "product": ticket.product,
        "version": ticket.product_version,
        "request_type": ticket.request_type,
        "severity": ticket.severity,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "next_status": Status.IN_PROGRESS,
    }
    return {
        "triage": forms.TriageForm(initial=triage_initial, prefix="triage"),
        "message": forms.MessageForm(
            initial={"seen": _last_message_id(ticket) if seen_id is None else seen_id}
        ),
        "status": forms.StatusForm(targets=status_targets, prefix="status"),
        "assign": forms.AssignForm(initial={"assignee": ticket.assignee}, prefix="assign"),
        "escalate": forms.EscalateForm(prefix="escalate"),
        "request_info": forms.RequestInfoForm(prefix="info"),
        "resolve": forms.ResolveForm(prefix="resolve"),
        "cancel": forms.CancelForm(prefix="cancel"),
        "update": forms.UpdateForm(
            initial={"severity": ticket.severity, "priority": ticket.priority}, prefix="update"
        ),
        "merge": forms.CaseNumberForm(prefix="merge"),
        "link": forms.CaseNumberForm(prefix="link"),
        "participant": forms.ParticipantForm(organization=ticket.organization, prefix="part"),
        "split": forms.SplitForm(prefix="split"),
    }


def _last_message_id(ticket):
    last = Message.objects.filter(ticket=ticket).order_by("-id").values_list("id", flat=True)
    return last.first() or 0


def _render_case(request, ticket, *, bound=None, open_panel="", collision=(), status=200):
    seen_id = _last_message_id(ticket)
    page_forms = _default_forms(request, ticket, seen_id=seen_id)
    if bound:
        page_forms.update(bound)
    language = getattr(ticket.requester.user, "language", None) or "es"
    replies = sorted(canned_replies_for(), key=lambda r: (r.language != language, r.title))
    canned = [(reply, canned_reply_text(reply, ticket, request.user)) for reply in replies]
    context = {
        "ticket": ticket,
        "timeline": case_timeline(request.user, ticket),
        "participants": ticket.participants.select_related("contact"),
        "links": case_links(ticket),
        "presence": case_presence(ticket, request.user),
        "forms": page_forms,
        "open_panel": open_panel,
        "collision": collision,
        "canned": canned,
        "suggested_team": team_suggest(
            product=ticket.product, version=ticket.product_version, tier=ticket.tier
        ),
        "seen_id": seen_id,  # the page shows every message up to this one
        "is_untriaged": ticket.status == Status.WAITING_FOR_SUPPORT,
        "is_open": ticket.is_open,
        "is_supervisor": is_supervisor(request.user),
    }
    return render(request, "console/case_detail.html", context, status=status)


@staff_required
def case_detail(request, number):
    ticket = _ticket(request, number)
    services.presence_touch(ticket=ticket, by=request.user)
    return _render_case(request, ticket)


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


@require_POST
@staff_required
def case_action(request, number, name):
    if name not in ACTIONS:
        raise Http404
    ticket = _ticket(request, number)
    form_key, form_class, prefix, form_kwargs, handler = ACTIONS[name]
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
    return _render_case(
        request, ticket, bound={form_key: form}, open_panel=name, collision=collision, status=400
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
