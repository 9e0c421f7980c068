"""reads (issue 7): the customer case list rows built in Python (portal/rows.py) are the markup
of the template loop they replaced, byte for byte; the list's cached counts follow the person's
own changes at once."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from ventanilla.tickets import selectors
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.services import ticket_assign, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db
LOOP = Path(__file__).parent / "fixtures" / "case_rows_loop.html"  # the loop before issue 7


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize(("role", "scope"), [("customer", "mine"), ("admin", "global")])
def test_case_rows_are_the_template_loop_byte_for_byte(
    rf, cast, make_ticket, language, role, scope
):
    now = timezone.now()
    make_ticket(subject="Factura <rectificativa> & “IVA”", now=now - timedelta(days=40))
    bare = make_ticket(role="colleague", product=None, severity="A")
    Ticket.objects.filter(pk=bare.pk).update(site=None)
    done = make_ticket(role="regional", severity="B")
    ticket_assign(ticket=done, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=done, to_status=Status.RESOLVED, by=cast.agent_l1)
    found = selectors.case_search(cast.users[role], scope=scope)
    tickets = list(selectors.case_page_rows(found))
    assert len(tickets) == (3 if role == "admin" else 1)
    request = rf.get("/area/casos/")
    loop = Template(LOOP.read_text())
    new = Template("{% load case_tags %}{% case_rows tickets managed %}")
    for managed in (False, True):
        context = {"tickets": tickets, "page": {"object_list": tickets}, "managed": managed}
        with time_machine.travel(timezone.now(), tick=False), translation.override(language):
            expected = loop.render(Context({**context, "request": request}))
            assert new.render(Context(context)) == expected
    if role == "admin":
        assert "Factura &lt;rectificativa&gt; &amp; “IVA”" in expected


def test_case_list_counts_are_cached_but_follow_my_own_changes(client, cast, make_ticket, settings):
    from django.core.cache import cache

    settings.VENTANILLA_LIST_COUNTS_SECONDS = 60
    cache.clear()
    client.force_login(cast.customer)
    url = reverse("portal:case_list")
    make_ticket()
    assert client.get(url).context["counts"]["all"] == 1
    make_ticket()  # by someone else's hand (a service call): the cached counts may lag
    assert client.get(url).context["counts"]["all"] == 1
    response = client.post(
        reverse("portal:case_cancel", args=[Ticket.objects.first().number]), {"reason": "ya va"}
    )
    assert response.status_code == 302
    counts = client.get(url).context["counts"]  # my own change: counted afresh
    assert counts["all"] == 2 and counts[Status.CANCELLED] == 1
    assert client.get(url, {"status": "cancelled"}).context["page"].paginator.count == 1
    cache.clear()


# ---- lists ---- (issue 7, round 3) narrow rows and the short cache of the rows


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize(("role", "scope"), [("customer", "mine"), ("admin", "global")])
@pytest.mark.parametrize("order", ["-activity", "created", "-number"])
def test_narrow_case_rows_are_the_template_loop_byte_for_byte(
    rf, cast, make_ticket, language, role, scope, order
):
    from ventanilla.portal.rows import case_rows_html

    now = timezone.now()
    make_ticket(subject="Factura <rectificativa> & “IVA”", now=now - timedelta(days=40))
    bare = make_ticket(role="colleague", product=None, severity="A")
    Ticket.objects.filter(pk=bare.pk).update(site=None)
    done = make_ticket(role="regional", severity="B")
    ticket_assign(ticket=done, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=done, to_status=Status.RESOLVED, by=cast.agent_l1)
    found = selectors.case_search(cast.users[role], scope=scope)
    ids = selectors.case_page_ids(found, order)[:25]
    rows = selectors.case_rows_values(ids, order)
    tickets = selectors.case_rows_for(ids, order)
    assert [r.pk for r in rows] == [t.pk for t in tickets] and rows
    loop = Template(LOOP.read_text())
    request = rf.get("/area/casos/")
    for managed in (False, True):
        with time_machine.travel(timezone.now(), tick=False), translation.override(language):
            context = {"page": {"object_list": tickets}, "managed": managed, "request": request}
            assert case_rows_html(rows, managed) == loop.render(Context(context))


def _numbers(client, url):
    return [row.number for row in client.get(url).context["page"].object_list]


def test_case_list_rows_cache_is_per_person_and_reads_own_writes(
    client, cast, make_ticket, settings, frozen_clock
):
    from django.core.cache import cache

    settings.VENTANILLA_LIST_ROWS_SECONDS = 60
    settings.VENTANILLA_LIST_COUNTS_SECONDS = 60  # the rows' key holds the count: cache both
    cache.clear()
    url = reverse("portal:case_list")
    mine = make_ticket()
    client.force_login(cast.customer)
    assert _numbers(client, url) == [mine.number]
    colleague = make_ticket(role="colleague")  # same company, another requester
    # the administrator of the same company sees both at once: never the customer's cached rows
    admin = client.__class__()
    admin.force_login(cast.admin)
    assert sorted(_numbers(admin, url + "?scope=global")) == sorted([mine.number, colleague.number])
    other = make_ticket()  # by another hand (a service call): my cached rows may lag
    assert _numbers(client, url) == [mine.number]
    response = client.post(reverse("portal:case_cancel", args=[mine.number]), {"reason": "ya va"})
    assert response.status_code == 302 and "vt_fresh" in response.cookies
    assert sorted(_numbers(client, url)) == sorted([mine.number, other.number])  # my write: fresh
    cache.clear()


def test_portal_home_cases_are_cached_per_person_and_fresh_after_my_write(
    client, cast, make_ticket, settings, frozen_clock
):
    from django.core.cache import cache

    url = reverse("portal:home")
    mine = make_ticket(subject="Impresora atascada")
    client.force_login(cast.customer)
    settings.VENTANILLA_LIST_ROWS_SECONDS = 0
    uncached = client.get(url).content.decode()
    settings.VENTANILLA_LIST_ROWS_SECONDS = 60
    cache.clear()
    client.get(url)
    hit = client.get(url).content.decode()
    strip = __import__("re").compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"')
    assert strip.sub("", hit) == strip.sub("", uncached) and "Impresora atascada" in hit
    # another person of the same company never gets my cached blocks
    make_ticket(role="colleague", subject="Red caída en almacén")
    colleague = client.__class__()
    colleague.force_login(cast.colleague)
    page = colleague.get(url).content.decode()
    assert "Red caída en almacén" in page and "Impresora atascada" not in page
    make_ticket(subject="Segundo caso")  # by another hand: my home may lag
    assert "Segundo caso" not in client.get(url).content.decode()
    client.post(reverse("portal:case_cancel", args=[mine.number]), {"reason": "ya va"})
    assert "Segundo caso" in client.get(url).content.decode()  # my own write: fresh
    cache.clear()


@pytest.fixture
def frozen_clock():
    """The rows cache's key holds the current minute: a test must not cross one."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_a_case_list_served_from_the_caches_builds_no_query(
    client, cast, make_ticket, settings, frozen_clock, monkeypatch
):
    """Round 4: the list's queryset is built only when a count or the page's rows are computed;
    a page served from both caches pages through the cached count alone (same page shown)."""
    from django.core.cache import cache

    from ventanilla.portal import case_views

    settings.VENTANILLA_LIST_ROWS_SECONDS = 60
    settings.VENTANILLA_LIST_COUNTS_SECONDS = 60
    monkeypatch.setattr(case_views, "PAGE_SIZE", 2)
    cache.clear()
    for _ in range(3):
        make_ticket()
    client.force_login(cast.customer)
    url = reverse("portal:case_list")
    built = []
    original = case_views.selectors.case_search
    monkeypatch.setattr(
        case_views.selectors,
        "case_search",
        lambda *a, **k: built.append(1) or original(*a, **k),
    )
    first = [_numbers(client, url), _numbers(client, url + "?page=2")]
    assert len(built) == 2  # computed once per page (the counts once, with the first)
    again = [_numbers(client, url), _numbers(client, url + "?page=2")]
    assert len(built) == 2 and again == first
    assert len(first[0]) == 2 and len(first[1]) == 1
    cache.clear()


def test_the_cached_rail_equals_the_rendered_one_and_follows_the_counts(
    client, cast, make_ticket, settings, frozen_clock
):
    """Round 4: the scope switch and the groups rail are kept under the address, the counts and
    the language; what is served equals what is rendered, and a new count shows."""
    import re

    from django.core.cache import cache

    make_ticket()
    client.force_login(cast.admin)
    url = reverse("portal:case_list") + "?scope=global&group=open"

    def rail(body):
        return re.search(
            r'<nav class="scope-switch".*?<nav class="case-rail".*?</nav>', body, re.S
        )[0]

    settings.VENTANILLA_FRAGMENT_SECONDS = 0
    rendered = rail(client.get(url).content.decode())
    settings.VENTANILLA_FRAGMENT_SECONDS = 300
    cache.clear()
    client.get(url)
    served = rail(client.get(url).content.decode())
    assert served == rendered and 'aria-current="page"' not in served.split("case-rail")[0]
    settings.VENTANILLA_LIST_COUNTS_SECONDS = 0  # the counts themselves fresh
    make_ticket(role="colleague")
    assert rail(client.get(url).content.decode()) != served  # one more open case: a new key
    cache.clear()
