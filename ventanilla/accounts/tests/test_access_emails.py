"""The access emails render in Spanish and English, and the plain-text part is not HTML-escaped."""

from types import SimpleNamespace as NS

import pytest

from ventanilla.mail.services import render_email

TEMPLATES = [
    "account_reset",
    "account_verify",
    "account_exists",
    "account_pending",
    "account_access_request",
]
CONTEXT = {
    "site_url": "https://soporte.example.es",
    "brand": "Ventanilla",
    "contact": NS(name="Ana O'Neill & Co", email="ana@talleresebro.test"),
    "admin": NS(name="Pilar Esteban"),
    "organization": NS(name="Talleres Ebro S.L.", code="TEB01", tax_id="B12345674"),
    "email": "ana@talleresebro.test",
    "link_hours": 24,
    "url": "https://soporte.example.es/cuenta/contrasena/abc:def/",
}


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_access_email_speaks_both_languages(template):
    spanish, english = render_email(template, CONTEXT, "es"), render_email(template, CONTEXT, "en")
    assert spanish[0] != english[0]  # the subject is translated
    for subject, text, html in (spanish, english):
        assert subject and "{{" not in text and "{%" not in html
        assert "&#x27;" not in text and "&amp;" not in text
        if template in {"account_reset", "account_verify", "account_exists"}:
            assert CONTEXT["url"] in text and f'href="{CONTEXT["url"]}"' in html
    assert "Hola" in spanish[1] or "Hola" in spanish[2]
