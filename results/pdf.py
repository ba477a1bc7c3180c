"""HTML to PDF with WeasyPrint: the same templates as the screen and the printer, A4, PDF/A.

Nothing is fetched from the network: static files (the print CSS, the fonts) are read from the
static folders through Django's finders (or STATIC_ROOT), ``data:`` URIs are read in place, and
any other URL is refused. The Vietnamese fonts are vendored under static/fonts/ and embedded
(subset) in every PDF and override the print CSS's font stack, so a PDF looks the same whichever
fonts the server has installed.
"""

from __future__ import annotations

import atexit
import mimetypes
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# The vendored families (Vietnamese glyphs). The PDF always uses them, whatever the server has:
# the print CSS's "Times New Roman" would otherwise become whichever font fontconfig picks.
SERIF_FAMILIES = ("DejaVu Serif",)
SANS_FAMILIES = ("DejaVu Sans",)
FONT_OVERRIDE = (
    'html, body { font-family: "DejaVu Serif" !important; }'
    # DejaVu Serif is about 15 % wider than Times: keep the national heading on one line.
    " .heading td { font-size: 11pt !important; }"
)
FONT_FILES = {
    "serif": {
        ("normal", "normal"): "fonts/DejaVuSerif.ttf",
        ("bold", "normal"): "fonts/DejaVuSerif-Bold.ttf",
        ("normal", "italic"): "fonts/DejaVuSerif-Italic.ttf",
        ("bold", "italic"): "fonts/DejaVuSerif-BoldItalic.ttf",
    },
    "sans": {
        ("normal", "normal"): "fonts/DejaVuSans.ttf",
        ("bold", "normal"): "fonts/DejaVuSans-Bold.ttf",
    },
}


class RefusedURL(ValueError):
    pass


def static_path(relative: str) -> Path | None:
    """The file behind a static path ("css/print.css"), from the finders or STATIC_ROOT."""
    relative = relative.lstrip("/")
    found = finders.find(relative)
    if found:
        return Path(found)
    root = getattr(settings, "STATIC_ROOT", None)
    if root:
        candidate = (Path(root) / relative).resolve()
        if candidate.is_file() and Path(root).resolve() in candidate.parents:
            return candidate
    return None


def font_path(relative: str) -> Path:
    path = static_path(relative)
    if path is None:
        raise FileNotFoundError(f"Vendored font missing: static/{relative}")
    return path


@lru_cache(maxsize=1)
def font_css() -> str:
    rules = []
    for kind, families in (("serif", SERIF_FAMILIES), ("sans", SANS_FAMILIES)):
        for (weight, style), relative in FONT_FILES[kind].items():
            url = font_path(relative).as_uri()
            for family in families:
                rules.append(
                    f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
                    f"font-weight: {weight}; font-style: {style}; }}"
                )
    return "\n".join([*rules, FONT_OVERRIDE])


def _static_prefix() -> str:
    url = settings.STATIC_URL or "/static/"
    path = urlsplit(url).path
    return path if path.startswith("/") else "/" + path


def local_url_fetcher():
    """A WeasyPrint URL fetcher that reads static files and vendored fonts, and nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed_files = {font_path(rel).resolve() for fonts in FONT_FILES.values() for rel in fonts.values()}

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path not in allowed_files:
                    raise RefusedURL(f"Refused file URL: {url}")
            else:
                prefix = _static_prefix()
                if parts.scheme not in ("http", "https") or not parts.path.startswith(prefix):
                    raise RefusedURL(f"Refused URL (PDFs never use the network): {url}")
                path = static_path(unquote(parts.path[len(prefix) :]))
                if path is None:
                    raise RefusedURL(f"No static file for {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    return LocalFetcher(allowed_protocols=("data", "file", "http", "https"))


_local = threading.local()
# Drop the cached font configuration before the interpreter tears modules down (its __del__ needs them).
atexit.register(lambda: _local.__dict__.clear())


def _renderer():
    """Per thread: the URL fetcher, the font configuration with the vendored fonts loaded, and the
    parsed base stylesheet (loading the fonts is a third of a small page's rendering time)."""
    cached = getattr(_local, "renderer", None)
    if cached is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fetcher = local_url_fetcher()
        fonts = FontConfiguration()  # @font-face rules only count with a font configuration
        css = CSS(string=font_css() + "\n@page { size: A4; }\n", url_fetcher=fetcher, font_config=fonts)
        cached = _local.renderer = (fetcher, fonts, css)
    return cached


def pdf_variant() -> str | None:
    return getattr(settings, "RESULTS_PDF_VARIANT", "pdf/a-3u") or None


def html_to_pdf(html: str, *, base_url: str, extra_css: str = "", variant: str | None = "default") -> bytes:
    """Render an HTML document to PDF bytes (A4 from the print CSS, fonts embedded)."""
    from weasyprint import CSS, HTML

    fetcher, fonts, base_css = _renderer()
    stylesheets = [base_css]
    if extra_css:
        stylesheets.append(CSS(string=extra_css, url_fetcher=fetcher, font_config=fonts))
    options = {"font_config": fonts}
    variant = pdf_variant() if variant == "default" else variant
    if variant:
        options["pdf_variant"] = variant
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(stylesheets=stylesheets, **options)


def default_base_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + "/"


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None, request=None) -> bytes:
    """Render a Django template (the same one the screen and the printer use) to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, base_url=base_url or default_base_url())
