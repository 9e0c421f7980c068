import io
import zipfile

import pytest

from ventanilla.lib.uploads import UploadProblem, check_upload
from ventanilla.testing.factories import PDF_MIN, PNG_1PX

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leeme.txt", "hola")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("captura.png", PNG_1PX, "image/png"),
        ("informe.pdf", PDF_MIN, "application/pdf"),
        ("notas.txt", "Hola, ¿qué tal?\n".encode(), "text/plain"),
        ("registros.zip", zip_bytes(), "application/zip"),
        ("CAPTURA.PNG", PNG_1PX, "image/png"),
    ],
)
def test_allowed_files_pass_with_their_sniffed_type(name, data, expected):
    assert check_upload(name=name, size=len(data), head=data) == expected


def test_executable_renamed_to_pdf_is_refused_in_spanish():
    with pytest.raises(UploadProblem) as problem:
        check_upload(name="factura.pdf", size=len(EXE), head=EXE)
    assert "no corresponde con su extensión .pdf" in str(problem.value)


def test_disallowed_extension_is_refused_and_lists_accepted_types():
    with pytest.raises(UploadProblem) as problem:
        check_upload(name="instalar.exe", size=len(EXE), head=EXE)
    assert "no es un tipo de archivo admitido" in str(problem.value)
    assert "jpg" in str(problem.value)


def test_file_over_the_limit_is_refused_with_both_sizes(settings):
    settings.VENTANILLA_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    with pytest.raises(UploadProblem) as problem:
        check_upload(name="grande.pdf", size=6 * 1024 * 1024, head=PDF_MIN)
    assert "6,0" in str(problem.value) and "5,0" in str(problem.value)


def test_allowed_types_are_configurable(settings):
    settings.VENTANILLA_UPLOAD_EXTENSIONS = ["pdf"]
    with pytest.raises(UploadProblem):
        check_upload(name="captura.png", size=len(PNG_1PX), head=PNG_1PX)
