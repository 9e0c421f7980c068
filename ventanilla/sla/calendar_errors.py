"""Calendar errors from the pure business-time module, in the user's language."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "format": _("The calendar must be an object with known keys; not understood: %(value)s."),
    "timezone": _("Unknown time zone: %(value)s."),
    "day": _("Unknown day %(value)s (use mon, tue, wed, thu, fri, sat, sun)."),
    "time": _("Not a time of day (HH:MM, from 00:00 to 24:00): %(value)s."),
    "range": _("Opening ranges must end after they start and must not overlap: %(value)s."),
    "never_open": _("The calendar is never open."),
    "holidays": _("The holidays package knows no country or region %(value)s."),
    "closure": _("Not a date (YYYY-MM-DD): %(value)s."),
}

# The model field each error belongs to, for forms and the admin.
FIELDS = {
    "timezone": "timezone",
    "holidays": "holidays_country",
    "closure": None,
}


def calendar_error_message(error):
    """A `CalendarError` as a translated sentence."""
    return str(MESSAGES[error.code]) % error.params


def calendar_error_field(error):
    return FIELDS.get(error.code, "hours")
