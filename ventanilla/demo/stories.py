"""Demo tickets: each one a short story played through the ticket services, back-dated with `now=`.

A plan picks the final status, when the case was opened, who asked and about what; a path (the
steps that lead to that status, each by the actor the workflow allows) is then played in order.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ventanilla.demo import texts
from ventanilla.demo.data import ORGANIZATIONS
from ventanilla.demo.story import Story
from ventanilla.demo.texts import Case
from ventanilla.tickets.models import Channel
from ventanilla.tickets.workflow import Status

S = Status
# Share of each final status (out of 100) and how old such cases are, in days.
STATUS_MIX = {
    S.WAITING_FOR_SUPPORT: (8, (0, 3)),
    S.WAITING_ON_CUSTOMER: (8, (2, 21)),
    S.ESCALATED: (5, (1, 14)),
    S.IN_PROGRESS: (12, (0, 20)),
    S.PENDING: (5, (3, 30)),
    S.SCHEDULED: (4, (1, 20)),
    S.RESOLVED: (10, (1, 7)),
    S.CLOSED: (40, (10, 182)),
    S.CANCELLED: (8, (1, 182)),
}
CHANNEL_MIX = {
    Channel.WEB: 45,
    Channel.EMAIL: 25,
    Channel.PHONE: 15,
    Channel.CHAT: 8,
    Channel.API: 7,
}


@dataclass
class Plan:
    status: str
    opened_at: datetime
    org_key: str
    requester_key: str
    case: Case
    channel: str
    severity: str
    priority: str


def build_tickets(demo, *, count, progress=None):
    plans = sorted(_plans(demo, count), key=lambda plan: plan.opened_at)
    iterable = progress(plans) if progress else plans
    for plan in iterable:
        story = Story(demo, plan)
        story.play(PATHS[plan.status](story))


def status_counts(count):
    """How many cases end in each status: proportional, but every status at least once."""
    total = sum(share for share, _ in STATUS_MIX.values())
    counts = {status: max(1, count * share // total) for status, (share, _) in STATUS_MIX.items()}
    counts[S.CLOSED] += count - sum(counts.values())
    return counts


def _plans(demo, count):
    rng = demo.rng
    for status, how_many in status_counts(count).items():
        for _ in range(how_many):
            org_key = _weighted(rng, {org["key"]: org["weight"] for org in ORGANIZATIONS})
            case = rng.choice(_cases_for(demo.org_data(org_key)))
            severity = _severity(rng, case.severity)
            yield Plan(
                status=status,
                opened_at=_opened_at(rng, demo.now, STATUS_MIX[status][1]),
                org_key=org_key,
                requester_key=_requester(demo, org_key, case),
                case=case,
                channel=_weighted(rng, CHANNEL_MIX),
                severity=severity,
                priority=_priority(rng, severity),
            )


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _cases_for(org):
    return [
        case
        for case in texts.CASES
        if case.product in (None, *org["products"])
        and (not case.only_for or org["key"] in case.only_for)
    ]


def _severity(rng, usual):
    if rng.random() > 0.2:
        return usual
    return {"A": "B", "B": rng.choice("AC"), "C": "B"}[usual]


def _priority(rng, severity):
    if severity == "A":
        return "high"
    if severity == "B":
        return "high" if rng.random() < 0.35 else "medium"
    return "medium" if rng.random() < 0.35 else "low"


def _opened_at(rng, now, age_days):
    """A moment `age_days` ago, on a working day and in office hours when possible."""
    day = now - timedelta(days=rng.uniform(*age_days))
    if day.weekday() >= 5 and rng.random() < 0.85:
        day -= timedelta(days=day.weekday() - 4)
    when = day.replace(hour=rng.randint(7, 16), minute=rng.randrange(60))
    return min(when, now - timedelta(minutes=rng.randint(10, 180)))


def _requester(demo, org_key, case):
    """Billing questions come from billing contacts, the rest mostly from technical ones."""
    weights = {}
    for key, contact in demo.people_of(org_key):
        fits = contact.is_billing if case.request_type == "facturacion" else contact.is_technical
        weights[key] = (4 if key == "customer" else 2) if fits else 0.1
    return _weighted(demo.rng, weights)


# --- paths: the steps that lead to each final status ---------------------------------------------


def _start(s):
    """Someone takes the case, moves it to in progress and writes to the customer."""
    return [
        (s.gap(10, 240), s.assign),
        (s.gap(1, 20), s.move_to(S.IN_PROGRESS)),
        (s.gap(2, 60), s.agent_says(s.first_reply())),
    ]


def _ask(s):
    return [(s.gap(30, 300), s.agent_asks), (s.gap(0, 3), s.move_to(S.WAITING_ON_CUSTOMER))]


def _ask_and_hear(s):
    """Waiting on the customer until they answer (the system puts it back in progress)."""
    return [*_ask(s), (s.gap(40, 1800), s.customer_answers)]


def _escalate(s, take_over):
    steps = [
        (s.gap(30, 600), s.internal_note(texts.ESCALATION_NOTES)),
        (s.gap(1, 10), s.move_to(S.ESCALATED)),
    ]
    if take_over:
        steps += [
            (s.gap(20, 300), s.escalate_to_next_tier),
            (s.gap(5, 120), s.move_to(S.IN_PROGRESS)),
            (s.gap(1, 30), s.agent_says(s.pick(texts.ESCALATION_REPLIES))),
        ]
    return steps


def _resolve(s):
    steps = _start(s)
    if s.chance(0.3):
        steps.append((s.gap(60, 900), s.internal_note(texts.INTERNAL_NOTES)))
    if s.chance(0.5):
        steps += _ask_and_hear(s)
    if s.chance(0.25):
        steps += _escalate(s, take_over=True)
    return [*steps, (s.gap(60, 1500), s.agent_solves), (s.gap(1, 10), s.move_to(S.RESOLVED))]


def waiting_for_support(s):
    return [(s.gap(30, 900), s.customer_says(texts.CHASERS))] if s.chance(0.35) else []


def in_progress(s):
    steps = _start(s)
    if s.chance(0.4):
        steps += _ask_and_hear(s)
    if s.chance(0.35):
        steps.append((s.gap(60, 1200), s.internal_note(texts.INTERNAL_NOTES)))
    if s.chance(0.25):
        steps.append((s.gap(120, 2000), s.customer_says(texts.CHASERS)))
    return steps


def waiting_on_customer(s):
    return [*_start(s), *_ask(s)]


def escalated(s):
    return [*_start(s), *_escalate(s, take_over=False), (s.gap(20, 600), s.escalate_to_next_tier)]


def pending(s):
    return [
        *_start(s),
        (s.gap(60, 1440), s.agent_says(s.pick(texts.PENDING_REPLIES))),
        (s.gap(0, 3), s.move_to(S.PENDING)),
    ]


def scheduled(s):
    return [
        *_start(s),
        (s.gap(60, 1440), s.agent_schedules),
        (s.gap(0, 3), s.move_to(S.SCHEDULED)),
    ]


def resolved(s):
    return _resolve(s)


def closed(s):
    steps = _resolve(s)
    if s.chance(0.15):
        steps += [
            # A customer's reply within the reopen window reopens the case by itself.
            (s.gap(600, 4000), s.customer_says(texts.REOPENS)),
            (s.gap(60, 1440), s.agent_solves),
            (s.gap(1, 10), s.move_to(S.RESOLVED)),
        ]
    if s.chance(0.5):
        return [
            *steps,
            # The customer confirms the solution (a reply would reopen the case).
            (s.gap(30, 1440), s.move_to(S.CLOSED, by="customer")),
        ]
    return [*steps, (7 * 1440 + s.gap(0, 60), s.move_to(S.CLOSED, by="system"))]


def cancelled(s):
    roll = s.rng.random()
    if roll < 0.45:
        return [(s.gap(10, 600), s.customer_says(texts.CUSTOMER_CANCELS)), (1, s.customer_cancels)]
    if roll < 0.75:
        no_answer = 10 * 1440 + s.gap(0, 600)
        return [*_start(s), *_ask(s), (no_answer, s.move_to(S.CANCELLED, by="system"))]
    return [
        (s.gap(10, 240), s.assign),
        (s.gap(1, 30), s.internal_note([texts.DUPLICATE_NOTE])),
        (s.gap(1, 10), s.agent_says(texts.DUPLICATE_REPLY)),
        (s.gap(0, 2), s.agent_cancels),
    ]


PATHS = {
    S.WAITING_FOR_SUPPORT: waiting_for_support,
    S.WAITING_ON_CUSTOMER: waiting_on_customer,
    S.ESCALATED: escalated,
    S.IN_PROGRESS: in_progress,
    S.PENDING: pending,
    S.SCHEDULED: scheduled,
    S.RESOLVED: resolved,
    S.CLOSED: closed,
    S.CANCELLED: cancelled,
}
