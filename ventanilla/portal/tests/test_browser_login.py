"""Every role of the cast logs in through the real login page and lands on its own home.

Screenshots go to var/screenshots/ (<role>-home.png, login-error.png, customer-home-mobile.png…)
so the interface can be reviewed by eye.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.testing.browser import login, logout, screenshot
from ventanilla.testing.cast import CUSTOMER_ROLES, PASSWORD, ROLES
from ventanilla.tickets.services import ticket_assign, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def spanish(msgid):
    """What the Spanish interface shows for an English msgid (itself until the catalogue exists)."""
    with translation.override("es"):
        return gettext(msgid)


def open_customer_cases(cast, make_ticket, role):
    """Three cases of `role`: one waiting for them, one scheduled with an agent, one brand new."""
    erp, net = cast.products["erp"], cast.products["net"]
    asked = make_ticket(role=role, subject="Error al exportar el modelo 303 a Excel", product=erp)
    ticket_assign(ticket=asked, by=cast.agent_l1, assignee=cast.agent_l1)
    ticket_transition(ticket=asked, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    planned = make_ticket(
        role=role, subject="La VPN de la sede se desconecta cada hora", product=net
    )
    ticket_assign(ticket=planned, by=cast.agent_l1, assignee=cast.agent_l2)
    ticket_transition(ticket=planned, to_status=Status.SCHEDULED, by=cast.agent_l1)
    newest = make_ticket(role=role, product=erp)
    return newest


def open_queue(cast, make_ticket, role):
    """Untriaged cases in the queue and, except for agent_l2, two cases assigned to `role`."""
    erp, net = cast.products["erp"], cast.products["net"]
    make_ticket(subject="La impresora de albaranes no imprime", product=net, severity="B")
    newest = make_ticket(subject="No se puede facturar: error 500", product=erp, severity="A")
    if role != "agent_l2":
        agent = cast.users[role]
        mine = make_ticket(
            role="colleague", subject="Alta de usuario para un técnico nuevo", priority="high"
        )
        ticket_assign(ticket=mine, by=agent, assignee=agent)
        ticket_transition(ticket=mine, to_status=Status.IN_PROGRESS, by=agent)
        other = make_ticket(role="outsider", subject="Copia de seguridad incompleta", product=net)
        ticket_assign(ticket=other, by=agent, assignee=agent)
        ticket_transition(ticket=other, to_status=Status.WAITING_ON_CUSTOMER, by=agent)
    return newest


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_home(page, live_server, cast, make_ticket, role):
    is_customer = role in CUSTOMER_ROLES
    if is_customer:
        ticket = open_customer_cases(cast, make_ticket, role)
    else:
        ticket = open_queue(cast, make_ticket, role)

    login(page, live_server.url, cast.users[role].email, PASSWORD)

    home = reverse("portal:home" if is_customer else "console:home")
    assert page.url == f"{live_server.url}{home}"
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("body").get_attribute("class").split()[-1] == (
        "area-portal" if is_customer else "area-console"
    )
    main = page.get_by_role("main")
    assert main.get_by_role("heading", level=1).is_visible()
    assert main.get_by_text(ticket.number, exact=True).first.is_visible()
    nav_label = spanish("Customer area" if is_customer else "Agent console")
    nav = page.get_by_role("navigation", name=nav_label)
    if is_customer:
        assert nav.get_by_text(spanish("My support cases")).is_visible()
        assert main.get_by_role("heading", name=spanish("We need your answer")).is_visible()
        assert page.locator("a.btn--primary", has_text=spanish("Open a support case")).is_visible()
        locked = page.locator(".sidenav__item.is-locked[aria-disabled=true]")
        assert locked.count() == (0 if role == "admin" else 7)
    else:
        assert nav.get_by_text(spanish("Untriaged")).is_visible()
        assert main.get_by_role("heading", name=spanish("My cases")).is_visible()

    screenshot(page, f"{role}-home")
    logout(page)
    assert page.url.startswith(f"{live_server.url}{reverse('accounts:login')}")


def test_wrong_password_shows_the_error(page, live_server, cast):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    screenshot(page, "login")
    login(page, live_server.url, cast.customer.email, "not-the-password", expect_success=False)

    alert = page.get_by_role("alert")
    assert alert.is_visible()
    message = spanish("The email or the password is not right. Please try again.")
    assert message in alert.inner_text()
    assert page.locator("input[name=username]").input_value() == cast.customer.email
    screenshot(page, "login-error")


def test_customer_home_on_a_phone(page, live_server, cast, make_ticket):
    ticket = open_customer_cases(cast, make_ticket, "customer")
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, live_server.url, cast.customer.email, PASSWORD)

    assert page.get_by_role("main").get_by_text(ticket.number, exact=True).first.is_visible()
    no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow)
    screenshot(page, "customer-home-mobile")

    toggle = page.locator("[data-nav-toggle]")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("navigation").get_by_text(spanish("My support cases")).wait_for()
    page.screenshot(path=str(screenshot(page, "customer-nav-mobile")))  # viewport only, menu open
    logout(page)


def test_agent_home_on_a_phone(page, live_server, cast, make_ticket):
    ticket = open_queue(cast, make_ticket, "agent_l1")
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)

    assert page.get_by_role("main").get_by_text(ticket.number, exact=True).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "agent_l1-home-mobile")


def test_customer_without_cases_sees_an_empty_state(page, live_server, cast):
    login(page, live_server.url, cast.colleague.email, PASSWORD)
    empty = page.locator(".empty")
    assert empty.get_by_text(spanish("You have no open cases")).is_visible()
    assert page.get_by_role("heading", name=spanish("We need your answer")).count() == 0
    screenshot(page, "colleague-home-empty")
