"""Upload checks: allowed extension, size, and a content sniff that must agree with the extension.

Pure module (no models). Used by the tickets services for every attachment, whatever the channel.
"""

from dataclasses import dataclass
from pathlib import PurePath

import magic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SNIFF_BYTES = 256 * 1024
OLE = {"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"}
ZIP = {"application/zip", "application/x-zip-compressed"}
# What the content of a file may be sniffed as, per extension.
SNIFFED_TYPES = {
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "pdf": {"application/pdf"},
    "xls": {"application/vnd.ms-excel"} | OLE,
    "doc": {"application/msword"} | OLE,
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} | ZIP,
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"} | ZIP,
    "xml": {"text/xml", "application/xml", "text/plain"},
    "txt": {"text/plain", "text/csv", "application/csv", "text/x-Algol68"},
    "csv": {"text/plain", "text/csv", "application/csv"},
    "zip": ZIP,
    "webm": {"video/webm", "audio/webm"},
    "mp4": {"video/mp4"},
}


@dataclass(frozen=True)
class UploadProblem(Exception):
    message: str

    def __str__(self):
        return self.message


def allowed_extensions():
    return [ext.lower() for ext in settings.VENTANILLA_UPLOAD_EXTENSIONS]


def extension_of(name):
    return PurePath(name or "").suffix.lower().lstrip(".")


def sniff(head):
    return magic.from_buffer(head, mime=True)


def check_upload(*, name, size, head):
    """Return the sniffed content type, or raise UploadProblem with a translated reason."""
    ext = extension_of(name)
    allowed = allowed_extensions()
    if ext not in allowed:
        raise UploadProblem(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(allowed)}
        )
    limit = settings.VENTANILLA_UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadProblem(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise UploadProblem(_("“%(name)s” is empty.") % {"name": name})
    content_type = sniff(head)
    if content_type not in SNIFFED_TYPES.get(ext, set()):
        raise UploadProblem(
            _("The content of “%(name)s” does not match its .%(ext)s extension.")
            % {"name": name, "ext": ext}
        )
    return content_type


def check_uploaded_file(uploaded):
    """check_upload for a Django UploadedFile; leaves the file at position 0."""
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    return check_upload(name=uploaded.name, size=uploaded.size, head=head)
