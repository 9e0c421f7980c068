"""URLs × roles: every URL pattern of the project has a declared expectation for every role.

Add each new URL to ACCESS (or the test fails), with the status each role must get. A URL that
takes an object gets one Case per object that matters (org A's, org B's, an internal one …).
Expectations: an HTTP status, LOGIN (redirect to the login page) or REDIRECT (any other 3xx).
"""

from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ventanilla.testing.cast import CUSTOMER_ROLES, PASSWORD, STAFF_ROLES
from ventanilla.testing.factories import png_upload
from ventanilla.tickets.services import ticket_add_note, ticket_reply

ROLES = ("anonymous", *CUSTOMER_ROLES, *STAFF_ROLES, "superuser")
LOGIN, REDIRECT = "login", "redirect"


@dataclass
class Case:
    expect: dict
    kwargs: object = None  # callable(world) -> dict of URL kwargs
    method: str = "get"
    data: dict = field(default_factory=dict)
    label: str = ""


def everyone(value, **overrides):
    return {role: overrides.get(role, value) for role in ROLES}


def split(*, anonymous=LOGIN, customers, staff, superuser=None, **overrides):
    expect = {"anonymous": anonymous, "superuser": staff if superuser is None else superuser}
    expect |= {role: customers for role in CUSTOMER_ROLES} | {role: staff for role in STAFF_ROLES}
    return expect | overrides


ORG_A = {"customer", "admin", "site_manager"}  # who sees the customer's Zaragoza case
ACCESS = {
    "home": [Case(split(customers=REDIRECT, staff=REDIRECT))],
    "accounts:login": [Case(split(anonymous=200, customers=REDIRECT, staff=REDIRECT))],
    "accounts:logout": [Case(everyone(LOGIN), method="post")],
    "accounts:language": [
        Case(everyone(REDIRECT), method="post", data={"language": "en", "next": "/"})
    ],
    "javascript-catalog": [Case(everyone(200))],
    "portal:home": [Case(split(customers=200, staff=403))],
    "console:home": [Case(split(customers=403, staff=200))],
    "portal:attachment": [
        Case(
            split(customers=404, staff=403, **{r: 200 for r in ORG_A}),
            kwargs=lambda w: {"pk": w["public_a"].pk},
            label="public attachment of org A's case",
        ),
        Case(
            split(customers=404, staff=403, outsider=200),
            kwargs=lambda w: {"pk": w["public_b"].pk},
            label="public attachment of org B's case",
        ),
        Case(
            split(customers=404, staff=403),
            kwargs=lambda w: {"pk": w["internal_a"].pk},
            label="attachment of an internal note",
        ),
    ],
    "console:attachment": [
        Case(split(customers=403, staff=200), kwargs=lambda w: {"pk": w["internal_a"].pk}),
        Case(split(customers=403, staff=200), kwargs=lambda w: {"pk": w["public_b"].pk}),
    ],
    # ---- cases ----
    "portal:case_list": [Case(split(customers=200, staff=403))],
    "portal:case_new": [Case(split(customers=200, staff=403))],
    **{
        name: [
            Case(
                split(customers=404, staff=403, **{r: 200 for r in ORG_A}),
                kwargs=lambda w: {"number": w["public_a"].ticket.number},
                label="org A's case",
            ),
            Case(
                split(customers=404, staff=403, outsider=200),
                kwargs=lambda w: {"number": w["public_b"].ticket.number},
                label="org B's case",
            ),
            Case(
                split(customers=404, staff=403),
                kwargs=lambda w: {"number": "C/2026/999"},
                label="a case that does not exist",
            ),
        ]
        for name in ("portal:case_detail", "portal:case_updates")
    },
    **{
        name: [
            Case(
                split(customers=404, staff=403, **{r: REDIRECT for r in ORG_A}),
                kwargs=lambda w: {"number": w["public_a"].ticket.number},
                method="post",
                label="org A's case",
            ),
            Case(
                split(customers=404, staff=403, outsider=REDIRECT),
                kwargs=lambda w: {"number": w["public_b"].ticket.number},
                method="post",
                label="org B's case",
            ),
        ]
        for name in ("portal:case_reopen", "portal:case_cancel")
    },
}


def url_names(patterns=None, namespace=""):
    """Every named URL of the project as 'namespace:name' (admin's are covered separately)."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(
                f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern}>"
            )
    return names


def test_every_url_has_an_expectation_for_every_role():
    names = [name for name in url_names() if not name.startswith("admin:")]
    missing = sorted(set(names) - set(ACCESS))
    assert missing == [], f"declare these URLs in ACCESS: {missing}"
    for name, cases in ACCESS.items():
        for case in cases:
            assert set(case.expect) == set(ROLES), f"{name}: roles missing"
    assert not set(ACCESS) - set(names), "ACCESS names URLs that do not exist"


@pytest.fixture
def world(cast, make_ticket):
    from ventanilla.accounts.services import user_create

    ticket_a, ticket_b = make_ticket(), make_ticket(role="outsider", product=None)
    note = ticket_add_note(ticket=ticket_a, by=cast.agent_l1, text="x", attachments=[png_upload()])
    reply_a = ticket_reply(ticket=ticket_a, by=cast.customer, text="y", attachments=[png_upload()])
    reply_b = ticket_reply(ticket=ticket_b, by=cast.outsider, text="z", attachments=[png_upload()])
    superuser = user_create(
        email="root@ventanilla.test",
        full_name="Root",
        password=PASSWORD,
        is_superuser=True,
        is_staff=True,
    )
    return {
        "cast": cast,
        "users": {**cast.users, "superuser": superuser},
        "public_a": reply_a.attachments.get(),
        "public_b": reply_b.attachments.get(),
        "internal_a": note.attachments.get(),
    }


def outcome(response):
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if response["Location"].startswith(reverse("accounts:login")) else REDIRECT
    return response.status_code


def request_as(client, world, role, name, case):
    client.logout()
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
    return outcome(getattr(client, case.method)(url, data=case.data))


@pytest.mark.django_db
def test_each_role_gets_the_declared_answer(client, world):
    wrong = []
    for name, cases in ACCESS.items():
        for case in cases:
            for role in ROLES:
                got = request_as(client, world, role, name, case)
                if got != case.expect[role]:
                    wrong.append(
                        f"{name} {case.label} as {role}: got {got}, want {case.expect[role]}"
                    )
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_admin_site_is_for_superusers_only(client, world):
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world["users"][role])
        for url in urls:
            response = client.get(url)
            if role == "superuser":
                assert response.status_code == 200, url
            else:
                assert response.status_code == 302, (role, url)
                assert response["Location"].startswith(reverse("admin:login"))
