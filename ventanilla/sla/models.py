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
