"""Spanish texts of the demo cases: what customers write, what agents answer, internal notes.

Placeholders filled per case: {first} (requester's first name), {site}, {version}, {n} (a small
number: till, line, floor), {hour}, {colleague}, {number} (case number), {agent}, {date}.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    product: str | None
    request_type: str
    severity: str
    subject: str
    description: str
    question: str
    answer: str
    solution: str
    attachment: str | None = None  # "png", "txt" or None: what the customer tends to attach
    only_for: tuple = ()  # organization keys the case fits, when not every customer


CASES = [
    # --- Gestia ERP -----------------------------------------------------------------------------
    Case("gestia-erp", "soporte", "B",
         "Error al contabilizar facturas de proveedor en Gestia",
         "Desde esta mañana, al contabilizar las facturas de proveedor del mes aparece el mensaje "
         "«Asiento descuadrado en la línea {n}» y no nos deja continuar. Lo hemos probado en dos "
         "puestos distintos de {site} con el mismo resultado. Usamos la versión {version}.",
         "¿Nos puedes indicar el número de una de las facturas afectadas y si se dio de alta a "
         "mano o importada desde el lector de facturas?",
         "Las afectadas son todas las importadas ayer desde el lector; las que metemos a mano "
         "contabilizan bien. Os paso una captura del mensaje.",
         "Hemos encontrado el problema: la plantilla de importación redondeaba el IVA por línea en "
         "lugar de por factura. La hemos corregido y hemos vuelto a importar las facturas de ayer; "
         "ya contabilizan sin descuadre. ¿Lo podéis comprobar?",
         "png"),
    Case("gestia-erp", "soporte", "B",
         "No se genera el modelo 303 del trimestre",
         "Al lanzar el modelo 303 desde Gestia el proceso se queda al 80 % y acaba con «Error al "
         "generar fichero BOE». Tenemos que presentarlo esta semana. Versión {version}.",
         "¿Podéis enviarnos el registro del proceso? Está en Utilidades › Registro de tareas.",
         "Adjunto el registro. Además hemos visto que falla solo en la empresa 02; en la 01 sale "
         "bien.",
         "La empresa 02 tenía un código de actividad antiguo que la AEAT ya no admite. Lo hemos "
         "actualizado y el fichero se genera correctamente. Os hemos dejado el 303 en la carpeta "
         "de exportaciones.",
         "txt"),
    Case("gestia-erp", "soporte", "C",
         "Lentitud al abrir el listado de pedidos de venta",
         "El listado de pedidos de venta tarda más de un minuto en abrirse desde que actualizamos "
         "a la {version}. Antes era inmediato. Afecta a todo el equipo comercial.",
         "¿Tenéis activado algún filtro guardado en el listado? ¿Pasa también al abrirlo desde "
         "el servidor?",
         "En el servidor tarda lo mismo. Tenemos un filtro por delegación que usamos todos.",
         "Faltaba un índice tras la actualización. Lo hemos regenerado fuera de horario y el "
         "listado vuelve a abrir en menos de dos segundos."),
    Case("gestia-erp", "consulta", "C",
         "Alta de un usuario en Gestia para administración",
         "Se incorpora {colleague} al departamento de administración el lunes. Necesitamos que "
         "tenga acceso a Gestia con el mismo perfil que el resto del departamento.",
         "¿Nos confirmas el correo corporativo de {colleague} y si debe poder aprobar pagos?",
         "El correo ya está creado; de momento sin aprobar pagos, solo consulta y registro.",
         "Usuario creado con el perfil «Administración – sin aprobación». Le llegará un correo "
         "para establecer su contraseña la primera vez que entre."),
    Case("gestia-erp", "soporte", "B",
         "La remesa SEPA de recibos sale con fecha de cargo incorrecta",
         "Hemos generado la remesa de recibos de este mes y todos los cargos salen con fecha del "
         "día 1 en lugar del día 5, que es lo que tenemos configurado. El banco ya nos ha "
         "devuelto el fichero una vez.",
         "¿La fecha del día 5 está en la ficha de cada cliente o en la configuración general de "
         "remesas?",
         "En la configuración general. En las fichas no hemos tocado nada.",
         "En la {version} la fecha de la ficha del cliente tiene prioridad y venía a 1 por "
         "defecto en los clientes migrados. Hemos vaciado ese campo y la remesa ya sale con "
         "fecha de cargo del día 5."),
    Case("gestia-erp", "averia", "A",
         "Gestia no arranca: «Licencia caducada» en todos los puestos",
         "Al abrir Gestia en cualquier puesto sale «Licencia caducada (código L-{n}{n})» y no "
         "podemos facturar. Estamos parados en {site}.",
         "¿Podéis comprobar si el servidor tiene la fecha y hora correctas?",
         "La hora del servidor estaba bien. Os mando captura del aviso.",
         "El servidor de licencias no había podido renovar el certificado por un cambio en el "
         "cortafuegos. Lo hemos renovado a mano y ya arrancan todos los puestos. Hemos dejado "
         "una regla para que no vuelva a ocurrir.",
         "png"),
    Case("gestia-erp", "soporte", "C",
         "Las etiquetas de envío no imprimen el código de barras",
         "Las etiquetas de envío que imprimimos desde Gestia salen sin el código de barras; el "
         "resto del texto sale bien. Impresora Zebra del muelle {n}.",
         "¿Os ocurre con todas las agencias de transporte o solo con una?",
         "Solo con la agencia nueva que dimos de alta el mes pasado.",
         "A la agencia nueva le faltaba el formato de código de barras en la plantilla de "
         "etiqueta. Lo hemos añadido; probad a reimprimir una etiqueta.",
         only_for=("penalara",)),
    Case("gestia-erp", "consulta", "C",
         "Consulta sobre la actualización a Gestia 12.2",
         "Estamos en la {version} y queremos saber qué supone pasar a la 12.2: si hay que parar "
         "el sistema, cuánto tiempo y si cambia algo para los usuarios.",
         "¿Tenéis alguna personalización o informe a medida que debamos revisar antes?",
         "Tenemos dos informes a medida de márgenes y el conector con la tienda online.",
         "Os adjuntamos el plan: la actualización lleva unas dos horas con el sistema parado, "
         "los dos informes son compatibles y el conector necesita una versión nueva que "
         "instalamos en la misma ventana. Cuando queráis, la planificamos."),
    # --- Caja Ágil TPV ---------------------------------------------------------------------------
    Case("caja-agil", "averia", "A",
         "El TPV de la caja {n} no imprime tickets",
         "La caja {n} de {site} ha dejado de imprimir tickets. La venta se registra pero el "
         "cliente se va sin ticket. Hemos reiniciado el TPV y sigue igual.",
         "¿La impresora muestra alguna luz en rojo? ¿Habéis cambiado el rollo hace poco?",
         "La luz está en naranja parpadeando. El rollo es nuevo, del lote que llegó el lunes.",
         "Era el rollo: el lote nuevo es de papel no térmico y la impresora lo detecta como "
         "atasco. Con un rollo térmico vuelve a imprimir. Os recomendamos devolver ese lote."),
    Case("caja-agil", "averia", "A",
         "El datáfono no comunica con el TPV en {site}",
         "Desde las {hour} los cobros con tarjeta dan «Error de comunicación con el PIN pad» en "
         "todas las cajas de {site}. Solo podemos cobrar en efectivo.",
         "¿Los datáfonos tienen cobertura/red? ¿Veis la IP en la pantalla del datáfono?",
         "En la pantalla del datáfono sale «Sin IP». El resto de la tienda tiene internet.",
         "El switch de la línea de cajas había perdido la configuración de la VLAN de pago. La "
         "hemos restaurado en remoto y los datáfonos ya comunican. Hemos cambiado la fuente de "
         "alimentación del switch en previsión.",
         "png"),
    Case("caja-agil", "soporte", "B",
         "Los precios de la oferta no se actualizan en las cajas",
         "Hemos cargado la oferta de la semana en la central y en {site} las cajas siguen "
         "cobrando el precio antiguo. En el resto de tiendas parece que sí ha entrado.",
         "¿La tienda aparece como sincronizada en la consola central? ¿A qué hora fue la última "
         "sincronización?",
         "La consola dice que la última sincronización de {site} fue anoche a las 23:00.",
         "El servicio de sincronización de la tienda estaba parado tras un corte de luz. Lo "
         "hemos arrancado y forzado una carga de precios; las cajas ya cobran la oferta.",
         "txt"),
    Case("caja-agil", "soporte", "B",
         "Cierre de caja descuadrado en {site}",
         "El cierre de la caja {n} de ayer da una diferencia de 86,40 € respecto al recuento, "
         "pero los tickets del día suman bien. ¿Puede ser un error del TPV?",
         "¿Hubo alguna devolución o anulación de ticket en esa caja ayer?",
         "Sí, una devolución a media tarde que se hizo dos veces porque se colgó el TPV.",
         "Hemos revisado el diario de la caja: la devolución quedó registrada dos veces por el "
         "cuelgue. La hemos anulado con una nota en el diario y el cierre ya cuadra."),
    Case("caja-agil", "instalacion", "C",
         "Instalación de un TPV nuevo en la caja {n} de {site}",
         "Abrimos una caja más en {site} y necesitamos instalar y dar de alta un TPV con "
         "impresora, cajón y datáfono. Nos gustaría tenerlo antes del fin de semana.",
         "¿Nos confirmáis que el punto de red y el enchufe de la caja nueva ya están instalados?",
         "Sí, el electricista lo dejó todo ayer. El punto de red es el {n}B.",
         "TPV instalado y dado de alta como caja {n}. Hemos hecho una venta y una devolución de "
         "prueba con el encargado. Os dejamos el parte de trabajo adjunto."),
    Case("caja-agil", "soporte", "B",
         "Error de sincronización de ventas con la central",
         "En la consola central aparece la tienda {site} con ventas pendientes de subir desde "
         "hace dos días. En la tienda no vemos ningún aviso.",
         "¿Nos podéis mandar el registro del servicio de sincronización de la tienda?",
         "Adjunto el registro; hay muchos «timeout» de madrugada.",
         "La copia de seguridad nocturna bloqueaba la base de datos de la tienda justo a la hora "
         "de subir las ventas. Hemos movido la copia a las 4:00 y ya está todo sincronizado.",
         "txt"),
    Case("caja-agil", "averia", "B",
         "La báscula de charcutería no envía el peso al TPV",
         "En {site}, al pesar en la báscula de charcutería el TPV no recibe el peso y hay que "
         "teclearlo a mano. Las de fruta funcionan bien.",
         "¿La báscula muestra el peso correctamente en su propia pantalla?",
         "Sí, en la báscula se ve bien; el problema es solo al pasarlo al TPV.",
         "El cable serie de la báscula estaba dañado. El técnico lo ha sustituido y hemos "
         "comprobado diez pesadas seguidas sin errores."),
    # --- Muralla · red gestionada ----------------------------------------------------------------
    Case("muralla", "internet", "A",
         "Sin conexión a internet en {site}",
         "Desde las {hour} no hay internet en {site}: ni los equipos ni la wifi navegan. El "
         "router tiene todas las luces encendidas. Nos afecta a toda la actividad.",
         "¿Podéis decirnos qué luces están en rojo en el cortafuegos Muralla del rack?",
         "La luz de WAN está en rojo fijo. Las demás en verde.",
         "La operadora tenía una avería en la fibra de la zona, ya reparada. Hemos comprobado que "
         "la línea principal está arriba; mientras duró, la sede salió por la línea 4G de "
         "respaldo, que también hemos revisado."),
    Case("muralla", "soporte", "B",
         "La VPN de teletrabajo se desconecta cada pocos minutos",
         "Varios usuarios que teletrabajan nos dicen que la VPN se corta cada 5-10 minutos desde "
         "el martes. En la oficina todo va bien. Muralla {version}.",
         "¿Les pasa a todos los que teletrabajan o solo a algunos? ¿Usan el cliente VPN nuevo?",
         "Solo a los que se actualizaron el cliente VPN esta semana, que son cuatro.",
         "El cliente VPN nuevo negocia un tiempo de renegociación más corto que el del "
         "cortafuegos. Hemos ajustado el perfil en Muralla y los cuatro usuarios llevan un día "
         "sin cortes."),
    Case("muralla", "instalacion", "C",
         "Abrir acceso remoto para el proveedor de cámaras",
         "El proveedor de las cámaras de seguridad necesita acceder en remoto al grabador de "
         "{site} para actualizarlo el jueves por la mañana. ¿Podéis habilitarlo?",
         "¿Nos pasáis la IP pública desde la que se conectará el proveedor y el horario exacto?",
         "Se conectarán desde 203.0.113.{n}0, el jueves de 9:00 a 12:00.",
         "Regla creada en Muralla solo para esa IP y ese horario; se desactivará sola a las "
         "12:00 del jueves. Queda registrada en el histórico de cambios."),
    Case("muralla", "averia", "B",
         "La wifi de invitados no entrega dirección IP",
         "En {site} la wifi de invitados conecta pero los móviles se quedan en «Obteniendo "
         "dirección IP». La wifi interna funciona.",
         "¿Cuántos dispositivos calculáis que había conectados cuando empezó?",
         "Hoy teníamos una formación con unas 60 personas, así que bastantes más de lo normal.",
         "El rango de direcciones de la red de invitados era de 50. Lo hemos ampliado a 200 y "
         "reducido el tiempo de concesión a una hora. Ya entrega IP a todos."),
    Case("muralla", "soporte", "C",
         "Aviso de certificado caducado en el portal cautivo",
         "Los clientes que se conectan a la wifi de {site} ven un aviso de «conexión no segura» "
         "al abrir el portal de bienvenida.",
         "¿Nos podéis mandar una captura del aviso tal como lo ve un cliente?",
         "Adjunto captura desde un móvil.",
         "El certificado del portal cautivo había caducado. Lo hemos renovado y configurado la "
         "renovación automática.",
         "png"),
    Case("muralla", "instalacion", "C",
         "Instalar un punto de acceso en el almacén de {site}",
         "En la zona de almacén de {site} no llega la wifi y los terminales de inventario pierden "
         "la conexión. Queremos presupuesto e instalación de un punto de acceso.",
         "¿Hay toma de red cerca de la zona donde se necesita cobertura?",
         "Hay una toma en la columna {n} del almacén.",
         "Punto de acceso instalado en la columna {n} y añadido a Muralla. Hemos medido "
         "cobertura en todo el almacén con los terminales de inventario."),
    Case("muralla", "consulta", "C",
         "El filtro de contenidos bloquea la web de un proveedor",
         "No podemos entrar en la web de pedidos de un proveedor: sale la página de bloqueo de "
         "Muralla con la categoría «Sitio no clasificado».",
         "¿Nos confirmáis la dirección exacta de la web del proveedor?",
         "Es pedidos.proveedor-ejemplo.test",
         "Hemos añadido el dominio a la lista de permitidos de la organización. Ya debería "
         "cargar; si no, borrad la caché del navegador."),
    # --- Nube Correo Empresa --------------------------------------------------------------------
    Case("nube-correo", "soporte", "B",
         "No recibimos correos de un cliente importante",
         "Desde ayer no nos llegan los correos de uno de nuestros principales clientes. Ellos "
         "dicen que no les rebota nada. El resto del correo entra bien.",
         "¿Nos podéis dar la dirección del remitente y la hora aproximada de un envío?",
         "El remitente es compras@cliente-ejemplo.test; nos enviaron uno ayer sobre las {hour}.",
         "Los mensajes estaban en cuarentena porque el dominio del cliente cambió su "
         "configuración SPF. Los hemos liberado y añadido el remitente a la lista de confianza.",
         "png"),
    Case("nube-correo", "soporte", "C",
         "Buzón lleno: {colleague} no puede enviar correos",
         "A {colleague} le sale «Buzón lleno» al enviar. Tiene muchos correos con adjuntos "
         "antiguos que no quiere perder.",
         "¿Preferís ampliar el buzón o activar el archivado automático de lo anterior a dos "
         "años?",
         "Mejor el archivado, no queremos aumentar el coste.",
         "Archivado automático activado para los correos de más de dos años. El buzón ha bajado "
         "al 40 % de ocupación y los correos archivados siguen accesibles en la carpeta "
         "«Archivo»."),
    Case("nube-correo", "consulta", "C",
         "Configurar el correo en un móvil nuevo",
         "Tenemos un móvil de empresa nuevo y no sabemos qué datos poner para configurar el "
         "correo. ¿Nos enviáis los pasos?",
         "¿Es Android o iPhone?",
         "Es un Android.",
         "Os adjuntamos la guía paso a paso para Android. La clave es usar la cuenta de tipo "
         "«Exchange» y el servidor que aparece en la guía."),
    Case("nube-correo", "consulta", "C",
         "Alta de buzón para una nueva incorporación",
         "Necesitamos un buzón nuevo para {colleague}, que empieza el día 1 en {site}.",
         "¿Debe estar en alguna lista de distribución o tener acceso a buzones compartidos?",
         "Sí, a la lista de «pedidos» y al buzón compartido de administración.",
         "Buzón creado, añadido a la lista «pedidos» y con acceso al buzón compartido de "
         "administración. Las credenciales iniciales se han enviado a la responsable."),
    Case("nube-correo", "soporte", "B",
         "Nuestros correos llegan como spam a los clientes",
         "Varios clientes nos dicen que nuestros correos les llegan a la carpeta de spam desde "
         "la semana pasada, sobre todo los que llevan facturas adjuntas.",
         "¿Habéis empezado a enviar desde alguna aplicación nueva, como un programa de "
         "facturación o de envíos masivos?",
         "Sí, desde el lunes las facturas salen directamente desde Gestia.",
         "Gestia enviaba con un servidor que no estaba autorizado en el registro SPF del "
         "dominio. Lo hemos añadido y activado la firma DKIM; las pruebas ya llegan a la bandeja "
         "de entrada."),
    Case("nube-correo", "soporte", "C",
         "Recuperar un correo borrado por error",
         "{colleague} borró por error una carpeta con correos de un expediente y también vació "
         "la papelera. ¿Se puede recuperar?",
         "¿Sabéis la fecha aproximada en la que se borró y el nombre de la carpeta?",
         "Fue el viernes por la tarde; la carpeta se llamaba «Expediente {n}».",
         "Hemos restaurado la carpeta desde la copia del jueves; la tenéis de nuevo en el buzón "
         "con el nombre «Expediente {n} (recuperada)»."),
    # --- Facturación y otras consultas (sin producto) --------------------------------------------
    Case(None, "facturacion", "C",
         "Consulta sobre la última factura de mantenimiento",
         "En la factura de mantenimiento de este trimestre aparece una línea de «Soporte "
         "exclusivo» que no sabemos a qué corresponde. ¿Nos lo podéis aclarar?",
         "¿Nos confirmáis el número de factura?",
         "Es la factura F-2026-{n}{n}{n}.",
         "La línea corresponde a la ampliación de horario de soporte que se firmó en la última "
         "renovación. Os adjuntamos el detalle del contrato."),
    Case(None, "facturacion", "C",
         "Cambio de cuenta bancaria para la domiciliación",
         "A partir del mes que viene queremos que los recibos se carguen en otra cuenta. "
         "¿Qué documentación necesitáis?",
         "Necesitamos la orden de domiciliación SEPA firmada. ¿Os la enviamos para firmar?",
         "Sí, por favor. La firmará la gerencia.",
         "Recibida la orden firmada. Los recibos a partir del mes que viene se cargarán en la "
         "cuenta nueva."),
    Case(None, "consulta", "C",
         "Solicitud de presupuesto para ampliar licencias",
         "Queremos ampliar en cinco usuarios las licencias que tenemos contratadas. ¿Nos podéis "
         "enviar presupuesto?",
         "¿Los usuarios nuevos necesitarán todos los módulos o solo algunos?",
         "Solo contabilidad y facturación.",
         "Os hemos enviado el presupuesto al contacto de presupuestos de la empresa. Si lo "
         "aceptáis, las licencias quedan activas el mismo día."),
]  # fmt: skip

GREETINGS = {
    "morning": ["Hola, {first}:", "Buenos días, {first}:"],
    "afternoon": ["Hola, {first}:", "Buenas tardes, {first}:"],
}

FIRST_REPLIES = [
    "Gracias por avisarnos. Ya estamos revisando el caso {number} y te contamos en cuanto "
    "tengamos algo.",
    "He cogido tu caso y ya estoy conectado a los registros para ver qué ocurre.",
    "Gracias por el detalle, nos ayuda mucho. Estamos en ello.",
    "Recibido. Lo estoy revisando ahora mismo con prioridad.",
]
CUSTOMER_SIGNATURES = ["Un saludo,", "Gracias,", "Saludos,", "Muchas gracias,"]
CHASERS = [
    "¿Hay alguna novedad con esto? Lo necesitamos antes del cierre de mes.",
    "Buenas, seguimos igual. ¿Sabéis algo?",
    "Os añado que ahora también le pasa a {colleague}.",
    "Perdonad la insistencia, pero nos está afectando bastante. ¿Cómo va?",
]
REOPENS = [
    "Ha vuelto a pasar esta mañana con el mismo mensaje. Reabro el caso.",
    "Lo siento, pero seguimos con el problema: hoy ha fallado otra vez.",
]
CUSTOMER_CANCELS = [
    "Ya lo hemos solucionado nosotros: era un cable de red suelto.",
    "Lo abrí por error; ya lo teníamos en otro caso.",
    "Al reiniciar el equipo se ha solucionado. Gracias de todos modos.",
]
ESCALATION_NOTES = [
    "Escalo a L2: descartado problema de usuario y de red local; hay que revisarlo en servidor.",
    "Reproducido en nuestro entorno de pruebas con la {version}. Pasa a nivel 2.",
    "Fuera de lo que podemos tocar desde primer nivel. Escalado con capturas y registros.",
]
ESCALATION_REPLIES = [
    "Soy {agent}, del equipo de sistemas. He recogido el caso de mis compañeros y ya lo estoy "
    "revisando en detalle.",
    "Te escribo desde segundo nivel: hemos recibido el caso con toda la información y seguimos "
    "nosotros a partir de aquí.",
]
INTERNAL_NOTES = [
    "Cliente con soporte exclusivo: llamar antes de tocar nada en producción.",
    "Revisado el histórico: es la segunda vez este mes en {site}.",
    "Hablado por teléfono con {first}; confirma que afecta a todos los puestos.",
    "Adjunto extracto del registro del servidor para quien siga el caso.",
    "Posible relación con el cambio de configuración de la semana pasada. Lo vigilo.",
]
PENDING_REPLIES = [
    "Hemos abierto una incidencia con el fabricante y estamos a la espera de su respuesta. "
    "Dejamos el caso en pendiente y os avisamos en cuanto tengamos novedades.",
    "Necesitamos pedir una pieza de repuesto; el plazo habitual es de 48 a 72 horas. Dejamos el "
    "caso en pendiente hasta que llegue.",
    "Estamos esperando la ventana de mantenimiento del proveedor de la línea para aplicar el "
    "cambio. Os confirmamos la fecha en cuanto nos la den.",
]
SCHEDULED_REPLIES = [
    "Hemos planificado la intervención para el {date} a las {hour}. Un técnico se desplazará a "
    "{site}; por favor, que haya alguien con acceso al cuarto de comunicaciones.",
    "Programamos el cambio para el {date} a partir de las {hour}, fuera del horario de "
    "atención al público, para no afectar a la actividad.",
]
DUPLICATE_REPLY = (
    "Cerramos este caso porque es el mismo problema que ya estamos tratando en otro caso vuestro. "
    "Seguimos allí; no hace falta que hagáis nada."
)
DUPLICATE_NOTE = "Duplicado: mismo síntoma y misma sede que otro caso abierto."
SYSTEM_CANCEL_NOTE = "Cancelado: sin respuesta del cliente en el plazo indicado."
AUTO_CLOSE_NOTE = "Cerrado automáticamente tras 7 días resuelto sin respuesta."
AGENT_SIGNATURE = "Un saludo,\n{agent}\nEquipo de soporte"

COLLEAGUES = ["Laura", "Miguel", "Carla", "Álvaro", "Marina", "Rubén", "Silvia", "Gonzalo"]

LOG_LINES = [
    "{day} {hour}:02 INFO  servicio iniciado (versión {version})",
    "{day} {hour}:14 WARN  tiempo de respuesta alto en la conexión con la central (8,2 s)",
    "{day} {hour}:15 ERROR timeout tras 30 s esperando respuesta del servidor",
    "{day} {hour}:15 INFO  reintento 1/3",
    "{day} {hour}:16 ERROR timeout tras 30 s esperando respuesta del servidor",
    "{day} {hour}:16 INFO  operación pendiente guardada en cola local",
]
