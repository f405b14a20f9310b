"""Icons as inline SVG: the tag and the helper, the generated path file, and no icon font left."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from ifm.core.icon_data import ICONS
from ifm.core.icons import UnknownIcon, icon

ROOT = Path(__file__).resolve().parents[3]
BUILD_SCRIPT = ROOT / "scripts" / "build-icons.py"


def render(source: str, **context: object) -> str:
    return Template("{% load icons %}" + source).render(Context(context))


def test_it_draws_a_decorative_icon_hidden_from_screen_readers() -> None:
    html = render('{% icon "check-circle" class="me-1 text-success" %}')
    assert html.startswith(
        '<svg class="bi bi-check-circle me-1 text-success" width="1em" height="1em" '
        'fill="currentColor" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="'
    )
    assert html.endswith("</svg>")
    assert html.count("<path") == 2
    assert "role=" not in html


def test_a_label_makes_it_an_image_with_that_name() -> None:
    html = render('{% icon "check-circle" label=status %}', status="Paid")
    assert 'role="img" aria-label="Paid"' in html
    assert "aria-hidden" not in html


def test_it_escapes_the_attributes() -> None:
    html = render('{% icon "gear" class=css label=label %}', css='a"><script>', label="<b>&\"'</b>")
    assert "<script>" not in html
    assert "<b>" not in html
    assert 'class="bi bi-gear a&quot;&gt;&lt;script&gt;"' in html
    assert 'aria-label="&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;"' in html


def test_a_literal_unknown_name_fails_when_the_template_loads() -> None:
    with pytest.raises(TemplateSyntaxError, match="no-such-icon"):
        Template('{% load icons %}{% icon "no-such-icon" %}')


def test_a_name_from_a_variable_fails_when_rendered_if_unknown() -> None:
    template = Template("{% load icons %}{% icon name %}")
    assert "bi-gear" in template.render(Context({"name": "gear"}))
    with pytest.raises(UnknownIcon, match="misspelt"):
        template.render(Context({"name": "misspelt"}))
    with pytest.raises(UnknownIcon):
        template.render(Context({}))


def test_the_tag_refuses_options_it_does_not_know() -> None:
    with pytest.raises(TemplateSyntaxError, match=r"class=\.\.\. and label="):
        Template('{% load icons %}{% icon "gear" title="Settings" %}')
    with pytest.raises(TemplateSyntaxError, match="needs a name"):
        Template("{% load icons %}{% icon %}")


def test_the_python_helper_draws_the_same_icon_as_the_tag() -> None:
    assert icon("gear", css="ms-1") == render('{% icon "gear" class="ms-1" %}')
    with pytest.raises(UnknownIcon):
        icon("Gear")


def test_the_icon_file_holds_exactly_the_icons_the_code_names() -> None:
    """Fails when a template or module names an icon the file lacks (or the file keeps one no
    longer used, or the npm package changed): run scripts/build-icons.py."""
    script = runpy.run_path(str(BUILD_SCRIPT), run_name="build_icons")
    names = script["used_names"]()
    assert "check-circle" in names
    assert sorted(names) == sorted(ICONS)
    assert script["expected_source"]() == (ROOT / "ifm" / "core" / "icon_data.py").read_text()


def test_the_scan_finds_names_in_templates_and_python(tmp_path: Path) -> None:
    script = runpy.run_path(str(BUILD_SCRIPT), run_name="build_icons")
    (tmp_path / "page.html").write_text('{% icon \'gear\' %} {%icon "key" class="x" %}')
    (tmp_path / "views.py").write_text('icon("book", css="me-1")\nicon( "heart" )\n')
    names = script["used_names"](tmp_path)
    assert sorted(names) == ["book", "gear", "heart", "key"]


# The icon font drew `<i class="bi bi-name">`; an element with the `bi` class that is not an
# <svg>, or a class name like "bi-gear" in code or script, means someone went back to it.
FONT_USE = re.compile(r"<(?!svg\b)[a-z]+\b[^>]*\bclass=[\"'](?:[^\"']* )?bi[ \"']")
FONT_CLASS = re.compile(r"[\"' .]bi-[a-z0-9-]+[\"' ]")


def test_no_page_uses_the_icon_font() -> None:
    offenders = []
    for path in sorted((ROOT / "ifm").rglob("*")):
        if path.suffix not in {".html", ".txt", ".py", ".js"} or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if FONT_USE.search(line) or (FONT_CLASS.search(line) and "<svg" not in line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []
    assert "bootstrap-icons" not in (ROOT / "ifm" / "static" / "ifm" / "app.css").read_text()


def test_no_page_links_the_icon_font_stylesheet() -> None:
    linking = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "ifm").rglob("*.html")
        if "vendor/bootstrap-icons" in path.read_text(encoding="utf-8")
    }
    assert linking == set()


def test_the_font_check_would_catch_the_old_markup() -> None:
    assert FONT_USE.search('<i class="bi bi-gear me-1" aria-hidden="true"></i>')
    assert FONT_USE.search("<span class='me-1 bi bi-gear'></span>")
    assert not FONT_USE.search('<svg class="bi bi-gear" width="1em">')
    assert not FONT_USE.search('<div class="big">')
    assert FONT_CLASS.search('_ARROWS = {"ascending": "bi-caret-up-fill"}')
    assert FONT_CLASS.search("icon.classList.replace('bi-eye', 'bi-eye-slash')")
