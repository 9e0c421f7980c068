"""The parse step of the email channel: raw bytes → ParsedEmail (pure, no database).

Fixtures are small hand-written messages in Spanish (tests/fixtures/*.eml), one per situation.
"""

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ventanilla.mail.inbound import Address, ParsedEmail, parse_email
from ventanilla.mail.inbound.addresses import parse_addresses
from ventanilla.mail.inbound.charsets import decode_bytes
from ventanilla.mail.inbound.corpus_format import to_corpus_json
from ventanilla.mail.inbound.headers import decode_header, message_ids
from ventanilla.mail.inbound.raw import clean_message_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


def parse_fixture(name):
    return parse_email(fixture_bytes(name))


def names(attachments):
    return [attachment.filename for attachment in attachments]


# --- whole messages ------------------------------------------------------------------------------


def test_thunderbird_reply_threading_and_accents():
    parsed = parse_fixture("thunderbird_reply.eml")

    assert parsed.sender == Address("María López Peña", "maria.lopez@ferreteria-lopez.es")
    assert parsed.subject == "Re: Avería en la impresora del almacén"
    assert parsed.to == (Address("Soporte Ventanilla", "soporte@ventanilla.example"),)
    assert parsed.message_id == "5f1c2a9e-7d41-4b8e-9c3a-2b6e1f0d9a17@correo.ferreteria-lopez.es"
    assert parsed.in_reply_to == (
        "9a8b7c6d-1111-2222-3333-444455556666@correo.ferreteria-lopez.es",
    )
    assert parsed.references == (
        "aviso-118.20250303@ventanilla.example",
        "9a8b7c6d-1111-2222-3333-444455556666@correo.ferreteria-lopez.es",
    )
    assert parsed.date == datetime(2025, 3, 4, 8, 12, 44, tzinfo=UTC)
    assert parsed.text_body.startswith("Buenos días:\n\nLa impresora sigue sin imprimir")
    assert "más detalles\nen cuanto pueda" in parsed.text_body  # soft line break joined
    assert "> ¿Podría indicarnos el modelo" in parsed.text_body  # the quote is kept
    assert parsed.html_body == ""
    assert parsed.body_format == "text/plain"
    assert parsed.attachments == ()
    assert parsed.defects == ()
    assert not parsed.flags.automated


def test_outlook_reply_crlf_alternative_and_encoded_names():
    parsed = parse_fixture("outlook_reply.eml")

    assert parsed.sender == Address("García Pérez, José", "jgarcia@construcciones-garcia.es")
    assert parsed.subject == "RE: Petición de presupuesto 2025/041"  # iso-8859-1, B-encoded
    assert parsed.cc == (
        Address("Ruiz, Ana", "ana.ruiz@construcciones-garcia.es"),
        Address("Ignacio Núñez", "inunez@construcciones-garcia.es"),
    )
    assert parsed.in_reply_to == ("presupuesto-041@ventanilla.example",)
    assert parsed.header("Thread-Topic") == "Petición de presupuesto 2025/041"
    # the plain alternative is the text body (CRLF → LF), the HTML one is sanitised
    assert parsed.text_body.startswith("Hola,\n\nNecesitamos la petición de presupuesto")
    assert "\r" not in parsed.text_body
    assert "antes del viernes – gracias" in parsed.html_body  # windows-1252 en dash
    assert "<style" not in parsed.html_body
    assert "MsoNormal" not in parsed.html_body
    assert parsed.attachments == ()


def test_gmail_inline_image_and_word_split_inside_a_character():
    parsed = parse_fixture("gmail_inline_image.eml")

    assert parsed.sender == Address("Álvaro Martín", "alvaro.martin@gmail.com")
    assert parsed.subject == "Re: Factura nº 2025/118 — ¿está pagada?"
    assert parsed.references == ("factura-118@ventanilla.example", "CAF3x+9Q2@mail.gmail.com")
    [image] = parsed.attachments
    assert image.filename == "justificante.png"
    assert image.content_type == "image/png"
    assert image.content_id == "ii_m7x2k9q10"
    assert image.inline
    assert image.data.startswith(b"\x89PNG")
    assert '<img src="cid:ii_m7x2k9q10"' in parsed.html_body
    assert "¿Podéis confirmar que está pagada?" in parsed.html_body
    for dangerous in ("<script", "javascript:", "onclick", "alert("):
        assert dangerous not in parsed.html_body
    assert parsed.text_body.startswith("Hola, os paso la captura del justificante:")


def test_mislabelled_charset_and_raw_utf8_header():
    parsed = parse_fixture("mislabelled_charset.eml")

    assert parsed.subject == "Conexión caída en la oficina de Cádiz"
    assert parsed.sender == Address("Pedro Sánchez", "pedro@talleres-sanchez.es")
    assert parsed.text_body.startswith("Señores, desde ayer la conexión está caída")
    assert "charset: part 0 declared 'iso-8859-1', read as utf-8" in parsed.defects


def test_raw_latin1_headers_take_the_message_charset():
    parsed = parse_fixture("raw_latin1_headers.eml")

    assert parsed.sender == Address("Iñaki Etxeberría", "inaki@sidreria-etxeberria.es")
    assert parsed.to == (Address("Atención al cliente", "soporte@ventanilla.example"),)
    assert parsed.subject == "Pedido urgente: 3 cajas de sidra €"
    assert parsed.text_body == (
        "Buenos días, ¿pueden enviarnos el pedido antes del jueves? Cuesta 120 € “más o menos”.\n"
    )


def test_raw_double_byte_headers_use_the_charset_declared_in_the_message():
    raw = (
        'From: "武兰成" <wu@example.cn>\nSubject: 转发：服务水平\nMIME-Version: 1.0\n'
        "Content-Type: text/plain; charset=gb2312\n\n你好\n"
    ).encode("gbk")

    parsed = parse_email(raw)

    assert parsed.sender == Address("武兰成", "wu@example.cn")
    assert parsed.subject == "转发：服务水平"
    assert parsed.text_body == "你好\n"


def test_junk_before_headers_is_skipped_and_broken_folding_repaired():
    parsed = parse_fixture("junk_before_headers.eml")

    assert parsed.sender == Address("Academia de Idiomas", "contacto@academia-idiomas.es")
    assert parsed.subject == "Solicitud de acceso al portal"
    assert parsed.message_id == "junk-1@academia-idiomas.es"
    assert parsed.text_body == "Necesitamos dar de alta a dos profesoras nuevas en el portal.\n"
    assert "junk-before-headers: 1 line(s) skipped" in parsed.defects
    assert parsed.header("X-Spam-Status").endswith(
        "tests=HTML_MESSAGE,MIME_QP_LONG_LINE autolearn=ham"
    )


def test_mbox_from_line_is_not_a_defect():
    raw = b"From maria@example.es Mon Mar 10 10:00:00 2025\n" + fixture_bytes(
        "thunderbird_reply.eml"
    )

    parsed = parse_email(raw)

    assert parsed.subject == "Re: Avería en la impresora del almacén"
    assert parsed.defects == ()


def test_forwarded_message_is_kept_byte_for_byte_as_eml():
    raw = fixture_bytes("forwarded_message.eml")

    parsed = parse_email(raw)

    assert parsed.text_body == "Os reenvío la confirmación: el albarán no cuadra con lo recibido."
    [forwarded] = parsed.attachments
    assert forwarded.is_message
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "Pedido 4417 confirmado – envío mañana.eml"
    start = raw.index(b"From: Pedidos")
    end = raw.index(b"--inner-boundary--\n") + len(b"--inner-boundary--\n")
    assert forwarded.data == raw[start:end]
    inner = parse_email(forwarded.data)  # the .eml is a message in its own right
    assert inner.subject == "Pedido 4417 confirmado – envío mañana"
    assert names(inner.attachments) == ["albaran-4417.pdf"]
    assert inner.attachments[0].data.startswith(b"%PDF-1.4")


def test_uuencoded_block_in_the_text_becomes_an_attachment():
    parsed = parse_fixture("uuencoded_body.eml")

    [report] = parsed.attachments
    assert report.filename == "informe-marzo.txt"
    assert report.content_type == "text/plain"
    assert report.data == b"Informe de incidencias de marzo: 3 abiertas, 5 cerradas.\n"
    assert parsed.text_body == "Adjunto el informe.\n\nSaludos.\n"


def test_x_uuencode_transfer_encoding_is_decoded():
    parsed = parse_fixture("uuencode_part.eml")

    assert parsed.text_body == "Va en la parte adjunta."
    [report] = parsed.attachments
    assert report.data == b"Informe de incidencias de marzo: 3 abiertas, 5 cerradas.\n"


def test_attachment_names_rfc2231_rfc2047_paths_and_unnamed():
    parsed = parse_fixture("attachment_names.eml")

    assert names(parsed.attachments) == [
        "Presupuesto año 2025.pdf",  # RFC 2231, UTF-8
        "Nómina marzo.pdf",  # RFC 2047 inside the quoted parameter
        "Liquidación trimestral (2T).xls",  # RFC 2231 continuations, Latin-1
        "foto año.jpg",  # directories dropped
        "image.jpg",  # no name at all: made from the type
    ]
    assert parsed.attachments[0].data == b"%PDF-1.4\n"


def test_duplicate_names_are_numbered():
    raw = fixture_bytes("attachment_names.eml").replace(
        b"filename*=UTF-8''Presupuesto%20a%C3%B1o%202025.pdf", b'filename="doc.pdf"'
    )
    raw = raw.replace(b'filename="=?ISO-8859-1?Q?N=F3mina_marzo.pdf?="', b'filename="DOC.pdf"')

    parsed = parse_email(raw)

    assert names(parsed.attachments)[:2] == ["doc.pdf", "DOC (2).pdf"]


def test_html_only_message_is_sanitised_and_gets_a_text_body():
    parsed = parse_fixture("html_only.eml")

    assert parsed.subject == "Revisión anual – equipos de aire"  # windows-1252 0x96
    assert parsed.body_format == "text/html"
    for dangerous in ("<script", "<iframe", "onload", "onclick", "<style", "color:red"):
        assert dangerous not in parsed.html_body
    assert '<a href="https://climatizacion-sur.example/cita" rel="' in parsed.html_body
    assert parsed.text_body == (
        "Estimado cliente:\n\nLa revisión anual de los equipos será el martes.\n"
        "Horario: 9:00–14:00.\n\n- Filtros\n- Presión del gas\n\nConfirmar cita"
    )


def test_text_with_inline_images_gets_an_html_body_in_order():
    raw = b"""From: Rosa <rosa@example.es>
To: soporte@ventanilla.example
Subject: Captura
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Antes de la imagen.
--b
Content-Type: image/png; name="pantalla.png"
Content-Disposition: inline; filename="pantalla.png"
Content-ID: <pantalla@example.es>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--b
Content-Type: text/plain; charset=utf-8

Despu\xc3\xa9s de la imagen.
--b--
"""
    parsed = parse_email(raw)

    assert parsed.text_body == "Antes de la imagen.\nDespués de la imagen."
    html = parsed.html_body
    assert html.index("Antes") < html.index('src="cid:pantalla@example.es"') < html.index("Después")
    assert [a.inline for a in parsed.attachments] == [True]


# --- automatic mail ------------------------------------------------------------------------------


def test_out_of_office_reply_is_flagged():
    parsed = parse_fixture("autoreply_vacaciones.eml")

    assert parsed.subject == "Respuesta automática: Fuera de la oficina"
    assert parsed.flags.auto_reply
    assert parsed.flags.automated
    assert not parsed.flags.bounce
    assert "Auto-Submitted: auto-replied" in parsed.flags.reasons


def test_bounce_is_flagged_and_keeps_the_report_and_the_original():
    parsed = parse_fixture("bounce_dsn.eml")

    assert parsed.flags.bounce
    assert parsed.sender.email == "MAILER-DAEMON@mx.ventanilla.example"
    assert parsed.sender.name == "Mail Delivery System"
    assert names(parsed.attachments) == [
        "delivery-status.txt",
        "[C-2025-77] Su caso ha sido actualizado.eml",  # no "/" in a file name
    ]
    report, original = parsed.attachments
    assert b"Status: 5.1.1" in report.data
    assert original.is_message
    assert parse_email(original.data).message_id == "caso-C-2025-77-3@ventanilla.example"


PLAIN = b"""From: Laura <laura@example.es>
To: soporte@ventanilla.example
Subject: Consulta
%s
Hola.
"""


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        (b"Auto-Submitted: auto-generated\n", "auto_reply"),
        (b"X-Autorespond: yes\n", "auto_reply"),
        (b"X-Auto-Response-Suppress: DR, OOF, AutoReply\n", "auto_reply"),
        (b"X-Auto-Response-Suppress: All\n", "auto_reply"),
        (b"Precedence: bulk\n", "bulk"),
        (b"Precedence: junk\n", "bulk"),
        (b"Precedence: list\n", "mailing_list"),
        (b"List-Id: Clientes <clientes.lista.example.es>\n", "mailing_list"),
        (b"Return-Path: <>\n", "auto_reply"),
        (b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n", "bounce"),
        (b"X-Failed-Recipients: nadie@example.es\n", "bounce"),
    ],
)
def test_automatic_markers(extra, kind):
    parsed = parse_email(PLAIN % extra)

    assert getattr(parsed.flags, kind)
    assert parsed.flags.automated
    assert parsed.flags.reasons


@pytest.mark.parametrize(
    "extra",
    [b"", b"Auto-Submitted: no\n", b"X-Auto-Response-Suppress: RN, NRN\n", b"Precedence: normal\n"],
)
def test_person_written_mail_is_not_flagged(extra):
    parsed = parse_email(PLAIN % extra)

    assert not parsed.flags.automated
    assert parsed.flags.reasons == ()


@pytest.mark.parametrize("sender", [b"MAILER-DAEMON@example.es", b"postmaster@example.es"])
def test_mailer_daemon_sender_is_a_bounce(sender):
    raw = PLAIN.replace(b"laura@example.es", sender) % b""

    assert parse_email(raw).flags.bounce


# --- the sender, when From is not enough ---------------------------------------------------------


def test_sender_falls_back_to_reply_to_when_from_has_no_address():
    raw = b'From: "Ventas" <>\nReply-To: ventas@example.es\nSubject: x\n\nHola\n'

    parsed = parse_email(raw)

    assert parsed.sender == Address("", "ventas@example.es")
    assert parsed.from_header == '"Ventas" <>'


def test_sender_is_the_first_address_with_an_at_sign():
    raw = b'From: "Nadie" <>, "Ana" <ana@example.es>\nSubject: x\n\nHola\n'

    assert parse_email(raw).sender == Address("Ana", "ana@example.es")


def test_repeated_from_uses_the_one_with_an_address():
    raw = b"From: [??????]\nFrom: =?utf-8?Q?Jos=C3=A9?= <jose@example.es>\nSubject: x\n\nHola\n"

    assert parse_email(raw).sender == Address("José", "jose@example.es")


def test_comment_as_display_name():
    raw = b"From: marc.sole@example.es (Marc Sol\xc3\xa9)\nSubject: x\n\nHola\n"

    assert parse_email(raw).sender == Address("Marc Solé", "marc.sole@example.es")


# --- never raises --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\n\n",
        b"\x00\xff\xfe garbage without headers",
        b"Subject: solo cabeceras",
        b"From: a@b.es\nContent-Type: multipart/mixed; boundary=nunca\n\nsin partes\n",
        b"From: a@b.es\nContent-Type: text/plain; charset=unicode-escape\n\n\\N{BEL} \xe9\n",
        b'From: a@b.es\nContent-Type: text/plain; charset="\n\n\xff\xfe\n',
        b"From: a@b.es\nContent-Transfer-Encoding: base64\n\n!!!!====abc=\n",
        b"From: =?utf-8?B?####?= <a@b.es>\nSubject: =?x-nope?Q?hola?=\n\n.",
        b"From: a@b.es\nDate: 31 Feb 99999 25:61:00 +9999\n\nHola",
    ],
)
def test_malformed_input_gives_a_parsed_email(raw):
    parsed = parse_email(raw)

    assert isinstance(parsed, ParsedEmail)
    assert not [d for d in parsed.defects if d.startswith("internal-error")]
    json.dumps(to_corpus_json(parsed), ensure_ascii=False).encode("utf-8")


def test_multipart_without_its_boundary_keeps_the_text():
    raw = (
        b"From: a@b.es\nContent-Type: multipart/mixed; boundary=nunca\n"
        b"Content-Transfer-Encoding: quoted-printable\n\nSe=C3=B1ales perdidas\n"
    )

    assert parse_email(raw).text_body == "Señales perdidas\n"


# --- pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("=?UTF-8?Q?Petici=C3=B3n_urgente?=", "Petición urgente"),
        ("=?utf-8?B?QXZlcsOtYQ==?=", "Avería"),
        ("=?ISO-8859-1?Q?a=F1o?= nuevo", "año nuevo"),
        ("=?windows-1252?B?gCBwYWdhZG8=?=", "€ pagado"),
        ("=?iso-8859-1?Q?Jos=E9?= =?utf-8?Q?_Garc=C3=ADa?=", "José García"),  # space dropped
        ("=?utf-8?B?w6E=?==?utf-8?B?w6k=?=", "áé"),
        ("=?x-desconocido?Q?caf=E9?=", "café"),
        ("=?utf-8?Q?sin cerrar", "=?utf-8?Q?sin cerrar"),
        ("Re: =?gb2312?B?1tDOxA==?=", "Re: 中文"),
        ("=?shift_jis?B?h0A=?=", "①"),  # cp932 extension
        ("=?utf-8?Q?con\r\n plegado?=", "con plegado"),  # folded inside the word: still read
        ("L\udcednea\r\n\tdoblada", "Línea\tdoblada"),  # raw 8-bit Latin-1, unfolded
    ],
)
def test_decode_header(raw, text):
    assert decode_header(raw) == text


@pytest.mark.parametrize(
    ("data", "label", "text", "codec"),
    [
        ("España".encode(), "utf-8", "España", "utf-8"),
        (b"Espa\xf1a \x80", "iso-8859-1", "España €", "cp1252"),
        ("España".encode(), "iso-8859-1", "España", "utf-8"),  # mislabelled
        ("España".encode("cp1252"), "utf-8", "España", "cp1252"),
        ("Está ok".encode() + b" y \xf1", "utf-8", "Está ok y ñ", "utf-8+cp1252"),
        ("——".encode("gbk"), "gb2312", "——", "gb18030"),
        ("①".encode("cp932"), "shift_jis", "①", "cp932"),
        ("주문".encode("cp949"), "ks_c_5601-1987", "주문", "cp949"),
        (b"\x81\x8d", "utf-8", "\x81\x8d", "cp1252"),  # no byte is lost
        (b"+AOk-t+AOk-", "unicode-1-1-utf-7", "été", "utf-7"),
        (b"caf\xe9", '"3Dutf-8"', "café", "cp1252"),
        (b"caf\xe9", "unicode-escape", "café", "cp1252"),  # not a charset: ignored
        (b"caf\xc3\xa9", None, "café", "utf-8"),
    ],
)
def test_decode_bytes(data, label, text, codec):
    decoded = decode_bytes(data, label)

    assert (decoded.text, decoded.codec) == (text, codec)


def test_unlabelled_double_byte_text_is_guessed():
    data = "机房环境法规，请查收附件。".encode("gbk")

    assert decode_bytes(data).text == "机房环境法规，请查收附件。"


@pytest.mark.parametrize(
    ("header", "addresses"),
    [
        ('"Müller, Bernd" <b@example.de>', [("Müller, Bernd", "b@example.de")]),
        ("Ana <ana@a.es>, Luis <luis@a.es>", [("Ana", "ana@a.es"), ("Luis", "luis@a.es")]),
        ("Max | [empresa] <max@a.es>", [("Max | [empresa]", "max@a.es")]),
        ('"Nombre" (nombre@a.es)', [("Nombre", "nombre@a.es")]),
        ("equipo: a@a.es, b@a.es;", [("", "a@a.es"), ("", "b@a.es")]),
        ("undisclosed-recipients:;", []),
        ("'Pilar' <pilar@a.es>", [("Pilar", "pilar@a.es")]),
        ('"Juan \\"el jefe\\"" <j@a.es>', [("Juan el jefe", "j@a.es")]),
        ("<solo@a.es>", [("", "solo@a.es")]),
        ("Test test@example.com", [("Test", "test@example.com")]),
    ],
)
def test_parse_addresses(header, addresses):
    assert parse_addresses(header) == tuple(Address(n, e) for n, e in addresses)


def test_message_ids():
    assert message_ids("<a@b> <c@d>\r\n <a@b>") == ("a@b", "c@d")
    assert message_ids("sin-corchetes@b") == ("sin-corchetes@b",)
    assert message_ids("") == ()


def test_clean_bytes_leaves_a_good_message_untouched():
    raw = fixture_bytes("outlook_reply.eml")

    assert clean_message_bytes(raw) == (raw, [])


# --- the command and the corpus view ------------------------------------------------------------


def test_parse_email_command_prints_corpus_json():
    out = io.StringIO()

    call_command("parse_email", str(FIXTURES / "gmail_inline_image.eml"), stdout=out)

    data = json.loads(out.getvalue())
    assert data["from_email"] == "alvaro.martin@gmail.com"
    assert data["from_name"] == "Álvaro Martín"
    assert data["to"] == [{"name": "", "email": "soporte@ventanilla.example"}]
    assert data["subject"] == "Re: Factura nº 2025/118 — ¿está pagada?"
    assert data["content_type"] == "text/html"
    [image] = data["attachments"]
    png = parse_fixture("gmail_inline_image.eml").attachments[0].data
    assert image["md5"] == hashlib.md5(png, usedforsecurity=False).hexdigest()
    assert image["size"] == len(png)
    assert data["in_reply_to"] == ["CAF3x+9Q2@mail.gmail.com"]
    assert data["flags"]["automated"] is False


def test_parse_email_command_reads_stdin(monkeypatch):
    raw = fixture_bytes("thunderbird_reply.eml")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()

    call_command("parse_email", "-", stdout=out)

    assert json.loads(out.getvalue())["subject"] == "Re: Avería en la impresora del almacén"


def test_parse_email_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("parse_email", str(tmp_path / "no-existe.eml"))
