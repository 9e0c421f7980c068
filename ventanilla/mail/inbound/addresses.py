"""Address lists as people and broken mailers write them.

A small tolerant reader instead of ``email.utils.getaddresses``: it keeps going where the stdlib
gives up (brackets in a phrase, ``Name (addr@x)``, ``"x" <>``, groups, stray quotes). Input is a
header already made into text by ``headers.decode_structured`` (encoded words turned into quoted
strings, so a comma inside a decoded name cannot split the list).
"""

import re

from .model import Address

ADDR_SPEC = re.compile(r"(?:\"[^\"]*\"|[^\s<>()\[\],;:\"]+)@[^\s<>()\[\],;:\"]+")
_GROUP_PREFIX = re.compile(r'^\s*[^"<>@(),;:]*:(?!:)')
_ROUTE = re.compile(r"^(?:@[^:,]*,?)+:")


def split_list(text):
    """Split at commas and semicolons that stand outside quotes, <…> and (…)."""
    items, current, quoted, angle, depth, escaped = [], [], False, False, 0, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"' and not depth:
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")" and depth:
            depth -= 1
        elif not quoted and not depth and char in "<>":
            angle = char == "<"
        elif not quoted and not depth and not angle and char in ",;":
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item for item in items if item.strip()]


def _pull_comments(text):
    """Return (text without top-level comments, [comment texts])."""
    out, comments, current, quoted, depth, escaped = [], [], [], False, 0, False
    for char in text:
        if escaped:
            escaped = False
            (current if depth else out).append(char)
            continue
        if char == "\\":
            escaped = True
        elif char == '"' and not depth:
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
            if depth == 1:
                continue
        elif char == ")" and not quoted and depth:
            depth -= 1
            if not depth:
                comments.append("".join(current).strip())
                current = []
                continue
        (current if depth else out).append(char)
    return "".join(out), comments


def unquote_name(text):
    """A display phrase as readable text: quotes removed, escapes undone, spaces collapsed."""
    text = " ".join(text.split())
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    text = re.sub(r"\\(.)", r"\1", text).replace('"', "")
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return " ".join(text.split())


def clean_email(text):
    text = str(text).strip()
    if '"' not in text:
        text = "".join(text.split())
    text = text.strip("<>")
    text = _ROUTE.sub("", text)
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return text


def parse_one(item):
    """One list item → Address (email may lack '@' when the writer gave none)."""
    item = _GROUP_PREFIX.sub("", item, count=1).strip()
    rest, comments = _pull_comments(item)
    angle = re.search(r"<([^<>]*)>?\s*$", rest) or re.search(r"<([^<>]*)>", rest)
    if angle:
        email = clean_email(angle.group(1))
        phrase = (rest[: angle.start()] + " " + rest[angle.end() :]).strip()
    else:
        email, phrase = _bare_address(rest)
    name = unquote_name(phrase) or (unquote_name(comments[0]) if comments else "")
    if "@" not in email:
        email, name = _rescue(email, name, phrase, comments)
    return Address(name=name, email=email)


def _bare_address(text):
    """``addr``, or ``Name addr`` written without angle brackets: (email, phrase)."""
    text = text.strip()
    found = ADDR_SPEC.search(text)
    if found is None or found.group(0) == text:
        return clean_email(text), ""
    phrase = (text[: found.start()] + " " + text[found.end() :]).strip()
    return clean_email(found.group(0)), phrase


def _rescue(email, name, phrase, comments):
    """No address in the usual place: look for one in the phrase or the comments."""
    for source in [phrase, *comments]:
        found = ADDR_SPEC.search(source)
        if found:
            rest = " ".join(
                part for part in (email, unquote_name(source.replace(found.group(0), ""))) if part
            )
            return clean_email(found.group(0)), unquote_name(rest) or name
    return email, name


def parse_addresses(text):
    """All addresses in a header value (items without any address are dropped)."""
    if not text:
        return ()
    found = (parse_one(item) for item in split_list(text))
    return tuple(address for address in found if address.email)
