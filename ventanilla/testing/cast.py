"""The fixed cast every test uses (STYLE.md): two customer organizations and our support staff.

org A ("Talleres Ebro", regions Norte/Sur, sites Zaragoza/Huesca/Sevilla):
  customer        requester at Zaragoza       colleague      requester at Zaragoza
  admin           organization admin          site_manager   manager of Zaragoza
  regional        regional manager of Sur
org B ("Bodegas Albar"): outsider, a requester
staff: agent_l1 (team Soporte L1), agent_l2 (team Sistemas L2), supervisor
"""

from dataclasses import dataclass, field

from ventanilla.accounts.services import user_create
from ventanilla.catalog.models import Product, ProductVersion, RequestType
from ventanilla.organizations.models import ALL_SECTIONS, Contact
from ventanilla.organizations.services import (
    contact_create,
    organization_create,
    region_create,
    site_create,
)
from ventanilla.staff.models import Agent, Team, Tier

PASSWORD = "cast-password-2026"
CUSTOMER_ROLES = ("customer", "colleague", "admin", "site_manager", "regional", "outsider")
STAFF_ROLES = ("agent_l1", "agent_l2", "supervisor")
ROLES = (*CUSTOMER_ROLES, *STAFF_ROLES)


@dataclass
class Cast:
    users: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    request_type: RequestType | None = None

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def _person(cast, key, org, name, email, **contact_fields):
    user = user_create(email=email, full_name=name, password=PASSWORD)
    contact = contact_create(
        by=None, organization=org, name=name, email=email, user=user, **contact_fields
    )
    cast.users[key], cast.contacts[key] = user, contact


def _organizations(cast):
    org_a = organization_create(
        name="Talleres Ebro S.L.",
        code="TEB01",
        tax_id="B12345674",
        city="Zaragoza",
        email_domain="talleresebro.test",
    )
    org_b = organization_create(
        name="Bodegas Albar S.A.",
        code="BAL02",
        tax_id="A58818501",
        city="Logroño",
        email_domain="bodegasalbar.test",
    )
    north = region_create(organization=org_a, name="Norte")
    south = region_create(organization=org_a, name="Sur")
    cast.orgs.update(a=org_a, b=org_b)
    cast.regions.update(north=north, south=south)
    cast.sites.update(
        zaragoza=site_create(organization=org_a, name="Zaragoza", region=north),
        huesca=site_create(organization=org_a, name="Huesca", region=north),
        sevilla=site_create(organization=org_a, name="Sevilla", region=south),
        logrono=site_create(organization=org_b, name="Logroño"),
    )


def _customers(cast):
    org_a, zaragoza = cast.orgs["a"], cast.sites["zaragoza"]
    role = Contact.Role
    _person(cast, "customer", org_a, "Lucía Gimeno", "lucia@talleresebro.test", site=zaragoza)
    _person(cast, "colleague", org_a, "Marcos Lafuente", "marcos@talleresebro.test", site=zaragoza)
    _person(
        cast,
        "admin",
        org_a,
        "Pilar Esteban",
        "pilar@talleresebro.test",
        role=role.ORG_ADMIN,
        privileges=ALL_SECTIONS,
        is_billing=True,
    )
    _person(
        cast,
        "site_manager",
        org_a,
        "Jorge Aznar",
        "jorge@talleresebro.test",
        role=role.SITE_MANAGER,
        site=zaragoza,
    )
    _person(
        cast,
        "regional",
        org_a,
        "Rocío Navas",
        "rocio@talleresebro.test",
        role=role.REGIONAL_MANAGER,
        region=cast.regions["south"],
        site=cast.sites["sevilla"],
    )
    _person(
        cast,
        "outsider",
        cast.orgs["b"],
        "Íñigo Sáenz",
        "inigo@bodegasalbar.test",
        site=cast.sites["logrono"],
    )


def _staff(cast):
    erp = Product.objects.create(name="GestiónPro", code="gestionpro")
    ProductVersion.objects.create(product=erp, name="8.2")
    net = Product.objects.create(name="RedSegura", code="redsegura")
    cast.products.update(erp=erp, net=net)
    l1 = Team.objects.create(name="Soporte L1", tier=Tier.L1)
    l2 = Team.objects.create(name="Sistemas L2", tier=Tier.L2)
    l1.products.add(erp, net)
    l2.products.add(net)
    cast.teams.update(l1=l1, l2=l2)
    people = [
        ("agent_l1", "Ana Ruiz", l1, Agent.Role.AGENT),
        ("agent_l2", "Diego Marín", l2, Agent.Role.AGENT),
        ("supervisor", "Carmen Vidal", None, Agent.Role.SUPERVISOR),
    ]
    for role, name, team, agent_role in people:
        user = user_create(email=f"{role}@ventanilla.test", full_name=name, password=PASSWORD)
        agent = Agent.objects.create(user=user, role=agent_role)
        if team:
            agent.teams.add(team)
        cast.users[role] = user
    cast.request_type = RequestType.objects.create(
        name="Soporte de mis productos contratados",
        name_en="Support for my products",
        code="soporte",
    )


def build_cast():
    cast = Cast()
    _organizations(cast)
    _customers(cast)
    _staff(cast)
    return cast
