from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.staff.models import Tier
from ventanilla.tickets.workflow import OPEN, Status


class Severity(models.TextChoices):
    A = "A", _("A · critical")
    B = "B", _("B · moderate/high")
    C = "C", _("C · minimal")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class TicketCounter(models.Model):
    """The last sequence number given in one series and year (row-locked when used)."""

    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="counter_unique_series_year")
        ]

    def __str__(self):
        return f"{self.series}/{self.year}: {self.last}"


class Ticket(models.Model):
    number = models.CharField(_("case number"), max_length=24, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("organization"),
    )
    site = models.ForeignKey(
        "organizations.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("site"),
    )
    requester = models.ForeignKey(
        "organizations.Contact",
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("contact"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("product"),
    )
    product_version = models.ForeignKey(
        "catalog.ProductVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("version"),
    )
    request_type = models.ForeignKey(
        "catalog.RequestType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("request type"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=1, choices=Severity, default=Severity.C)
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.WAITING_FOR_SUPPORT,
        editable=False,
    )
    team = models.ForeignKey(
        "staff.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("team"),
    )
    tier = models.PositiveSmallIntegerField(_("support tier"), choices=Tier, default=Tier.L1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assigned to"),
    )
    planned_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    callback_requested = models.BooleanField(_("wants a phone call"), default=False)
    callback_phone = models.CharField(_("callback phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel, default=Channel.WEB)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent given by"),
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "-last_activity_at"]),
            models.Index(fields=["requester", "status", "-last_activity_at"]),
            models.Index(fields=["site", "status", "-last_activity_at"]),
            models.Index(fields=["team", "status", "-last_activity_at"]),
            models.Index(fields=["assignee", "status", "-last_activity_at"]),
            models.Index(fields=["status", "-last_activity_at"]),
            models.Index(fields=["-last_activity_at", "-id"]),
        ]

    def __str__(self):
        return f"{self.number} · {self.subject}"

    @property
    def is_open(self):
        return self.status in OPEN


class Participant(models.Model):
    """A contact authorised on a case besides its requester (CC'd people, seed 003)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey(
        "organizations.Contact",
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("contact"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "contact"], name="participant_unique")
        ]
        indexes = [models.Index(fields=["contact", "ticket"])]

    def __str__(self):
        return f"{self.contact} @ {self.ticket.number}"


class Message(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Reply")
        INTERNAL = "internal", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.PUBLIC)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_contact = models.ForeignKey(
        "organizations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author contact"),
    )
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("sanitised HTML"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel, default=Channel.WEB)
    from_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        return f"{self.ticket.number} #{self.pk}"

    @property
    def is_public(self):
        return self.kind == self.Kind.PUBLIC


def attachment_path(instance, filename):
    return f"attachments/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.filename

    @property
    def is_internal(self):
        return self.message_id is not None and self.message.kind == Message.Kind.INTERNAL


class Event(models.Model):
    """Append-only log of everything that happens to a ticket: who, what, before and after."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        STATUS = "status", _("Status changed")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        ASSIGNED = "assigned", _("Assigned")
        PARTICIPANT_ADDED = "participant_added", _("Participant added")
        CHANGED = "changed", _("Fields changed")
        ATTACHMENT = "attachment", _("Attachment added")
        # ---- sla ----
        SLA_DEADLINE = "sla_deadline", _("SLA deadline set")
        SLA_PAUSED = "sla_paused", _("SLA clock paused")
        SLA_RESUMED = "sla_resumed", _("SLA clock resumed")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breached")
        SLA_STOPPED = "sla_stopped", _("SLA clock stopped")
        AUTOMATION = "automation", _("Automation")
        # ---- console ----
        TRIAGED = "triaged", _("Case triaged")
        ESCALATED = "escalated", _("Escalated")
        MERGED = "merged", _("Merged")
        LINKED = "linked", _("Linked")
        SPLIT = "split", _("Split")
        PARTICIPANT_REMOVED = "participant_removed", _("Participant removed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_kind = models.CharField(_("as"), max_length=12)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    note = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    """One satisfaction score per case (the customer-area issue builds the pages)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_5")
        ]

    def __str__(self):
        return f"{self.ticket_id}: {self.score}"


# ---- console ----
class TicketLink(models.Model):
    """A relation between two cases: related, or `source` was a duplicate merged into `target`."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        DUPLICATE = "duplicate", _("Duplicate merged into")
        SPLIT = "split", _("Split from")

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.RELATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="ticket_link_unique"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="ticket_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.source_id} {self.kind} {self.target_id}"


class CasePresence(models.Model):
    """An agent has a case open in the console (heartbeat); stale rows simply stop counting."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)
    composing = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="presence_unique")]
        indexes = [models.Index(fields=["ticket", "seen_at"])]

    def __str__(self):
        return f"{self.user_id} @ {self.ticket_id}"
