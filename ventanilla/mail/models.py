from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.tickets.models import Severity


class _RenderedOnRead(DeferredAttribute):
    """subject / body_text / body_html of an email queued with `render_spec` (rendered at send
    time, branch create): reading one of them on a saved row renders the three (once per loaded
    spec) exactly as `email_enqueue` would have, so that every reader (the sender, the
    admin, tests) sees the email that is sent. Writing the row (INSERT) reads the stored empty
    values: `_state.adding` is true then. A data descriptor, so it sees reads of loaded values."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        data = instance.__dict__
        spec = data.get("render_spec")
        if spec and not instance._state.adding and data.get("_rendered_from") is not spec:
            instance.render_now()  # again after refresh_from_db(), which brings a new spec
        return super().__get__(instance, cls)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class RenderedOnReadCharField(models.CharField):
    descriptor_class = _RenderedOnRead

    def deconstruct(self):  # the column is a plain one: migrations need not know
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class RenderedOnReadTextField(models.TextField):
    descriptor_class = _RenderedOnRead

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class OutboundEmail(models.Model):
    """An email written inside the business transaction and sent by the worker after commit.

    Its text is either rendered when queued (subject and bodies stored), or, with `render_spec`
    (the case-opening emails, docs/perf-writes.md, branch create), rendered from that spec when
    read, i.e. by the worker when it sends it, which then stores the rendered text and clears
    the spec: the row is written in the business transaction either way (durable), and what is
    sent is what `email_enqueue` would have rendered (mail/tests/test_render_later.py)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Gave up")

    template = models.CharField(_("template"), max_length=60)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    to = models.JSONField(_("to"), default=list)
    subject = RenderedOnReadCharField(_("subject"), max_length=250)
    body_text = RenderedOnReadTextField(_("text"))
    body_html = RenderedOnReadTextField(_("HTML"), blank=True)
    # {"language", "ticket": pk or None, "context": {name: value or {"model", "pk"}}}: what to
    # render at send time (mail.services.email_enqueue(render_later=True)); null once rendered.
    render_spec = models.JSONField(_("to render"), null=True, blank=True, editable=False)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.template} → {', '.join(self.to)}"

    def render_now(self):
        """Render subject and bodies from `render_spec` into this instance (not saved)."""
        from ventanilla.mail.services import render_from_spec

        subject, text, html = render_from_spec(self.template, self.render_spec)
        data = self.__dict__
        data["subject"], data["body_text"], data["body_html"] = subject, text, html
        data["_rendered_from"] = self.render_spec


class Mailbox(models.Model):
    """An IMAP mailbox polled by `mail_fetch` (the password comes from an environment variable)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    host = models.CharField(_("host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("use SSL"), default=True)
    username = models.CharField(_("user"), max_length=200)
    password_env = models.CharField(
        _("password environment variable"),
        max_length=80,
        help_text=_("Name of the environment variable that holds the password."),
    )
    folder = models.CharField(_("folder"), max_length=120, default="INBOX")
    move_to = models.CharField(
        _("move processed mail to"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty to only mark messages as read."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("IMAP mailbox")
        verbose_name_plural = _("IMAP mailboxes")

    def __str__(self):
        return f"{self.name} ({self.username}@{self.host})"


class IntakeAddress(models.Model):
    """An address customers write to; it sets the severity of the cases it opens (seed 003)."""

    address = models.EmailField(_("address"), unique=True)
    severity = models.CharField(_("severity"), max_length=1, choices=Severity, default=Severity.C)
    team = models.ForeignKey(
        "staff.Team", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team")
    )
    request_type = models.ForeignKey(
        "catalog.RequestType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("request type"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("intake address")
        verbose_name_plural = _("intake addresses")
        ordering = ["address"]

    def __str__(self):
        return self.address


class InboundEmail(models.Model):
    """One received message, stored raw BEFORE anything else happens to it."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        QUARANTINED = "quarantined", _("Quarantined")

    class Source(models.TextChoices):
        IMAP = "imap", "IMAP"
        LMTP = "lmtp", "LMTP"
        PIPE = "pipe", _("Pipe (stdin)")
        WEBHOOK = "webhook", _("Webhook")
        ADMIN = "admin", _("Manual")

    raw = models.BinaryField(_("raw message"))
    source = models.CharField(_("source"), max_length=8, choices=Source)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    dedupe_key = models.CharField(max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True, db_index=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State, default=State.RECEIVED, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
        verbose_name=_("case"),
    )
    ticket_message = models.ForeignKey(
        "tickets.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case message"),
    )

    class Meta:
        verbose_name = _("incoming email")
        verbose_name_plural = _("incoming emails")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["state", "sent_at"]),
            models.Index(fields=["sender", "received_at"]),
        ]

    def __str__(self):
        return f"{self.sender}: {self.subject}"


class ConfigStamp(models.Model):
    """A token that changes whenever some read-mostly configuration changes (intake addresses,
    SLA policies, their targets and calendars), so that every process may keep that
    configuration in memory and re-read it only when the token it reads differs (perf-writes,
    `mail/stamps.py`). Rolled back with the transaction that changed it, like the data."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("configuration stamp")
        verbose_name_plural = _("configuration stamps")

    def __str__(self):
        return f"{self.name}: {self.token}"
