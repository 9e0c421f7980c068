from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.IntegerChoices):
    L1 = 1, _("L1")
    L2 = 2, _("L2")
    L3 = 3, _("L3")


class Team(models.Model):
    """A support team at one tier, supporting some products."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    tier = models.PositiveSmallIntegerField(_("support tier"), choices=Tier, default=Tier.L1)
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="teams", verbose_name=_("products")
    )
    email = models.EmailField(_("team email"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["tier", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_tier_display()})"


class Agent(models.Model):
    """Staff profile of a user: an agent or a supervisor, member of teams."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.AGENT)
    teams = models.ManyToManyField(Team, blank=True, related_name="agents", verbose_name=_("teams"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self):
        return str(self.user)

    @property
    def is_supervisor(self):
        return self.role == self.Role.SUPERVISOR


class RoutingRule(models.Model):
    """Which team handles a product (or one version of it) at a tier: triage and escalation
    suggest the team of the most specific rule (version beats product)."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("product"),
    )
    version = models.ForeignKey(
        "catalog.ProductVersion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("version"),
    )
    tier = models.PositiveSmallIntegerField(_("support tier"), choices=Tier, default=Tier.L1)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("team")
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["product", "version", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version", "tier"], name="routing_rule_unique"
            )
        ]

    def __str__(self):
        target = self.version or self.product
        return f"{target} · {self.get_tier_display()} → {self.team.name}"


class CannedReply(models.Model):
    """A reply text agents insert in one click; placeholders {nombre}, {caso}, {asunto},
    {agente} (and their English twins {name}, {case}, {subject}, {agent})."""

    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="es"
    )
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title"]

    def __str__(self):
        return f"{self.title} ({self.language})"


class SavedQueueView(models.Model):
    """A queue with filters an agent saved under a name (shown above the queues)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_queue_views",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=60)
    queue = models.CharField(_("queue"), max_length=20)
    params = models.CharField(_("filters"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.queue})"
