from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.sla.businesstime import (
    DAYS,
    Calendar,
    CalendarError,
    always_open,
    shared_calendar,
)
from ventanilla.sla.calendar_errors import calendar_error_field, calendar_error_message


def default_hours():
    """Seed 001: Monday to Friday 08:30–18:00."""
    return {day: [["08:30", "18:00"]] if day in DAYS[:5] else [] for day in DAYS}


class BusinessCalendar(models.Model):
    """When support is open: weekly hours in a time zone, public holidays and closures."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Madrid",
        help_text=_("IANA name, e.g. Europe/Madrid or Atlantic/Canary."),
    )
    hours = models.JSONField(
        _("opening hours"),
        default=default_hours,
        help_text=_(
            'Local-time ranges per day, e.g. {"mon": [["08:30", "14:00"], ["15:00", "18:00"]], '
            '"sat": []}. Days left out are closed.'
        ),
    )
    holidays_country = models.CharField(
        _("holidays: country"),
        max_length=8,
        blank=True,
        default="ES",
        help_text=_("Country code for public holidays, e.g. ES. Empty: no public holidays."),
    )
    holidays_subdivision = models.CharField(
        _("holidays: region"),
        max_length=16,
        blank=True,
        help_text=_("Region code, e.g. MD (Madrid) or CT (Catalonia). Empty: national only."),
    )
    is_24x7 = models.BooleanField(
        _("24×7"), default=False, help_text=_("Always open: hours, holidays and closures ignored.")
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.to_calendar(closures=())
        except CalendarError as error:
            field = calendar_error_field(error)
            message = calendar_error_message(error)
            raise ValidationError({field: message} if field else message) from error

    def to_calendar(self, closures=None):
        """The pure `Calendar` value. Closures are read from the database unless given."""
        if self.is_24x7:
            return always_open(self.timezone)
        if closures is None:
            closures = self.closures.values_list("date", flat=True) if self.pk else ()
        calendar = Calendar(
            timezone=self.timezone,
            hours=self.hours,
            holidays_country=self.holidays_country,
            holidays_subdiv=self.holidays_subdivision,
            closures=list(closures),
        )
        return shared_calendar(calendar)


class CalendarClosure(models.Model):
    """A whole local day on which a calendar is closed: a local holiday, a company closure."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closure_unique_date")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class TargetKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    START_OF_WORK = "start_of_work", _("Start of work")
    RESOLUTION = "resolution", _("Resolution")


class Unit(models.TextChoices):
    BUSINESS_MINUTES = "business_minutes", _("business minutes")
    BUSINESS_DAYS = "business_days", _("business days")
    MINUTES_24X7 = "minutes_24x7", _("minutes (24×7)")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class PolicyKind(models.TextChoices):
    CONTRACTUAL = "contractual", _("Contractual")
    INTERNAL = "internal", _("Internal")


class SlaPolicy(models.Model):
    """Which targets apply to which tickets. For each target kind and policy kind, the first active
    policy in `position` order whose conditions all match (empty = any) and that defines that
    target wins. Contractual and internal policies run in parallel, each with its own clocks."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=PolicyKind, default=PolicyKind.CONTRACTUAL
    )
    position = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("organization"),
    )
    severity = models.CharField(_("severity"), max_length=1, blank=True)
    priority = models.CharField(_("priority"), max_length=6, blank=True)
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("product"),
    )
    request_type = models.ForeignKey(
        "catalog.RequestType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("request type"),
    )
    channel = models.CharField(_("channel"), max_length=8, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("calendar"),
        help_text=_("Empty: the default office calendar (Mon–Fri 08:30–18:00, Madrid)."),
    )
    warning_percent = models.PositiveSmallIntegerField(_("warn at (% of the target)"), default=80)
    notify_assignee = models.BooleanField(_("notify the assignee"), default=True)
    notify_team = models.BooleanField(_("notify the team"), default=True)
    notify_supervisors = models.BooleanField(_("notify supervisors on breach"), default=True)
    breach_raise_tier = models.BooleanField(_("raise the support tier on breach"), default=False)
    breach_reassign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reassign on breach to"),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["kind", "position", "id"]

    def __str__(self):
        return self.name

    CONDITIONS = ("organization", "severity", "priority", "product", "request_type", "channel")

    def matched_conditions(self, ticket):
        """[(field, value)] of the conditions set on this policy, or None if one fails."""
        matched = []
        for name in self.CONDITIONS:
            wanted = getattr(self, f"{name}_id", None) if name in _FK else getattr(self, name)
            if not wanted:
                continue
            actual = getattr(ticket, f"{name}_id") if name in _FK else getattr(ticket, name)
            if actual != wanted:
                return None
            matched.append(name)
        return matched

    def clean(self):
        if not 1 <= self.warning_percent <= 99:
            raise ValidationError({"warning_percent": _("Choose a share between 1 and 99 %.")})


_FK = {"organization", "product", "request_type"}


class SlaTarget(models.Model):
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, related_name="targets", verbose_name=_("policy")
    )
    target = models.CharField(_("target"), max_length=16, choices=TargetKind)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "target"], name="sla_target_unique_kind")
        ]

    def __str__(self):
        return f"{self.get_target_display()}: {self.amount} {self.get_unit_display()}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class SlaClock(models.Model):
    """One target running on one ticket. `due_at` already includes the paused time."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="clocks"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PolicyKind)
    target = models.CharField(_("target"), max_length=16, choices=TargetKind)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState, default=ClockState.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"))
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_minutes = models.FloatField(_("paused minutes"), default=0)
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["state", "warn_at"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["ticket", "state"]),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} {self.target} {self.state}"

    @property
    def is_live(self):
        return self.state in (ClockState.RUNNING, ClockState.PAUSED)


class Automation(models.Model):
    """Time-based rules on tickets (seed 003): remind a silent customer, lower the severity or
    cancel, auto-close resolved cases. Run every minute by the scheduler through ticket services."""

    class Trigger(models.TextChoices):
        WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer for")
        RESOLVED = "resolved", _("Resolved for")

    class Action(models.TextChoices):
        REMIND = "remind", _("Remind the customer")
        LOWER_SEVERITY = "lower_severity", _("Lower the severity and tell the customer")
        CANCEL = "cancel", _("Cancel the case and tell the customer")
        CLOSE = "close", _("Close the case")

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("when the case is"), max_length=24, choices=Trigger)
    after_amount = models.PositiveIntegerField(_("for at least"))
    after_unit = models.CharField(
        _("unit"),
        max_length=16,
        choices=[
            (Unit.BUSINESS_DAYS, Unit.BUSINESS_DAYS.label),
            (Unit.CALENDAR_DAYS, Unit.CALENDAR_DAYS.label),
            (Unit.MINUTES_24X7, Unit.MINUTES_24X7.label),
        ],
        default=Unit.BUSINESS_DAYS,
    )
    action = models.CharField(_("then"), max_length=16, choices=Action)
    severity = models.CharField(
        _("only for severity"), max_length=1, blank=True, help_text=_("Empty: any severity.")
    )
    position = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("automation")
        verbose_name_plural = _("automations")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        allowed = {
            self.Trigger.WAITING_ON_CUSTOMER: {
                self.Action.REMIND,
                self.Action.LOWER_SEVERITY,
                self.Action.CANCEL,
            },
            self.Trigger.RESOLVED: {self.Action.CLOSE},
        }
        if self.trigger and self.action and self.action not in allowed[self.trigger]:
            raise ValidationError({"action": _("This action does not fit this kind of case.")})


class AutomationRun(models.Model):
    """That an automation acted on a ticket during one stay in a status (never twice)."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    ran_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["automation", "ticket", "since"], name="automation_run_once"
            )
        ]

    def __str__(self):
        return f"{self.automation_id} @ {self.ticket_id} since {self.since:%Y-%m-%d %H:%M}"


class SlaChange(models.Model):
    """Audit record of a supervisor's change to a policy or an automation (console pages)."""

    class Subject(models.TextChoices):
        POLICY = "policy", _("SLA policy")
        AUTOMATION = "automation", _("automation")
        OPEN_CASES = "open_cases", _("open cases")

    at = models.DateTimeField(_("when"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    subject = models.CharField(_("subject"), max_length=12, choices=Subject)
    object_id = models.PositiveIntegerField(_("object"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=16)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("SLA change")
        verbose_name_plural = _("SLA changes")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.subject} {self.name} {self.action}"
