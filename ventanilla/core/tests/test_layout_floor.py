"""The sidebars rendered once per key (core/templatetags/ventanilla_ui.py `_nav_cached`): every
page gets exactly the markup the template gives for its own inputs, whatever was rendered before
in the process (a key that missed an input would hand one page another page's menu)."""

import itertools
import random

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from ventanilla.accounts.fastauth import load_user
from ventanilla.core.templatetags import ventanilla_ui
from ventanilla.organizations.models import Contact, Section
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db

CONSOLE_VIEWS = ("console:home", "console:untriaged", "console:mine", "console:canned_list")
PORTAL_VIEWS = ("portal:home", "portal:case_list", "portal:contacts", "portal:notifications")


def _context(user, viewname):
    request = RequestFactory().get(reverse(viewname))
    request.user = user
    request.resolver_match = resolve(request.path)
    return Context({"request": request})


def _sidebar(context_dict):
    return get_template("components/sidebar_nav.html").render(context_dict)


def _tag(name, context):
    return Template("{% load ventanilla_ui %}{% " + name + " %}").render(context)


def _console_states(cast):
    counts = [
        {Status.WAITING_FOR_SUPPORT: 0, "mine": 0, "breaching": 0},
        {Status.WAITING_FOR_SUPPORT: 3, Status.ESCALATED: 1, "mine": 2, "breaching": 5},
        {Status.WAITING_FOR_SUPPORT: 3, Status.ESCALATED: 1, "mine": 2, "breaching": 6},
    ]
    people = [cast.agent_l1, cast.supervisor]
    return list(itertools.product(("es", "en"), people, CONSOLE_VIEWS, range(len(counts)))), counts


def test_console_nav_is_the_template_output_for_every_state(cast, monkeypatch):
    states, counts = _console_states(cast)
    current = {}
    monkeypatch.setattr(
        "ventanilla.tickets.selectors.console_nav_counts", lambda user: dict(current["counts"])
    )
    ventanilla_ui._NAV_CACHE.clear()
    rng = random.Random(7)
    seen = set()
    for state in [*states, *rng.sample(states, len(states))]:
        language, user, viewname, n = state
        current["counts"] = counts[n]
        with translation.override(language):
            context = _context(load_user(user.pk), viewname)
            expected = _sidebar(ventanilla_ui.console_nav_context(context))
            assert _tag("console_nav", context) == expected, state
        seen.add(expected)
    # The states really differ (language, current page, counters, supervisor menu).
    assert len(seen) == len(states)


def test_console_nav_markup(cast, monkeypatch):
    monkeypatch.setattr(
        "ventanilla.tickets.selectors.console_nav_counts",
        lambda user: {Status.WAITING_FOR_SUPPORT: 4, "mine": 2, "breaching": 0},
    )
    ventanilla_ui._NAV_CACHE.clear()
    with translation.override("es"):
        html = _tag("console_nav", _context(load_user(cast.agent_l1.pk), "console:mine"))
    assert f'href="{reverse("console:mine")}" aria-current="page"' in html
    assert '<span class="sidenav__count">4</span>' in html
    assert "Sin cualificar" in html
    assert "Supervisión" not in html
    with translation.override("en"):
        html = _tag("console_nav", _context(load_user(cast.supervisor.pk), "console:home"))
    assert "Supervision" in html and "Untriaged" in html


def test_portal_nav_is_the_template_output_for_every_state(cast):
    people = [cast.customer, cast.admin, cast.colleague, cast.site_manager]
    # Someone with fewer sections: the locked items differ.
    Contact.objects.filter(user=cast.colleague).update(privileges=int(Section.CASES))
    Contact.objects.filter(user=cast.customer).update(
        privileges=int(Section.CASES | Section.INVOICES)
    )
    states = list(itertools.product(("es", "en"), people, PORTAL_VIEWS))
    ventanilla_ui._NAV_CACHE.clear()
    rng = random.Random(11)
    for state in [*states, *rng.sample(states, len(states))]:
        language, user, viewname = state
        with translation.override(language):
            context = _context(load_user(user.pk), viewname)
            expected = _sidebar(ventanilla_ui.portal_nav_context(context))
            assert _tag("portal_nav", context) == expected, state
    with translation.override("es"):
        customer = _tag("portal_nav", _context(load_user(cast.customer.pk), "portal:home"))
        colleague = _tag("portal_nav", _context(load_user(cast.colleague.pk), "portal:home"))
    assert customer != colleague
    assert colleague.count("is-locked") > customer.count("is-locked")


def test_nav_cache_is_bounded(cast, monkeypatch):
    monkeypatch.setattr(ventanilla_ui, "_NAV_CACHE_MAX", 3)
    ventanilla_ui._NAV_CACHE.clear()
    user = load_user(cast.customer.pk)
    for viewname in PORTAL_VIEWS:
        _tag("portal_nav", _context(user, viewname))
        assert len(ventanilla_ui._NAV_CACHE) <= 3
