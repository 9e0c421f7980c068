"""Build the demo data set through the domain services (like ventanilla/testing/cast.py).

`build_demo()` creates everything in one transaction, so an interrupted run leaves nothing behind;
`demo_exists()` is the idempotency marker (the demo organizations' client codes).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ventanilla.accounts.models import User
from ventanilla.accounts.services import user_create
from ventanilla.catalog.models import Product, ProductVersion, RequestType
from ventanilla.demo import data
from ventanilla.organizations.models import Contact, Organization
from ventanilla.organizations.services import (
    contact_approve,
    contact_create,
    contact_link_user,
    contact_reject,
    organization_create,
    region_create,
    site_create,
)
from ventanilla.staff.models import Agent, Team

SEED = 2026
DEFAULT_TICKETS = 300


@dataclass
class Demo:
    """Everything the ticket stories need, keyed like data.py."""

    now: datetime
    rng: random.Random
    orgs: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    request_types: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)

    def org_data(self, key):
        return next(org for org in data.ORGANIZATIONS if org["key"] == key)

    def people_of(self, org_key):
        """(key, contact) of the organization's active contacts with a login."""
        org = self.orgs[org_key]
        return [
            (key, contact)
            for key, contact in self.contacts.items()
            if contact.organization_id == org.pk and contact.is_active and contact.user_id
        ]


def demo_exists():
    return Organization.objects.filter(code__in=data.DEMO_CODES).exists()


def conflicting_emails():
    """Demo login emails already taken by someone else (the build would fail on them)."""
    emails = [data.person_email(org, local) for _k, org, _n, local, *_ in data.PEOPLE]
    emails += [f"{local}@{data.STAFF_DOMAIN}" for _k, _n, local, *_ in data.AGENTS]
    emails += [data.SUPERUSER[2], *(caller[3] for caller in data.UNKNOWN_CALLERS)]
    return sorted(User.objects.filter(email__in=emails).values_list("email", flat=True))


def build_demo(*, tickets=DEFAULT_TICKETS, now=None, seed=SEED, progress=None):
    """Create the whole demo; returns the Demo registry. Callers check demo_exists() first."""
    from ventanilla.demo.stories import build_tickets

    now = (now or timezone.now()).replace(second=0, microsecond=0)
    demo = Demo(now=now, rng=random.Random(seed))
    with transaction.atomic():
        _catalog(demo)
        _staff(demo)
        _organizations(demo)
        _people(demo)
        _unknown_callers(demo)
        _set_demo_password(demo)
        build_tickets(demo, count=tickets, progress=progress)
    return demo


def _catalog(demo):
    for code, name, versions in data.PRODUCTS:
        product, _ = Product.objects.get_or_create(code=code, defaults={"name": name})
        demo.products[code] = product
        demo.versions[code] = [
            ProductVersion.objects.get_or_create(
                product=product,
                name=version,
                defaults={"released_on": released_on, "is_supported": supported},
            )[0]
            for version, released_on, supported in versions
        ]
    for position, (code, name, name_en) in enumerate(data.REQUEST_TYPES, start=1):
        demo.request_types[code], _ = RequestType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )


def _staff(demo):
    for key, name, tier, products, email in data.TEAMS:
        team, _ = Team.objects.get_or_create(name=name, defaults={"tier": tier, "email": email})
        team.products.add(*(demo.products[code] for code in products))
        demo.teams[key] = team
    joined = demo.now - timedelta(days=900)
    for key, name, local, role, teams in data.AGENTS:
        user = user_create(email=f"{local}@{data.STAFF_DOMAIN}", full_name=name, date_joined=joined)
        agent = Agent.objects.create(user=user, role=role)
        agent.teams.set([demo.teams[team] for team in teams])
        demo.users[key] = user
    key, name, email = data.SUPERUSER
    demo.users[key] = user_create(
        email=email, full_name=name, is_staff=True, is_superuser=True, date_joined=joined
    )


def _organizations(demo):
    since = demo.now - timedelta(days=720)
    for org in data.ORGANIZATIONS:
        fields = {k: v for k, v in org.items() if k not in {"key", "products", "weight"}}
        demo.orgs[org["key"]] = organization_create(**fields, created_at=since)
    for org_key, names in data.REGIONS.items():
        for name in names:
            demo.regions[name] = region_create(organization=demo.orgs[org_key], name=name)
    for org_key, name, region, address, city in data.SITES:
        demo.sites[name] = site_create(
            organization=demo.orgs[org_key],
            name=name,
            region=demo.regions.get(region),
            address=address,
            city=city,
        )


def _phone(rng):
    return f"6{rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} " + str(
        rng.randrange(10, 99)
    )


def _people(demo):
    for key, org_key, name, local, position, role, site, region, kinds, privileges in data.PEOPLE:
        email = data.person_email(org_key, local)
        since = demo.now - timedelta(days=demo.rng.randrange(200, 700))
        user = user_create(email=email, full_name=name, date_joined=since)
        demo.users[key] = user
        demo.contacts[key] = contact_create(
            by=None,
            organization=demo.orgs[org_key],
            name=name,
            email=email,
            user=user,
            phone=_phone(demo.rng),
            position=position,
            role=role,
            site=demo.sites[site],
            region=demo.regions.get(region),
            is_billing=data.BILLING in kinds,
            is_quotes=data.QUOTES in kinds,
            is_technical=data.TECH in kinds,
            privileges=privileges,
            created_at=since,
        )


def _unknown_callers(demo):
    """People who called in unknown (seed 000): two still pending, one approved, one rejected."""
    for key, org_key, name, email, site, reason, days, decision in data.UNKNOWN_CALLERS:
        called = demo.now - timedelta(days=days, hours=demo.rng.randrange(1, 8))
        contact = contact_create(
            by=None,
            organization=demo.orgs[org_key],
            name=name,
            email=email,
            state=Contact.State.PENDING,
            site=demo.sites.get(site),
            phone=_phone(demo.rng),
            pending_reason=reason,
            created_at=called,
        )
        admin = demo.users["admin" if org_key == "alacena" else "pen_admin"]
        decided = called + timedelta(hours=demo.rng.randrange(2, 30))
        if decision == "approve":
            contact_approve(contact=contact, by=admin, now=decided)
            user = user_create(email=email, full_name=name, date_joined=decided)
            contact_link_user(contact=contact, user=user)
            demo.users[key] = user
        elif decision == "reject":
            contact_reject(contact=contact, by=admin, now=decided)
        demo.contacts[key] = contact


def _set_demo_password(demo):
    """Every demo login shares one readable password. One hash for all: hashing it per user
    (PBKDF2, ~0.3 s each) would be most of the run time."""
    pks = [user.pk for user in demo.users.values()]
    User.objects.filter(pk__in=pks).update(password=make_password(data.DEMO_PASSWORD))
