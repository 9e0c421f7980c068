"""The notification preference page, shared by the area ("Mis notificaciones") and the console
("Mis avisos"); the URLs live in portal and console, each behind its own decorator."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ventanilla.accounts.forms import (
    AGENT_GROUPS,
    AGENT_MANDATORY,
    CUSTOMER_GROUPS,
    CUSTOMER_MANDATORY,
    NotificationPreferenceForm,
)
from ventanilla.accounts.selectors import notification_preferences_of
from ventanilla.accounts.services import notification_preferences_save


def preferences_page(request, *, side):
    customer = side == "customer"
    groups = CUSTOMER_GROUPS if customer else AGENT_GROUPS
    preference = notification_preferences_of(request.user)
    names = [name for _t, _s, items in groups for name, _l, _h in items]
    form = NotificationPreferenceForm(
        request.POST or None,
        groups=groups,
        initial={name: getattr(preference, name) for name in names},
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_save(
            user=request.user, values={name: form.cleaned_data[name] for name in names}
        )
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("portal:notifications" if customer else "console:notifications")
    context = {
        "form": form,
        "layout": "layouts/portal.html" if customer else "layouts/console.html",
        "title": _("My notifications") if customer else _("My notices"),
        "intro": _("Choose which emails you want to receive about your support cases.")
        if customer
        else _("Choose which emails the console sends you about cases."),
        "mandatory": CUSTOMER_MANDATORY if customer else AGENT_MANDATORY,
        "email": request.user.email,
    }
    return render(request, "accounts/notifications.html", context)
