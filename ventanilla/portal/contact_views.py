"""Gestionar contactos (seed 000 §5): the organization's contacts, pending requests, and the
one-click decision links sent to admins by email. Rules live in organizations.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.accounts.models import User
from ventanilla.accounts.roles import contact_of
from ventanilla.core.decorators import customer_required
from ventanilla.lib.tokens import BadToken
from ventanilla.organizations.models import Contact, Section
from ventanilla.organizations.notifications import read_decision_token
from ventanilla.organizations.selectors import contacts_of_organization, contacts_pending
from ventanilla.organizations.services import (
    contact_approve,
    contact_can_be_decided_by,
    contact_create,
    contact_deactivate,
    contact_reactivate,
    contact_reject,
    contact_update,
)
from ventanilla.portal.contact_forms import ContactForm

PAGE_SIZE = 50


def _is_admin(contact):
    return contact.role == Contact.Role.ORG_ADMIN


def _locked(request, me, *, manage):
    """403 with a page that says why and who can help, instead of a bare error."""
    admins = Contact.objects.filter(
        organization_id=me.organization_id,
        state=Contact.State.ACTIVE,
        role=Contact.Role.ORG_ADMIN,
    ).only("name", "email")[:5]
    context = {"admins": admins, "manage": manage}
    return render(request, "portal/contacts/locked.html", context, status=403)


def _guard(request, *, manage=False):
    """(me, None) when allowed, else (me, the locked page response)."""
    me = contact_of(request.user)
    allowed = _is_admin(me) if manage else me.has_section(Section.CONTACTS)
    return me, None if allowed else _locked(request, me, manage=manage)


def _contact_of_my_org(me, pk):
    queryset = Contact.objects.select_related("organization", "site", "region")
    return get_object_or_404(queryset, pk=pk, organization_id=me.organization_id)


@customer_required
def contacts(request):
    me, locked = _guard(request)
    if locked:
        return locked
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(contacts_of_organization(me.organization, query=query), PAGE_SIZE)
    context = {
        "me": me,
        "can_manage": _is_admin(me),
        "query": query,
        "page": page.get_page(request.GET.get("page")),
        "pending": list(contacts_pending(me.organization)) if _is_admin(me) else [],
    }
    return render(request, "portal/contacts/list.html", context)


def _save(request, form, me, contact=None):
    """Call the service; its refusals become form errors (nothing typed is lost)."""
    if not form.is_valid():
        return None
    try:
        if contact is None:
            fields = form.service_fields()
            return contact_create(by=request.user, organization=me.organization, **fields)
        return contact_update(contact=contact, by=request.user, **form.service_fields())
    except ValidationError as error:
        form.add_error(None, error)
    return None


@customer_required
def contact_new(request):
    me, locked = _guard(request, manage=True)
    if locked:
        return locked
    form = ContactForm(request.POST or None, organization=me.organization)
    if request.method == "POST" and (saved := _save(request, form, me)):
        messages.success(
            request, _("%(name)s has been added to your contacts.") % {"name": saved.name}
        )
        return redirect("portal:contacts")
    return render(request, "portal/contacts/form.html", {"form": form, "me": me})


@customer_required
def contact_edit(request, pk):
    me, locked = _guard(request, manage=True)
    if locked:
        return locked
    contact = _contact_of_my_org(me, pk)
    form = ContactForm(
        request.POST or None, organization=me.organization, initial=ContactForm.initial_for(contact)
    )
    if request.method == "POST" and _save(request, form, me, contact):
        messages.success(request, _("The changes to %(name)s are saved.") % {"name": contact.name})
        return redirect("portal:contacts")
    context = {"form": form, "me": me, "contact": contact}
    return render(request, "portal/contacts/form.html", context)


def _state_change(request, pk, service, done):
    me, locked = _guard(request, manage=True)
    if locked:
        return locked
    contact = _contact_of_my_org(me, pk)
    try:
        service(contact=contact, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": contact.name})
    return redirect("portal:contacts")


@require_POST
@customer_required
def contact_deactivate_view(request, pk):
    done = _("%(name)s is deactivated: they can no longer use the customer area.")
    return _state_change(request, pk, contact_deactivate, done)


@require_POST
@customer_required
def contact_reactivate_view(request, pk):
    return _state_change(request, pk, contact_reactivate, _("%(name)s is active again."))


@require_POST
@customer_required
def contact_decide(request, pk):
    decision = request.POST.get("decision")
    if decision == "approve":
        return _state_change(request, pk, contact_approve, _("%(name)s is now a contact."))
    if decision == "reject":
        return _state_change(request, pk, contact_reject, _("The request of %(name)s is rejected."))
    return redirect("portal:contacts")


# ---- the one-click links of the "contact_pending" email (no login needed) --------------------


def _decision_target(token):
    """(contact, decision, admin user) of a valid link, or raise BadToken."""
    contact_id, decision, user_id = read_decision_token(token)
    contact = Contact.objects.select_related("organization", "decided_by").filter(pk=contact_id)
    admin = User.objects.filter(pk=user_id, is_active=True).first()
    contact = contact.first()
    if contact is None or admin is None:
        raise BadToken()
    return contact, decision, admin


def contact_decision_link(request, token):
    """GET shows who asks and why with one confirm button; only POST decides (mail scanners
    prefetch links). Single use: once decided, the contact is no longer pending."""
    try:
        contact, decision, admin = _decision_target(token)
    except BadToken as error:
        context = {"expired": error.expired}
        return render(request, "portal/contacts/decision_invalid.html", context, status=400)
    context = {"contact": contact, "decision": decision, "admin": admin}
    if contact.state != Contact.State.PENDING:
        return render(request, "portal/contacts/decision_done.html", context)
    if not contact_can_be_decided_by(contact, admin):
        return render(request, "portal/contacts/decision_invalid.html", {}, status=403)
    if request.method == "POST":
        service = contact_approve if decision == "approve" else contact_reject
        try:
            service(contact=contact, by=admin)
        except (PermissionDenied, ValidationError):
            return render(request, "portal/contacts/decision_invalid.html", {}, status=403)
        context["just_decided"] = True
        return render(request, "portal/contacts/decision_done.html", context)
    return render(request, "portal/contacts/decision_confirm.html", context)
