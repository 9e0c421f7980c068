"""'Mis notificaciones' (customer area) and 'Mis avisos' (console): the preference pages.

Screenshots: var/screenshots/notify-*.png
"""

import pytest
from django.urls import reverse

from ventanilla.accounts.models import NotificationPreference
from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD


@pytest.mark.django_db
def test_customer_page_lists_the_optional_emails_and_the_mandatory_ones(client, cast):
    client.force_login(cast.users["customer"])
    response = client.get(reverse("portal:notifications"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mis notificaciones" in html and "Avances de mis casos" in html
    assert "Respuestas del equipo de soporte" in html
    assert "Siempre se envían" in html and "acuse de recibo" in html
    assert "Me asignan un caso" not in html  # agent-side switches are not shown to customers
    assert html.count('type="checkbox"') == 2 and html.count("checked") == 2  # defaults: on


@pytest.mark.django_db
def test_customer_saves_their_choice_and_agent_fields_are_untouched(client, cast):
    user = cast.users["customer"]
    client.force_login(user)
    response = client.post(reverse("portal:notifications"), {"case_reply": "on"}, follow=True)
    assert "Hemos guardado tus preferencias" in response.content.decode()
    preference = NotificationPreference.objects.get(user=user)
    assert preference.case_reply and not preference.case_status
    assert preference.assigned_to_me  # not on this page: keeps its default
    html = client.get(reverse("portal:notifications")).content.decode()
    assert html.count("checked") == 1


@pytest.mark.django_db
def test_agent_page_groups_the_switches(client, cast):
    user = cast.users["agent_l2"]
    client.force_login(user)
    html = client.get(reverse("console:notifications")).content.decode()
    for text in ("Mis avisos", "Mis casos", "Mi equipo", "Caso nuevo para mi equipo", "SLA"):
        assert text in html
    assert "Avances de mis casos" not in html
    client.post(reverse("console:notifications"), {"assigned_to_me": "on"})
    preference = NotificationPreference.objects.get(user=user)
    assert preference.assigned_to_me and not preference.sla_alerts
    assert not preference.team_new_case and preference.case_status


@pytest.mark.django_db
def test_the_user_menus_link_to_the_pages(client, cast):
    client.force_login(cast.users["customer"])
    assert reverse("portal:notifications") in client.get(reverse("portal:home")).content.decode()
    client.force_login(cast.users["agent_l1"])
    assert reverse("console:notifications") in client.get(reverse("console:home")).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_both_preference_pages_in_the_browser(page, live_server, cast):
    login(page, live_server.url, cast.users["customer"].email, PASSWORD)
    page.locator("details[data-usermenu] > summary").click()
    screenshot(page, "notify-portal-usermenu")
    page.get_by_role("link", name="Mis notificaciones").click()
    page.wait_for_url(f"**{reverse('portal:notifications')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Mis notificaciones"
    box = page.get_by_label("Avances de mis casos")
    assert box.is_checked()
    box.uncheck()
    screenshot(page, "notify-portal")
    page.get_by_role("button", name="Guardar preferencias").click()
    page.get_by_text("Hemos guardado tus preferencias de notificación.").wait_for()
    assert not page.get_by_label("Avances de mis casos").is_checked()
    assert page.get_by_label("Respuestas del equipo de soporte").is_checked()
    screenshot(page, "notify-portal-saved")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # a fresh layout at phone width (no sidebar transition half-way)
    page.get_by_role("button", name="Guardar preferencias").wait_for()
    screenshot(page, "notify-portal-mobile")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server.url, cast.users["agent_l1"].email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('console:notifications')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Mis avisos"
    page.get_by_label("Avisos e incumplimientos de SLA").uncheck()
    page.get_by_role("button", name="Guardar preferencias").click()
    page.get_by_text("Hemos guardado tus preferencias de notificación.").wait_for()
    assert not page.get_by_label("Avisos e incumplimientos de SLA").is_checked()
    assert page.get_by_label("Me asignan un caso").is_checked()
    screenshot(page, "notify-console")
