"""SLA policies and automations, seen and edited by supervisors (slaedit branch). Writes go
through `sla.services` (permission-checked and audited)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.accounts.roles import is_supervisor
from ventanilla.console.sla_forms import AutomationForm, PolicyForm, target_formset
from ventanilla.core.decorators import staff_required
from ventanilla.sla import services
from ventanilla.sla.display import policy_actions, policy_conditions, target_phrase
from ventanilla.sla.models import (
    Automation,
    PolicyKind,
    SlaChange,
    SlaPolicy,
    SlaTarget,
    TargetKind,
)
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.workflow import OPEN


def _supervisor(request):
    if not is_supervisor(request.user):
        raise PermissionDenied


def _policy_rows(policies):
    order = TargetKind.values
    rows = []
    for policy in policies:
        targets = sorted(policy.targets.all(), key=lambda t: order.index(t.target))
        rows.append(
            {
                "policy": policy,
                "conditions": policy_conditions(policy),
                "targets": [
                    (t.get_target_display(), target_phrase(t.amount, t.unit)) for t in targets
                ],
                "actions": policy_actions(policy),
            }
        )
    return rows


@staff_required
@require_http_methods(["GET", "POST"])
def sla_policies(request):
    _supervisor(request)
    if request.method == "POST":
        return _policy_action(request)
    policies = (
        SlaPolicy.objects.select_related(
            "organization", "product", "request_type", "calendar", "breach_reassign_to"
        )
        .prefetch_related(Prefetch("targets", queryset=SlaTarget.objects.order_by("id")))
        .order_by("position", "id")
    )
    groups = [
        (kind, label, _policy_rows([p for p in policies if p.kind == kind]))
        for kind, label in PolicyKind.choices
    ]
    context = {
        "groups": groups,
        "changes": SlaChange.objects.select_related("by")[:8],
        "open_count": Ticket.objects.filter(status__in=OPEN).count(),
        "recompute_limit": services.RECOMPUTE_LIMIT,
    }
    return render(request, "console/sla_policies.html", context)


def _policy_action(request):
    action = request.POST.get("action", "")
    if action == "recompute":
        done, left = services.sla_recompute_open_cases(by=request.user)
        messages.success(request, _("Deadlines recomputed on %(n)s open cases.") % {"n": done})
        if left:
            messages.warning(
                request, _("%(n)s older open cases were left as they were.") % {"n": left}
            )
        return redirect("console:sla_policies")
    policy = get_object_or_404(SlaPolicy, pk=request.POST.get("policy") or 0)
    if action in ("up", "down"):
        services.policy_move(by=request.user, policy=policy, direction=action)
    elif action in ("activate", "deactivate"):
        services.policy_set_active(by=request.user, policy=policy, active=action == "activate")
        messages.success(
            request,
            (
                _("Policy “%(name)s” activated.")
                if action == "activate"
                else _("Policy “%(name)s” deactivated.")
            )
            % {"name": policy.name},
        )
    return redirect(f"{request.path}#policy-{policy.pk}")


def _policy_page(request, policy):
    _supervisor(request)
    form = PolicyForm(request.POST or None, instance=policy)
    formset = target_formset(policy, request.POST or None)
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            targets = dict(v for v in (f.value() for f in formset) if v is not None)
            try:
                services.policy_save(by=request.user, policy=form.instance, targets=targets)
            except ValidationError as error:
                _spread(error, form, formset)
            else:
                messages.success(request, _("Policy “%(name)s” saved.") % {"name": policy.name})
                return redirect(f"{_list_url()}#policy-{policy.pk}")
    context = {"form": form, "formset": formset, "policy": policy}
    return render(request, "console/sla_policy_edit.html", context)


def _list_url():
    from django.urls import reverse

    return reverse("console:sla_policies")


def _spread(error, form, formset):
    """Put the service's errors next to the fields they are about."""
    by_target = {f.initial["target"]: f for f in formset}
    for key, problems in error.message_dict.items():
        if key.startswith("target:"):
            _prefix, target, field = key.split(":")
            for problem in problems:
                by_target[target].add_error(field, problem)
        elif key in form.fields:
            for problem in problems:
                form.add_error(key, problem)
        else:
            for problem in problems:
                form.add_error(None, problem)


@staff_required
@require_http_methods(["GET", "POST"])
def sla_policy_new(request):
    return _policy_page(request, SlaPolicy(kind=request.GET.get("kind", PolicyKind.CONTRACTUAL)))


@staff_required
@require_http_methods(["GET", "POST"])
def sla_policy_edit(request, pk):
    _supervisor(request)
    return _policy_page(request, get_object_or_404(SlaPolicy, pk=pk))


@staff_required
def sla_automations(request):
    _supervisor(request)
    automations = Automation.objects.order_by("position", "id")
    return render(request, "console/sla_automations.html", {"automations": automations})


@staff_required
@require_http_methods(["GET", "POST"])
def sla_automation_edit(request, pk):
    _supervisor(request)
    automation = get_object_or_404(Automation, pk=pk)
    form = AutomationForm(request.POST or None, instance=automation)
    if request.method == "POST" and form.is_valid():
        try:
            services.automation_save(by=request.user, automation=form.instance)
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(key if key in form.fields else None, problem)
        else:
            messages.success(request, _("Automation “%(name)s” saved.") % {"name": automation.name})
            return redirect("console:sla_automations")
    return render(
        request, "console/sla_automation_edit.html", {"form": form, "automation": automation}
    )
