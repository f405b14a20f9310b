"""The PDF engine of receipt letters: WeasyPrint kept warm, and a pool of them for year-end runs.

Every letter PDF, single receipt or year-end statement, in a web worker, the job worker or a
render process of the pool, is made by `html_to_pdf` here, so they are the same bytes for the
same letter (WeasyPrint writes no creation date or random identifier: the output is a function
of the HTML).

Where the time of one PDF goes (a one-page year-end statement, CPU time, cProfile): about 1.7 s
to import WeasyPrint, once per process; 10 to 15 ms to gather the installed fonts
(Fontconfig), which WeasyPrint does again for every document unless given a configuration;
then, per letter, about 70 ms before the changes below: layout two thirds (Pango's line
breaking, the gifts table's column widths measured from every cell's text, the letterhead's
flex box measuring the organization's block), styles a sixth, parsing the letters' style
sheet and compiling its selectors about 7 ms, writing the PDF the rest (drawing, font
subsets, compression).
So the engine gathers the fonts and parses the letters' style sheet (`LETTER_CSS`) once per
process, the letterhead is plain blocks and the gifts table has fixed column widths (no text
measured twice), which brings a letter to about 50 to 55 ms; and a year-end run spreads its letters
over a pool of render processes (`RenderPool`), each warmed once.

Letters use the installed fonts only: an `@font-face` in an organization's template is
ignored, so no font file from a template is ever parsed, and no organization's font can
reach another's letters through the shared configuration.

This module imports nothing of Django or of the project, so a render process starts quickly.
"""

from __future__ import annotations

import gc
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

# The letters' own style sheet. Plain blocks and a fixed-width table: a flex letterhead or an
# automatic table layout makes WeasyPrint measure the text of every cell before laying it out.
LETTER_CSS = """
@page { size: letter; margin: 2cm 2.2cm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; color: #222; }
.letter { page-break-after: always; }
.letter:last-child { page-break-after: auto; }
.letterhead { margin-bottom: 1.5em; }
.logo { display: block; max-height: 2.2cm; max-width: 5cm; margin-bottom: 0.5em; }
table.gifts { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 1em 0; }
table.gifts th, table.gifts td { border-bottom: 1px solid #bbb; padding: 4px 6px;
  text-align: left; vertical-align: top; }
table.gifts th:first-child { width: 30%; }
td.num, th.num { width: 22%; text-align: right; white-space: nowrap; }
.goods, .qpq { font-size: 9pt; color: #444; margin-top: 2px; }
.voided { color: #b00; font-weight: bold; border: 2px solid #b00; padding: 4px; }
"""
# How a letter document (pdf.letter_document) carries it, for browsers; html_to_pdf takes it
# out and applies the sheet parsed once per process instead.
LETTER_STYLE = f"<style>{LETTER_CSS}</style>"


def _fonts() -> tuple[Any, Any]:
    """The process's font configuration and URL fetcher (and the parsed LETTER_CSS), made on
    first use."""
    if not _engine:
        # WeasyPrint takes about 1 s to import (it parses its default style sheets): only the
        # processes that make a PDF pay for it, not every web worker and command at start-up.
        from weasyprint import CSS  # noqa: PLC0415
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415

        class InstalledFonts(FontConfiguration):
            """The installed fonts, gathered once; a template's @font-face is ignored."""

            def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> None:
                return None

        fonts = InstalledFonts()
        _engine["fetcher"] = URLFetcher(
            allowed_protocols={"data"}, allow_redirects=False, timeout=5
        )
        _engine["letter_css"] = CSS(string=LETTER_CSS, font_config=fonts)
        _engine["fonts"] = fonts
    return _engine["fonts"], _engine["fetcher"]


def html_to_pdf(html: str) -> bytes:
    """The PDF of a letter document (pdf.letter_document). WeasyPrint fetches nothing but
    `data:` URLs (the embedded logo).

    The document's LETTER_STYLE is replaced by the same sheet parsed once per process (parsing
    it and compiling its selectors for every letter cost about a tenth of the letter). The
    sheet then applies as the reader's (user) style sheet instead of the page's: it still
    overrides WeasyPrint's defaults, and a letter template's own `<style>` rules or `style`
    attributes override it, as they did when they came later in the page; the default letter
    makes the very same bytes either way."""
    from weasyprint import HTML  # noqa: PLC0415

    fonts, fetcher = _fonts()
    stylesheets = []
    if LETTER_STYLE in html:
        html = html.replace(LETTER_STYLE, "", 1)
        stylesheets.append(_engine["letter_css"])
    pdf: bytes = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
        font_config=fonts, stylesheets=stylesheets
    )
    return pdf


WARM_UP = '<!doctype html><html><body style="font-family: DejaVu Sans">warm</body></html>'


def _warm_up() -> None:
    """A render process's start: WeasyPrint imported and warmed, then what it holds frozen out
    of the garbage collector's sight, and automatic collection off (see _render)."""
    html_to_pdf(WARM_UP)
    gc.freeze()
    gc.disable()


def _render(html: str) -> bytes:
    """A letter made in a render process, then its garbage collected at once. Left to itself,
    the collector runs dozens of times during one letter, each time walking the half-built
    document (and, less often, everything WeasyPrint imported): about 4.5 ms of a letter's
    50. One collection of the letter's own cycles once it is done costs about 2.5 ms."""
    try:
        return html_to_pdf(html)
    finally:
        gc.collect()


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
            return self._executor.submit(_render, html)
        done: Future[bytes] = Future()
        try:
            done.set_result(html_to_pdf(html))
        except Exception as exc:  # handed to the caller by result(), as from a process
            done.set_exception(exc)
        return done

    def map(self, documents: Iterable[str]) -> Iterator[bytes]:
        futures = [self.submit(html) for html in documents]
        return (future.result() for future in futures)
