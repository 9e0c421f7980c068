"""Console queues: one view for every queue, filters, keyset pages, htmx refresh, bulk actions."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from ventanilla.console.rows import queue_rows_html
from ventanilla.core.decorators import staff_required
from ventanilla.core.rows import cached_rows
from ventanilla.staff.selectors import saved_views_of
from ventanilla.tickets.access import get_ticket_for_user_or_404, tickets_visible_to
from ventanilla.tickets.models import Channel, Priority, Severity
from ventanilla.tickets.selectors import (
    QUEUE_FILTERS,
    QueueFilters,
    queue_count_rows,
    queue_filter_choices,
    queue_page_rows,
)
from ventanilla.tickets.services import ticket_bulk_apply
from ventanilla.tickets.workflow import Status

QUEUES = {
    "untriaged": (
        gettext_lazy("Untriaged"),
        gettext_lazy("New cases waiting for a product, a priority and a team."),
    ),
    "mine": (gettext_lazy("My cases"), gettext_lazy("Open cases assigned to you.")),
    "team": (gettext_lazy("My team"), gettext_lazy("Open cases of your teams.")),
    "waiting": (
        gettext_lazy("Waiting on customer"),
        gettext_lazy("We asked the customer for something; the clock is paused."),
    ),
    "scheduled": (
        pgettext_lazy("queue", "Scheduled"),
        gettext_lazy("Cases planned for a date and time."),
    ),
    "escalated": (
        pgettext_lazy("queue", "Escalated"),
        gettext_lazy("Cases sent to a higher tier or another team."),
    ),
    "all": (gettext_lazy("All cases"), gettext_lazy("Every case you may see, in any status.")),
    # slaui: sorted by the next contractual deadline (tickets.selectors._breaching_page)
    "breaching": (
        gettext_lazy("Breaching soon"),
        gettext_lazy(
            "Open cases with a running SLA deadline, the one that expires first (or has already "
            "expired) at the top. Deadlines count business time."
        ),
    ),
}
PAGE_SIZE = 50
COUNT_CAP = 1000  # a queue counts up to this; more shows as "Más de 1000 casos"
SEARCH_COUNT_CAP = 200


def _filters(request):
    keys = (*QUEUE_FILTERS, "q")
    return QueueFilters(
        (key, request.GET.get(key, "").strip()) for key in keys if request.GET.get(key)
    )


@staff_required
def queue(request, queue):
    if queue not in QUEUES:
        raise Http404
    filters = _filters(request)
    cursor = request.GET.get("after")
    appending = bool(cursor) and bool(request.htmx) and not request.htmx.boosted
    computed = []
    # A search counts its matches up to a lower cap: at 1M cases a common word matches tens of
    # thousands, and every one counted is a document checked (docs/search.md).
    cap = SEARCH_COUNT_CAP if filters.get("q") else COUNT_CAP

    def compute():
        rows, next_cursor = queue_page_rows(
            request.user, queue, filters, cursor=cursor, limit=PAGE_SIZE
        )
        computed.append(rows)
        if appending:  # "Show more" (htmx) appends rows only: no count
            count = None
        elif cursor is None and next_cursor is None:  # the first page holds every match
            count = len(rows)
        else:
            count = queue_count_rows(request.user, queue, filters, cap=cap)
        return str(queue_rows_html(rows)), next_cursor, count

    # lists: the rows' markup, cursor and count, cached a few seconds per visibility, queue,
    # filters, cursor, language, time zone and minute (core/rows.py: staleness, read-your-writes)
    parts = [("queue", queue), ("after", cursor or ""), ("append", appending)]
    parts += sorted(filters.items())
    rows_html, next_cursor, count = cached_rows(
        request, "queue", _visibility_key(request.user, queue), parts, compute
    )
    title, subtitle = QUEUES[queue]
    context = {
        "queue": queue,
        "title": title,
        "subtitle": subtitle,
        # the rows when computed by this request (tests read them), else only whether any
        "tickets": computed[0] if computed else bool(rows_html),
        "rows_html": mark_safe(rows_html),  # noqa: S308 (built escaped by console/rows.py)
        "next_cursor": next_cursor,
        "count": count,
        "count_cap": cap,
        "filters": filters,
        # built only when a cached fragment of the filter bar or bulk bar is rendered again
        "choices": SimpleLazyObject(queue_filter_choices),
        "statuses": _STATUSES,
        "severities": Severity.choices,
        "priorities": Priority.choices,
        "channels": Channel.choices,
        "appending": bool(cursor),
        "params": urlencode(sorted(filters.items())),
        # reads: the filter bar (7 catalogue queries and their options) is cached this long
        "choices_seconds": settings.VENTANILLA_CHOICES_SECONDS,
    }
    if request.htmx and not request.htmx.boosted:
        part = "rows" if context["appending"] else "results"
        return render(request, f"console/queue.html#{part}", context)
    context["saved_views"] = saved_views_of(request.user)
    return render(request, "console/queue.html", context)


_STATUSES = list(Status)


def _visibility_key(user, queue):
    """Who may share a cached queue page: every viewer who sees every case (superusers, agents
    outside team scoping: `tickets_visible_to` adds no condition) shares "all"; anyone else gets
    a key of their own. "Mine" and "My team" depend on the viewer too."""
    visible = tickets_visible_to(user).query
    shared = not visible.where and not visible.is_empty() and queue not in ("mine", "team")
    return "all" if shared else f"user:{user.pk}"


@require_POST
@staff_required
def bulk(request):
    numbers = request.POST.getlist("numbers")[:200]
    action, raw = request.POST.get("action", ""), request.POST.get("value", "")
    back = _safe_next(request)
    if not numbers or action not in {"assign", "status", "priority", "merge_into"}:
        messages.error(request, _("Choose some cases and an action."))
        return redirect(back)
    tickets = list(tickets_visible_to(request.user).filter(number__in=numbers))
    value = _bulk_value(request, action, raw)
    if value is _INVALID:
        messages.error(request, _("Choose a value for the action."))
        return redirect(back)
    done, problems = ticket_bulk_apply(tickets=tickets, by=request.user, action=action, value=value)
    if done:
        messages.success(request, _("%(count)s cases updated.") % {"count": len(done)})
    for number, reason in problems.items():
        messages.error(request, f"{number}: {reason}")
    return redirect(back)


_INVALID = object()


def _safe_next(request):
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("console:all")


def _bulk_value(request, action, raw):
    from ventanilla.accounts.models import User

    if action == "assign":
        if not raw:
            return None
        user = User.objects.filter(pk=raw if raw.isdigit() else 0, agent__is_active=True).first()
        return user or _INVALID
    if action == "status":
        return raw if raw in Status.values else _INVALID
    if action == "priority":
        return raw if raw in Priority.values else _INVALID
    try:
        return get_ticket_for_user_or_404(request.user, raw.strip())
    except Http404:
        return _INVALID


@require_POST
@staff_required
def saved_view_save(request):
    from urllib.parse import parse_qsl

    from django.core.exceptions import ValidationError

    from ventanilla.staff.services import saved_view_save as save

    queue = request.POST.get("queue", "")
    filters = dict(parse_qsl(request.POST.get("params", "")))
    try:
        view = save(
            by=request.user, name=request.POST.get("name", ""), queue=queue, filters=filters
        )
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect(_queue_url(queue, request.POST.get("params", "")))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(_queue_url(view.queue, view.params))


@require_POST
@staff_required
def saved_view_delete(request, pk):
    from django.shortcuts import get_object_or_404

    from ventanilla.staff.models import SavedQueueView
    from ventanilla.staff.services import saved_view_delete as delete

    view = get_object_or_404(SavedQueueView, pk=pk, user=request.user)
    delete(by=request.user, view=view)
    messages.success(request, _("View deleted."))
    return redirect(_queue_url(view.queue, ""))


def _queue_url(queue, params):
    url = reverse(f"console:{queue}") if queue in QUEUES else reverse("console:all")
    return f"{url}?{params}" if params else url
