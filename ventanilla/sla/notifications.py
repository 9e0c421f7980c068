"""Which emails the SLA sweep and automations queue (through mail.services.email_enqueue)."""

from ventanilla.mail.services import email_enqueue
from ventanilla.staff.models import Agent
from ventanilla.tickets.notifications import customer_recipients


def staff_recipients(ticket, policy, *, breach):
    """(email, language) of the assignee, the team and (on breach) the supervisors."""
    people = []
    wants_assignee = policy is None or policy.notify_assignee
    if wants_assignee and ticket.assignee_id and ticket.assignee.is_active:
        people.append((ticket.assignee.email, ticket.assignee.language))
    if (policy is None or policy.notify_team) and ticket.team_id:
        if ticket.team.email:
            people.append((ticket.team.email, None))
        else:
            agents = Agent.objects.filter(teams=ticket.team, is_active=True).select_related("user")
            people += [(a.user.email, a.user.language) for a in agents]
    if breach and (policy is None or policy.notify_supervisors):
        supervisors = Agent.objects.filter(role=Agent.Role.SUPERVISOR, is_active=True)
        people += [(a.user.email, a.user.language) for a in supervisors.select_related("user")]
    # notify: people who switched SLA warnings off in "Mis avisos" (one query); a team address
    # belongs to no user and keeps receiving them.
    from ventanilla.accounts.selectors import emails_opted_out

    seen, unique = emails_opted_out("sla_alerts", [email for email, _lang in people]), []
    for email, language in people:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            unique.append((email, language))
    return unique


def clock_alert(clock, *, breach):
    template = "sla_breach" if breach else "sla_warning"
    ticket = clock.ticket
    for email, language in staff_recipients(ticket, clock.policy, breach=breach):
        email_enqueue(
            template=template,
            to=[email],
            language=language,
            ticket=ticket,
            context={"ticket": ticket, "clock": clock},
        )


def to_customers(template, ticket, **context):
    for email, language in customer_recipients(ticket):
        email_enqueue(
            template=template,
            to=[email],
            language=language,
            ticket=ticket,
            context={"ticket": ticket, **context},
        )
