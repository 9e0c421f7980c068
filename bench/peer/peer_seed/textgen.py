"""A small generator of plausible Spanish support texts (written for this benchmark).

Deterministic for a given random.Random, cheap enough to make millions of rows.
"""

FIRST_NAMES = [
    "Lucía",
    "María",
    "Carmen",
    "Ana",
    "Laura",
    "Marta",
    "Elena",
    "Sara",
    "Paula",
    "Cristina",
    "Isabel",
    "Raquel",
    "Nuria",
    "Pilar",
    "Javier",
    "Carlos",
    "Miguel",
    "David",
    "Antonio",
    "José",
    "Manuel",
    "Pablo",
    "Sergio",
    "Jorge",
    "Alberto",
    "Íñigo",
    "Álvaro",
    "Rubén",
    "Andrés",
    "Fernando",
]
LAST_NAMES = [
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
    "Medina",
]
COMPANY_KINDS = [
    "Talleres",
    "Bodegas",
    "Transportes",
    "Distribuciones",
    "Construcciones",
    "Clínica",
    "Gestoría",
    "Hoteles",
    "Conservas",
    "Ferretería",
    "Laboratorios",
    "Academia",
    "Imprenta",
    "Cooperativa",
    "Frutas",
]
COMPANY_NAMES = [
    "Ebro",
    "Albar",
    "Cantábrico",
    "Sierra",
    "Norte",
    "Levante",
    "Duero",
    "Mediterráneo",
    "Guadiana",
    "Montes",
    "Tajo",
    "Pirineo",
    "Almenara",
    "Alcázar",
    "Rioja",
    "Castilla",
    "Atlántico",
    "Segura",
    "Miño",
    "Moncayo",
    "Genil",
]
CITIES = [
    "Zaragoza",
    "Logroño",
    "Valladolid",
    "Bilbao",
    "Sevilla",
    "Valencia",
    "Murcia",
    "Burgos",
    "Oviedo",
    "Pamplona",
    "Madrid",
    "Málaga",
    "Vigo",
    "Santander",
    "Huesca",
    "Teruel",
    "Almería",
    "Cáceres",
    "Girona",
    "León",
]

THINGS = [
    "la impresora de la oficina",
    "el acceso a la VPN",
    "la factura de octubre",
    "el portal de clientes",
    "el correo corporativo",
    "la copia de seguridad",
    "el lector de códigos",
    "la centralita",
    "el servidor de ficheros",
    "la aplicación de pedidos",
    "el terminal de venta",
    "la licencia del programa de nóminas",
    "la red wifi del almacén",
    "el certificado digital",
    "la sincronización del calendario",
    "el módulo de inventario",
    "la exportación a Excel",
    "el albarán electrónico",
]
PROBLEMS = [
    "no funciona desde esta mañana",
    "da un error al abrir",
    "va muy lenta",
    "se bloquea cada pocos minutos",
    "no aparece en el listado",
    "pide la contraseña una y otra vez",
    "muestra datos incorrectos",
    "ha dejado de enviar avisos",
    "no imprime los documentos",
    "devuelve un mensaje de permiso denegado",
]
SUBJECT_OPENERS = [
    "Problema con",
    "Incidencia en",
    "Error en",
    "Consulta sobre",
    "No funciona",
    "Ayuda con",
    "Urgente:",
    "Duda sobre",
    "Fallo en",
    "Revisión de",
]
GREETINGS = ["Hola,", "Buenos días,", "Buenas tardes,", "Hola equipo,", "Estimados señores:"]
CONTEXT = [
    "Somos {n} personas en la sede de {city} y nos afecta a todos.",
    "Ya hemos reiniciado el equipo y el problema sigue igual.",
    "Empezó después de la actualización del viernes.",
    "Solo pasa con algunos usuarios, no con todos.",
    "Adjunto una captura de pantalla del mensaje que aparece.",
    "Es importante porque mañana tenemos el cierre del mes.",
    "Hemos probado desde otro ordenador y ocurre lo mismo.",
    "El compañero de {city} dice que a él le funciona bien.",
    "Necesitaríamos una solución antes del jueves si es posible.",
    "No sabemos si es un problema nuestro o de vuestro sistema.",
]
CLOSINGS = [
    "Gracias de antemano.",
    "Un saludo.",
    "Quedo a la espera.",
    "Muchas gracias.",
    "Saludos cordiales.",
]
AGENT_REPLIES = [
    "Gracias por avisarnos. Estamos revisando {thing} y le informamos en cuanto sepamos más.",
    "Hemos aplicado una corrección en {thing}. ¿Puede comprobar si ya funciona?",
    "Necesitamos un poco más de información: ¿a qué hora empezó a fallar {thing}?",
    "Hemos escalado el caso al equipo técnico; {thing} queda en seguimiento.",
    "Le confirmamos que {thing} vuelve a funcionar con normalidad tras el reinicio del servicio.",
    "Hemos reproducido el error en {thing} y preparamos un parche para esta semana.",
]
CUSTOMER_REPLIES = [
    "Sigue pasando lo mismo, acabo de probarlo otra vez.",
    "Ahora sí funciona, muchas gracias por la rapidez.",
    "Empezó sobre las nueve de la mañana, más o menos.",
    "Les envío el dato que pedían: el usuario afectado es el de recepción.",
    "¿Hay alguna novedad? Seguimos sin poder trabajar con normalidad.",
    "Perfecto, pueden cerrar el caso.",
]
INTERNAL_NOTES = [
    "Nota interna: revisar el registro del servidor antes de responder.",
    "Nota interna: el cliente tiene contrato de mantenimiento prioritario.",
    "Nota interna: parece el mismo fallo que el de la semana pasada.",
]


def person(rng):
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def company(index):
    kind = COMPANY_KINDS[index % len(COMPANY_KINDS)]
    name = COMPANY_NAMES[(index * 7) % len(COMPANY_NAMES)]
    city = CITIES[index % len(CITIES)]
    return f"{kind} {name}", city


def contract(text):
    """Spanish contractions the templates would otherwise get wrong ("de el" -> "del")."""
    return text.replace(" de el ", " del ").replace(" a el ", " al ")


def ticket_text(rng, city):
    """(title, first message, thing): the subject and the body talk about the same thing."""
    thing = rng.choice(THINGS)
    opener = rng.choice(SUBJECT_OPENERS)
    title = contract(f"{opener} {thing}")
    problem = f"{thing[0].upper()}{thing[1:]} {rng.choice(PROBLEMS)}."
    context = rng.sample(CONTEXT, 2)
    lines = [
        rng.choice(GREETINGS),
        "",
        problem,
        context[0].format(n=rng.randint(2, 40), city=city),
        context[1].format(n=rng.randint(2, 40), city=city),
        "",
        rng.choice(CLOSINGS),
    ]
    return title, "\n".join(lines), thing


def agent_reply(rng, thing):
    return contract(rng.choice(AGENT_REPLIES).format(thing=thing))


def customer_reply(rng):
    return rng.choice(CUSTOMER_REPLIES)


def internal_note(rng):
    return rng.choice(INTERNAL_NOTES)


def ascii_slug(text):
    """'Bodegas Mediterráneo' -> 'bodegasmediterraneo' (for e-mail domains)."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())
