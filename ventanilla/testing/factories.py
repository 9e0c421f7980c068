"""Small helpers that build test data through the real services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.tickets.services import ticket_open

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4a40000000049454e44ae426082"
)
PDF_MIN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_upload(name="captura.png"):
    return SimpleUploadedFile(name, PNG_1PX, content_type="image/png")


def pdf_upload(name="informe.pdf", size=None):
    data = PDF_MIN if size is None else PDF_MIN + b"0" * (size - len(PDF_MIN))
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def open_ticket(
    cast,
    *,
    role="customer",
    by=None,
    subject="No arranca el módulo de facturas",
    description="Al abrir facturas aparece un error 500.",
    **kwargs,
):
    requester = cast.contacts[role]
    kwargs.setdefault("consent", True)
    kwargs.setdefault("product", cast.products["erp"])
    return ticket_open(
        by=by or cast.users[role],
        requester=requester,
        subject=subject,
        description=description,
        **kwargs,
    )


# A Windows executable header: what a ".pdf" that is really a program starts with.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
