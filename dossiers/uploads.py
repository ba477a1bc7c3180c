"""Scans attached to a dossier: the one place that decides what is accepted and how it is read.

- Request bodies are streamed to temporary files, never held in memory: ``BoundedUploadHandler``
  (settings.FILE_UPLOAD_HANDLERS) writes every chunk to disk and stops reading a request whose
  files pass ``ONESTOP_UPLOAD_MAX_REQUEST_BYTES``; ``check_upload_request(request)`` then answers
  with a Vietnamese message (it also refuses at once a request whose announced length is too big).
- ``clean_uploads(uploads, existing_bytes=…)`` checks a batch: at most ``ONESTOP_UPLOAD_MAX_FILES``
  files, each at most ``ONESTOP_UPLOAD_MAX_FILE_BYTES``, the batch at most
  ``ONESTOP_UPLOAD_MAX_REQUEST_BYTES``, the dossier (what it holds + the batch) at most
  ``ONESTOP_UPLOAD_MAX_DOSSIER_BYTES``; the type is detected from the content (PDF, JPEG or PNG
  only, whatever the name or the declared type say); images are opened with Pillow without
  decoding their pixels and refused above ``ONESTOP_UPLOAD_MAX_PIXELS`` (decompression bombs).
  It returns ``CleanUpload`` objects whose extension and content type come from the detected type.

Files are read in chunks and by header only: checking a 10 MB scan reads a few kilobytes.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.db.models import Sum
from django.utils.translation import gettext as _
from PIL import Image

MB = 1024 * 1024

# Detected type → (content type, stored extension, label for messages).
PDF, JPEG, PNG = "pdf", "jpeg", "png"
TYPES = {
    PDF: ("application/pdf", "pdf", "PDF"),
    JPEG: ("image/jpeg", "jpg", "JPEG"),
    PNG: ("image/png", "png", "PNG"),
}
ALLOWED_CONTENT_TYPES = tuple(content_type for content_type, _ext, _label in TYPES.values())
# What the file picker offers (the browser's hint only: the content decides).
ACCEPT = ",".join((*ALLOWED_CONTENT_TYPES, ".pdf", ".jpg", ".jpeg", ".png"))
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
HEAD_BYTES = 1024  # a PDF's "%PDF-" may follow a little junk (Acrobat accepts it within 1 KB)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_file_bytes() -> int:
    return _limit("ONESTOP_UPLOAD_MAX_FILE_BYTES", getattr(settings, "ONESTOP_MAX_UPLOAD_BYTES", 10 * MB))


def max_request_bytes() -> int:
    return _limit("ONESTOP_UPLOAD_MAX_REQUEST_BYTES", 50 * MB)


def max_dossier_bytes() -> int:
    return _limit("ONESTOP_UPLOAD_MAX_DOSSIER_BYTES", 200 * MB)


def max_files() -> int:
    return _limit("ONESTOP_UPLOAD_MAX_FILES", 20)


def max_pixels() -> int:
    return _limit("ONESTOP_UPLOAD_MAX_PIXELS", 40_000_000)


def _mb(value: int) -> str:
    number = value / MB
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


# ----- what the callers hand in and get back --------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file as received: a seekable binary file object (Django's uploaded file, a temporary file,
    BytesIO in tests), the name the sender gave, and the declared type (a hint, never trusted)."""

    name: str
    file: IO[bytes] = field(repr=False)
    content_type: str = ""

    @classmethod
    def from_django(cls, uploaded) -> Upload:
        """From an entry of ``request.FILES`` (a temporary file on disk with our handler)."""
        return cls(name=uploaded.name or "", file=uploaded, content_type=getattr(uploaded, "content_type", "") or "")

    @classmethod
    def from_bytes(cls, name: str, content: bytes, content_type: str = "") -> Upload:
        """For scripts and tests; never used on a request's body."""
        import io

        return cls(name=name, file=io.BytesIO(content), content_type=content_type)


@dataclass(frozen=True)
class CleanUpload:
    """A checked file: type, extension and size as detected, ready to store."""

    name: str  # the sender's name, for display only
    file: IO[bytes] = field(repr=False)
    size: int
    kind: str  # PDF | JPEG | PNG
    content_type: str
    extension: str

    def as_file(self) -> File:
        """A Django File named ``scan.<detected extension>``, read from the start (for FileField.save:
        the stored name is chosen by the model, only the extension comes from here)."""
        self.file.seek(0)
        return File(self.file, name=f"scan.{self.extension}")


# ----- streaming: the request ----------------------------------------------------------------------


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Every file of a request goes to a temporary file chunk by chunk (64 KB), and the request stops
    being read once its files together pass ONESTOP_UPLOAD_MAX_REQUEST_BYTES: the remaining files are
    dropped and ``request.upload_refused`` tells ``check_upload_request`` why."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def receive_data_chunk(self, raw_data, start):
        self.total = getattr(self, "total", 0) + len(raw_data)
        if self.total > max_request_bytes():
            if self.request is not None:
                self.request.upload_refused = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def request_too_large_message() -> str:
    return _("The files sent at once are larger than %(mb)s MB in total: send fewer at a time.") % {
        "mb": _mb(max_request_bytes())
    }


def check_upload_request(request) -> None:
    """Call first in a view or API that accepts files. Refuses (ValidationError on "attachments") a
    body announced larger than the request limit (nothing of it is read) or one whose files went past
    it while streaming. Reading ``request.POST`` / ``request.FILES`` happens here."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    # Form fields travel with the files: allow the usual form size on top of the files' limit.
    slack = int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 2_621_440)
    if announced > max_request_bytes() + slack:
        raise ValidationError({"attachments": [request_too_large_message()]})
    request.FILES  # noqa: B018 - parse now (streamed to disk by BoundedUploadHandler)
    if getattr(request, "upload_refused", False):
        raise ValidationError({"attachments": [request_too_large_message()]})


# ----- the checks ----------------------------------------------------------------------------------


def _size(file) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def sniff(file) -> str | None:
    """PDF, JPEG or PNG by the first bytes of the content, else None."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if b"%PDF-" in head:
        return PDF
    return None


def _image_problem(upload: Upload, kind: str) -> str | None:
    """Open the image's header only (Pillow decodes no pixel here) and check its size and format."""
    limit = max_pixels()
    upload.file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload.file, formats=[PIL_FORMATS[kind]]) as image:
                width, height = image.size
                if width * height > limit:
                    raise Image.DecompressionBombError(f"{width}x{height}")
                if kind == PNG:
                    image.verify()  # chunk checksums, without decoding
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _(
            "%(name)s has too many pixels (more than %(megapixels)s million): scan it again at a lower "
            "resolution (200–300 dpi is enough)."
        ) % {"name": upload.name, "megapixels": f"{limit / 1_000_000:g}"}
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        return _("%(name)s is not a readable %(kind)s image.") % {"name": upload.name, "kind": TYPES[kind][2]}
    finally:
        upload.file.seek(0)
    return None


def clean_uploads(uploads, *, existing_bytes: int = 0) -> list[CleanUpload]:
    """Check a batch of files for one dossier (``existing_bytes``: what the dossier already holds).
    Returns them checked, in order; raises ValidationError({"attachments": [every problem]})."""
    uploads = list(uploads or [])
    errors: list[str] = []
    if len(uploads) > max_files():
        errors.append(_("Attach at most %(n)s files at a time.") % {"n": max_files()})
    cleaned: list[CleanUpload] = []
    total = 0
    for upload in uploads:
        size = _size(upload.file)
        total += size
        if size == 0:
            errors.append(_("%(name)s is empty.") % {"name": upload.name})
            continue
        if size > max_file_bytes():
            errors.append(_("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": _mb(max_file_bytes())})
            continue
        kind = sniff(upload.file)
        if kind is None:
            errors.append(_("%(name)s: only PDF, JPEG or PNG scans are accepted.") % {"name": upload.name})
            continue
        if kind in PIL_FORMATS:
            problem = _image_problem(upload, kind)
            if problem:
                errors.append(problem)
                continue
        content_type, extension, _label = TYPES[kind]
        cleaned.append(
            CleanUpload(
                name=(upload.name or f"scan.{extension}")[:255],
                file=upload.file,
                size=size,
                kind=kind,
                content_type=content_type,
                extension=extension,
            )
        )
    if total > max_request_bytes():
        errors.append(request_too_large_message())
    elif uploads and existing_bytes + total > max_dossier_bytes():
        errors.append(
            _("A dossier holds at most %(mb)s MB of scans; this one has %(used)s MB already.")
            % {"mb": _mb(max_dossier_bytes()), "used": _mb(existing_bytes)}
        )
    if errors:
        raise ValidationError({"attachments": errors})
    return cleaned


def dossier_upload_bytes(dossier) -> int:
    """What the dossier's scans weigh already (for ``clean_uploads(existing_bytes=…)``)."""
    from .models import Attachment

    return Attachment.objects.filter(dossier=dossier).aggregate(total=Sum("size"))["total"] or 0
