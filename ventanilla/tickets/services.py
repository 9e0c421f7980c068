"""Every change to a ticket goes through one of these functions (ARCHITECTURE rule 1).

Each is transactional, takes keyword arguments, checks the right first, then changes state, writes
an Event, and queues side effects for after the commit.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import agent_of, contact_of
from ventanilla.lib.html import text_to_html
from ventanilla.lib.uploads import UploadProblem, check_uploaded_file
from ventanilla.organizations.models import Contact
from ventanilla.sla import services as sla
from ventanilla.tickets import notifications
from ventanilla.tickets.access import actor_kind, can_see_ticket
from ventanilla.tickets.models import Attachment, Channel, Event, Message, Participant, Ticket
from ventanilla.tickets.numbering import next_ticket_number
from ventanilla.tickets.search import search_index_new_ticket, search_index_ticket
from ventanilla.tickets.workflow import FINAL, OPEN, Actor, Status, can_transition

STAFF = (Actor.AGENT, Actor.SUPERVISOR)


def _event(ticket, kind, by, *, before=None, after=None, note="", now=None):
    event = _event_row(ticket, kind, by, before=before, after=after, note=note, now=now)
    event.save(force_insert=True)
    return event


def _event_row(ticket, kind, by, *, before=None, after=None, note="", now=None):
    """The unsaved Event of `_event` (for writing it in bulk with others)."""
    return Event(
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


def _check_open_fields(*, requester, site, product, product_version, allow_pending=False):
    errors = {}
    # Only ticket_open_by_phone lets a caller still pending approval be the requester (seed 004).
    pending_ok = allow_pending and requester.state == Contact.State.PENDING
    if requester.state != Contact.State.ACTIVE and not pending_ok:
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
    team=None,
    in_reply_to="",
    now=None,
    _allow_pending_requester=False,
):
    """Open a case for `requester` (a Contact). Returns the new Ticket.

    `team`: the team the case starts in (email intake routes by address); its agents hear of
    the new case instead of the L1 teams. `in_reply_to`: the Message-ID (without <>) of the
    customer's own email that opened the case: the acknowledgement answers it, so that mail
    clients keep it in the same conversation."""
    now = now or timezone.now()
    _check_open_permission(by, requester)
    _check_open_fields(
        requester=requester,
        site=site,
        product=product,
        product_version=product_version,
        allow_pending=_allow_pending_requester and actor_kind(by) in STAFF,
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
        organization_id=requester.organization_id,  # no query for the organization
        site_id=site.pk if site is not None else requester.site_id,  # no query for the site
        requester=requester,
        product=product,
        product_version=product_version,
        request_type=request_type,
        team=team,
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
    created = _event_row(
        ticket, Event.Kind.CREATED, by, after={"number": ticket.number, "channel": channel}, now=now
    )
    if checked or participants:  # their rows come after "created": write it now
        created.save(force_insert=True)
        created = None
    _store_attachments(ticket, None, checked, by, now)
    for contact in participants:
        _check_participant(ticket, contact, by)
        _add_participant(ticket, contact, by, now)
    # perf-writes (create): otherwise "created" goes first in the INSERT of the SLA events.
    sla.sla_ticket_opened(ticket=ticket, now=now, events_before=[created] if created else [])
    # perf-writes: what notifying would otherwise read back: the case has no mail yet
    # (mail.services.thread_headers) and its participants are the ones just added.
    ticket._thread_ids, ticket._opening_participants = [], list(dict.fromkeys(participants))
    try:
        notifications.ticket_received(ticket, in_reply_to=in_reply_to)
    finally:
        del ticket._thread_ids, ticket._opening_participants
    search_index_new_ticket(ticket)  # perf-writes (create): from memory, one statement
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
    if kind == Actor.CUSTOMER:
        _customer_wrote(locked, now)
    elif kind in STAFF:
        sla.sla_staff_replied(ticket=locked, now=now)
    notifications.message_added(message)
    ticket.refresh_from_db()
    return message


def _customer_wrote(locked, now):
    """What a customer's message does, whatever the way in (area, email): a case waiting on
    them goes back to work, a resolved one reopens, and the SLA clocks hear about it."""
    if locked.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
        note = (
            _("The customer answered.")
            if locked.status == Status.WAITING_ON_CUSTOMER
            else _("Reopened by the customer's reply.")
        )
        ticket_transition(ticket=locked, to_status=Status.IN_PROGRESS, by=None, now=now, note=note)
        locked.refresh_from_db(fields=["status"])
    sla.sla_customer_wrote(ticket=locked, now=now)


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
    search_index_ticket(ticket.pk)
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
    locked.status = str(to_status)
    sla.sla_status_changed(ticket=locked, from_status=from_status, to_status=to_status, now=now)
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
    """Give the case to an agent (or to nobody with assignee=None); by=None is the system (SLA)."""
    now = now or timezone.now()
    if by is not None:
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
    notifications.assigned(ticket, by)  # notify
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


# ---- ratings (branch contacts) -------------------------------------------------------------

RATEABLE = (Status.RESOLVED, Status.CLOSED)


@transaction.atomic
def rating_record(*, ticket, score, by, comment="", now=None):
    """The satisfaction score (1–5) of a resolved or closed case, plus an optional comment.

    One rating per case: the first call sets the score; later calls only update the comment
    (when one is given). `by` is a customer who can see the case, or None when a signed email
    link already proved who is rating (a contact without a login)."""
    from ventanilla.tickets.models import Rating

    now = now or timezone.now()
    if by is not None and actor_kind(by) != Actor.CUSTOMER:
        raise PermissionDenied("customers rate their cases")
    _require_visible(ticket, by)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose a score from 1 to 5.")}, code="bad_score")
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status not in RATEABLE:
        raise ValidationError(_("Only resolved or closed cases can be rated."), code="not_rateable")
    comment = (comment or "").strip()[:2000]
    rating = Rating.objects.filter(ticket=locked).first()
    if rating is None:
        rating = Rating.objects.create(
            ticket=locked, score=score, comment=comment, rated_by=by, created_at=now
        )
        _event(ticket, Event.Kind.CHANGED, by, after={"rating": score, "comment": comment}, now=now)
    elif comment and comment != rating.comment:
        before = rating.comment
        rating.comment = comment
        rating.save(update_fields=["comment"])
        _event(
            ticket,
            Event.Kind.CHANGED,
            by,
            before={"rating_comment": before},
            after={"rating_comment": comment},
            now=now,
        )
    return rating


@transaction.atomic
def ticket_reclassify(*, ticket, by, severity=None, priority=None, tier=None, note="", now=None):
    """Change severity, priority or support tier (staff, or the system for SLA rules); SLA
    deadlines are recomputed from the original start."""
    now = now or timezone.now()
    if by is not None:
        _require_staff(by)
        _require_visible(ticket, by)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    wanted = {"severity": severity, "priority": priority, "tier": tier}
    changes = {k: v for k, v in wanted.items() if v is not None and getattr(locked, k) != v}
    if not changes:
        return ticket
    before = {k: getattr(locked, k) for k in changes}
    Ticket.objects.filter(pk=locked.pk).update(last_activity_at=now, **changes)
    for name, value in {**changes, "last_activity_at": now}.items():
        setattr(ticket, name, value)
        setattr(locked, name, value)
    _event(ticket, Event.Kind.CHANGED, by, before=before, after=changes, note=note, now=now)
    if {"severity", "priority"} & changes.keys():
        sla.sla_ticket_reclassified(ticket=locked, now=now)
    return ticket


@transaction.atomic
def ticket_reply_from_contact(
    *, ticket, contact, text, attachments=(), channel=Channel.EMAIL, now=None
):
    """A customer's message that arrived without a session (email intake): written by `contact`,
    an active contact of the case's organization. Same rules as a customer's `ticket_reply`:
    closed and cancelled cases refuse it, a resolved case reopens within the window."""
    now = now or timezone.now()
    if not contact.is_active or contact.organization_id != ticket.organization_id:
        raise PermissionDenied("only active contacts of the case's organization")
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check_accepts_replies(locked, Actor.CUSTOMER, now)
    by = contact.user if contact.user_id else None
    message = _add_message(locked, by, text, Message.Kind.PUBLIC, attachments, channel, now)
    if message.author_contact_id != contact.pk:
        message.author_contact = contact
        message.save(update_fields=["author_contact"])
    _customer_wrote(locked, now)
    notifications.message_added(message)
    ticket.refresh_from_db()
    return message


# ---- console: triage, escalation, merge, link, split, bulk, presence (issue 4) ----

TRIAGE_TARGETS = (Status.IN_PROGRESS, Status.PENDING, Status.SCHEDULED)


def team_suggest(*, product, version=None, tier=1):
    """The team for a product/version at a tier: the most specific routing rule wins, then any team
    of that tier supporting the product, else None."""
    from ventanilla.staff.models import RoutingRule, Team

    if product is None:
        return None
    rules = RoutingRule.objects.filter(product=product, tier=tier).select_related("team")
    rule = rules.filter(version=version).first() if version is not None else None
    rule = rule or rules.filter(version__isnull=True).first()
    if rule is not None:
        return rule.team
    return Team.objects.filter(products=product, tier=tier).order_by("name").first()


def _check_triage(*, product, version, next_status, planned_at, status):
    errors = {}
    if status != Status.WAITING_FOR_SUPPORT:
        errors["__all__"] = _("Only cases waiting for support can be triaged.")
    if version is not None and version.product_id != getattr(product, "pk", None):
        errors["version"] = _("The version does not belong to the chosen product.")
    if next_status not in TRIAGE_TARGETS:
        errors["next_status"] = _("Choose In progress, Pending or Scheduled.")
    if next_status == Status.SCHEDULED and planned_at is None:
        errors["planned_at"] = _("A scheduled case needs a planned date and time.")
    if errors:
        raise ValidationError(errors)


def _set_fields(ticket, by, changes, now, kind=Event.Kind.CHANGED, note=""):
    """Write `changes` on the ticket and one Event with the before/after of what really changed."""
    before, after = {}, {}
    for name, value in changes.items():
        old = getattr(ticket, ticket._meta.get_field(name).attname)
        new = getattr(value, "pk", value)
        if isinstance(old, datetime) or isinstance(new, datetime):
            old, new = old and old.isoformat(), new and new.isoformat()
        if old != new:
            before[name], after[name] = old, new
        setattr(ticket, name, value)
    ticket.last_activity_at = now
    ticket.save(update_fields=[*changes, "last_activity_at"])
    if before or kind != Event.Kind.CHANGED:
        _event(ticket, kind, by, before=before, after=after, note=note, now=now)
    if SLA_CONDITIONS & before.keys():
        sla.sla_ticket_reclassified(ticket=ticket, now=now)
    return ticket


# Fields the SLA policies match on: changing one re-matches the policies (deadlines from the
# original start), whichever door changed it (triage, console edit, bulk action).
SLA_CONDITIONS = {"severity", "priority", "product", "request_type", "channel"}


@transaction.atomic
def ticket_triage(
    *,
    ticket,
    by,
    request_type=None,
    product=None,
    version=None,
    severity=None,
    priority=None,
    team=None,
    tier=None,
    next_status=Status.IN_PROGRESS,
    planned_at=None,
    assignee=None,
    note="",
    now=None,
):
    """ "Cualificar": classify a new case, route it to a team and tier, and start working on it
    (En curso), park it (Pendiente) or plan it (Planificado, planned date required)."""
    now = now or timezone.now()
    _require_staff(by)
    _require_visible(ticket, by)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check_triage(
        product=product,
        version=version,
        next_status=next_status,
        planned_at=planned_at,
        status=locked.status,
    )
    tier = tier or locked.tier
    team = team or team_suggest(product=product, version=version, tier=tier)
    changes = {
        "request_type": request_type or locked.request_type,
        "product": product,
        "product_version": version,
        "severity": severity or locked.severity,
        "priority": priority or locked.priority,
        "team": team,
        "tier": tier,
        "planned_at": planned_at if next_status == Status.SCHEDULED else None,
    }
    if assignee is not None:
        if agent_of(assignee) is None:
            raise ValidationError({"assignee": _("Cases can only be assigned to active agents.")})
        changes["assignee"] = assignee
    assignee_before, team_before = locked.assignee_id, locked.team_id  # notify
    _set_fields(locked, by, changes, now, kind=Event.Kind.TRIAGED, note=note)
    ticket_transition(ticket=locked, to_status=next_status, by=by, note=note, now=now)
    notifications.triaged(locked, Status.WAITING_FOR_SUPPORT)
    if assignee is not None and assignee.pk != assignee_before:  # notify
        notifications.assigned(locked, by)
    if locked.team_id != team_before:
        notifications.routed_to_team(locked, by, team_before)
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def ticket_escalate(*, ticket, by, reason, team=None, now=None):
    """Send the case to the next tier (or to a chosen team): the team of the product/version at
    that tier by the routing rules. The case becomes Escalado and loses its assignee."""
    from ventanilla.staff.models import Team, Tier

    now = now or timezone.now()
    _require_staff(by)
    _require_visible(ticket, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is escalated.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status not in OPEN:
        raise ValidationError(_("Only open cases can be escalated."))
    if team is None:
        if locked.tier >= max(Tier.values):
            raise ValidationError(_("The case is already at the highest tier."))
        tier = locked.tier + 1
        team = team_suggest(product=locked.product, version=locked.product_version, tier=tier)
        team = team or Team.objects.filter(tier=tier).order_by("name").first()
    if team is None:
        raise ValidationError({"team": _("No team works at the next tier for this product.")})
    if team.pk == locked.team_id:
        raise ValidationError({"team": _("The case is already with that team.")})
    if locked.status != Status.ESCALATED:  # first: afterwards `by` may no longer see the case
        ticket_transition(ticket=locked, to_status=Status.ESCALATED, by=by, note=reason, now=now)
    changes = {"team": team, "tier": team.tier, "assignee": None}
    _set_fields(locked, by, changes, now, kind=Event.Kind.ESCALATED, note=reason)
    notifications.escalated(locked, by, reason)  # notify
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def ticket_request_info(*, ticket, by, question, attachments=(), now=None):
    """Ask the customer for something: the question is a public reply and the case waits on them."""
    now = now or timezone.now()
    _require_staff(by)
    if not (question or "").strip():
        raise ValidationError({"text": _("Write the question for the customer.")})
    message = ticket_reply(ticket=ticket, by=by, text=question, attachments=attachments, now=now)
    ticket.refresh_from_db()
    if ticket.status != Status.WAITING_ON_CUSTOMER:
        ticket_transition(ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=by, now=now)
    return message


@transaction.atomic
def ticket_resolve(*, ticket, by, resolution, now=None):
    """Resolve with a resolution note the customer reads (a public message)."""
    now = now or timezone.now()
    _require_staff(by)
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Write how the case was resolved.")})
    message = ticket_reply(ticket=ticket, by=by, text=resolution, now=now)
    ticket.refresh_from_db()
    ticket_transition(
        ticket=ticket, to_status=Status.RESOLVED, by=by, note=resolution.strip(), now=now
    )
    return message


@transaction.atomic
def ticket_update(*, ticket, by, now=None, **changes):
    """Change classification fields (priority, severity, product, version, request type, team,
    tier, planned date) from the console or a bulk action: one Event with before/after."""
    allowed = {
        "priority",
        "severity",
        "product",
        "product_version",
        "request_type",
        "team",
        "tier",
        "planned_at",
    }
    if unknown := set(changes) - allowed:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    now = now or timezone.now()
    _require_staff(by)
    _require_visible(ticket, by)
    product = changes.get("product", ticket.product)
    version = changes.get("product_version", ticket.product_version)
    if version is not None and version.product_id != getattr(product, "pk", None):
        raise ValidationError({"product_version": _("The version does not belong to the product.")})
    team_before = ticket.team_id
    _set_fields(ticket, by, changes, now)
    if ticket.team_id != team_before:
        notifications.routed_to_team(ticket, by, team_before)
    return ticket


@transaction.atomic
def ticket_remove_participant(*, ticket, by, contact, now=None):
    now = now or timezone.now()
    _require_staff(by)
    _require_visible(ticket, by)
    deleted, _rows = Participant.objects.filter(ticket=ticket, contact=contact).delete()
    if deleted:
        _event(
            ticket,
            Event.Kind.PARTICIPANT_REMOVED,
            by,
            before={"contact": contact.pk, "email": contact.email},
            now=now,
        )
    return bool(deleted)


def _check_pair(source, target, by):
    _require_staff(by)
    _require_visible(source, by)
    _require_visible(target, by)
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another case.")})


@transaction.atomic
def ticket_merge(*, source, target, by, now=None):
    """Merge a duplicate `source` into `target`: its messages, files and people move to `target`,
    `source` is cancelled with a pointer, and its customers are told where to follow."""
    from ventanilla.tickets.models import TicketLink

    now = now or timezone.now()
    _check_pair(source, target, by)
    if source.status in FINAL or target.status in FINAL:
        raise ValidationError({"target": _("Closed or cancelled cases cannot be merged.")})
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    people = [source.requester, *(p.contact for p in source.participants.all())]
    for contact in people:
        if contact.pk != target.requester_id:
            _add_participant(target, contact, by, now)
    TicketLink.objects.get_or_create(
        source=source,
        target=target,
        defaults={"kind": TicketLink.Kind.DUPLICATE, "created_by": by, "created_at": now},
    )
    info = {"source": source.number, "target": target.number, "messages": moved}
    _event(target, Event.Kind.MERGED, by, after=info, now=now)
    _event(source, Event.Kind.MERGED, by, after=info, now=now)
    pointer = _(
        "This case was a duplicate of case %(target)s and has been merged into it. "
        "We will follow up there."
    ) % {"target": target.number}
    message = _add_message(source, by, pointer, Message.Kind.PUBLIC, (), Channel.WEB, now)
    notifications.message_added(message)
    ticket_transition(ticket=source, to_status=Status.CANCELLED, by=by, note=pointer, now=now)
    _touch(target, now)
    search_index_ticket(target.pk)
    return target


@transaction.atomic
def ticket_link(*, ticket, other, by, now=None):
    """Record that two cases are related (shown on both)."""
    from ventanilla.tickets.models import TicketLink

    now = now or timezone.now()
    _check_pair(ticket, other, by)
    exists = TicketLink.objects.filter(source=ticket, target=other).exists()
    if exists or TicketLink.objects.filter(source=other, target=ticket).exists():
        return None
    link = TicketLink.objects.create(
        source=ticket, target=other, kind=TicketLink.Kind.RELATED, created_by=by, created_at=now
    )
    _event(ticket, Event.Kind.LINKED, by, after={"case": other.number}, now=now)
    _event(other, Event.Kind.LINKED, by, after={"case": ticket.number}, now=now)
    return link


@transaction.atomic
def ticket_split(*, message, by, subject, now=None):
    """Make a new case out of one message of a case (a customer mixed two subjects, seed 003).
    The message and its files move to the new case; both cases point to each other."""
    from ventanilla.tickets.models import TicketLink

    now = now or timezone.now()
    source = message.ticket
    _require_staff(by)
    _require_visible(source, by)
    if not (subject or "").strip():
        raise ValidationError({"subject": _("Give the new case a subject.")})
    requester = message.author_contact or source.requester
    new = ticket_open(
        by=by,
        requester=requester,
        subject=subject,
        description=message.body_text or subject,
        channel=source.channel,
        site=source.site
        if source.site_id and requester.organization_id == source.organization_id
        else None,
        product=source.product,
        product_version=source.product_version,
        severity=source.severity,
        priority=source.priority,
        now=now,
    )
    Message.objects.filter(pk=message.pk).update(ticket=new)
    Attachment.objects.filter(message=message).update(ticket=new)
    TicketLink.objects.create(
        source=new, target=source, kind=TicketLink.Kind.SPLIT, created_by=by, created_at=now
    )
    _event(source, Event.Kind.SPLIT, by, after={"case": new.number, "message": message.pk}, now=now)
    _event(new, Event.Kind.SPLIT, by, before={"case": source.number}, now=now)
    search_index_ticket(new.pk, source.pk)
    return new


BULK_ACTIONS = ("assign", "status", "priority", "merge_into")


def ticket_bulk_apply(*, tickets, by, action, value, now=None):
    """Apply one action to many cases through the per-case services (one Event per case).
    Returns (done, problems): the numbers changed and {number: reason} for the rest."""
    if action not in BULK_ACTIONS:
        raise ValueError(action)
    done, problems = [], {}
    for ticket in tickets:
        try:
            with transaction.atomic():
                _bulk_one(ticket, by, action, value, now)
            done.append(ticket.number)
        except (ValidationError, PermissionDenied) as error:
            problems[ticket.number] = "; ".join(getattr(error, "messages", [str(error)]))
    return done, problems


def _bulk_one(ticket, by, action, value, now):
    if action == "assign":
        ticket_assign(ticket=ticket, by=by, assignee=value, now=now)
    elif action == "status":
        ticket_transition(ticket=ticket, to_status=value, by=by, now=now)
    elif action == "priority":
        ticket_update(ticket=ticket, by=by, priority=value, now=now)
    elif action == "merge_into" and ticket.pk != value.pk:
        ticket_merge(source=ticket, target=value, by=by, now=now)


# reads (issue 7, round 4): a case page writes the viewer's presence only when the row it has just
# read is missing, older than this or in another state. Writing on every view cost the agent case
# page a fifth of its throughput on SQLite (one write lock for every worker) and a WAL flush per
# view on PostgreSQL. Others see an agent for 45 s after the last write
# (selectors.case_presence) and the page's heartbeat comes every 15 s.
PRESENCE_REFRESH = timedelta(seconds=10)


def presence_touch(*, ticket, by, composing=False, now=None, current=None):
    """Heartbeat: `by` has this case open in the console (collision warning). `current`: the
    CasePresence row of `by` on this case the caller has just read (None: not read, or none);
    when it is recent and in the same state nothing is written."""
    from ventanilla.tickets.models import CasePresence

    _require_staff(by)
    now = now or timezone.now()
    if (
        current is not None
        and current.composing == composing
        and timedelta(0) <= now - current.seen_at < PRESENCE_REFRESH
    ):
        return
    # reads (issue 7, round 3): one UPDATE on every page view and heartbeat; the row is created
    # on the first (update_or_create took a transaction, a locking SELECT and the UPDATE).
    mine = CasePresence.objects.filter(ticket=ticket, user=by)
    if mine.update(seen_at=now, composing=composing):
        return
    try:
        with transaction.atomic():
            CasePresence.objects.create(ticket=ticket, user=by, seen_at=now, composing=composing)
    except IntegrityError:  # another request of the same agent created it just now
        mine.update(seen_at=now, composing=composing)


@transaction.atomic
def ticket_open_by_phone(
    *,
    by,
    organization,
    subject,
    description,
    contact=None,
    caller_name="",
    caller_email="",
    caller_phone="",
    **fields,
):
    """A caller on the phone (seed 004): open the case on their behalf. An unknown caller becomes
    a pending contact of the organization (its admin decides later) and the case goes ahead."""
    from ventanilla.organizations.services import contact_pending_create

    _require_staff(by)
    if contact is None:
        if not caller_email.strip():
            raise ValidationError({"caller_email": _("An unknown caller needs an email.")})
        contact = contact_pending_create(
            organization=organization,
            name=caller_name or caller_email,
            email=caller_email,
            phone=caller_phone,
            reason=_("Called support by phone"),
            by=by,
        )
        if contact.state not in (Contact.State.ACTIVE, Contact.State.PENDING):
            raise ValidationError({"caller_email": _("This contact was rejected or deactivated.")})
    elif contact.organization_id != organization.pk:
        raise ValidationError({"contact": _("The contact belongs to another organization.")})
    return ticket_open(
        by=by,
        requester=contact,
        subject=subject,
        description=description,
        channel=Channel.PHONE,
        _allow_pending_requester=True,
        **fields,
    )


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
