"""Supervisors edit SLA policies and automations (slaedit): the services (permissions,
validation, order, audit) and the console pages (rendering, errors, query counts)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ventanilla.sla import services
from ventanilla.sla.display import policy_conditions, target_phrase
from ventanilla.sla.models import Automation, SlaChange, SlaClock, SlaPolicy

pytestmark = pytest.mark.django_db


def policy(name):
    return SlaPolicy.objects.get(name=name)


def contractual_names():
    return list(
        SlaPolicy.objects.filter(kind="contractual")
        .order_by("position", "id")
        .values_list("name", flat=True)
    )


# ---- services: permissions ----


@pytest.mark.parametrize("role", ["agent_l1", "agent_l2", "customer"])
def test_only_supervisors_change_policies_and_automations(cast, role):
    user = cast.users[role]
    sev_b = policy("Gravedad B · moderada/alta")
    with pytest.raises(PermissionDenied):
        services.policy_save(
            by=user, policy=sev_b, targets={"first_response": (2, "business_days")}
        )
    with pytest.raises(PermissionDenied):
        services.policy_move(by=user, policy=sev_b, direction="up")
    with pytest.raises(PermissionDenied):
        services.policy_set_active(by=user, policy=sev_b, active=False)
    with pytest.raises(PermissionDenied):
        services.automation_save(by=user, automation=Automation.objects.first())
    with pytest.raises(PermissionDenied):
        services.sla_recompute_open_cases(by=user)
    assert not SlaChange.objects.exists()
    assert sev_b.targets.get(target="first_response").amount == 1


def test_supervisor_changes_a_target_and_it_is_audited(cast):
    sev_b = policy("Gravedad B · moderada/alta")
    sev_b.warning_percent = 70
    services.policy_save(
        by=cast.supervisor,
        policy=sev_b,
        targets={"first_response": (2, "business_days"), "next_response": (1, "business_days")},
    )
    assert sev_b.targets.get(target="first_response").amount == 2
    change = SlaChange.objects.get()
    assert (change.by, change.subject, change.object_id, change.action) == (
        cast.supervisor,
        "policy",
        sev_b.pk,
        "changed",
    )
    assert change.changes["warning_percent"] == [80, 70]
    assert change.changes["targets"][1]["first_response"] == [2, "business_days"]


def test_saving_without_changes_writes_no_audit_record(cast):
    sev_c = policy("Gravedad C · mínima")
    targets = {t.target: (t.amount, t.unit) for t in sev_c.targets.all()}
    services.policy_save(by=cast.supervisor, policy=sev_c, targets=targets)
    assert not SlaChange.objects.exists()


# ---- services: validation ----


@pytest.mark.parametrize(
    ("targets", "key", "fragment"),
    [
        ({"first_response": (0, "business_days")}, "target:first_response:amount", "cero"),
        ({"resolution": (-3, "calendar_days")}, "target:resolution:amount", "cero"),
        ({"first_response": (3, "calendar_days")}, "target:first_response:unit", "unidad"),
        ({"resolution": (3, "fortnights")}, "target:resolution:unit", "unidad"),
        ({"resolution": (400, "calendar_days")}, "target:resolution:amount", "más de un año"),
        ({}, "__all__", "al menos un objetivo"),
    ],
)
def test_bad_targets_are_refused_with_a_message(cast, targets, key, fragment):
    high = policy("Prioridad alta")
    with pytest.raises(ValidationError) as error:
        services.policy_save(by=cast.supervisor, policy=high, targets=targets)
    assert fragment in " ".join(error.value.message_dict[key])
    assert high.targets.get().amount == 3
    assert not SlaChange.objects.exists()


@pytest.mark.parametrize("share", [0, 100, 150])
def test_warning_share_must_be_between_1_and_99(cast, share):
    high = policy("Prioridad alta")
    high.warning_percent = share
    with pytest.raises(ValidationError) as error:
        services.policy_save(
            by=cast.supervisor, policy=high, targets={"resolution": (3, "calendar_days")}
        )
    assert "warning_percent" in error.value.message_dict


def test_automation_action_must_fit_its_trigger(cast):
    close = Automation.objects.get(action="close")
    close.action = "remind"
    with pytest.raises(ValidationError) as error:
        services.automation_save(by=cast.supervisor, automation=close)
    assert "action" in error.value.message_dict
    assert Automation.objects.get(pk=close.pk).action == "close"


def test_automation_change_is_saved_and_audited(cast):
    remind = Automation.objects.get(action="remind")
    remind.after_amount = 3
    services.automation_save(by=cast.supervisor, automation=remind)
    assert Automation.objects.get(pk=remind.pk).after_amount == 3
    change = SlaChange.objects.get()
    assert (change.subject, change.changes) == ("automation", {"after_amount": [2, 3]})


# ---- services: order ----


def test_move_swaps_neighbours_within_the_kind(cast):
    before = contractual_names()
    internal_before = list(SlaPolicy.objects.filter(kind="internal").order_by("position", "id"))
    assert services.policy_move(by=cast.supervisor, policy=policy(before[1]), direction="up")
    after = contractual_names()
    assert after[:2] == [before[1], before[0]] and after[2:] == before[2:]
    assert services.policy_move(by=cast.supervisor, policy=policy(before[1]), direction="down")
    assert contractual_names() == before
    assert list(SlaPolicy.objects.filter(kind="internal").order_by("position", "id")) == (
        internal_before
    )
    assert SlaChange.objects.filter(action__startswith="moved_").count() == 2


def test_move_past_the_ends_does_nothing(cast):
    names = contractual_names()
    assert not services.policy_move(by=cast.supervisor, policy=policy(names[0]), direction="up")
    assert not services.policy_move(by=cast.supervisor, policy=policy(names[-1]), direction="down")
    assert contractual_names() == names


def test_new_policy_goes_last_in_its_kind(cast):
    new = SlaPolicy(name="Cliente VIP", kind="contractual", channel="phone")
    services.policy_save(
        by=cast.supervisor, policy=new, targets={"first_response": (30, "minutes_24x7")}
    )
    assert contractual_names()[-1] == "Cliente VIP"
    assert SlaChange.objects.get().action == "created"


def test_the_new_order_decides_which_policy_matches(cast, make_ticket):
    """Moving the catch-all policy first makes it win for a severity-B case opened afterwards."""
    catch_all = policy("Casos no urgentes")
    services.policy_save(
        by=cast.supervisor, policy=catch_all, targets={"first_response": (4, "business_days")}
    )
    while services.policy_move(by=cast.supervisor, policy=catch_all, direction="up"):
        pass
    ticket = make_ticket(severity="B")
    clock = SlaClock.objects.get(ticket=ticket, kind="contractual", target="first_response")
    assert (clock.policy, clock.amount) == (catch_all, 4)


def test_deactivate_and_recompute_open_cases(cast, make_ticket):
    ticket = make_ticket(severity="B")
    sev_b = policy("Gravedad B · moderada/alta")
    services.policy_set_active(by=cast.supervisor, policy=sev_b, active=False)
    clock = SlaClock.objects.get(ticket=ticket, kind="contractual", target="first_response")
    assert clock.policy == sev_b  # not rewritten silently
    done, left = services.sla_recompute_open_cases(by=cast.supervisor)
    assert (done, left) == (1, 0)
    clock.refresh_from_db()
    assert clock.policy == policy("Casos no urgentes")
    assert SlaChange.objects.filter(action="recomputed", changes__cases=1).exists()


def test_recompute_is_bounded(cast, make_ticket):
    make_ticket(), make_ticket(), make_ticket()
    assert services.sla_recompute_open_cases(by=cast.supervisor, limit=2) == (2, 1)


# ---- plain words ----


def test_targets_and_conditions_in_spanish(settings):
    from django.utils import translation

    with translation.override("es"):
        assert target_phrase(60, "minutes_24x7") == "1 h en 24×7"
        assert target_phrase(3, "calendar_days") == "3 días naturales"
        assert target_phrase(1, "business_days") == "1 día hábil"
        assert target_phrase(456, "business_minutes") == "7 h 36 min en horario laboral"
        assert policy_conditions(policy("Prioridad alta")) == ["Prioridad: Alta"]
        assert policy_conditions(policy("Casos no urgentes")) == ["Todos los casos"]


# ---- pages ----


def test_policies_page_lists_in_match_order_with_targets(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.supervisor)
    with django_assert_max_num_queries(20):
        page = client.get(
            reverse("console:sla_policies"), HTTP_ACCEPT_LANGUAGE="es"
        ).content.decode()
    names = contractual_names()
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)
    assert "Primera respuesta:</b> 1 h en 24×7" in page
    assert "Resolución:</b> 3 días naturales" in page
    assert "Aviso al 80 %" in page


def test_policies_page_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    client.force_login(cast.supervisor)
    for i in range(6):
        services.policy_save(
            by=cast.supervisor,
            policy=SlaPolicy(name=f"Producto {i}", product=cast.products["net"]),
            targets={"resolution": (5, "business_days"), "first_response": (2, "business_days")},
        )
    with django_assert_max_num_queries(20):
        assert client.get(reverse("console:sla_policies")).status_code == 200


def test_edit_page_keeps_input_and_shows_errors(client, cast):
    client.force_login(cast.supervisor)
    high = policy("Prioridad alta")
    url = reverse("console:sla_policy_edit", args=[high.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "is_active"}
    data |= {"name": "Prioridad alta (nuevo nombre)", "warning_percent": "120", "is_active": "on"}
    data |= {"targets-TOTAL_FORMS": "4", "targets-INITIAL_FORMS": "4"}
    kinds = ["first_response", "next_response", "start_of_work", "resolution"]
    for i, kind in enumerate(kinds):
        data[f"targets-{i}-target"] = kind
    data |= {"targets-0-amount": "5", "targets-0-unit": "calendar_days"}
    data |= {"targets-3-amount": "0", "targets-3-unit": "calendar_days"}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Elige un porcentaje entre 1 y 99 %." in page
    assert 'value="Prioridad alta (nuevo nombre)"' in page
    high.refresh_from_db()
    assert high.name == "Prioridad alta"
    # fix the share: now the targets' own errors come from the service
    data["warning_percent"] = "75"
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Introduce una cantidad mayor que cero." in page
    assert "Esta unidad no sirve para este objetivo" in page
    data |= {"targets-0-amount": "", "targets-0-unit": "", "targets-3-amount": "4"}
    response = client.post(url, data)
    assert response.status_code == 302
    high.refresh_from_db()
    assert (high.name, high.warning_percent) == ("Prioridad alta (nuevo nombre)", 75)
    assert high.targets.get().amount == 4


def test_list_page_moves_and_deactivates(client, cast):
    client.force_login(cast.supervisor)
    names = contractual_names()
    url = reverse("console:sla_policies")
    client.post(url, {"policy": policy(names[2]).pk, "action": "up"})
    assert contractual_names()[1] == names[2]
    client.post(url, {"policy": policy(names[2]).pk, "action": "deactivate"})
    assert not policy(names[2]).is_active


def test_agents_cannot_post_to_the_list(client, cast):
    client.force_login(cast.agent_l1)
    sev_a = policy("Gravedad A · crítica (24×7)")
    response = client.post(
        reverse("console:sla_policies"), {"policy": sev_a.pk, "action": "deactivate"}
    )
    assert response.status_code == 403
    assert policy("Gravedad A · crítica (24×7)").is_active
