"""The lists' serialization path: the same response schemas, validated without a Python getter
per field.

Ninja validates a response by wrapping every object (every row, and every nested object) in a
getter whose `__getattr__` runs in Python for each field, then pydantic reads the fields through
it. A 25-row page of a 30-field schema makes thousands of those calls. Here each schema is
compiled once into a reader (the same rules as ninja's getter: a `resolve_<field>` static method
first, else the attribute, a related manager read as a list, a callable called) and into a plain
pydantic model with the same fields and types, so the rows are read into dicts in one pass and
validated by pydantic-core in one call. The response is then rendered by the API's own renderer:
the JSON is the same bytes ninja's path writes (`ifm/core/tests/test_api_payload.py` compares
every list endpoint with both paths).

A schema this module cannot read the same way (its own validators, aliases, a resolver that is
not a static method) is left to ninja: `compile_schema` answers None and the list falls back.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Manager, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.renderers import JSONRenderer
from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

_MISSING = object()
_RENDERER = JSONRenderer()


class _Plain(BaseModel):
    """The base of the compiled models: no root validator, nothing read from attributes."""

    model_config = ConfigDict(from_attributes=False)


def _convert(value: Any) -> Any:
    """What ninja's getter does with a value it read (DjangoGetter._convert_result)."""
    if isinstance(value, Manager):
        return list(value.all())
    if isinstance(value, QuerySet):
        return list(value)
    if callable(value):
        return value()
    if isinstance(value, FieldFile):
        return value.url if value else None
    return value


def _nested_schema(annotation: Any) -> tuple[str, type[Schema]] | None:
    """("one" | "list", schema) when a field holds a nested schema (X, X | None, list[X])."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return "one", annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, typing.List) and len(args) == 1:  # noqa: UP006
        inner = _nested_schema(args[0])
        if inner is not None and inner[0] == "one":
            return "list", inner[1]
        return None
    if origin in (typing.Union, types.UnionType):
        schemas = [a for a in args if a is not type(None)]
        if len(schemas) == 1:
            return _nested_schema(schemas[0])
    return None


def _mentions_schema(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return True
    return any(_mentions_schema(a) for a in typing.get_args(annotation))


def _plain_annotation(annotation: Any) -> Any:
    nested = _nested_schema(annotation)
    if nested is None:
        return annotation
    kind, schema = nested
    compiled = compile_schema(schema)
    assert compiled is not None
    plain: Any = compiled.model
    if kind == "list":
        plain = list[plain]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        plain = plain | None
    return plain


class Compiled:
    """A schema's reader (object to dict) and its plain model (dict to validated model)."""

    def __init__(self, schema: type[Schema], model: type[BaseModel]):
        self.schema = schema
        self.model = model
        self.readers: list[tuple[str, Callable[[Any, Any], Any]]] = []

    def read(self, obj: Any, context: Any) -> dict[str, Any]:
        out = {}
        for name, reader in self.readers:
            value = reader(obj, context)
            if value is not _MISSING:
                out[name] = value
        return out


def _reader(schema: type[Schema], name: str, annotation: Any) -> Callable[[Any, Any], Any] | None:
    # A `resolve_<field>` static method first, as ninja's metaclass finds it (through bases).
    resolver = inspect.getattr_static(schema, f"resolve_{name}", None)
    nested = _nested_schema(annotation)
    if resolver is not None:
        if not isinstance(resolver, staticmethod):
            return None
        func = resolver.__func__
        parameters = inspect.signature(func).parameters.values()
        takes_context = any(
            p.name == "context" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters
        )

        def base(obj: Any, context: Any) -> Any:
            if takes_context:
                return _convert(func(obj, context=context))
            return _convert(func(obj))

    else:

        def base(obj: Any, context: Any) -> Any:
            if isinstance(obj, dict):
                value = obj.get(name, _MISSING)
                return value if value is _MISSING else _convert(value)
            try:
                value = getattr(obj, name)
            except AttributeError:
                return _MISSING
            return _convert(value)

    if nested is None:
        return base
    kind, inner_schema = nested
    inner = compile_schema(inner_schema)
    assert inner is not None

    def read_nested(obj: Any, context: Any) -> Any:
        value = base(obj, context)
        if value is _MISSING or value is None:
            return value
        if kind == "list":
            return [_read_one(inner, v, context) for v in value]
        return _read_one(inner, value, context)

    return read_nested


def _read_one(compiled: Compiled, value: Any, context: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    return compiled.read(value, context)


@functools.cache
def compile_schema(schema: type[Schema]) -> Compiled | None:
    """The compiled form of an output schema, or None when it must go through ninja."""
    decorators = schema.__pydantic_decorators__
    own_validators = [
        name
        for name in (*decorators.model_validators, *decorators.field_validators)
        if name != "_run_root_validator"
    ]
    if own_validators or decorators.field_serializers or decorators.model_serializers:
        return None
    if decorators.computed_fields:
        return None
    fields = schema.model_fields
    definitions: dict[str, Any] = {}
    for name, info in fields.items():
        if info.alias or info.validation_alias:
            return None
        nested = _nested_schema(info.annotation)
        if nested is None and _mentions_schema(info.annotation):
            return None  # a shape of nested schema this module does not read
        if nested is not None and compile_schema(nested[1]) is None:
            return None
        definitions[name] = (_plain_annotation(info.annotation), info)
    model = create_model(f"Plain{schema.__name__}", __base__=_Plain, **definitions)
    compiled = Compiled(schema, model)
    for name, info in fields.items():
        reader = _reader(schema, name, info.annotation)
        if reader is None:
            return None
        compiled.readers.append((name, reader))
    return compiled


@functools.cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def dump_rows(compiled: Compiled, rows: list[Any], context: Any) -> list[dict[str, Any]]:
    """The rows as ninja's validation and `model_dump()` would give them (Python values)."""
    adapter = _list_adapter(compiled.model)
    validated = adapter.validate_python([compiled.read(row, context) for row in rows])
    return adapter.dump_python(validated)


def _item_schema(operation: Any) -> type[Schema] | None:
    """The item schema of a paginated operation's 200 response (`{items: list[X], next}`)."""
    if operation.by_alias or operation.exclude_unset or operation.exclude_defaults:
        return None
    if operation.exclude_none:
        return None
    response = operation.response_models.get(200)
    if response is None:
        return None
    page = response.model_fields["response"].annotation
    items = getattr(page, "model_fields", {}).get("items")
    if items is None or set(page.model_fields) != {"items", "next"}:
        return None
    nested = _nested_schema(items.annotation)
    if nested is None or nested[0] != "list":
        return None
    return nested[1]


def render_page(operation: Any, request: HttpRequest, page: dict[str, Any]) -> Any:
    """A page `{"items": rows, "next": cursor}` as the operation's JSON response, or the page
    itself (for ninja to validate) when its item schema is not one this module reads."""
    if getattr(_ninja_only, "on", False):
        return page
    schema = _item_schema(operation)
    compiled = compile_schema(schema) if schema is not None else None
    if compiled is None:
        return page
    context = {"request": request, "response_status": 200}
    data = {"items": dump_rows(compiled, list(page["items"]), context), "next": page["next"]}
    # What NinjaAPI.create_response makes with the API's renderer (the default JSON one).
    renderer = _RENDERER
    content = renderer.render(request, data, response_status=200)
    return HttpResponse(content, content_type=f"{renderer.media_type}; charset={renderer.charset}")


_ninja_only = threading.local()


@contextlib.contextmanager
def ninja_path() -> Iterator[None]:
    """Lists rendered by ninja's own path in this thread (the reference the tests compare with)."""
    _ninja_only.on = True
    try:
        yield
    finally:
        _ninja_only.on = False
