"""Choosing and decoding the body.

The rule (the one the corpus peer follows, and what a reader of the message saw):

1. the first ``text/html`` part that is not an attachment (no filename, not ``attachment``),
   depth-first, is the HTML body; it is sanitised with ``ventanilla.lib.html.sanitize_html``;
2. with no HTML part but inline images beside the text, an HTML body is composed: every text part
   as paragraphs, every inline image as ``<img src="cid:…">``, in the order they came;
3. the plain text body is every ``text/plain`` part that is not an attachment, joined in order; a
   message with HTML only gets its text from the HTML;
4. a message that is a single text part is its own body, whatever its headers say.

Text is decoded with ``charsets.decode_bytes`` (declared label → superset → UTF-8 → cp1252), line
endings become LF, and uuencoded blocks inside plain text are lifted out as attachments.
"""

import re
from dataclasses import dataclass, field

from ventanilla.lib.html import sanitize_html, text_to_html

from .charsets import decode_bytes
from .htmltext import html_to_text
from .mime import leaf_bytes
from .transfer import uu_lenient

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_UU_BLOCK = re.compile(r"^begin [0-7]{3,4} ([^\n]+)\n((?:[ -`]+\n)*)end[ \t]*$", re.MULTILINE)


@dataclass
class Bodies:
    text: str = ""
    html: str = ""
    used: set = field(default_factory=set)  # leaf indexes consumed as body
    uuencoded: list = field(default_factory=list)  # (filename, bytes) lifted out of the text
    defects: list = field(default_factory=list)


def is_text_candidate(leaf, single):
    if leaf.content_type not in ("text/plain", "text/html"):
        return False
    if single:
        return True
    return not leaf.declared_filename and leaf.disposition != "attachment"


def is_inline_image(leaf):
    if leaf.maintype != "image":
        return False
    return leaf.disposition == "inline" or (not leaf.disposition and bool(leaf.content_id))


def decode_leaf_text(leaf, defects):
    data = leaf_bytes(leaf)
    label = leaf.charset
    if leaf.subtype == "html" and not label:
        meta = _META_CHARSET.search(data[:4096])
        label = meta.group(1).decode("ascii") if meta else None
    decoded = decode_bytes(data, label)
    if decoded.fallback:
        defects.append(
            f"charset: part {leaf.index} declared {decoded.declared!r}, read as {decoded.codec}"
        )
    return decoded.text.replace("\r\n", "\n").replace("\r", "\n")


def choose_bodies(leaves, single):
    bodies = Bodies()
    candidates = [leaf for leaf in leaves if is_text_candidate(leaf, single)]
    plain = [leaf for leaf in candidates if leaf.subtype == "plain"]
    html = next((leaf for leaf in candidates if leaf.subtype == "html"), None)
    bodies.used.update(leaf.index for leaf in plain)
    texts = {leaf.index: _plain_text(leaf, bodies) for leaf in plain}
    bodies.text = "\n".join(texts[leaf.index] for leaf in plain)
    if html is not None:
        bodies.used.add(html.index)
        source = decode_leaf_text(html, bodies.defects)
        bodies.html = sanitize_html(source)
        if not plain:
            bodies.text = html_to_text(source)  # the original: <head> and <title> are skipped
    elif plain and any(is_inline_image(leaf) for leaf in leaves):
        bodies.html = _compose_html(leaves, texts)
    return bodies


def _plain_text(leaf, bodies):
    text = decode_leaf_text(leaf, bodies.defects)
    text, files = extract_uuencoded(text)
    bodies.uuencoded.extend(files)
    return text


def _compose_html(leaves, texts):
    """Text parts and inline images, in order, as one HTML body."""
    pieces = []
    for leaf in leaves:
        if leaf.index in texts:
            pieces.append(text_to_html(texts[leaf.index]))
        elif is_inline_image(leaf) and leaf.content_id:
            pieces.append(f'<p><img src="cid:{_attr(leaf.content_id)}"></p>')
    return sanitize_html("".join(pieces))


def _attr(value):
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def extract_uuencoded(text):
    """Lift ``begin 644 name`` … ``end`` blocks out of plain text: (text, [(name, bytes)])."""
    if "begin " not in text:
        return text, []
    files = []

    def lift(match):
        files.append((match.group(1).strip(), uu_lenient(match.group(2).encode("ascii"))))
        return ""

    text = _UU_BLOCK.sub(lift, text)
    return (re.sub(r"\n{3,}", "\n\n", text) if files else text), files
