"""The agent console in a real browser, in Spanish: triage, reply, escalate L1→L2, schedule,
resolve, merge a duplicate, and a phone case for an unknown caller.

Screenshots: var/screenshots/console-*.png."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.testing.browser import login, logout, screenshot
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


def test_triage_reply_escalate_schedule_and_resolve(page, live_server, cast, make_ticket):
    make_ticket(subject="La impresora de albaranes no imprime", severity="B")
    ticket = make_ticket(
        subject="La VPN de la sede se desconecta cada hora",
        description="Desde el lunes la VPN de Zaragoza se corta cada hora.",
        product=None,
    )
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:untriaged"))
    assert page.get_by_role("heading", level=1, name=es("Untriaged")).is_visible()
    screenshot(page, "console-queue-untriaged")

    page.keyboard.press("j")  # the newest case is first
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(ticket.number)))
    triage = page.locator("#panel-triage")
    triage.get_by_label(es("Product")).select_option(label="RedSegura")
    triage.get_by_label(es("Severity")).select_option("B")
    triage.get_by_label(es("Priority")).select_option("high")
    triage.get_by_label(es("Then")).select_option("in_progress")
    screenshot(page, "console-case-triage")
    triage.get_by_role("button", name=es("Triage case")).click()
    flash(page, "Case triaged.")
    assert page.locator(".case-head .badge", has_text=es("In progress")).is_visible()

    page.keyboard.press("r")
    page.locator("textarea[name=text]").fill("Hola Lucía, ¿la VPN cae a la misma hora cada día?")
    page.get_by_role("button", name=es("Send"), exact=True).click()
    flash(page, "Reply sent to the customer.")
    assert page.locator(".tl-msg--staff", has_text="misma hora").is_visible()

    page.keyboard.press("e")
    escalate = page.locator("#panel-escalate")
    escalate.get_by_label(es("Reason")).fill("Hace falta revisar el cortafuegos: nivel 2.")
    escalate.get_by_role("button", name=es("Escalate case")).click()
    flash(page, "Case escalated.")
    assert page.locator(".case-head .badge", has_text=es("Escalated")).is_visible()
    assert page.locator(".props", has_text="Sistemas L2").is_visible()
    screenshot(page, "console-case-escalated")
    logout(page)

    login(page, live_server.url, cast.agent_l2.email, PASSWORD)
    page.goto(live_server.url + reverse("console:escalated"))
    page.get_by_role("link", name=ticket.number).click()
    page.locator("#panel-status summary").click()  # casepage: the form loads when opened
    status = page.locator("form[action$='/accion/status/']")
    status.get_by_label(es("New status")).select_option("scheduled")
    status.get_by_label(es("Planned for")).fill("2026-12-02T16:30")
    status.get_by_role("button", name=es("Change status")).click()
    flash(page, "Status changed.")
    assert page.locator(".props", has_text="16:30").is_visible()

    page.locator("#panel-resolve summary").click()
    resolve = page.locator("#panel-resolve")
    resolve.get_by_label(es("Resolution")).fill(
        "Regla del cortafuegos corregida; la VPN ya no cae."
    )
    resolve.get_by_role("button", name=es("Resolve case")).click()
    flash(page, "Case resolved.")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.team == cast.teams["l2"]
    screenshot(page, "console-case-resolved")


def test_merge_a_duplicate(page, live_server, cast, make_ticket):
    target = make_ticket(subject="Error 500 al abrir facturas")
    duplicate = make_ticket(role="colleague", subject="Facturas no abre (otra vez)")
    ticket_reply(ticket=duplicate, by=cast.colleague, text="Me pasa igual que a Lucía.")
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:case_detail", args=[duplicate.number]))
    page.locator("#panel-merge summary").click()
    merge = page.locator("#panel-merge")
    merge.get_by_label(es("Case number")).fill("C/1999/9")
    merge.get_by_role("button", name=es("Merge")).click()
    assert merge.locator(".errorlist").is_visible()
    assert merge.get_by_label(es("Case number")).input_value() == "C/1999/9"
    screenshot(page, "console-merge-error")
    merge.get_by_label(es("Case number")).fill(target.number)
    merge.get_by_role("button", name=es("Merge")).click()
    page.wait_for_url(re.compile(re.escape(target.number) + "/$"))
    assert page.locator(".tl-msg", has_text="Me pasa igual que a Lucía.").is_visible()
    assert page.locator(".people", has_text="Marcos Lafuente").first.is_visible()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CANCELLED
    screenshot(page, "console-case-merged")


def test_phone_case_for_an_unknown_caller(page, live_server, cast):
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:phone"))
    page.get_by_label(es("Who is calling?")).fill("TEB01")
    page.get_by_role("link", name=re.compile("Talleres Ebro")).last.click()
    page.get_by_label(es("Caller's name")).fill("Rafael Soler")
    page.get_by_label(es("Caller's email")).fill("rafael@talleresebro.test")
    page.get_by_label(es("Phone")).fill("976 000 111")
    page.get_by_label(es("Subject")).fill("El almacén se ha quedado sin red")
    page.get_by_label(es("Description")).fill("Llama desde el almacén: ningún PC tiene red.")
    screenshot(page, "console-phone-form")
    page.get_by_role("button", name=es("Open case")).click()
    page.locator(".flash--success").wait_for()
    ticket = Ticket.objects.get(subject="El almacén se ha quedado sin red")
    expected = es("Case %(number)s opened by phone.") % {"number": ticket.number}
    assert expected in page.locator(".flash--success").inner_text()
    assert ticket.channel == "phone" and ticket.requester.state == "pending"
    assert page.get_by_text(es("Pending approval")).first.is_visible()
    screenshot(page, "console-phone-case")


def test_queue_filters_and_help_on_a_phone(page, live_server, cast, make_ticket):
    for index in range(3):
        ticket = make_ticket(subject=f"Caso de prueba {index}", severity="ABC"[index])
    ticket_triage(ticket=ticket, by=cast.supervisor, product=cast.products["erp"])
    login(page, live_server.url, cast.supervisor.email, PASSWORD)
    page.goto(live_server.url + reverse("console:all"))
    page.locator("select[name=severity]").select_option("A")
    page.locator(
        "#queue-results", has_text=es("1 case") if False else "Caso de prueba 0"
    ).wait_for()
    page.wait_for_function("document.querySelectorAll('[data-queue] tr[data-row]').length === 1")
    assert "severity=A" in page.url
    page.keyboard.press("?")
    assert page.locator("#kbd-help").is_visible()
    screenshot(page, "console-queue-help")
    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + reverse("console:case_detail", args=[ticket.number]))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "console-case-mobile")


def test_collision_warning_before_a_reply(page, live_server, cast, make_ticket):
    from ventanilla.tickets.services import presence_touch

    ticket = make_ticket(subject="No arranca el módulo de facturas")
    ticket_triage(ticket=ticket, by=cast.supervisor, product=cast.products["erp"])
    presence_touch(ticket=ticket, by=cast.agent_l2, composing=True)
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:case_detail", args=[ticket.number]))
    assert page.locator(".presence__bar", has_text="Diego").is_visible()

    ticket_reply(ticket=ticket, by=cast.customer, text="Ya funciona, gracias: reinicié el PC.")
    page.keyboard.press("r")
    page.locator("textarea[name=text]").fill("Prueba a borrar la caché del navegador.")
    page.get_by_role("button", name=es("Send"), exact=True).click()
    warning = page.locator("[data-collision]")
    warning.wait_for()
    assert "reinicié el PC" in warning.inner_text()
    assert page.locator("textarea[name=text]").input_value() == (
        "Prueba a borrar la caché del navegador."
    )
    screenshot(page, "console-case-collision")
    page.get_by_role("button", name=es("Send anyway")).click()
    flash(page, "Reply sent to the customer.")
    assert ticket.messages.filter(from_staff=True).count() == 1
