import importlib

import pytest


@pytest.fixture(autouse=True)
def default_sla_policies(request):
    """The default policies come from a data migration; a transactional test (any browser test)
    flushes the tables when it ends, so put them back for every SLA test that uses the database."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from ventanilla.sla.models import Automation, SlaPolicy

    if not SlaPolicy.objects.exists() and not Automation.objects.exists():
        migration = importlib.import_module("ventanilla.sla.migrations.0003_default_policies")
        migration.create(apps, None)
