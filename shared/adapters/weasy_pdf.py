"""PdfRenderer on WeasyPrint (the only module that imports weasyprint).

WeasyPrint lays text out with Pango and embeds subsets of the system fonts it uses,
so Chinese, Japanese and Korean render when Debian's fonts-noto-cjk is installed
(scripts/install.sh). Importing it takes about a second: it is imported on the first
handout, only in the generate worker.

The page is self-contained (features/education/leaflets.py builds it from escaped text), and
the URL fetcher refuses every fetch anyway, so a rendered page can never reach the
network or the file system.
"""

from __future__ import annotations

from typing import Any, NoReturn


class PdfRenderError(Exception):
    pass


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise PdfRenderError("handouts load no external resources")


class WeasyPdfRenderer:
    def render(self, html: str) -> bytes:
        import weasyprint  # type: ignore[import-untyped]  # heavy: import on first use

        document = weasyprint.HTML(string=html, url_fetcher=_no_fetch)
        pdf = document.write_pdf()
        if not isinstance(pdf, bytes):
            raise PdfRenderError("WeasyPrint returned no PDF")
        return pdf
