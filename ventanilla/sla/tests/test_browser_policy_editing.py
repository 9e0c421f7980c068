"""A supervisor edits an SLA policy's target and an automation in a real browser, in Spanish.

Screenshots: var/screenshots/slaedit-*.png."""

import pytest
from django.urls import reverse

from ventanilla.sla.models import Automation, SlaChange, SlaPolicy
from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_edits_a_target_and_an_automation(page, live_server, cast):
    login(page, live_server.url, cast.supervisor.email, PASSWORD)
    page.get_by_role("link", name="Políticas de SLA").first.click()
    page.get_by_role("heading", level=1, name="Políticas de SLA").wait_for()
    policy = SlaPolicy.objects.get(name="Gravedad B · moderada/alta")
    sev_b = page.locator(f"#policy-{policy.pk}")
    assert "Primera respuesta: 1 día hábil" in sev_b.inner_text()
    assert "Gravedad B · moderada/alta" in sev_b.inner_text()
    screenshot(page, "slaedit-policies")

    sev_b.get_by_role("link", name="Editar").click()
    page.get_by_role("heading", level=1, name="Gravedad B · moderada/alta").wait_for()
    first = page.locator("fieldset", has_text="Primera respuesta")
    first.get_by_label("Cantidad").fill("0")
    page.get_by_label("Avisar al (% del objetivo)").fill("150")
    page.get_by_role("button", name="Guardar política").click()
    page.get_by_text("Elige un porcentaje entre 1 y 99 %.").wait_for()
    screenshot(page, "slaedit-policy-errors")
    assert first.get_by_label("Cantidad").input_value() == "0"  # nothing typed is lost

    page.get_by_label("Avisar al (% del objetivo)").fill("75")
    page.get_by_role("button", name="Guardar política").click()
    first.get_by_text("Introduce una cantidad mayor que cero.").wait_for()
    first.get_by_label("Cantidad").fill("2")
    first.get_by_label("Unidad").select_option(label="días hábiles")
    page.get_by_role("button", name="Guardar política").click()
    page.locator(".flash", has_text="Política «Gravedad B · moderada/alta» guardada.").wait_for()
    assert "Primera respuesta: 2 días hábiles" in sev_b.inner_text()
    assert "Aviso al 75 %" in sev_b.inner_text()
    assert page.locator(".slaedit-changes").get_by_text("Carmen Vidal").count() == 1
    screenshot(page, "slaedit-policy-saved")
    assert policy.targets.get(target="first_response").amount == 2

    page.get_by_role("link", name="Automatizaciones").first.click()
    page.get_by_role("heading", level=1, name="Automatizaciones").wait_for()
    screenshot(page, "slaedit-automations")
    page.get_by_role("link", name="Recordar al cliente tras 2 días hábiles").click()
    page.get_by_label("Durante al menos").fill("3")
    page.get_by_label("Entonces").select_option(label="Cerrar el caso")
    page.get_by_role("button", name="Guardar automatización").click()
    page.get_by_text("Esta acción no encaja con este tipo de caso.").wait_for()
    screenshot(page, "slaedit-automation-error")
    page.get_by_label("Entonces").select_option(label="Recordárselo al cliente")
    page.get_by_role("button", name="Guardar automatización").click()
    page.locator(".flash", has_text="guardada").wait_for()
    remind = Automation.objects.get(action="remind")
    assert remind.after_amount == 3
    assert SlaChange.objects.filter(subject="automation", by=cast.supervisor).count() == 1

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("console:sla_policies"))
    screenshot(page, "slaedit-policies-mobile")


def test_agents_do_not_see_the_pages(page, live_server, cast):
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    assert page.get_by_role("link", name="Políticas de SLA").count() == 0
    response = page.goto(live_server.url + reverse("console:sla_policies"))
    assert response.status == 403
