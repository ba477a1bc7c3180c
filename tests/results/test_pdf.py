"""PDFs of the printed documents: the same templates, A4, Vietnamese fonts embedded, no network."""

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from results.pdf import RefusedURL, html_to_pdf, local_url_fetcher, render_pdf


def pdf_fonts_and_chars(data: bytes) -> tuple[set[str], set[str], bool]:
    """Base font names, the characters their ToUnicode maps cover, and whether all are embedded."""
    reader = PdfFileReader(BytesIO(data))
    names, chars, embedded = set(), set(), True
    for page in reader.root["/Pages"]["/Kids"]:
        for font in page.get_object()["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"]
            embedded &= any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            cmap = font["/ToUnicode"].get_object().data.decode("latin-1")
            for hexes in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", cmap):
                for i in range(0, len(hexes), 4):
                    chars.add(chr(int(hexes[i : i + 4], 16)))
    return names, chars, embedded


def page_size_mm(data: bytes) -> tuple[float, float]:
    reader = PdfFileReader(BytesIO(data))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    x0, y0, x1, y1 = (float(v) for v in page["/MediaBox"])
    return round((x1 - x0) * 25.4 / 72), round((y1 - y0) * 25.4 / 72)


def assert_vietnamese(data: bytes, text: str):
    names, chars, embedded = pdf_fonts_and_chars(data)
    assert embedded, names
    assert all("DejaVu" in n for n in names), names
    missing = {c for c in text if not c.isspace()} - chars
    assert not missing, f"glyphs missing from the PDF: {missing}"
    if shutil.which("pdftotext"):  # poppler-utils, when installed: the real text comes out
        out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        assert text in " ".join(out.decode().split())


@pytest.mark.django_db
def test_generic_notice_renders_with_vietnamese_text_embedded(dossier):
    from results.services import _document_context

    data = render_pdf("results/generic_notice.html", _document_context(dossier, number="01/KQ"))
    assert data.startswith(b"%PDF-")
    assert page_size_mm(data) == (210, 297)
    assert b"pdfaid:part" in PdfFileReader(BytesIO(data)).root["/Metadata"].get_object().data
    assert_vietnamese(data, "Nguyễn Văn An")
    assert_vietnamese(data, "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")


def test_pdfs_never_use_the_network():
    fetcher = local_url_fetcher()
    for url in ("http://example.com/x.png", "https://cdn.example/x.css", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises((RefusedURL, ValueError)):
            fetcher.fetch(url)
    assert fetcher.fetch("http://127.0.0.1:8000/static/css/print.css").read().startswith(b"/*")
    # A page asking for a remote image still renders (the image is left out)
    data = html_to_pdf('<p>Xin chào</p><img src="http://example.com/x.png">', base_url="http://x/")
    assert data.startswith(b"%PDF-")


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["01", "02", "03", "04", "05", "06"])
def test_staff_get_each_form_as_pdf(client, clerk, dossier, form):
    client.force_login(clerk)
    response = client.get(f"/ket-qua/ho-so/{dossier.code}/mau-{form}.pdf")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-") and page_size_mm(data) == (210, 297)
    assert_vietnamese(data, f"Mẫu số {form}")


@pytest.mark.django_db
def test_form_pdf_receipt_names_the_applicant(client, clerk, dossier):
    client.force_login(clerk)
    data = client.get(f"/ket-qua/ho-so/{dossier.code}/mau-01.pdf").content
    assert_vietnamese(data, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    assert_vietnamese(data, "Nguyễn Văn An")


@pytest.mark.django_db
def test_form_pdf_is_for_staff_who_may_see_the_dossier(client, dossier, other_commune):
    from tests.factories import UserFactory

    url = f"/ket-qua/ho-so/{dossier.code}/mau-01.pdf"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(username="clerk-elsewhere", role="clerk", agency=other_commune))
    assert client.get(url).status_code == 404
    assert client.get(f"/ket-qua/ho-so/{dossier.code}/mau-09.pdf").status_code == 404
