"""The sidebars rendered once per key (core/templatetags/ventanilla_ui.py `_nav_cached`): every
page gets exactly the markup the template gives for its own inputs, whatever was rendered before
in the process (a key that missed an input would hand one page another page's menu)."""

import itertools
import random

import pytest
from django.template import Context, RequestContext, Template
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


# ---- the layouts: `{% once_per_language %}` blocks, `{% language_switch %}`, icons ----

LAYOUTS = (
    "base.html",
    "layouts/app.html",
    "layouts/console.html",
    "layouts/portal.html",
    "centered.html",
)


def _stripped_engine():
    """A template engine whose layouts are ours minus the floor's tags (`once_per_language`
    removed, `language_switch` back to the include): the templates as they were."""
    from pathlib import Path

    from django.conf import settings
    from django.template import Engine
    from django.template.backends.django import get_installed_libraries

    directory = Path(settings.BASE_DIR) / "ventanilla" / "templates"
    sources = {}
    for path in [directory / "base.html", *directory.glob("layouts/*.html")]:
        text = path.read_text()
        text = text.replace("{% once_per_language %}", "").replace("{% endonce_per_language %}", "")
        text = text.replace(
            "{% language_switch %}", '{% include "components/language_switch.html" %}'
        )
        sources[str(path.relative_to(directory))] = text
    options = settings.TEMPLATES[0]["OPTIONS"]
    return Engine(
        dirs=[str(d) for d in settings.TEMPLATES[0]["DIRS"]],
        loaders=[
            ("django.template.loaders.locmem.Loader", sources),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
        context_processors=options["context_processors"],
        libraries=get_installed_libraries(),
    )


def _request(user, path):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.resolver_match = resolve(path.split("?")[0])
    return request


def _masked(html):
    import re

    return re.sub(r'csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)


def test_layouts_render_the_bytes_of_the_templates_without_the_floor_tags(cast, monkeypatch):
    from django.template.loader import get_template

    monkeypatch.setattr(
        "ventanilla.tickets.selectors.console_nav_counts",
        lambda user: {Status.WAITING_FOR_SUPPORT: 2, "mine": 1, "breaching": 0},
    )
    old = _stripped_engine()
    people = {
        "base.html": [None, cast.agent_l1],
        "layouts/app.html": [cast.agent_l1, cast.customer, None],
        "layouts/console.html": [cast.agent_l1, cast.supervisor],
        "layouts/portal.html": [cast.customer, cast.admin, cast.colleague],
        "centered.html": [None, cast.customer],
    }
    paths = {
        "layouts/console.html": ["/consola/", "/consola/colas/mis-casos/?page=2&x=<b>"],
        "layouts/portal.html": ["/area/", '/area/casos/?q="a"&group=open'],
    }
    states = []
    for name in LAYOUTS:
        for person in people[name]:
            for path in paths.get(name, ["/cuenta/entrar/?next=/area/%3Fa%3D1&b='x'", "/"]):
                for language in ("es", "en"):
                    states.append((name, person, path, language))
    rng = random.Random(3)
    for name, person, path, language in [*states, *rng.sample(states, len(states))]:
        template = name if name != "centered.html" else "layouts/centered.html"
        user = load_user(person.pk) if person else None
        with translation.override(language):
            new = get_template(template).render(request=_request(user, path))
            reference = old.get_template(template).render(RequestContext(_request(user, path)))
        assert _masked(new) == _masked(reference), (name, person, path, language)
        assert "X-CSRFToken" in new


def test_language_switch_fills_the_request_values_escaped(cast):
    from django.template.loader import get_template

    request = _request(None, "/cuenta/entrar/?next=/x&y='a'")
    html = get_template("layouts/centered.html").render(request=request)
    assert request.get_full_path() == "/cuenta/entrar/?next=/x&y='a'"
    assert 'name="next" value="/cuenta/entrar/?next=/x&amp;y=&#x27;a&#x27;"' in html
    assert "\x00" not in html
    token = request.META["CSRF_COOKIE"]
    assert token and html.count('name="csrfmiddlewaretoken"') == 1


def test_icon_memo_follows_the_language(cast):
    ventanilla_ui._ICON_HTML.clear()
    from django.utils.translation import gettext_lazy

    label = gettext_lazy("Menu")
    with translation.override("es"):
        spanish = ventanilla_ui.icon("menu", 20, label)
    with translation.override("en"):
        english = ventanilla_ui.icon("menu", 20, label)
    assert spanish != english
    assert spanish == ventanilla_ui._icon_html("menu", 20, "Menú", "")
    assert english == ventanilla_ui._icon_html("menu", 20, "Menu", "")
