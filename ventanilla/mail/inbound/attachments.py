"""Every part that is not the body becomes an attachment, with a usable file name.

File names come from, in order: Content-Disposition ``filename`` (RFC 2231 and RFC 2047 decoded,
raw 8-bit bytes read), Content-Type ``name``, the Subject of an embedded message (+ ``.eml``), a
Content-ID that looks like a file name, and last a name made from the type (``image.jpg``,
``delivery-status.txt``). Names are stripped of paths and control characters and made unique.
"""

import mimetypes
import re

from .headers import decode_header
from .mime import leaf_bytes
from .model import Attachment

MAX_NAME = 200
_TYPE_NAMES = {
    "message/rfc822": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "rfc822-headers.txt",
    "text/html": "document.html",
    "text/plain": "document.txt",
    "text/calendar": "invite.ics",
    "application/pgp-signature": "signature.asc",
    "application/pkcs7-signature": "smime.p7s",
    "application/x-pkcs7-signature": "smime.p7s",
    "application/pkcs7-mime": "smime.p7m",
}
_EXTENSIONS = {"image/jpg": ".jpg", "image/pjpeg": ".jpg", "image/jpeg": ".jpg"}
_CID_FILENAME = re.compile(r"^([\w.\- ]+\.[A-Za-z0-9]{2,5})@")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")


def collect_attachments(leaves, bodies):
    found = []
    for leaf in leaves:
        if leaf.index in bodies.used:
            continue
        data = leaf_bytes(leaf)
        if not data and not leaf.declared_filename and leaf.maintype != "message":
            continue  # an empty unnamed part carries nothing (an empty bounced message does)
        found.append(_from_leaf(leaf, data))
    for name, data in bodies.uuencoded:
        found.append(Attachment(filename=name, content_type=guess_type(name), data=data))
    return _unique_names(found)


def _from_leaf(leaf, data):
    is_message = leaf.maintype == "message" and leaf.subtype in ("rfc822", "global")
    return Attachment(
        filename=choose_filename(leaf),
        content_type=leaf.content_type,
        data=data,
        content_id=leaf.content_id,
        inline=leaf.disposition == "inline" or (not leaf.disposition and bool(leaf.content_id)),
        is_message=is_message,
    )


def choose_filename(leaf):
    name = leaf.declared_filename
    if not name and leaf.maintype == "message":
        name = _embedded_subject(leaf)
    if not name:
        found = _CID_FILENAME.match(leaf.content_id)
        name = found.group(1) if found else ""
    return clean_filename(name) or _type_name(leaf.content_type)


def _embedded_subject(leaf):
    payload = leaf.part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if inner is None or not hasattr(inner, "get"):
        return ""
    subject = decode_header(inner.get("Subject"), leaf.hint) or ""
    subject = clean_filename(re.sub(r"[/\\]", "-", subject))
    return f"{subject[: MAX_NAME - 4]}.eml" if subject else ""


def clean_filename(name):
    """A safe file name: no directories, no control characters, not too long."""
    name = re.split(r"[/\\]", str(name or ""))[-1]
    name = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (
            f"{stem[: MAX_NAME - len(ext) - 1]}.{ext}" if dot and len(ext) <= 8 else name[:MAX_NAME]
        )
    return name


def _type_name(content_type):
    if content_type in _TYPE_NAMES:
        return _TYPE_NAMES[content_type]
    extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ""
    stem = (
        content_type.split("/", 1)[0]
        if content_type.startswith(("image/", "audio/", "video/"))
        else "file"
    )
    return f"{stem}{extension}"


def guess_type(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _unique_names(attachments):
    seen, out = set(), []
    for attachment in attachments:
        name, number = attachment.filename, 1
        while name.lower() in seen:
            number += 1
            stem, dot, ext = attachment.filename.rpartition(".")
            name = (
                f"{stem} ({number}).{ext}" if dot and stem else f"{attachment.filename} ({number})"
            )
        seen.add(name.lower())
        out.append(attachment if name == attachment.filename else _renamed(attachment, name))
    return tuple(out)


def _renamed(attachment, name):
    from dataclasses import replace

    return replace(attachment, filename=name)
