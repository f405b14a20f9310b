"""The PDF engine of receipt letters: WeasyPrint kept warm, and a pool of them for year-end runs.

Every letter PDF, single receipt or year-end statement, in a web worker, the job worker or a
render process of the pool, is made by `html_to_pdf` here, so they are the same bytes for the
same letter (WeasyPrint writes no creation date or random identifier: the output is a function
of the HTML).

Where the time of one PDF goes (a one-page statement, CPU time): about 1.7 s to import
WeasyPrint, once per process; 10 to 15 ms to gather the installed fonts (Fontconfig), which
WeasyPrint does again for every document unless given a configuration; then 70 to 90 ms to
lay it out (two thirds: line breaking by Pango, the gifts table's column widths, the
letterhead's flex box), compute its styles (a sixth) and write the PDF (the rest). The engine
gathers the fonts once per process (`_fonts`), and a year-end run spreads its letters over a
pool of render processes (`RenderPool`), each warmed once.

Letters use the installed fonts only: an `@font-face` in an organization's template is
ignored, so no font file from a template is ever parsed, and no organization's font can
reach another's letters through the shared configuration.

This module imports nothing of Django or of the project, so a render process starts quickly.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

# WeasyPrint reports every rendering step at INFO: keep only its warnings (a missing image).
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_engine: dict[str, Any] = {}


def _fonts() -> tuple[Any, Any]:
    """The process's font configuration and URL fetcher, made on first use."""
    if not _engine:
        # WeasyPrint takes about 1 s to import (it parses its default style sheets): only the
        # processes that make a PDF pay for it, not every web worker and command at start-up.
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415

        class InstalledFonts(FontConfiguration):
            """The installed fonts, gathered once; a template's @font-face is ignored."""

            def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> None:
                return None

        _engine["fonts"] = InstalledFonts()
        _engine["fetcher"] = URLFetcher(
            allowed_protocols={"data"}, allow_redirects=False, timeout=5
        )
    return _engine["fonts"], _engine["fetcher"]


def html_to_pdf(html: str) -> bytes:
    """The PDF of a letter document (pdf.letter_document). WeasyPrint fetches nothing but
    `data:` URLs (the embedded logo)."""
    from weasyprint import HTML  # noqa: PLC0415

    fonts, fetcher = _fonts()
    pdf: bytes = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(font_config=fonts)
    return pdf


WARM_UP = '<!doctype html><html><body style="font-family: DejaVu Sans">warm</body></html>'


def _warm_up() -> None:
    html_to_pdf(WARM_UP)


def render_processes() -> int:
    """How many render processes a year-end run uses: RECEIPT_RENDER_PROCESSES, else one per
    core; 1 renders in the job's own process."""
    configured = os.environ.get("RECEIPT_RENDER_PROCESSES", "").strip()
    if configured:
        return max(1, int(configured))
    return max(1, os.cpu_count() or 1)


class RenderPool:
    """Letters rendered to PDF by `processes` warm WeasyPrint processes (or in this process
    when 1). Use as a context manager; `submit` returns a future of the PDF's bytes.

    The processes are spawned, not forked: they share no database connection or lock with the
    job, and only import this module."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderPool:
        if self.processes > 1:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_up,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def submit(self, html: str) -> Future[bytes]:
        if self._executor is not None:
            return self._executor.submit(html_to_pdf, html)
        done: Future[bytes] = Future()
        try:
            done.set_result(html_to_pdf(html))
        except Exception as exc:  # handed to the caller by result(), as from a process
            done.set_exception(exc)
        return done

    def map(self, documents: Iterable[str]) -> Iterator[bytes]:
        futures = [self.submit(html) for html in documents]
        return (future.result() for future in futures)
