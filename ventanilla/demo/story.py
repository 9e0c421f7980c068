"""One demo case played step by step through the ticket services, each step back-dated."""

import textwrap
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from ventanilla.demo import files, texts
from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact
from ventanilla.tickets.models import Channel
from ventanilla.tickets.services import (
    ticket_add_note,
    ticket_add_participant,
    ticket_assign,
    ticket_cancel,
    ticket_open,
    ticket_reply,
    ticket_transition,
)
from ventanilla.tickets.workflow import Status

WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
SYSTEM_NOTES = {Status.CLOSED: texts.AUTO_CLOSE_NOTE, Status.CANCELLED: texts.SYSTEM_CANCEL_NOTE}
HEADQUARTERS = ("Oficinas", "Base", "Despacho")


def spanish_date(day):
    return f"{WEEKDAYS[day.weekday()]} {day.day} de {MONTHS.split()[day.month - 1]}"


class Story:
    def __init__(self, demo, plan):
        self.demo, self.plan, self.rng = demo, plan, demo.rng
        self.contact = demo.contacts[plan.requester_key]
        self.customer = demo.users[plan.requester_key]
        self.agent = self._pick_user({"agent_l1": 45, "agent_l1b": 45, "supervisor": 10})
        self.ticket = None
        self.site = self._pick_site()
        self.product = product = demo.products.get(plan.case.product)
        self.version = self.rng.choice(demo.versions[plan.case.product]) if product else None
        local = self.local(plan.opened_at)
        self.context = {
            "first": self.contact.name.split()[0],
            "site": self.site.name,
            "version": self.version.name if self.version else "",
            "n": self.rng.randint(2, 9),
            "hour": f"{local:%H}:{self.rng.choice(['00', '15', '30', '45'])}",
            "colleague": self.rng.choice(texts.COLLEAGUES),
        }

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def local(when):
        return timezone.localtime(when, ZoneInfo(settings.VENTANILLA_DISPLAY_TIME_ZONE))

    def gap(self, low, high):
        return self.rng.uniform(low, high)

    def chance(self, probability):
        return self.rng.random() < probability

    def pick(self, options):
        return self.rng.choice(options)

    def first_reply(self):
        return self.pick(texts.FIRST_REPLIES)

    def _pick_user(self, weights):
        key = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        return self.demo.users[key]

    def _pick_site(self):
        contact, sites = self.contact, self.demo.sites.values()
        same_org = [site for site in sites if site.organization_id == contact.organization_id]
        if contact.role == Contact.Role.REGIONAL_MANAGER:
            return self.rng.choice([s for s in same_org if s.region_id == contact.region_id])
        if contact.site.name.startswith(HEADQUARTERS) and self.chance(0.7):
            return self.rng.choice(same_org)
        return contact.site

    def fill(self, text):
        number = self.ticket.number if self.ticket else ""
        return text.format(**self.context, agent=self.agent.full_name, number=number)

    def customer_text(self, body):
        signature = self.pick(texts.CUSTOMER_SIGNATURES)
        if self.plan.channel == Channel.EMAIL:
            org = self.demo.orgs[self.plan.org_key].name
            signature += f"\n{self.contact.name}\n{self.contact.position} · {org}"
        else:
            signature += f"\n{self.context['first']}"
        return f"{self.fill(body)}\n\n{signature}"

    def agent_text(self, body, when):
        part_of_day = "morning" if self.local(when).hour < 14 else "afternoon"
        greeting = self.fill(self.pick(texts.GREETINGS[part_of_day]))
        return f"{greeting}\n\n{self.fill(body)}\n\n{self.fill(texts.AGENT_SIGNATURE)}"

    # --- playing -----------------------------------------------------------------------------

    def play(self, steps):
        """Open the case, then run the steps, squeezed if needed so the last one is in the past."""
        opened_at = self.plan.opened_at
        self.open(opened_at)
        now = self.demo.now
        limit = max(now - timedelta(minutes=self.rng.randint(1, 30)), now - (now - opened_at) / 2)
        total = sum(gap for gap, _ in steps)
        room = (limit - opened_at).total_seconds() / 60
        scale = min(1.0, room / total) if total else 1.0
        when = opened_at
        for gap, step in steps:
            when = self._office_hours(min(when + timedelta(minutes=gap * scale), limit), limit)
            step(when)
            self.settle_emails(when)

    def _office_hours(self, when, limit):
        """Move a night or weekend moment to the next working morning, if that is still past."""
        local = self.local(when)
        if 8 <= local.hour < 20 and local.weekday() < 5:
            return when
        morning = local.replace(hour=8, minute=0) + timedelta(minutes=self.rng.randrange(180))
        if local.hour >= 8:
            morning += timedelta(days=1)
        while morning.weekday() >= 5:
            morning += timedelta(days=1)
        return morning if morning <= limit else when

    def settle_emails(self, when):
        """Demo history: the notifications of past steps count as already sent at the time."""
        OutboundEmail.objects.filter(ticket=self.ticket, state=OutboundEmail.State.QUEUED).update(
            state=OutboundEmail.State.SENT, created_at=when, next_attempt_at=when, sent_at=when
        )

    def open(self, when):
        plan, case = self.plan, self.plan.case
        self.ticket = ticket_open(
            **self._opener(),
            requester=self.contact,
            subject=self.fill(case.subject),
            description=self._description(),
            channel=plan.channel,
            site=self.site,
            product=self.product,
            product_version=self.version,
            request_type=self.demo.request_types[case.request_type],
            severity=plan.severity,
            priority=plan.priority,
            participants=self._cc() if plan.channel == Channel.EMAIL else (),
            attachments=self._customer_files(0.35),
            now=when,
        )
        self.settle_emails(when)
        if plan.channel != Channel.EMAIL and self.chance(0.15) and (cc := self._cc()):
            ticket_add_participant(ticket=self.ticket, by=self.customer, contact=cc[0], now=when)

    def _opener(self):
        """Who opens the case and how, by channel (phone: the agent; chat: the bot)."""
        channel, admin = self.plan.channel, self._org_admin()
        if channel == Channel.PHONE:
            return {"by": self.agent}
        if channel == Channel.CHAT:
            return {"by": None}
        if channel != Channel.WEB:
            return {"by": self.customer}
        by = admin if admin and admin != self.customer and self.chance(0.1) else self.customer
        org = self.demo.orgs[self.plan.org_key]
        callback = org.exclusive_support and self.plan.severity != "C" and self.chance(0.35)
        phone = self.contact.phone if callback else ""
        return {"by": by, "consent": True, "callback_requested": callback, "callback_phone": phone}

    def _org_admin(self):
        people = self.demo.people_of(self.plan.org_key)
        return next(
            (self.demo.users[k] for k, c in people if c.role == Contact.Role.ORG_ADMIN), None
        )

    def _description(self):
        text, channel = self.fill(self.plan.case.description), self.plan.channel
        if channel == Channel.EMAIL:
            return f"Hola:\n\n{text}\n\nUn saludo,\n{self.contact.name}\n{self.contact.position}"
        if channel == Channel.PHONE:
            return f"Llamada de {self.contact.name} ({self.contact.phone}).\n\n{text}"
        if channel == Channel.CHAT:
            return f"{text}\n\n(Recogido por el asistente del chat.)"
        return text

    def _cc(self):
        people = [c for k, c in self.demo.people_of(self.plan.org_key) if c != self.contact]
        if not people or not self.chance(0.35):
            return []
        return self.rng.sample(people, k=min(len(people), self.rng.choice([1, 1, 2])))

    def _customer_files(self, probability):
        """What the customer attaches for this kind of case, now and then."""
        kind = self.plan.case.attachment
        if kind is None or not self.chance(probability):
            return []
        if kind == "png":
            return [files.screenshot(self.rng, name=self.pick(["captura.png", "error.png"]))]
        return self._log_file()

    def _log_file(self):
        day = timezone.localdate(self.plan.opened_at)
        lines = [line.format(day=day, **self.context) for line in texts.LOG_LINES]
        return [files.log_txt(lines, name=f"registro_{day:%Y%m%d}.txt")]

    def _work_report(self):
        number = self.ticket.number
        lines = [
            f"Caso: {number}",
            f"Cliente: {self.demo.orgs[self.plan.org_key].name}",
            f"Sede: {self.site.name}",
            f"Técnico: {self.agent.full_name}",
            "",
            "Trabajo realizado:",
            *textwrap.wrap(self.fill(self.plan.case.solution), 85),
        ]
        name = f"parte_de_trabajo_{number.replace('/', '-')}.pdf"
        return [files.report_pdf("Parte de trabajo", lines, name=name)]

    # --- steps: each takes the moment it happens ---------------------------------------------

    def assign(self, when):
        by = self.demo.users["supervisor"] if self.chance(0.4) else self.agent
        ticket_assign(ticket=self.ticket, by=by, assignee=self.agent, now=when)

    def escalate_to_next_tier(self, when):
        l3 = self.product is not None and self.product.code in ("gestia-erp", "caja-agil")
        keys = {"agent_l2": 40, "agent_l2b": 40, "agent_l3": 30 if l3 else 0}
        self.agent = self._pick_user(keys)
        by = self.demo.users["supervisor"]
        ticket_assign(ticket=self.ticket, by=by, assignee=self.agent, now=when)

    def move_to(self, status, by="agent"):
        def step(when):
            actor = {"agent": self.agent, "customer": self.customer, "system": None}[by]
            note = SYSTEM_NOTES.get(status, "") if by == "system" else ""
            ticket_transition(ticket=self.ticket, to_status=status, by=actor, note=note, now=when)

        return step

    def agent_says(self, body):
        def step(when):
            text = self.agent_text(body, when)
            ticket_reply(ticket=self.ticket, by=self.agent, text=text, now=when)

        return step

    def customer_says(self, options):
        body = self.pick(options)

        def step(when):
            text = self.customer_text(body)
            channel = self.plan.channel if self.plan.channel == Channel.EMAIL else Channel.WEB
            ticket_reply(ticket=self.ticket, by=self.customer, text=text, channel=channel, now=when)

        return step

    def internal_note(self, options):
        body = self.pick(options)

        def step(when):
            with_log = body.startswith("Adjunto") or self.chance(0.15)
            logs = self._log_file() if with_log else []
            text = self.fill(body)
            ticket_add_note(
                ticket=self.ticket, by=self.agent, text=text, attachments=logs, now=when
            )

        return step

    def agent_asks(self, when):
        self.agent_says(self.plan.case.question)(when)

    def customer_answers(self, when):
        text = self.customer_text(self.plan.case.answer)
        attachments = self._customer_files(0.5)
        channel = self.plan.channel if self.plan.channel == Channel.EMAIL else Channel.WEB
        ticket_reply(
            ticket=self.ticket,
            by=self.customer,
            text=text,
            attachments=attachments,
            channel=channel,
            now=when,
        )

    def agent_solves(self, when):
        report = self._work_report() if self.chance(0.15) else []
        text = self.agent_text(self.plan.case.solution, when)
        ticket_reply(ticket=self.ticket, by=self.agent, text=text, attachments=report, now=when)

    def agent_schedules(self, when):
        day = self.demo.now.date() + timedelta(days=self.rng.randint(1, 10))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.context["date"] = spanish_date(day)
        self.context["hour"] = self.pick(["08:30", "09:00", "16:00", "21:30"])
        self.agent_says(self.pick(texts.SCHEDULED_REPLIES))(when)

    def customer_cancels(self, when):
        reason = "El cliente ya no necesita ayuda."
        ticket_cancel(ticket=self.ticket, by=self.customer, reason=reason, now=when)

    def agent_cancels(self, when):
        ticket_cancel(ticket=self.ticket, by=self.agent, reason=texts.DUPLICATE_NOTE, now=when)
