"""Who and what the demo is made of: invented companies, people, products and support teams.

Every name here is our own invention; domains end in .test or .example so nothing is ever mailed.
"""

from datetime import date

from ventanilla.lib.taxid import CIF_CONTROL_LETTERS, cif_control_digit
from ventanilla.organizations.models import ALL_SECTIONS, Section

# Demo credentials, printed by the command on purpose: they are not a secret.
DEMO_PASSWORD = "ventanilla-demo"  # noqa: S105
STAFF_DOMAIN = "ventanilla.test"


def cif(org_letter, digits):
    """A Spanish CIF with the right control character for `digits` (7 digits)."""
    control = cif_control_digit(digits)
    letter_control = org_letter in "NPQRSW"
    return f"{org_letter}{digits}{CIF_CONTROL_LETTERS[control] if letter_control else control}"


ORGANIZATIONS = [
    {
        "key": "alacena",
        "name": "Supermercados La Alacena S.A.",
        "code": "CL10482",
        "tax_id": cif("A", "3951207"),
        "address": "Calle Castilla, 48",
        "postal_code": "39009",
        "city": "Santander",
        "province": "Cantabria",
        "phone": "942 31 48 00",
        "email_domain": "alacena.test",
        "exclusive_support": True,
        "products": ("gestia-erp", "caja-agil", "muralla", "nube-correo"),
        "weight": 55,
    },
    {
        "key": "penalara",
        "name": "Transportes Peñalara S.L.",
        "code": "CL10519",
        "tax_id": cif("B", "2884163"),
        "address": "Avenida de la Industria, 12, Polígono Las Monjas",
        "postal_code": "28823",
        "city": "Coslada",
        "province": "Madrid",
        "phone": "916 72 30 15",
        "email_domain": "transportespenalara.test",
        "products": ("gestia-erp", "muralla", "nube-correo"),
        "weight": 30,
    },
    {
        "key": "lluch",
        "name": "Lluch & Bataller Assessors S.L.",
        "code": "CL10733",
        "tax_id": cif("B", "4672318"),
        "address": "Carrer de Colón, 22, 3.º",
        "postal_code": "46004",
        "city": "València",
        "province": "Valencia",
        "phone": "963 52 77 40",
        "email_domain": "lluchbataller.example",
        "products": ("gestia-erp", "nube-correo"),
        "weight": 15,
    },
]
DEMO_CODES = tuple(org["code"] for org in ORGANIZATIONS)

REGIONS = {"alacena": ("Norte", "Centro", "Levante")}

# (organization, site name, region or None, address, city)
SITES = [
    ("alacena", "Oficinas centrales", "Norte", "Calle Castilla, 48", "Santander"),
    ("alacena", "Tienda Santander Cuatro Caminos", "Norte", "Calle San Fernando, 71", "Santander"),
    ("alacena", "Tienda Bilbao Indautxu", "Norte", "Alameda de Urquijo, 61", "Bilbao"),
    ("alacena", "Tienda Madrid Chamberí", "Centro", "Calle de Fuencarral, 140", "Madrid"),
    ("alacena", "Tienda Alcalá de Henares", "Centro", "Vía Complutense, 33", "Alcalá de Henares"),
    ("alacena", "Tienda València Russafa", "Levante", "Carrer de Sueca, 17", "València"),
    ("alacena", "Tienda Alicante Centro", "Levante", "Avenida de Alfonso el Sabio, 9", "Alicante"),
    ("penalara", "Base Coslada", None, "Avenida de la Industria, 12", "Coslada"),
    ("penalara", "Almacén Guadalajara", None, "Calle del Henares, 5", "Cabanillas del Campo"),
    ("penalara", "Delegación Zaragoza", None, "Plataforma Logística, nave 14", "Zaragoza"),
    ("lluch", "Despacho València", None, "Carrer de Colón, 22, 3.º", "València"),
]

TECH, BILLING, QUOTES = "technical", "billing", "quotes"
OFFICE = int(Section.CASES | Section.INVOICES | Section.RENEWALS | Section.SERVICES)
STORE = int(Section.CASES | Section.INVENTORY | Section.WORK_REPORTS)
CASES = int(Section.CASES)

# key, organization, name, email local part, position, role, site, region, kinds, privileges.
# Keys named like the login table (customer, admin, …) are the people printed as demo logins.
PEOPLE = [
    ("admin", "alacena", "Marta Quintana Ruiz", "marta.quintana", "Directora de Sistemas",
     "org_admin", "Oficinas centrales", None, (TECH, QUOTES), ALL_SECTIONS),
    ("customer", "alacena", "Pablo Herrera Soto", "pablo.herrera", "Técnico de sistemas",
     "requester", "Oficinas centrales", None, (TECH,), CASES),
    ("site_manager", "alacena", "Elena Saiz Beltrán", "elena.saiz", "Encargada de tienda",
     "site_manager", "Tienda València Russafa", None, (TECH,), STORE),
    ("regional_manager", "alacena", "Javier Ortega Sanchis", "javier.ortega",
     "Responsable regional de Levante", "regional_manager", "Tienda València Russafa",
     "Levante", (TECH,), STORE),
    ("ala_regional_norte", "alacena", "Ainhoa Etxeberria Goñi", "ainhoa.etxeberria",
     "Responsable regional Norte", "regional_manager", "Tienda Bilbao Indautxu", "Norte",
     (TECH,), STORE),
    ("ala_finance", "alacena", "Sonia Prieto Lago", "sonia.prieto",
     "Responsable de Administración", "requester", "Oficinas centrales", None, (BILLING,),
     OFFICE | int(Section.COMPANY)),
    ("ala_purchasing", "alacena", "Luis Cabrero Mena", "luis.cabrero", "Compras",
     "requester", "Oficinas centrales", None, (QUOTES,), OFFICE),
    ("ala_it", "alacena", "Noelia Fuentes Rey", "noelia.fuentes", "Técnica de sistemas",
     "requester", "Oficinas centrales", None, (TECH,), CASES | int(Section.INVENTORY)),
    ("ala_madrid", "alacena", "Raúl Domínguez Arce", "raul.dominguez", "Encargado de tienda",
     "site_manager", "Tienda Madrid Chamberí", None, (TECH,), STORE),
    ("ala_santander", "alacena", "Beatriz Gómez Cuesta", "beatriz.gomez", "Encargada de tienda",
     "site_manager", "Tienda Santander Cuatro Caminos", None, (TECH,), STORE),
    ("ala_bilbao", "alacena", "Iker Zubizarreta Olano", "iker.zubizarreta", "Jefe de caja",
     "requester", "Tienda Bilbao Indautxu", None, (TECH,), CASES),
    ("ala_alicante", "alacena", "Rosa Amorós Pla", "rosa.amoros", "Jefa de caja",
     "requester", "Tienda Alicante Centro", None, (TECH,), CASES),
    ("ala_alcala", "alacena", "Daniel Sanz Moreno", "daniel.sanz", "Encargado de turno",
     "requester", "Tienda Alcalá de Henares", None, (TECH,), CASES),
    ("pen_admin", "penalara", "Begoña Lozano Martín", "begona.lozano", "Gerente",
     "org_admin", "Base Coslada", None, (BILLING, QUOTES), ALL_SECTIONS),
    ("pen_it", "penalara", "Adrián Ferrero Villa", "adrian.ferrero",
     "Responsable de informática", "requester", "Base Coslada", None, (TECH, QUOTES), OFFICE),
    ("pen_traffic", "penalara", "Sergio Montero Peña", "sergio.montero", "Jefe de tráfico",
     "requester", "Base Coslada", None, (TECH,), CASES),
    ("pen_billing", "penalara", "Fernando Gil Ayala", "fernando.gil", "Administración",
     "requester", "Base Coslada", None, (BILLING,), CASES | int(Section.INVOICES)),
    ("pen_guadalajara", "penalara", "Ismael Rueda Calle", "ismael.rueda", "Jefe de almacén",
     "site_manager", "Almacén Guadalajara", None, (TECH,), STORE),
    ("pen_zaragoza", "penalara", "Patricia Lasheras Gracia", "patricia.lasheras", "Delegada",
     "site_manager", "Delegación Zaragoza", None, (TECH,), STORE),
    ("llu_admin", "lluch", "Amparo Lluch Bataller", "amparo.lluch", "Socia directora",
     "org_admin", "Despacho València", None, (BILLING, QUOTES, TECH), ALL_SECTIONS),
    ("llu_tax", "lluch", "Vicent Soler Navarro", "vicent.soler", "Asesor fiscal",
     "requester", "Despacho València", None, (TECH,), CASES),
    ("llu_office", "lluch", "Clara Benlloch Puig", "clara.benlloch", "Administrativa",
     "requester", "Despacho València", None, (BILLING, TECH), OFFICE),
]  # fmt: skip

# People who called support claiming to belong to a customer (seed 000): they wait for the
# admin's decision. (key, organization, name, email, site, reason, days ago, decision)
UNKNOWN_CALLERS = [
    ("ala_pending", "alacena", "Andrés Villa Ibáñez", "andres.villa@alacena.test",
     "Tienda Alicante Centro", "Llamó a soporte diciendo que es reponedor en Alicante.", 2, None),
    ("pen_pending", "penalara", "Nieves Calvo Ortiz", "nieves.calvo@transportespenalara.test",
     "Delegación Zaragoza", "Escribió desde una dirección de la empresa; no estaba dada de alta.",
     5, None),
    ("ala_approved", "alacena", "Lidia Ferrán Cid", "lidia.ferran@alacena.test",
     "Tienda Alcalá de Henares", "Nueva encargada de turno en Alcalá.", 40, "approve"),
    ("ala_rejected", "alacena", "Cristian Mora Vela", "cristian.mora@correo-personal.test",
     None, "Pidió acceso por teléfono desde un correo personal.", 25, "reject"),
]  # fmt: skip

# code, name, [(version, released on, supported)]
PRODUCTS = [
    ("gestia-erp", "Gestia ERP", [
        ("11.4", date(2024, 3, 12), False),
        ("12.0", date(2025, 2, 3), True),
        ("12.1", date(2025, 10, 20), True),
        ("12.2", date(2026, 6, 15), True),
    ]),
    ("caja-agil", "Caja Ágil TPV", [
        ("3.9", date(2024, 11, 5), False),
        ("4.0", date(2025, 5, 19), True),
        ("4.1", date(2026, 4, 7), True),
    ]),
    ("muralla", "Muralla · red gestionada", [
        ("firmware 7.2", date(2025, 1, 10), True),
        ("firmware 7.4", date(2026, 2, 23), True),
    ]),
    ("nube-correo", "Nube Correo Empresa", [
        ("2025.2", date(2025, 9, 1), True),
        ("2026.1", date(2026, 3, 2), True),
    ]),
]  # fmt: skip

# code, name, English name
REQUEST_TYPES = [
    ("soporte", "Soporte de mis productos contratados", "Support for my contracted products"),
    ("averia", "Avería", "Breakdown"),
    ("instalacion", "Instalación", "Installation"),
    ("internet", "Internet", "Internet"),
    ("consulta", "Consulta", "Question"),
    ("facturacion", "Facturación", "Billing"),
]

# key, name, tier, products, email
TEAMS = [
    ("l1", "Soporte primer nivel", 1, ("gestia-erp", "caja-agil", "muralla", "nube-correo"),
     f"soporte@{STAFF_DOMAIN}"),
    ("l2", "Técnicos de sistemas", 2, ("gestia-erp", "caja-agil", "muralla", "nube-correo"),
     f"sistemas@{STAFF_DOMAIN}"),
    ("l3", "Ingeniería de producto", 3, ("gestia-erp", "caja-agil"),
     f"ingenieria@{STAFF_DOMAIN}"),
]  # fmt: skip

# key, name, email local part, role, teams
AGENTS = [
    ("agent_l1", "Nuria Campos Vera", "nuria.campos", "agent", ("l1",)),
    ("agent_l1b", "Héctor Salas Prado", "hector.salas", "agent", ("l1",)),
    ("agent_l2", "Tomás Benítez Lara", "tomas.benitez", "agent", ("l2",)),
    ("agent_l2b", "Irene Pastor Gallego", "irene.pastor", "agent", ("l2",)),
    ("agent_l3", "Óscar Mendoza Ríos", "oscar.mendoza", "agent", ("l3",)),
    ("supervisor", "Alicia Romero Cano", "alicia.romero", "supervisor", ("l1", "l2", "l3")),
]
SUPERUSER = ("superuser", "Administración de Ventanilla", f"admin@{STAFF_DOMAIN}")

# The login table printed at the end: (key, profile, where to go).
LOGINS = [
    ("admin", "Administradora del cliente", "portal:home"),
    ("customer", "Usuario del cliente", "portal:home"),
    ("site_manager", "Responsable de sede", "portal:home"),
    ("regional_manager", "Responsable regional", "portal:home"),
    ("agent_l1", "Agente L1", "console:home"),
    ("agent_l2", "Agente L2", "console:home"),
    ("supervisor", "Supervisora", "console:home"),
    ("superuser", "Superusuario (/admin/)", "admin:index"),
]


def person_email(organization_key, local_part):
    domain = next(org["email_domain"] for org in ORGANIZATIONS if org["key"] == organization_key)
    return f"{local_part}@{domain}"


def login_emails():
    """{key: email} of every login printed in the table."""
    emails = {key: person_email(org, local) for key, org, _n, local, *_ in PEOPLE}
    emails.update({key: f"{local}@{STAFF_DOMAIN}" for key, _n, local, *_ in AGENTS})
    emails[SUPERUSER[0]] = SUPERUSER[2]
    return {key: emails[key] for key, *_ in LOGINS}
