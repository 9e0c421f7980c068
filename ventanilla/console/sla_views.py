"""Console pages of the SLA engine (sla branch): compliance report."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.decorators import staff_required
from ventanilla.sla.models import PolicyKind
from ventanilla.sla.selectors import sla_compliance, tickets_at_risk

GROUPS = (
    ("month", _("By month")),
    ("organization", _("By organization")),
    ("team", _("By team")),
    ("severity", _("By severity")),
)
PERIODS = {"3": 92, "12": 366, "all": None}


@staff_required
def sla_report(request):
    kind = request.GET.get("kind", PolicyKind.CONTRACTUAL)
    kind = kind if kind in PolicyKind.values else PolicyKind.CONTRACTUAL
    period = request.GET.get("months", "12")
    period = period if period in PERIODS else "12"
    days = PERIODS[period]
    since = timezone.now() - timedelta(days=days) if days else None
    tables = [(key, label, sla_compliance(by=key, kind=kind, since=since)) for key, label in GROUPS]
    context = {
        "tables": tables,
        "kind": kind,
        "kinds": PolicyKind.choices,
        "period": period,
        "periods": [("3", _("3 months")), ("12", _("12 months")), ("all", _("All time"))],
        "has_data": any(rows for _k, _l, rows in tables),
        "at_risk": tickets_at_risk(request.user),
    }
    return render(request, "sla/report.html", context)
