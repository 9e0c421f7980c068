"""Which emails a ticket change queues, and for whom. Called by tickets.services only.

Every email goes through mail.services.email_enqueue (outbox, sent after commit), rendered in each
recipient's language. The email-channel issue enriches templates and threading headers.
"""

from django.conf import settings
from django.urls import reverse

from ventanilla.accounts.selectors import emails_opted_out
from ventanilla.lib.tokens import BadToken, make_token, read_token
from ventanilla.mail.services import email_batch, email_enqueue
from ventanilla.mail.stamps import StampedCache
from ventanilla.tickets.workflow import Status

CUSTOMER_STATUSES = {
    Status.IN_PROGRESS,
    Status.SCHEDULED,
    Status.WAITING_ON_CUSTOMER,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
}


def _language(contact):
    user = contact.user
    return user.language if user is not None else None


def customer_recipients(ticket):
    """(email, language) for the requester and every participant of the case."""
    opening = getattr(ticket, "_opening_participants", None)  # set by ticket_open: no query
    participants = (
        opening
        if opening is not None
        else [p.contact for p in ticket.participants.select_related("contact__user")]
    )
    contacts = [ticket.requester, *participants]
    seen, recipients = set(), []
    for contact in contacts:
        if contact.email.lower() not in seen and contact.state == contact.State.ACTIVE:
            seen.add(contact.email.lower())
            recipients.append((contact.email, _language(contact)))
    return recipients


def _to_customers(template, ticket, context=None, *, kind=None, headers=None, render_later=False):
    """`kind` is the preference that may switch this email off (None: mandatory)."""
    recipients = customer_recipients(ticket)
    if kind is not None:
        out = emails_opted_out(kind, [email for email, _language in recipients])
        recipients = [(e, lang) for e, lang in recipients if e.lower() not in out]
    for email, language in recipients:
        email_enqueue(
            template=template,
            to=[email],
            language=language,
            ticket=ticket,
            context={"ticket": ticket, **(context or {})},
            headers=headers,
            render_later=render_later,
        )


def ticket_received(ticket, *, in_reply_to=""):
    """The acknowledgement to the customer (mandatory) and "new case" to the agents.
    `in_reply_to`: the customer's email that opened the case, which the acknowledgement answers.

    Both are rendered by the worker when it sends them (`render_later`, branch create): the
    case's row is committed with them, and opening a case renders no template."""
    headers = {"In-Reply-To": f"<{in_reply_to}>", "References": f"<{in_reply_to}>"}
    with email_batch():  # the rows in one INSERT, the send task in this transaction
        _to_customers(
            "ticket_received", ticket, headers=headers if in_reply_to else None, render_later=True
        )
        new_case_for_agents(ticket, render_later=True)


def message_added(message):
    ticket = message.ticket
    if message.from_staff:
        _to_customers("ticket_reply", ticket, {"message": message}, kind="case_reply")
    elif ticket.assignee is not None and ticket.assignee.is_active:
        _to_users(
            "ticket_customer_reply",
            ticket,
            [ticket.assignee],
            kind="customer_replied",
            actor=message.author,
            context={"message": message},
        )


def status_changed(ticket, from_status):
    if ticket.status == Status.RESOLVED:
        _resolved_with_rating_links(ticket, from_status)
    elif ticket.status == Status.WAITING_ON_CUSTOMER:
        # Seed 000: "en estos casos siempre te llegará una notificación": mandatory.
        _to_customers("ticket_status", ticket, {"from_status": Status(from_status)})
    elif ticket.status in CUSTOMER_STATUSES:
        _to_customers(
            "ticket_status", ticket, {"from_status": Status(from_status)}, kind="case_status"
        )


# ---- rating links in the "resolved" email (branch contacts) --------------------------------

RATING_PURPOSE = "rating"
RATING_MAX_AGE = 60 * 60 * 24 * 30  # a month: people rate when they read their mail
SCORES = (1, 2, 3, 4, 5)


def rating_token(ticket, contact, score):
    return make_token(RATING_PURPOSE, {"t": ticket.pk, "c": contact.pk, "s": score})


def read_rating_token(token):
    """(ticket id, contact id, score) or lib.tokens.BadToken."""
    payload = read_token(RATING_PURPOSE, token, max_age=RATING_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("s") not in SCORES:
        raise BadToken()
    return payload["t"], payload["c"], payload["s"]


def rating_links(ticket, contact):
    """[(score, absolute URL)] for the one-click satisfaction links of one recipient."""
    return [
        (
            score,
            settings.SITE_URL
            + reverse("portal:rate_link", args=[rating_token(ticket, contact, score)]),
        )
        for score in SCORES
    ]


def _resolved_with_rating_links(ticket, from_status):
    contacts = [
        ticket.requester,
        *(p.contact for p in ticket.participants.select_related("contact__user")),
    ]
    seen = emails_opted_out("case_status", [c.email for c in contacts])
    for contact in contacts:
        if contact.email.lower() in seen or contact.state != contact.State.ACTIVE:
            continue
        seen.add(contact.email.lower())
        email_enqueue(
            template="ticket_status",
            to=[contact.email],
            language=_language(contact),
            ticket=ticket,
            context={
                "ticket": ticket,
                "from_status": Status(from_status),
                "rating_links": rating_links(ticket, contact),
            },
        )


# ---- console ----
def triaged(ticket, from_status):
    """Seed 000: the customer hears when the case is triaged ("cualificado"), also when it goes to
    a status that sends no status email by itself (Pendiente)."""
    if ticket.status not in CUSTOMER_STATUSES:
        _to_customers(
            "ticket_status", ticket, {"from_status": Status(from_status)}, kind="case_status"
        )


# ---- notify: agent-side notifications ----------------------------------------------------------
#
# Who hears what (never the person who did the action; each one can be switched off in
# "Mis avisos", console:notifications):
# - new case: the agents of the case's team; a case without a team yet (untriaged, the usual
#   case) goes to the agents of the L1 teams, who triage; with no L1 agent at all, to the
#   supervisors, so that a new case never goes unheard.  (team_new_case)
# - assigned to me by someone else (assignment, triage with an assignee).  (assigned_to_me)
# - the customer replied on a case assigned to me (message_added above).  (customer_replied)
# - escalated to my team: the agents of the new team.  (escalated_to_team)
# - triaged or moved to my team (not the L1 teams that already heard at opening).  (team_new_case)
# - SLA warnings and breaches: sla.notifications honours sla_alerts.


def _active_agents():
    from ventanilla.staff.models import Agent

    return Agent.objects.filter(is_active=True, user__is_active=True).select_related("user")


def _to_users(
    template, ticket, users, *, kind, actor=None, context=None, out=None, render_later=False
):
    """One email per user in their language, except the actor and those who switched `kind`
    off (one preference query for the whole event; none when the caller knows them: `out`,
    the lower-cased addresses that switched it off)."""
    actor_id = getattr(actor, "pk", None)
    users = [u for u in users if u is not None and u.pk != actor_id and u.email]
    if out is None:
        out = emails_opted_out(kind, [u.email for u in users])
    seen = set()
    for user in users:
        address = user.email.lower()
        if address in out or address in seen:
            continue
        seen.add(address)
        email_enqueue(
            template=template,
            to=[user.email],
            language=user.language,
            ticket=ticket,
            context={"ticket": ticket, "recipient": user, **(context or {})},
            render_later=render_later,
        )


def _load_agents_to_notify():
    """The active agents' users by team, those of L1 teams, and the supervisors (the fallback
    when no L1 team has anyone), each list in agent order without repeats; and the addresses
    of the agents who switched "new case for my team" off (NotificationPreference saves renew
    the stamp too)."""
    from ventanilla.staff.models import Agent, Tier

    by_team, l1, supervisors = {}, [], []
    emails = _active_agents().values_list("user__email", flat=True)
    muted = emails_opted_out("team_new_case", list(emails))
    for agent in _active_agents().prefetch_related("teams").order_by("pk"):
        user = agent.user
        for team in agent.teams.all():
            by_team.setdefault(team.pk, []).append(user)
            if team.tier == Tier.L1 and user not in l1:
                l1.append(user)
        if agent.role == Agent.Role.SUPERVISOR:
            supervisors.append(user)
    return {"team": by_team, "l1": l1, "supervisors": supervisors, "muted_new_case": muted}


# Kept per process behind the configuration stamp (mail/stamps.py: saves of Agent, Team, User
# and team memberships change it); read-only users, shared by every case opened (perf-writes).
_agents_cache = StampedCache(_load_agents_to_notify)


def agents_to_notify(team_id):
    """Users told of a new case: its team's agents, else the L1 agents, else the supervisors."""
    return _agents_for(_agents_cache.get(), team_id)


def _agents_for(agents, team_id):
    if team_id:
        return agents["team"].get(team_id, [])
    return agents["l1"] or agents["supervisors"]


def new_case_for_agents(ticket, *, render_later=False):
    agents = _agents_cache.get()
    _to_users(
        "agent_new_case",
        ticket,
        _agents_for(agents, ticket.team_id),
        kind="team_new_case",
        actor=ticket.created_by,
        out=agents["muted_new_case"],  # cached with the agents: no preference query
        render_later=render_later,
    )


def routed_to_team(ticket, by, previous_team_id):
    """Triage or an edit sent the case to another team: that team's agents hear of it as a new
    case, unless they already did when it was opened (an untriaged case goes to L1 teams)."""
    from ventanilla.staff.models import Tier

    team = ticket.team
    if team is None or (previous_team_id is None and team.tier == Tier.L1):
        return
    agents = _active_agents().filter(teams=team.pk).distinct()
    _to_users("agent_new_case", ticket, [a.user for a in agents], kind="team_new_case", actor=by)


def assigned(ticket, by):
    """The case was given to an agent: tell them, unless they took it themselves."""
    assignee = ticket.assignee
    if assignee is None or not assignee.is_active:
        return
    _to_users(
        "agent_assigned", ticket, [assignee], kind="assigned_to_me", actor=by, context={"by": by}
    )


def escalated(ticket, by, reason=""):
    """The case arrived at another team by escalation: tell that team's agents."""
    if not ticket.team_id:
        return
    agents = _active_agents().filter(teams=ticket.team_id).distinct()
    _to_users(
        "agent_escalated",
        ticket,
        [a.user for a in agents],
        kind="escalated_to_team",
        actor=by,
        context={"by": by, "reason": reason},
    )
