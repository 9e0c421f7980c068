"""The console case page in a real browser, in Spanish (issue 7 round 3, casepage): the forms of
the case's actions are not in the page until their panel opens, then load in place (htmx); with
JavaScript off, the panel's link opens a page with the same form.

Screenshots: var/screenshots/casepage-*.png."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.services import ticket_reply, ticket_triage
from ventanilla.tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def es(msgid):
    with translation.override("es"):
        return gettext(msgid)


def flash(page, msgid):
    page.locator(".flash", has_text=es(msgid)).wait_for()


def _case(cast, make_ticket):
    ticket = make_ticket(subject="La VPN de Zaragoza se corta cada hora")
    ticket_triage(ticket=ticket, by=cast.supervisor, product=cast.products["net"])
    ticket_reply(ticket=ticket, by=cast.customer, text="Y además la impresora no imprime.")
    return ticket


def test_action_forms_load_when_their_panel_opens(page, live_server, cast, make_ticket):
    ticket = _case(cast, make_ticket)
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:case_detail", args=[ticket.number]))
    # none of the side panels' forms is in the page yet
    for name in ("assign", "status", "update", "resolve", "merge", "cancel", "split"):
        assert page.locator(f"form[action$='/accion/{name}/']").count() == 0, name
    screenshot(page, "casepage-case-closed-panels")

    page.locator("#panel-assign summary").click()
    assignee = page.locator("#panel-assign").get_by_label(es("Assign to"))
    assignee.wait_for()
    assignee.select_option(label=cast.agent_l2.full_name)
    page.locator("#panel-assign").get_by_role("button", name=es("Assign")).click()
    flash(page, "Assignment saved.")
    assert page.locator(".props", has_text=cast.agent_l2.full_name).is_visible()

    page.locator("#panel-request_info summary").click()
    question = page.locator("#panel-request_info textarea")
    question.wait_for()
    assert question.evaluate("el => el === document.activeElement")  # ready to type
    screenshot(page, "casepage-case-panel-loaded")

    split = page.locator(".tl-split").first
    split.locator("summary").click()
    split.get_by_label(es("Subject of the new case")).fill("La impresora no imprime")
    split.get_by_role("button", name=es("Create case")).click()
    page.wait_for_url(re.compile(r"/consola/casos/C/\d+/\d+/$"))
    new = Ticket.objects.get(subject="La impresora no imprime")
    assert new.number in page.url and new.number != ticket.number
    assert page.locator(".tl-msg", has_text="la impresora no imprime").is_visible()


def test_without_javascript_the_panel_links_to_a_page_with_the_form(
    browser, live_server, cast, make_ticket
):
    ticket = _case(cast, make_ticket)
    context = browser.new_context(
        java_script_enabled=False, locale="es-ES", viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    try:
        login(page, live_server.url, cast.agent_l1.email, PASSWORD)
        page.goto(live_server.url + reverse("console:case_detail", args=[ticket.number]))
        page.locator("#panel-resolve summary").click()
        page.locator("#panel-resolve").get_by_role("link", name=es("Open the form")).click()
        page.wait_for_url(re.compile(r"/accion/resolve/$"))
        assert page.get_by_role("heading", level=1, name=es("Resolve")).is_visible()
        screenshot(page, "casepage-action-page-nojs")
        page.get_by_label(es("Resolution")).fill("Regla del cortafuegos corregida.")
        page.get_by_role("button", name=es("Resolve case")).click()
        page.wait_for_url(re.compile(re.escape(ticket.number) + "/$"))
        page.locator(".flash", has_text=es("Case resolved.")).wait_for()
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
    finally:
        context.close()
