"""Default SLA policies and automations reproducing the seeds out of the box (docs/sla.md).

Contractual: severity A/B/C answers (seed 003), urgent start of work < 2 h and non-urgent answer
< 1 business day (seed 004), resolution by priority in calendar days 3/10/20 (seed 001).
Internal (seed 000: stricter internal SLAs): the same targets at 80 %, in minutes.
"""

from django.db import migrations

BM, BD, M24, CD = "business_minutes", "business_days", "minutes_24x7", "calendar_days"
DAY = 570  # business minutes in one default business day (08:30–18:00)

CONTRACTUAL = [
    # name, position, conditions, {target: (amount, unit)}
    (
        "Gravedad A · crítica (24×7)",
        10,
        {"severity": "A"},
        {"first_response": (60, M24), "next_response": (60, M24), "start_of_work": (120, M24)},
    ),
    (
        "Gravedad B · moderada/alta",
        20,
        {"severity": "B"},
        {"first_response": (1, BD), "next_response": (1, BD)},
    ),
    (
        "Gravedad C · mínima",
        30,
        {"severity": "C"},
        {"first_response": (3, BD), "next_response": (3, BD)},
    ),
    ("Prioridad alta", 40, {"priority": "high"}, {"resolution": (3, CD)}),
    ("Prioridad media", 50, {"priority": "medium"}, {"resolution": (10, CD)}),
    ("Prioridad baja", 60, {"priority": "low"}, {"resolution": (20, CD)}),
    (
        "Casos no urgentes",
        90,
        {},
        {"first_response": (1, BD), "next_response": (1, BD)},
    ),
]


def _internal(amount, unit):
    if unit == BD:
        return round(amount * DAY * 0.8), BM
    if unit == CD:
        return round(amount * 24 * 60 * 0.8), M24
    return round(amount * 0.8), unit


def create(apps, schema_editor):
    Policy = apps.get_model("sla", "SlaPolicy")
    Target = apps.get_model("sla", "SlaTarget")
    Automation = apps.get_model("sla", "Automation")
    for kind, prefix, factor in (("contractual", "", False), ("internal", "Interno · ", True)):
        for name, position, conditions, targets in CONTRACTUAL:
            policy = Policy.objects.create(
                name=f"{prefix}{name}",
                kind=kind,
                position=position + (100 if factor else 0),
                breach_raise_tier=(kind == "contractual" and conditions.get("severity") == "A"),
                notify_supervisors=kind == "contractual",
                **conditions,
            )
            for target, (amount, unit) in targets.items():
                if factor:
                    amount, unit = _internal(amount, unit)
                Target.objects.create(policy=policy, target=target, amount=amount, unit=unit)
    for name, amount, unit, action, position in (
        ("Recordar al cliente tras 2 días hábiles sin respuesta", 2, BD, "remind", 10),
        ("Bajar la gravedad tras 5 días hábiles sin respuesta", 5, BD, "lower_severity", 20),
        ("Cancelar tras 10 días hábiles sin respuesta", 10, BD, "cancel", 30),
    ):
        Automation.objects.create(
            name=name,
            trigger="waiting_on_customer",
            after_amount=amount,
            after_unit=unit,
            action=action,
            position=position,
        )
    Automation.objects.create(
        name="Cerrar casos resueltos tras 7 días naturales",
        trigger="resolved",
        after_amount=7,
        after_unit=CD,
        action="close",
        position=40,
    )


def remove(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.all().delete()
    apps.get_model("sla", "Automation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_policies_clocks_automations")]
    operations = [migrations.RunPython(create, remove)]
