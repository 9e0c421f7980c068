"""Small but real attachment files for the demo (PNG, PDF, TXT), built in memory.

Uploads are sniffed with libmagic, so each file must really be what its extension says.
"""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def _png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_bytes(width, height, bands):
    """An RGB PNG of horizontal bands, like a blurred screenshot: bands is [(rgb, rows), …]."""
    rows = []
    for rgb, count in bands:
        rows.extend([b"\x00" + bytes(rgb) * width] * count)
    rows = (rows + [rows[-1]] * height)[:height]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


def _pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(title, lines):
    """A one-page PDF 1.4 with Helvetica text (WinAnsi, so Spanish accents print)."""
    text = [f"BT /F1 16 Tf 56 780 Td ({_pdf_text(title)}) Tj ET"]
    for number, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 56 {748 - 16 * number} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(text).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def screenshot(rng, name="captura.png"):
    """A 'screenshot': title bar, window, a red error band, in colours varied by `rng`."""
    shade = rng.randrange(180, 240)
    bands = [
        ((40, 60, rng.randrange(90, 160)), 12),
        ((shade, shade, shade), rng.randrange(20, 50)),
        ((200, 40, 40), 10),
        ((245, 245, 245), 60),
    ]
    return SimpleUploadedFile(name, png_bytes(160, 100, bands), content_type="image/png")


def report_pdf(title, lines, name="informe.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(title, lines), content_type="application/pdf")


def log_txt(lines, name="registro.txt"):
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/plain")
