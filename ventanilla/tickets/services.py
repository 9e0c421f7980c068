"""Every change to a ticket goes through one of these functions (ARCHITECTURE rule 1).

Each is transactional, takes keyword arguments, checks the right first, then changes state, writes
an Event, and queues side effects for after the commit.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import agent_of, contact_of
from ventanilla.lib.html import text_to_html
from ventanilla.lib.uploads import UploadProblem, check_uploaded_file
from ventanilla.organizations.models import Contact
from ventanilla.tickets import notifications
from ventanilla.tickets.access import actor_kind, can_see_ticket
from ventanilla.tickets.models import Attachment, Channel, Event, Message, Participant, Ticket
from ventanilla.tickets.numbering import next_ticket_number
from ventanilla.tickets.workflow import FINAL, Actor, Status, can_transition

STAFF = (Actor.AGENT, Actor.SUPERVISOR)


def _event(ticket, kind, by, *, before=None, after=None, note="", now=None):
    return Event.objects.create(
        ticket=ticket,
        kind=kind,
        actor=by,
        actor_kind=actor_kind(by),
        before=before or {},
        after=after or {},
        note=note,
        created_at=now or timezone.now(),
    )


def _touch(ticket, now):
    ticket.last_activity_at = now
    Ticket.objects.filter(pk=ticket.pk).update(last_activity_at=now)


def _require_visible(ticket, by):
    if by is not None and not can_see_ticket(by, ticket):
        raise PermissionDenied("not visible")


def _require_staff(by):
    if actor_kind(by) not in STAFF:
        raise PermissionDenied("staff only")


def check_attachments(files):
    """Validate uploads before anything is written; one ValidationError lists every reason."""
    problems, checked = [], []
    for uploaded in files:
        try:
            checked.append((uploaded, check_uploaded_file(uploaded)))
        except UploadProblem as problem:
            problems.append(str(problem))
    if problems:
        raise ValidationError(problems, code="attachment")
    return checked


def _store_attachments(ticket, message, checked, by, now):
    stored = []
    for uploaded, content_type in checked:
        uploaded.seek(0)
        data = uploaded.read()
        digest = hashlib.sha256(data).hexdigest()
        attachment = Attachment(
            ticket=ticket,
            message=message,
            filename=uploaded.name[:255],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=by,
            created_at=now,
        )
        attachment.file.save(uploaded.name, ContentFile(data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _check_open_permission(by, requester):
    kind = actor_kind(by)
    if kind in STAFF or kind == Actor.SYSTEM:
        return
    contact = contact_of(by)
    if contact is None or contact.organization_id != requester.organization_id:
        raise PermissionDenied("customers open cases for contacts of their own organization")


def _check_open_fields(*, requester, site, product, product_version):
    errors = {}
    if requester.state != Contact.State.ACTIVE:
        errors["requester"] = _("This contact is not active yet.")
    if site is not None and site.organization_id != requester.organization_id:
        errors["site"] = _("The site belongs to another organization.")
    if product_version is not None and product_version.product_id != getattr(product, "pk", None):
        errors["product_version"] = _("The version does not belong to the chosen product.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ticket_open(
    *,
    by,
    requester,
    subject,
    description,
    channel=Channel.WEB,
    site=None,
    product=None,
    product_version=None,
    request_type=None,
    severity="C",
    priority="medium",
    callback_requested=False,
    callback_phone="",
    consent=False,
    participants=(),
    attachments=(),
    series=None,
    now=None,
):
    """Open a case for `requester` (a Contact). Returns the new Ticket."""
    now = now or timezone.now()
    _check_open_permission(by, requester)
    _check_open_fields(
        requester=requester, site=site, product=product, product_version=product_version
    )
    customer_on_web = actor_kind(by) == Actor.CUSTOMER and channel == Channel.WEB
    if customer_on_web and not consent:
        raise ValidationError(
            {"consent": _("You must consent to the processing of your data to open a case.")}
        )
    checked = check_attachments(attachments)
    series = series or settings.VENTANILLA_TICKET_SERIES
    ticket = Ticket.objects.create(
        number=next_ticket_number(series=series, year=now.year),
        organization=requester.organization,
        site=site or requester.site,
        requester=requester,
        product=product,
        product_version=product_version,
        request_type=request_type,
        subject=subject.strip(),
        description=description.strip(),
        severity=severity,
        priority=priority,
        channel=channel,
        callback_requested=callback_requested,
        callback_phone=callback_phone if callback_requested else "",
        consent_by=by if consent else None,
        consent_at=now if consent else None,
        consent_version=settings.VENTANILLA_CONSENT_VERSION if consent else "",
        created_by=by,
        created_at=now,
        last_activity_at=now,
    )
    _event(
        ticket, Event.Kind.CREATED, by, after={"number": ticket.number, "channel": channel}, now=now
    )
    _store_attachments(ticket, None, checked, by, now)
    for contact in participants:
        _check_participant(ticket, contact, by)
        _add_participant(ticket, contact, by, now)
    notifications.ticket_received(ticket)
    return ticket


@transaction.atomic
def ticket_reply(*, ticket, by, text, attachments=(), channel=Channel.WEB, now=None):
    """A public message on the case, from the customer side or from staff.

    A customer's answer moves a case waiting on them back to work, and reopens a resolved case
    within the reopen window; closed and cancelled cases accept nothing (seed 003).
    """
    now = now or timezone.now()
    _require_visible(ticket, by)
    kind = actor_kind(by)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check_accepts_replies(locked, kind, now)
    message = _add_message(locked, by, text, Message.Kind.PUBLIC, attachments, channel, now)
    if kind == Actor.CUSTOMER and locked.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
        note = (
            _("The customer answered.")
            if locked.status == Status.WAITING_ON_CUSTOMER
            else _("Reopened by the customer's reply.")
        )
        ticket_transition(ticket=locked, to_status=Status.IN_PROGRESS, by=None, now=now, note=note)
    notifications.message_added(message)
    ticket.refresh_from_db()
    return message


def _check_accepts_replies(ticket, kind, now):
    if ticket.status in FINAL:
        raise ValidationError(
            _("Case %(number)s is closed and no longer accepts messages; please open a new case.")
            % {"number": ticket.number},
            code="closed",
        )
    window = timedelta(days=settings.VENTANILLA_REOPEN_DAYS)
    resolved_long_ago = ticket.resolved_at is not None and now - ticket.resolved_at > window
    if kind == Actor.CUSTOMER and ticket.status == Status.RESOLVED and resolved_long_ago:
        raise ValidationError(
            _("Case %(number)s was resolved more than %(days)s days ago; please open a new case.")
            % {"number": ticket.number, "days": settings.VENTANILLA_REOPEN_DAYS},
            code="reopen_window",
        )


@transaction.atomic
def ticket_add_note(*, ticket, by, text, attachments=(), now=None):
    """An internal note: staff only, never shown to the customer."""
    now = now or timezone.now()
    _require_staff(by)
    _require_visible(ticket, by)
    return _add_message(ticket, by, text, Message.Kind.INTERNAL, attachments, Channel.WEB, now)


def _add_message(ticket, by, text, kind, attachments, channel, now):
    text = (text or "").strip()
    if not text and not attachments:
        raise ValidationError({"text": _("Write a message or attach a file.")})
    checked = check_attachments(attachments)
    message = Message.objects.create(
        ticket=ticket,
        kind=kind,
        author=by,
        author_contact=contact_of(by),
        body_text=text,
        body_html=text_to_html(text),
        channel=channel,
        from_staff=actor_kind(by) in STAFF,
        created_at=now,
    )
    _store_attachments(ticket, message, checked, by, now)
    event_kind = Event.Kind.REPLY if kind == Message.Kind.PUBLIC else Event.Kind.NOTE
    _event(ticket, event_kind, by, after={"message": message.pk}, now=now)
    _touch(ticket, now)
    return message


@transaction.atomic
def ticket_transition(*, ticket, to_status, by, note="", now=None):
    """Move a ticket to another status, if the workflow table allows it for this actor."""
    now = now or timezone.now()
    _require_visible(ticket, by)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    from_status, kind = locked.status, actor_kind(by)
    if not can_transition(kind, from_status, to_status):
        raise ValidationError(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            code="illegal_transition",
        )
    fields = _status_fields(locked, to_status, now)
    Ticket.objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(ticket, name, value)
    _event(
        ticket,
        Event.Kind.STATUS,
        by,
        before={"status": from_status},
        after={"status": str(to_status)},
        note=note,
        now=now,
    )
    notifications.status_changed(ticket, from_status)
    return ticket


def _status_fields(ticket, to_status, now):
    fields = {"status": str(to_status), "last_activity_at": now}
    if to_status == Status.RESOLVED:
        fields["resolved_at"] = now
    elif to_status in FINAL:
        fields["closed_at"] = now
    elif ticket.status in (Status.RESOLVED, *FINAL):
        fields.update(resolved_at=None, closed_at=None)
    return fields


def ticket_cancel(*, ticket, by, reason="", now=None):
    """Cancel a case. Customers may do it only while it is waiting for support (seed 000)."""
    return ticket_transition(ticket=ticket, to_status=Status.CANCELLED, by=by, note=reason, now=now)


@transaction.atomic
def ticket_assign(*, ticket, by, assignee, now=None):
    """Give the case to an agent (or to nobody with assignee=None)."""
    now = now or timezone.now()
    _require_staff(by)
    _require_visible(ticket, by)
    if assignee is not None and agent_of(assignee) is None:
        raise ValidationError({"assignee": _("Cases can only be assigned to active agents.")})
    before = ticket.assignee_id
    if before == getattr(assignee, "pk", None):
        return ticket
    ticket.assignee = assignee
    ticket.last_activity_at = now
    ticket.save(update_fields=["assignee", "last_activity_at"])
    _event(
        ticket,
        Event.Kind.ASSIGNED,
        by,
        before={"assignee": before},
        after={"assignee": getattr(assignee, "pk", None)},
        now=now,
    )
    return ticket


@transaction.atomic
def ticket_add_participant(*, ticket, by, contact, now=None):
    """Authorise another contact on the case (people in CC, seed 003)."""
    now = now or timezone.now()
    _require_visible(ticket, by)
    _check_participant(ticket, contact, by)
    if contact.pk == ticket.requester_id:
        return None
    return _add_participant(ticket, contact, by, now)


def _check_participant(ticket, contact, by):
    if actor_kind(by) == Actor.CUSTOMER and contact.organization_id != ticket.organization_id:
        raise PermissionDenied("customers add contacts of their own organization")


def _add_participant(ticket, contact, by, now):
    participant, created = Participant.objects.get_or_create(
        ticket=ticket, contact=contact, defaults={"added_by": by, "created_at": now}
    )
    if created:
        _event(
            ticket,
            Event.Kind.PARTICIPANT_ADDED,
            by,
            after={"contact": contact.pk, "email": contact.email},
            now=now,
        )
    return participant


def ticket_reopen_deadline(ticket):
    """Until when the customer may reopen a resolved case (None when it is not resolved)."""
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=settings.VENTANILLA_REOPEN_DAYS)


@transaction.atomic
def ticket_reopen(*, ticket, by, reason="", now=None):
    """The customer reopens a resolved case within the reopen window (seed 000: "Resuelto")."""
    now = now or timezone.now()
    _require_visible(ticket, by)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if actor_kind(by) == Actor.CUSTOMER:
        _check_accepts_replies(locked, Actor.CUSTOMER, now)
    note = reason or _("Reopened by the customer.")
    return ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=by, note=note, now=now)
