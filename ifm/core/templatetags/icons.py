"""``{% icon "name" class="me-1" label="Paid" %}``: a Bootstrap icon as inline SVG
(see ``ifm.core.icons``). The name is usually literal, and then checked when the template
loads; ``class`` adds classes, ``label`` makes the icon an image with that accessible name
(without it the icon is hidden from screen readers, like the text beside it says it all)."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString

from ifm.core.icons import UnknownIcon, icon, icon_paths

register = template.Library()

_OPTIONS = {"class", "label"}


class IconNode(template.Node):
    def __init__(self, name: FilterExpression, options: dict[str, FilterExpression]) -> None:
        self.name = name
        self.options = options

    def render(self, context: Context) -> SafeString:
        values = {key: str(value.resolve(context)) for key, value in self.options.items()}
        return icon(
            str(self.name.resolve(context)),
            css=values.get("class", ""),
            label=values.get("label", ""),
        )


@register.tag(name="icon")
def do_icon(parser: Parser, token: Token) -> IconNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% icon %} needs a name: {% icon "check" %}.')
    name = parser.compile_filter(bits[1])
    options = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(options) != len(bits) - 2 or not set(options) <= _OPTIONS:
        raise template.TemplateSyntaxError(
            f"{{% icon %}} takes a name then class=... and label=...: {token.contents!r}"
        )
    if isinstance(name.var, str) and not name.filters:
        try:
            icon_paths(name.var)
        except UnknownIcon as exc:
            raise template.TemplateSyntaxError(str(exc)) from exc
    return IconNode(name, options)
