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
    # ---- contacts ----
    "portal:contacts": [Case(split(customers=403, staff=403, admin=200))],
    "portal:contact_new": [Case(split(customers=403, staff=403, admin=200))],
    "portal:contact_edit": [
        Case(
            split(customers=403, staff=403, admin=200),
            kwargs=lambda w: {"pk": w["cast"].contacts["colleague"].pk},
            label="a contact of org A",
        ),
        Case(
            split(customers=403, staff=403, admin=404),
            kwargs=lambda w: {"pk": w["cast"].contacts["outsider"].pk},
            label="a contact of org B",
        ),
    ],
    "portal:contact_deactivate": [
        Case(
            split(customers=403, staff=403, admin=REDIRECT),
            kwargs=lambda w: {"pk": w["cast"].contacts["admin"].pk},
            method="post",
            label="the last admin (refused with a message, nothing changes)",
        ),
        Case(
            split(customers=403, staff=403, admin=404),
            kwargs=lambda w: {"pk": w["cast"].contacts["outsider"].pk},
            method="post",
            label="a contact of org B",
        ),
    ],
    "portal:contact_reactivate": [
        Case(
            split(customers=403, staff=403, admin=REDIRECT),
            kwargs=lambda w: {"pk": w["cast"].contacts["colleague"].pk},
            method="post",
            label="an active contact (refused with a message, nothing changes)",
        ),
        Case(
            split(customers=403, staff=403, admin=404),
            kwargs=lambda w: {"pk": w["cast"].contacts["outsider"].pk},
            method="post",
        ),
    ],
    "portal:contact_decide": [
        Case(
            split(customers=403, staff=403, admin=REDIRECT),
            kwargs=lambda w: {"pk": w["cast"].contacts["colleague"].pk},
            method="post",
            data={"decision": "approve"},
            label="a contact that is not pending (refused with a message)",
        ),
        Case(
            split(customers=403, staff=403, admin=404),
            kwargs=lambda w: {"pk": w["cast"].contacts["outsider"].pk},
            method="post",
            data={"decision": "approve"},
        ),
    ],
    "portal:contact_decision_link": [Case(everyone(400), kwargs=lambda w: {"token": "forged"})],
    "portal:rate": [
        Case(
            split(customers=404, staff=403, **{r: REDIRECT for r in ORG_A}),
            kwargs=lambda w: {"pk": w["ticket_a"].pk},
            method="post",
            data={"score": "4"},
            label="org A's open case (refused with a message, back home)",
        ),
        Case(
            split(customers=404, staff=403, outsider=REDIRECT),
            kwargs=lambda w: {"pk": w["ticket_b"].pk},
            method="post",
            data={"score": "4"},
        ),
    ],
    "portal:rating_reminder_dismiss": [Case(split(customers=REDIRECT, staff=403), method="post")],
    "portal:rate_link": [Case(everyone(400), kwargs=lambda w: {"token": "forged"})],
    # ---- /contacts ----
    "console:attachment": [
        Case(split(customers=403, staff=200), kwargs=lambda w: {"pk": w["internal_a"].pk}),
        Case(split(customers=403, staff=200), kwargs=lambda w: {"pk": w["public_b"].pk}),
    ],
    # ---- access ----
    # Anonymous pages to get into the area; people already logged in are sent home.
    "accounts:recover": [Case(split(anonymous=200, customers=REDIRECT, staff=REDIRECT))],
    "accounts:signup": [Case(split(anonymous=200, customers=REDIRECT, staff=REDIRECT))],
    "accounts:reset": [
        Case(
            split(anonymous=200, customers=REDIRECT, staff=REDIRECT),
            kwargs=lambda w: {"token": access_link(w, "colleague", "account-reset")},
            label="valid link",
        ),
        Case(
            split(anonymous=200, customers=REDIRECT, staff=REDIRECT),
            kwargs=lambda w: {"token": "not-a-token"},
            label="bad link (explains and offers a new one)",
        ),
    ],
    "accounts:signup_confirm": [
        Case(
            split(anonymous=200, customers=REDIRECT, staff=REDIRECT),
            kwargs=lambda w: {"token": access_link(w, "colleague", "account-signup")},
            label="valid link",
        ),
        Case(
            split(anonymous=200, customers=REDIRECT, staff=REDIRECT),
            kwargs=lambda w: {"token": "not-a-token"},
            label="bad link",
        ),
    ],
    # ---- end access ----
    # ---- sla ----
    "console:sla_report": [Case(split(customers=403, staff=200))],
    # ---- slaui ----
    "console:breaching": [Case(split(customers=403, staff=200))],
    # ---- email ----
    "console:quarantine": [
        Case(split(customers=403, staff=403, supervisor=200, superuser=200)),
        Case(
            split(customers=403, staff=403, supervisor=404, superuser=404),
            method="post",
            data={"inbound": "999999"},
            label="re-process an email that is not in quarantine",
        ),
    ],
    # ESP webhook: no session involved; unsigned posts are refused (400), GET is not allowed
    "mail_inbound_mailgun": [
        Case(everyone(405)),
        Case(everyone(400), method="post", data={"body-mime": "x"}, label="unsigned post"),
    ],
    # ---- console ----
    **{
        f"console:{queue}": [Case(split(customers=403, staff=200))]
        for queue in ("untriaged", "mine", "team", "waiting", "scheduled", "escalated", "all")
    },
    "console:bulk": [Case(split(customers=403, staff=REDIRECT), method="post")],
    "console:phone": [Case(split(customers=403, staff=200))],
    "console:saved_view_save": [
        Case(
            split(customers=403, staff=REDIRECT),
            method="post",
            data={"name": "Graves", "queue": "all", "params": "severity=A"},
        )
    ],
    "console:saved_view_delete": [
        Case(
            split(customers=403, staff=404, agent_l1=REDIRECT),
            kwargs=lambda w: {"pk": w["saved_view"].pk},
            method="post",
            label="agent_l1's own saved view (others get a 404)",
        )
    ],
    "console:organization": [
        Case(split(customers=403, staff=200), kwargs=lambda w: {"pk": w["cast"].orgs["a"].pk})
    ],
    "console:contact": [
        Case(
            split(customers=403, staff=200),
            kwargs=lambda w: {"pk": w["cast"].contacts["customer"].pk},
        )
    ],
    "console:canned_list": [Case(split(customers=403, staff=403, supervisor=200, superuser=200))],
    "console:canned_edit": [
        Case(
            split(customers=403, staff=403, supervisor=200, superuser=200),
            kwargs=lambda w: {"pk": w["canned"].pk},
        )
    ],
    # ---- slaedit ----
    "console:sla_policies": [Case(split(customers=403, staff=403, supervisor=200, superuser=200))],
    "console:sla_policy_new": [
        Case(split(customers=403, staff=403, supervisor=200, superuser=200))
    ],
    "console:sla_policy_edit": [
        Case(
            split(customers=403, staff=403, supervisor=200, superuser=200),
            kwargs=lambda w: {"pk": w["sla_policy"].pk},
        )
    ],
    "console:sla_automations": [
        Case(split(customers=403, staff=403, supervisor=200, superuser=200))
    ],
    "console:sla_automation_edit": [
        Case(
            split(customers=403, staff=403, supervisor=200, superuser=200),
            kwargs=lambda w: {"pk": w["sla_automation"].pk},
        )
    ],
    # ---- end slaedit ----
    "console:case_detail": [
        Case(split(customers=403, staff=200), kwargs=lambda w: {"number": w["case_a"].number}),
        Case(
            split(customers=403, staff=200, agent_l1=404),
            kwargs=lambda w: {"number": w["case_l2"].number},
            label="another team's case (agents scoped to their teams)",
        ),
    ],
    "console:case_presence": [
        Case(split(customers=403, staff=200), kwargs=lambda w: {"number": w["case_a"].number}),
        Case(
            split(customers=403, staff=200, agent_l1=404),
            kwargs=lambda w: {"number": w["case_l2"].number},
            label="another team's case",
        ),
    ],
    "console:case_action": [
        Case(
            split(customers=403, staff=REDIRECT),
            kwargs=lambda w: {"number": w["case_a"].number, "name": "message"},
            method="post",
            data={"kind": "internal", "text": "nota"},
        ),
        Case(
            split(customers=403, staff=REDIRECT, agent_l1=404),
            kwargs=lambda w: {"number": w["case_l2"].number, "name": "message"},
            method="post",
            data={"kind": "internal", "text": "nota"},
            label="note on another team's case",
        ),
        Case(
            split(customers=403, staff=404),
            kwargs=lambda w: {"number": w["case_a"].number, "name": "nope"},
            method="post",
            label="unknown action",
        ),
        # ---- casepage ---- GET: an action's form (htmx into its panel, or a page without JS)
        Case(
            split(customers=403, staff=200),
            kwargs=lambda w: {"number": w["case_a"].number, "name": "escalate"},
            label="form of an action",
        ),
        Case(
            split(customers=403, staff=200, agent_l1=404),
            kwargs=lambda w: {"number": w["case_l2"].number, "name": "resolve"},
            label="form of an action on another team's case",
        ),
        Case(
            split(customers=403, staff=404),
            kwargs=lambda w: {"number": w["ticket_b"].number.replace("/", "/9"), "name": "link"},
            label="form of an action on a case that does not exist",
        ),
        Case(
            split(customers=403, staff=405),
            kwargs=lambda w: {"number": w["case_a"].number, "name": "message"},
            label="GET of an action without a form",
        ),
        Case(
            split(customers=403, staff=404),
            kwargs=lambda w: {"number": w["case_a"].number, "name": "nope"},
            label="GET of an unknown action",
        ),
        # ---- end casepage ----
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
    # ---- notify ----
    "portal:notifications": [
        Case(split(customers=200, staff=403)),
        Case(split(customers=REDIRECT, staff=403), method="post", data={"case_status": "on"}),
    ],
    "console:notifications": [
        Case(split(customers=403, staff=200)),
        Case(split(customers=403, staff=REDIRECT), method="post", data={"sla_alerts": "on"}),
    ],
    # ---- /notify ----
}

# ---- console ---- (downloads of another team's case: agents scoped to their teams get a 404)
ACCESS["console:attachment"].append(
    Case(
        split(customers=403, staff=200, agent_l1=404),
        kwargs=lambda w: {"pk": w["internal_l2"].pk},
        label="file of another team's case",
    )
)


def access_link(world, role, purpose):
    from ventanilla.accounts.services import access_link_make

    return access_link_make(contact=world["cast"].contacts[role], purpose=purpose)


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
def world(cast, make_ticket, settings):
    from ventanilla.accounts.services import user_create

    # ---- console ---- agents see only their teams' cases (plus untriaged and their own)
    settings.VENTANILLA_AGENT_SCOPE = "teams"

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
    # ---- console ----
    from ventanilla.staff.models import CannedReply, SavedQueueView
    from ventanilla.tickets.services import ticket_triage

    case_l2 = make_ticket(product=cast.products["net"], subject="Cortafuegos")
    ticket_triage(
        ticket=case_l2, by=cast.supervisor, product=cast.products["net"], team=cast.teams["l2"]
    )
    note_l2 = ticket_add_note(
        ticket=case_l2, by=cast.agent_l2, text="l2", attachments=[png_upload()]
    )
    console = {
        "case_a": ticket_a,
        "case_l2": case_l2,
        "internal_l2": note_l2.attachments.get(),
        "canned": CannedReply.objects.create(title="Saludo", body="Hola {nombre}"),
        "saved_view": SavedQueueView.objects.create(user=cast.agent_l1, name="Mía", queue="all"),
    }
    # ---- slaedit ----
    from ventanilla.sla.models import Automation, SlaPolicy

    slaedit = {
        "sla_policy": SlaPolicy.objects.create(name="Prueba de acceso"),
        "sla_automation": Automation.objects.create(
            name="Prueba de acceso", trigger="resolved", after_amount=7, action="close"
        ),
    }
    return {
        **console,
        **slaedit,
        "cast": cast,
        "users": {**cast.users, "superuser": superuser},
        "public_a": reply_a.attachments.get(),
        "public_b": reply_b.attachments.get(),
        "internal_a": note.attachments.get(),
        "ticket_a": ticket_a,
        "ticket_b": ticket_b,
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
