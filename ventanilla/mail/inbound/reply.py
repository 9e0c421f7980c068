"""The part of a reply the customer actually wrote: quoted history and signatures cut off.

Pure text work on ``ParsedEmail.text_body``; the raw message is always kept elsewhere. Covers the
attribution lines and separators of Gmail, Outlook, Thunderbird and Apple Mail in Spanish,
English, German and French, ``>`` quotes and ``-- `` signatures.
"""

import re

ATTRIBUTION = re.compile(
    r"^\s*(On\b.*\bwrote:|El\b.*\bescribi[óo]:|Am\b.*\bschrieb.*:|Le\b.*\ba [ée]crit\s*:"
    r"|.*<[^>\s]+@[^>\s]+>\s*(wrote|escribi[óo]|schrieb|a [ée]crit)\s*:)\s*$",
    re.IGNORECASE,
)
# Gmail folds a long attribution over two lines ("El lun, 3 nov 2026, Ana <\na@b> escribió:")
ATTRIBUTION_START = re.compile(r"^\s*(On|El|Am|Le)\s.*\d", re.IGNORECASE)
ATTRIBUTION_END = re.compile(r"(wrote|escribi[óo]|schrieb|a [ée]crit)\s*:\s*$", re.IGNORECASE)
SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Mensaje original|Ursprüngliche Nachricht|Message d'origine)"
    r"\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
HEADER_BLOCK = re.compile(r"^\s*\**(From|De|Von|Van)\s*:\**\s", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^\s*\**(Sent|Enviado(?: el)?|Gesendet|Date|Fecha|To|Para|Subject|Asunto)\s*:", re.IGNORECASE
)
SIGNATURE = re.compile(r"^(-- ?|--)$")
MOBILE = re.compile(
    r"^\s*(Sent from my|Enviado desde mi|Von meinem|Envoyé de mon|Get Outlook for)\b", re.I
)


def visible_reply(text):
    """The new text of a reply; the whole text when nothing would be left."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    cut = _cut_index(lines)
    visible = "\n".join(lines[:cut]).rstrip()
    visible = _drop_trailing_quotes(visible)
    return visible.strip() or (text or "").strip()


def strip_signature(text):
    """Only the signature (for a new case the quoted part may be the information)."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        if SIGNATURE.match(line.rstrip()) or MOBILE.match(line):
            kept = "\n".join(lines[:index]).strip()
            return kept or (text or "").strip()
    return (text or "").strip()


def _cut_index(lines):
    for index, line in enumerate(lines):
        stripped = line.rstrip()
        if ATTRIBUTION.match(stripped) or SEPARATOR.match(stripped):
            return index
        if SIGNATURE.match(stripped) or MOBILE.match(stripped):
            return index
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if ATTRIBUTION_START.match(stripped) and ATTRIBUTION_END.search(following):
            return index
        if HEADER_BLOCK.match(stripped) and _header_block_follows(lines, index):
            return index
    return len(lines)


def _header_block_follows(lines, index):
    window = [line for line in lines[index + 1 : index + 4] if line.strip()]
    return any(HEADER_NEXT.match(line) for line in window)


def _drop_trailing_quotes(text):
    lines = text.split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines)
