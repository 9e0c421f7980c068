"""Spanish first: the Spanish catalogue is complete, compiled, and covers the source."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
TEMPLATE_LITERAL = re.compile(r"""\{%\s*translate\s+"([^"]+)"(?:\s+context\s+"[^"]*")?\s*%\}""")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def parse_po(path):
    """(msgid, msgstr, fuzzy, context) for every entry of a .po file (plurals: first form)."""
    entries, current, field, fuzzy = [], {}, None, False
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in current:
                entry = (current["msgid"], current.get("msgstr", ""), fuzzy, current.get("msgctxt"))
                entries.append(entry)
            current, field, fuzzy = {}, None, False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgid ", "msgstr ", "msgstr[0] ", "msgid_plural ", "msgctxt ")):
            key, _, value = line.partition(" ")
            field = {"msgstr[0]": "msgstr"}.get(key, key)
            current[field] = ast.literal_eval(value)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    return [entry for entry in entries if entry[0]]


def source_msgids():
    found = set()
    for path in (ROOT / "ventanilla").rglob("*.html"):
        found |= set(TEMPLATE_LITERAL.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "ventanilla").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[-1], ast.Constant)
                and isinstance(node.args[-1].value, str)
            ):
                found.add(node.args[-1].value)
    return found


def _lookup(context, msgid):
    return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


@pytest.fixture(scope="module")
def entries():
    return parse_po(PO)


def test_every_spanish_entry_is_translated_and_not_fuzzy(entries):
    untranslated = [msgid for msgid, msgstr, fuzzy, _c in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file(entries):
    with translation.override("es"):
        stale = [
            msgid
            for msgid, msgstr, _f, context in entries
            if "%(" not in msgid and "\n" not in msgid and _lookup(context, msgid) != msgstr
        ]
    assert stale == [], "run: python manage.py compilemessages"


def test_catalogue_covers_every_literal_in_the_source(entries):
    known = {msgid for msgid, _s, _f, _c in entries}
    missing = sorted(source_msgids() - known)
    assert missing == [], "run: python manage.py makemessages -l es -l en, then translate"


def test_spanish_plurals_fill_every_form():
    """Spanish has three plural forms (one, millions, other): an entry without its third form
    silently falls back to English for ordinary counts like 3."""
    text = PO.read_text(encoding="utf-8")
    missing = []
    for block in text.split("\n\n"):
        if "\nmsgid_plural " not in block or block.lstrip().startswith("#~"):
            continue
        found = re.findall(r'^msgstr\[(\d)\] ((?:".*"\n?)+)', block, re.MULTILINE)
        forms = {n: "".join(map(ast.literal_eval, v.strip().splitlines())) for n, v in found}
        if not all(forms.get(str(n)) for n in range(3)):
            missing.append(block.split("msgid_plural")[0])
    assert missing == []
