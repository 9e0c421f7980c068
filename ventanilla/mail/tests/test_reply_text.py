"""What is kept of a reply: the new text, without quoted history and signatures."""

import pytest

from ventanilla.lib.tokens import BadToken, make_short_token, read_short_token
from ventanilla.mail.inbound.reply import strip_signature, visible_reply

CASES = [
    ("Gracias.\n\nEl lun, 2 nov 2026 a las 9:00, Ana <a@b.test> escribió:\n> hola", "Gracias."),
    ("Gracias.\n\nEl lun, 2 nov 2026 a las 9:00, Ana (<a@b.test>)\nescribió:\n> x", "Gracias."),
    ("Thanks\n\nOn Mon, Nov 2, 2026 at 9:00 AM Ana <a@b.test> wrote:\n> hi", "Thanks"),
    ("Hecho\n\nOn 02/11/2026 10:00, Soporte wrote:\n> texto", "Hecho"),
    ("Ok\n\n-----Mensaje original-----\nDe: Soporte\nEnviado el: lunes", "Ok"),
    ("Ok\n\n________________________________\nDe: Soporte\nEnviado: lunes\nPara: x", "Ok"),
    ("Ok\nDe: Soporte <s@x.test>\nEnviado: lunes, 2 de noviembre\nPara: Ana\nAsunto: y", "Ok"),
    ("Danke\n\nAm 02.11.2026 um 10:00 schrieb Soporte:\n> x", "Danke"),
    ("Listo\n\n-- \nAna Ruiz\nTalleres Ebro", "Listo"),
    ("Listo\n\nEnviado desde mi iPhone", "Listo"),
    ("Línea 1\nLínea 2\n> cita al final\n>", "Línea 1\nLínea 2"),
    ("> solo una cita", "> solo una cita"),  # nothing new: keep everything
    ("De: Ana, la del almacén, os escribe", "De: Ana, la del almacén, os escribe"),
]


@pytest.mark.parametrize(("text", "visible"), CASES)
def test_visible_reply(text, visible):
    assert visible_reply(text) == visible


def test_new_case_keeps_quotes_but_not_the_signature():
    text = "Reenvío el aviso:\n> El servidor caerá\n\n-- \nAna"
    assert strip_signature(text) == "Reenvío el aviso:\n> El servidor caerá"


def test_short_token_round_trip_and_forgery(settings):
    token = make_short_token("mail-reply", 41)
    assert token == token.lower() and ":" not in token
    assert read_short_token("mail-reply", token.upper()) == 41
    with pytest.raises(BadToken):
        read_short_token("mail-reply", token.replace("41x", "42x"))
    with pytest.raises(BadToken):
        read_short_token("rating", token)
