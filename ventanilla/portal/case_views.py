"""Support cases in the customer area: open one, list mine, read and answer one (seed 000)."""

import functools
import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ventanilla.accounts.roles import contact_of
from ventanilla.core.decorators import customer_required
from ventanilla.core.fragments import cached_fragment
from ventanilla.core.rows import cached_rows
from ventanilla.lib.uploads import allowed_extensions
from ventanilla.organizations.models import Section
from ventanilla.portal.forms import (
    DESCRIPTION_MAX,
    SEVERITY_HELP,
    CaseCancelForm,
    CaseListFilters,
    CaseOpenForm,
    CaseReplyForm,
)
from ventanilla.tickets import selectors
from ventanilla.tickets.access import can_see_internal
from ventanilla.tickets.models import Severity
from ventanilla.tickets.services import (
    ticket_cancel,
    ticket_open,
    ticket_reopen,
    ticket_reopen_deadline,
    ticket_reply,
)
from ventanilla.tickets.workflow import COMPLETED, FINAL, OPEN, Actor, Status, can_transition

PAGE_SIZE = 25
SCOPE_LABELS = {
    "mine": gettext_lazy("My cases"),
    "local": gettext_lazy("My site"),
    "regional": gettext_lazy("My region"),
    "global": gettext_lazy("Whole company"),
}
ORDER_LABELS = {
    "-activity": gettext_lazy("Last activity"),
    "-created": gettext_lazy("Newest first"),
    "created": gettext_lazy("Oldest first"),
    "-number": gettext_lazy("Number, descending"),
    "number": gettext_lazy("Number, ascending"),
}


def cases_required(view):
    """A customer whose contact may use the support cases section (seed 002)."""

    @customer_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not contact_of(request.user).has_section(Section.CASES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _upload_context():
    return {
        "upload_types": allowed_extensions(),
        "upload_max_bytes": settings.VENTANILLA_UPLOAD_MAX_BYTES,
        "upload_max_mb": settings.VENTANILLA_UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def _add_service_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@cases_required
def case_new(request):
    contact = contact_of(request.user)
    requesters = selectors.case_requester_choices(contact)
    bound = request.method == "POST"
    form = CaseOpenForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        contact=contact,
        requesters=requesters,
    )
    if bound and form.is_valid():
        try:
            ticket = _open_case(request.user, contact, form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            forget_counts(request.user)  # reads: their list counts change now
            messages.success(
                request,
                _("Case %(number)s is open. We have sent the confirmation to %(email)s.")
                % {"number": ticket.number, "email": ticket.requester.email},
            )
            return redirect("portal:case_detail", number=ticket.number)
    context = {
        "form": form,
        "contact": contact,
        "organization": contact.organization,
        "severity_help": SEVERITY_HELP,
        "description_max": DESCRIPTION_MAX,
        "attach_again": form.files_to_attach_again(),
        **_upload_context(),
    }
    return render(request, "portal/cases/new.html", context, status=400 if form.errors else 200)


def _open_case(user, contact, data):
    return ticket_open(
        by=user,
        requester=data.get("requester") or contact,
        subject=data["subject"],
        description=data["description"],
        product=data.get("product"),
        product_version=data.get("product_version"),
        request_type=data["request_type"],
        severity=data["severity"],
        callback_requested=data["callback_requested"],
        callback_phone=data["callback_phone"].strip(),
        consent=data["consent"],
        attachments=data["attachments"],
    )


@cases_required
def case_list(request):
    contact = contact_of(request.user)
    scopes = selectors.case_scopes(contact)
    scope = request.GET.get("scope") if request.GET.get("scope") in scopes else scopes[-1]
    sites, people = selectors.case_sites_and_requesters(request.user, contact, scope)
    filters = CaseListFilters(request.GET, sites=sites, people=people)
    filters.is_valid()
    managed = scope != "mine"

    @functools.cache
    def found():
        # round 4: built only when a count or the rows are computed (≈ 1 ms of query building
        # that a page served from the caches threw away)
        return selectors.case_search(
            request.user,
            scope=scope,
            q=filters.value("q") or "",
            product=filters.value("product"),
            severity=filters.value("severity") or "",
            site=filters.value("site") if managed else None,
            requester=filters.value("requester") if managed else None,
        )

    counts = _group_counts(request.user, scope, filters, found)
    group, status = _group_and_status(request.GET)
    order = request.GET.get("order") if request.GET.get("order") in ORDER_LABELS else "-activity"
    # reads: the group's size is already in the sidebar counts (no second COUNT over the scope);
    # the page numbers come from it, the page's ids only when its rows are computed
    paginator = Paginator(_Sized(counts[status or group or "all"]), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))

    def page_rows():
        # page through ids (an index answers), then load that page's rows
        ids = selectors.case_page_ids(selectors.case_filter_group(found(), group, status), order)
        start = (page.number - 1) * PAGE_SIZE
        return _case_rows(ids[start : start + PAGE_SIZE], order, managed)

    # lists: the page's rows as narrow tuples and their markup, cached a few seconds per person,
    # scope, filters, group, order, page, language, time zone and minute (core/rows.py)
    page.object_list, rows_html = cached_rows(
        request,
        "cases",
        f"user:{request.user.pk}",  # never shared: each person's contact scope is their own
        [
            ("scope", scope),
            ("group", group),
            ("status", status),
            ("order", order),
            ("page", page.number),
            ("count", paginator.count),
            *[(name, _filter_key(filters.value(name))) for name in _LIST_FILTERS],
        ],
        page_rows,
    )
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "rail": _rail(counts),
        "rail_key": f"{scope}|{group}|{status}|{sorted(counts.items())}",
        "rail_seconds": settings.VENTANILLA_FRAGMENT_SECONDS,
        "group": group,
        "status": status,
        "order": order,
        "orders": ORDER_LABELS,
        "scope": scope,
        "scopes": [(key, SCOPE_LABELS[key]) for key in scopes] if len(scopes) > 1 else [],
        "managed": managed,
        "filtered": any(
            filters.value(k) for k in ("q", "product", "severity", "site", "requester")
        ),
        "heading": _heading(group, status),
        "severities": Severity.choices,
        "rows_html": rows_html,
        # lists: the filter selects (product list, managers' sites and people) are cached this
        # long per person, scope, language and selected values
        "choices_seconds": settings.VENTANILLA_CHOICES_SECONDS,
    }
    template = "portal/cases/list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#cases"
    return render(request, template, context)


_LIST_FILTERS = ("q", "product", "severity", "site", "requester")


def _filter_key(value):
    return str(getattr(value, "pk", value) or "")


class _Sized:
    """What the paginator pages through: only a length (the group's count); the page's ids are
    read when its rows are computed (`case_list`)."""

    ordered = True

    def __init__(self, count):
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, item):
        return ()


def _case_rows(ids, order, managed):
    from ventanilla.portal.rows import case_rows_html

    rows = selectors.case_rows_values(ids, order)
    return rows, case_rows_html(rows, managed)


# ---- reads ---- (issue 7) the sidebar counts of the case list, cached briefly per person
def _counts_generation_key(user):
    return f"ventanilla:case-counts-gen:{user.pk}"


def _group_counts(user, scope, filters, found):
    """case_group_counts(found()), cached for settings.VENTANILLA_LIST_COUNTS_SECONDS (0 = never)
    per person, scope and filters: one grouped pass over every case of the scope (2,000 for a
    busy requester, the whole company for an admin) is most of the page's cost otherwise. The
    person's own changes (open, reply, cancel, reopen, rate) show at once (`forget_counts`);
    support's changes within those seconds."""
    from django.core.cache import cache

    seconds = settings.VENTANILLA_LIST_COUNTS_SECONDS
    if not seconds:
        return selectors.case_group_counts(found())
    values = [str(filters.value(name) or "") for name in ("q", "product", "severity")]
    if scope != "mine":
        values += [str(getattr(filters.value(n), "pk", "")) for n in ("site", "requester")]
    generation = cache.get(_counts_generation_key(user), 0)
    digest = hashlib.blake2b("\x1f".join(values).encode(), digest_size=12).hexdigest()
    key = f"ventanilla:case-counts:{user.pk}:{generation}:{scope}:{digest}"
    counts = cache.get(key)
    if counts is None:
        counts = selectors.case_group_counts(found())
        cache.set(key, counts, seconds)
    return counts


def forget_counts(user):
    """After a change of the person's own: their case list counts are computed afresh."""
    from django.core.cache import cache

    if settings.VENTANILLA_LIST_COUNTS_SECONDS:
        key = _counts_generation_key(user)
        cache.set(key, cache.get(key, 0) + 1, None)


def _group_and_status(params):
    status = params.get("status", "")
    if status in Status.values:
        return "", status
    group = params.get("group", "")
    return (group if group in selectors.CASE_GROUPS else ""), ""


def _rail(counts):
    """The sidebar of seed 000: open and completed statuses, then ratings, each with its count."""
    return [
        ("open", _("Open cases"), [(s.value, s.label, counts[s.value]) for s in OPEN]),
        (
            "completed",
            _("Completed cases"),
            [(s.value, s.label, counts[s.value]) for s in COMPLETED],
        ),
        (
            "",
            _("All cases"),
            [
                ("to_rate", _("Pending rating"), counts["to_rate"]),
                ("rated", _("Rated"), counts["rated"]),
            ],
        ),
    ]


def _heading(group, status):
    if status:
        return Status(status).label
    return {
        "open": _("Open cases"),
        "completed": _("Completed cases"),
        "to_rate": _("Pending rating"),
        "rated": _("Rated"),
    }.get(group, _("All cases"))


def _detail_context(request, ticket, reply_form, cancel_form=None):
    # reads (issue 7, round 3): one raw query of the case's marks, then the timeline from the
    # cache while nothing on the case changed (core/fragments.py), the opening files only when
    # the case has some, and the live poll's starting point from the same marks.
    marks = selectors.case_marks(ticket)
    deadline = ticket_reopen_deadline(ticket)
    if ticket.is_open:  # the promise's clocks ({% sla_promise %} reads ticket.live_clocks)
        ticket.live_clocks = selectors.case_clocks(ticket, live=True)
    return {
        "ticket": ticket,
        "contact": contact_of(request.user),
        "opening_files": selectors.case_opening_attachments(ticket)
        if marks.opening_attachments
        else (),
        "timeline_html": cached_public_timeline(request, ticket, marks),
        "last_message": marks.last_public_message_id,
        "last_event": marks.last_status_event_id,
        **_state_context(ticket, deadline),
        "reply_form": reply_form,
        "cancel_form": cancel_form or CaseCancelForm(),
        "reopen_days": settings.VENTANILLA_REOPEN_DAYS,
        **_upload_context(),
    }


def render_public_timeline(request, ticket):
    """The customer's timeline (public messages with their files, status changes) as HTML."""
    timeline, _last_message, _last_event = selectors.case_public_timeline(request.user, ticket)
    return render_to_string("portal/cases/_timeline_items.html", {"timeline": timeline})


def cached_public_timeline(request, ticket, marks):
    """`render_public_timeline`, cached under the case's marks (every message, note, event and
    file added or moved changes them) and whether the viewer reads internal notes (customers
    never do). Nothing else of the viewer is in it: any person who may open the case reads the
    same timeline."""
    parts = ("portal-timeline", ticket.pk, marks, can_see_internal(request.user))
    return cached_fragment(parts, lambda: render_public_timeline(request, ticket))


def _state_context(ticket, deadline):
    reopenable = deadline is not None and timezone.now() <= deadline
    expired = ticket.status == Status.RESOLVED and not reopenable
    return {
        "can_cancel": can_transition(Actor.CUSTOMER, ticket.status, Status.CANCELLED),
        "can_reopen": reopenable,
        "reopen_deadline": deadline,
        "can_reply": ticket.status not in FINAL and not expired,
        "reopen_expired": expired,
    }


@cases_required
def case_detail(request, number):
    ticket = selectors.case_detail(request.user, number)
    form = CaseReplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        was = ticket.status
        try:
            ticket_reply(
                ticket=ticket,
                by=request.user,
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            forget_counts(request.user)  # reads: their list counts change now
            messages.success(request, _reply_done(was, ticket.status))
            return redirect(f"{request.path}#thread-end")
    context = _detail_context(request, ticket, form)
    return render(request, "portal/cases/detail.html", context, status=400 if form.errors else 200)


def _reply_done(was, now):
    if was == Status.RESOLVED and now != was:
        return _("Your message has been sent and the case has been reopened.")
    return _("Your message has been sent.")


@cases_required
@require_POST
def case_cancel(request, number):
    ticket = selectors.case_detail(request.user, number)
    form = CaseCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        ticket_cancel(ticket=ticket, by=request.user, reason=reason)
    except ValidationError:
        messages.error(
            request, _("This case can no longer be cancelled: support is already on it.")
        )
    else:
        forget_counts(request.user)  # reads: their list counts change now
        messages.success(request, _("Case %(number)s is cancelled.") % {"number": ticket.number})
    return redirect("portal:case_detail", number=ticket.number)


@cases_required
@require_POST
def case_reopen(request, number):
    ticket = selectors.case_detail(request.user, number)
    try:
        ticket_reopen(ticket=ticket, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        forget_counts(request.user)  # reads: their list counts change now
        messages.success(
            request,
            _("Case %(number)s is open again. Tell us what is still wrong.")
            % {"number": ticket.number},
        )
        return redirect(reverse("portal:case_detail", kwargs={"number": ticket.number}) + "#reply")
    return redirect("portal:case_detail", number=ticket.number)


def _int(value):
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


@cases_required
def case_updates(request, number):
    """What happened on the case since the page last looked (polled by htmx, item 7)."""
    after_message, after_event = _int(request.GET.get("m")), _int(request.GET.get("e"))
    # floor: nearly every poll finds nothing new; say so from one narrow query (same markup:
    # the template with an empty timeline), and take the full path only when something is.
    from ventanilla.tickets import polls

    news = polls.case_news(
        request.user, number, after_message=after_message, after_event=after_event
    )
    if not (news.has_new_messages or news.has_new_events or request.GET.get("s") != news.status):
        context = {
            "ticket": news,
            "timeline": [],
            "last_message": after_message,
            "last_event": after_event,
            "status_changed": False,
        }
        return render(request, "portal/cases/updates.html", context)
    ticket = selectors.case_detail(request.user, number)
    timeline, last_message, last_event = selectors.case_public_timeline(
        request.user, ticket, after_message=after_message, after_event=after_event
    )
    status_changed = request.GET.get("s") != ticket.status
    context = {
        "ticket": ticket,
        "contact": contact_of(request.user),
        "timeline": timeline,
        "last_message": last_message,
        "last_event": last_event,
        "status_changed": status_changed,
        **_upload_context(),
    }
    if status_changed:
        context |= _state_context(ticket, ticket_reopen_deadline(ticket))
        context |= {
            "reply_form": CaseReplyForm(),
            "cancel_form": CaseCancelForm(),
            "reopen_days": settings.VENTANILLA_REOPEN_DAYS,
        }
    return render(request, "portal/cases/updates.html", context)
