"""HTML to PDF with WeasyPrint, fetching nothing but `data:` URLs (a document's images are
inlined; nothing on the network or the disk is read)."""

from __future__ import annotations


def pdf_from_html(html: str) -> bytes:
    # WeasyPrint takes about 0.8 s to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=5)
    pdf: bytes = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
    return pdf
