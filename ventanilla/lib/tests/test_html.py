from ventanilla.lib.html import sanitize_html, text_to_html


def test_scripts_handlers_and_javascript_links_are_removed():
    dirty = (
        '<p onclick="x()">Hola<script>alert(1)</script><a href="javascript:alert(1)">ver</a></p>'
    )
    clean = sanitize_html(dirty)
    assert "script" not in clean
    assert "onclick" not in clean
    assert "javascript:" not in clean
    assert "Hola" in clean


def test_links_get_safe_rel():
    assert 'rel="noopener noreferrer nofollow"' in sanitize_html('<a href="https://x.es">x</a>')


def test_plain_text_becomes_escaped_paragraphs_with_links():
    html = text_to_html("Hola <b>equipo</b>\n\nVer https://estado.example.com\nGracias")
    assert "&lt;b&gt;" in html
    assert html.count("<p>") == 2
    assert '<a href="https://estado.example.com"' in html
    assert "<br>" in html
