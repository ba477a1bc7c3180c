"""Item 6 (dossiers/uploads.py): bounded uploads, streamed to disk, content sniffed, pixel limit."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dossiers.uploads import MB, Upload, clean_uploads, dossier_upload_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes(width=20, height=10) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def png_bomb(width=60_000, height=60_000) -> bytes:
    """A PNG that announces 3.6 billion pixels in a few hundred bytes (a decompression bomb: the
    compressed rows of zeros would inflate to gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 16, 9)  # the first 16 rows, enough for a header check
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def errors_of(callable_, *args, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as info:
        callable_(*args, **kwargs)
    return info.value.message_dict["attachments"]


def test_type_and_extension_come_from_the_content():
    cleaned = clean_uploads(
        [
            Upload.from_bytes("giay-to.pdf", png_bytes(), "application/pdf"),  # a PNG named .pdf
            Upload.from_bytes("scan", jpeg_bytes()),
            Upload.from_bytes("don.PNG", PDF, "image/png"),
        ]
    )
    assert [(c.kind, c.extension, c.content_type) for c in cleaned] == [
        ("png", "png", "image/png"),
        ("jpeg", "jpg", "image/jpeg"),
        ("pdf", "pdf", "application/pdf"),
    ]
    assert cleaned[0].as_file().name == "scan.png" and cleaned[0].size == len(png_bytes())


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 an executable", b"<html><script>alert(1)</script>", b"GIF89a....", b"PK\x03\x04 a zip"],
)
def test_other_types_are_refused_whatever_their_name(content):
    messages = errors_of(clean_uploads, [Upload.from_bytes("scan.pdf", content, "application/pdf")])
    assert len(messages) == 1 and "scan.pdf" in messages[0]


def test_decompression_bomb_is_refused_with_a_message_and_without_decoding():
    bomb = png_bomb()
    assert len(bomb) < 10_000
    messages = errors_of(clean_uploads, [Upload.from_bytes("bom.png", bomb)])
    assert "bom.png" in messages[0] and "40" in messages[0]


def test_pixel_limit_is_a_setting(settings):
    settings.ONESTOP_UPLOAD_MAX_PIXELS = 100
    errors_of(clean_uploads, [Upload.from_bytes("a.png", png_bytes(20, 10))])  # 200 pixels
    settings.ONESTOP_UPLOAD_MAX_PIXELS = 200
    assert clean_uploads([Upload.from_bytes("a.png", png_bytes(20, 10))])


def test_broken_image_is_refused():
    data = png_bytes()
    broken = data[:40] + b"\x00" * 20 + data[60:]
    errors_of(clean_uploads, [Upload.from_bytes("hong.png", broken)])


def test_size_limits_per_file_per_request_and_per_dossier(settings):
    settings.ONESTOP_UPLOAD_MAX_FILE_BYTES = 1 * MB
    settings.ONESTOP_UPLOAD_MAX_REQUEST_BYTES = 2 * MB
    settings.ONESTOP_UPLOAD_MAX_DOSSIER_BYTES = 3 * MB
    settings.ONESTOP_UPLOAD_MAX_FILES = 4
    big = PDF + b"0" * (MB // 2)
    assert len(clean_uploads([Upload.from_bytes(f"{n}.pdf", big) for n in range(3)])) == 3  # 1.5 MB
    assert "1 MB" in errors_of(clean_uploads, [Upload.from_bytes("to.pdf", PDF + b"0" * MB)])[0]
    assert "2 MB" in errors_of(clean_uploads, [Upload.from_bytes(f"{n}.pdf", big) for n in range(4)])[0]
    assert errors_of(clean_uploads, [Upload.from_bytes(f"{n}.pdf", PDF) for n in range(5)])
    message = errors_of(clean_uploads, [Upload.from_bytes("a.pdf", big)], existing_bytes=int(2.8 * MB))[0]
    assert "3 MB" in message
    assert clean_uploads([Upload.from_bytes("a.pdf", big)], existing_bytes=2 * MB)
    assert errors_of(clean_uploads, [Upload.from_bytes("rong.pdf", b"")])


def test_every_problem_is_listed_at_once():
    messages = errors_of(
        clean_uploads,
        [Upload.from_bytes("a.exe", b"MZ"), Upload.from_bytes("b.png", png_bomb()), Upload.from_bytes("c.pdf", PDF)],
    )
    assert len(messages) == 2


@pytest.mark.urls("tests.security.upload_urls")
def test_request_is_streamed_to_disk_and_bounded(client, settings):
    settings.ONESTOP_UPLOAD_MAX_REQUEST_BYTES = 1 * MB
    settings.ONESTOP_UPLOAD_MAX_FILE_BYTES = 1 * MB
    small = [SimpleUploadedFile(f"{n}.pdf", PDF + b"0" * 1000) for n in range(2)] + [
        SimpleUploadedFile("anh.jpg", jpeg_bytes())
    ]
    response = client.post("/take/", {"scans": small})
    assert response.status_code == 200, response.content
    assert response.json() == {"on_disk": [True, True, True], "kinds": ["pdf", "pdf", "jpg"]}
    # Three files of 400 KB: the third one passes the 1 MB of the request while it streams.
    large = [SimpleUploadedFile(f"{n}.pdf", PDF + b"0" * 400_000) for n in range(3)]
    response = client.post("/take/", {"scans": large})
    assert response.status_code == 400
    assert "1 MB" in response.json()["errors"]["attachments"][0]


@pytest.mark.urls("tests.security.upload_urls")
def test_a_body_announced_too_large_is_refused_unread(client, settings):
    settings.ONESTOP_UPLOAD_MAX_REQUEST_BYTES = 1 * MB
    response = client.generic(
        "POST",
        "/take/",
        b"x" * 100,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(200 * MB),
    )
    assert response.status_code == 400


def test_dossier_upload_bytes(db, receive, clerk):
    from dossiers.models import Attachment

    dossier = receive("1.001193")
    assert dossier_upload_bytes(dossier) == 0
    for size in (100, 250):
        attachment = Attachment(dossier=dossier, original_name="a.pdf", content_type="application/pdf", size=size)
        attachment.uploaded_by = clerk
        attachment.file.name = f"dossiers/test-{size}.pdf"
        attachment.save()
    assert dossier_upload_bytes(dossier) == 350
