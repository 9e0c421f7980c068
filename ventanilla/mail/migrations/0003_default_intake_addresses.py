"""Seed 003: one address per severity, a@ (critical), b@ (moderate), c@ (minimal), on the
configurable intake domain (VENTANILLA_INTAKE_DOMAIN, default soporte.localhost)."""

from django.conf import settings
from django.db import migrations


def create_defaults(apps, schema_editor):
    IntakeAddress = apps.get_model("mail", "IntakeAddress")
    domain = settings.VENTANILLA_INTAKE_DOMAIN
    for severity in ("A", "B", "C"):
        IntakeAddress.objects.get_or_create(
            address=f"{severity.lower()}@{domain}", defaults={"severity": severity}
        )


def remove_defaults(apps, schema_editor):
    IntakeAddress = apps.get_model("mail", "IntakeAddress")
    domain = settings.VENTANILLA_INTAKE_DOMAIN
    IntakeAddress.objects.filter(address__in=[f"{s}@{domain}" for s in "abc"]).delete()


class Migration(migrations.Migration):
    dependencies = [("mail", "0002_inbound_intake_mailboxes")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
