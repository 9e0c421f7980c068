"""Small template filters of the agent console."""

from django import template
from django.utils.formats import date_format

from ventanilla.core.templatetags.ventanilla_ui import local

register = template.Library()


@register.filter
def desk_time(value, fmt="DATETIME_FORMAT"):
    """A datetime formatted in the desk's display time zone (the `date` filter would convert it
    back to the active time zone, UTC)."""
    if not value:
        return ""
    return date_format(local(value), fmt)


@register.filter
def changed_fields(event):
    """The translated names of the case fields an event changed ("prioridad, gravedad")."""
    from django.core.exceptions import FieldDoesNotExist

    from ventanilla.tickets.models import Ticket

    names = []
    for name in event.after or {}:
        try:
            names.append(str(Ticket._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            continue
    return ", ".join(names)


# ---- reads ---- the queue rows are built in Python (ventanilla/console/rows.py, issue 7)
@register.simple_tag
def queue_rows(tickets):
    """The <tr> rows of a console queue: `{% queue_rows tickets %}` (same markup as the loop it
    replaced, ~4× cheaper)."""
    from ventanilla.console.rows import queue_rows_html

    return queue_rows_html(tickets)
