"""Builds structured-output requests: JSON schemas from Python types, and the regex/choice/grammar constraints."""

from __future__ import annotations

import re
import functools
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Hashable, Iterable, cast
from typing_extensions import TypedDict

from ..types.response_format_param import ResponseFormatParam
from ..types.structured_outputs_param import StructuredOutputsParam

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = [
    "ParseRequest",
    "build_parse_request",
    "json_schema_of",
    "to_strict_json_schema",
    "regex",
    "choice",
    "grammar",
    "check_structured_outputs",
    "reject_type_response_format",
]

CONSTRAINT_KEYS = ("json", "regex", "choice", "grammar", "json_object", "structural_tag")
"""The `structured_outputs` keys that constrain the output; a request sets exactly one of them."""

_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")
# Keywords whose value is one subschema, a list of them, or a name -> subschema map.
_SUBSCHEMA = ("items", "additionalItems", "contains", "not", "if", "then", "else", "propertyNames")
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("$defs", "definitions", "patternProperties", "dependentSchemas")


def type_adapter(response_format: Any) -> TypeAdapter[Any]:
    """The validator of a response type, built once per type (bounded, so types made per call cannot pile up)."""
    return _cached_type_adapter(response_format)


@functools.lru_cache(maxsize=256)
def _cached_type_adapter(response_format: Hashable) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(cast(Any, response_format))


def json_schema_of(response_format: Any, *, strict_schema: bool = False) -> Dict[str, object]:
    """The JSON schema of a pydantic model, dataclass or `TypedDict` (a fresh dict the caller may change).

    With `strict_schema=True` it is rewritten as OpenAI's strict mode wants (see `to_strict_json_schema`).
    """
    schema = cast("Dict[str, object]", type_adapter(response_format).json_schema())
    return to_strict_json_schema(schema) if strict_schema else schema


def schema_name(response_format: Any) -> str:
    """The name sent with the schema: the type's name, made of the characters a name may hold."""
    name = getattr(response_format, "__name__", None) or "response"
    return _NAME_UNSAFE.sub("_", str(name))[:64]


class ParseRequest(TypedDict, total=False):
    """The arguments `build_parse_request` adds to a `create_completion` call (one of the two keys)."""

    response_format: ResponseFormatParam
    structured_outputs: StructuredOutputsParam


def build_parse_request(
    response_format: Any,
    *,
    use_structured_outputs: bool = False,
    strict_schema: bool = False,
) -> ParseRequest:
    """The request arguments that make the server answer with JSON matching `response_format`.

    `response_format` is a pydantic model class, a dataclass or a `TypedDict`. The default is
    `{"response_format": {"type": "json_schema", "json_schema": {"name": ..., "schema": ..., "strict": True}}}`;
    with `use_structured_outputs=True` it is vLLM's own `{"structured_outputs": {"json": schema}}`.
    The schema is sent as pydantic writes it; vLLM does not need OpenAI's strict-mode rewrite, which
    `strict_schema=True` applies (for servers that do).

    Example: `client.chat.create_completion(messages=messages, **build_parse_request(Event))`
    """
    schema = json_schema_of(response_format, strict_schema=strict_schema)
    if use_structured_outputs:
        structured: StructuredOutputsParam = {"json": schema}
        return {"structured_outputs": structured}
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema_name(response_format), "schema": schema, "strict": True},
        }
    }


def to_strict_json_schema(schema: Dict[str, object]) -> Dict[str, object]:
    """Rewrite a JSON schema, in place, for OpenAI's strict mode, and return it.

    Every object schema with `properties` lists all of them as `required` and gets
    `additionalProperties: false`, as does an object schema that says nothing about extra keys.
    Maps (`additionalProperties` is a schema, or `true` on an object without `properties`) stay open.
    """
    _make_strict(schema)
    return schema


def _make_strict(schema: object) -> None:
    if not isinstance(schema, dict):
        return
    node = cast("Dict[str, Any]", schema)
    properties = node.get("properties")
    if isinstance(properties, dict):
        for subschema in cast("Dict[str, object]", properties).values():
            _make_strict(subschema)
        node["required"] = list(cast("Dict[str, object]", properties))
        if not isinstance(node.get("additionalProperties"), dict):
            node["additionalProperties"] = False
    elif node.get("type") == "object" and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for key in _SUBSCHEMA:
        _make_strict(node.get(key))
    _make_strict(node.get("additionalProperties"))
    for key in _SUBSCHEMA_LISTS:
        subschemas = node.get(key)
        if isinstance(subschemas, list):
            for subschema in cast("List[object]", subschemas):
                _make_strict(subschema)
    for key in _SUBSCHEMA_MAPS:
        named = node.get(key)
        if isinstance(named, dict):
            for subschema in cast("Dict[str, object]", named).values():
                _make_strict(subschema)


def regex(pattern: str) -> StructuredOutputsParam:
    """`structured_outputs` that make the output match a regular expression.

    Example: `client.chat.create_completion(..., structured_outputs=regex(r"\\d{3}-\\d{4}"))`
    """
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"regex() needs a non-empty pattern string, got {pattern!r}")
    return {"regex": pattern}


def choice(options: Iterable[str]) -> StructuredOutputsParam:
    """`structured_outputs` that make the output exactly one of `options`.

    Example: `client.chat.create_completion(..., structured_outputs=choice(["positive", "negative"]))`
    """
    if isinstance(options, str):
        raise TypeError(f"choice() takes a list of strings, not one string: use choice([{options!r}])")
    values = list(options)
    if not values:
        raise ValueError("choice() needs at least one option")
    wrong = [value for value in values if not isinstance(value, str)]
    if wrong:
        raise TypeError(f"choice() options must be strings, got {wrong!r}")
    return {"choice": values}


def grammar(text: str) -> StructuredOutputsParam:
    """`structured_outputs` that make the output follow a grammar (EBNF/GBNF, as the server's backend reads it)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("grammar() needs the grammar's text")
    return {"grammar": text}


def check_structured_outputs(params: Mapping[str, object]) -> Mapping[str, object]:
    """Return `params` if it sets exactly one constraint; raise `ValueError` naming the keys otherwise.

    The server rejects zero constraints and more than one. A key set to `None` or `False` does not count.
    """
    set_keys = [key for key in CONSTRAINT_KEYS if params.get(key) is not None and params.get(key) is not False]
    if len(set_keys) == 1:
        return params
    if not set_keys:
        raise ValueError(
            f"structured_outputs sets no constraint (keys: {sorted(params)!r}); set exactly one of {list(CONSTRAINT_KEYS)!r}"
        )
    raise ValueError(
        f"structured_outputs sets {len(set_keys)} constraints, {set_keys!r}; the server accepts exactly one. Keep one."
    )


def reject_type_response_format(response_format: object) -> None:
    """Raise `TypeError` when a class was passed as `response_format` where only a dict is accepted."""
    if isinstance(response_format, type):
        raise TypeError(
            f"response_format={response_format.__name__} is a class: create_completion() takes a response_format "
            "dict. To get a parsed object back, call client.chat.parse(..., response_format="
            f"{response_format.__name__}); to only constrain the output, pass **build_parse_request("
            f"{response_format.__name__}) from tzafon.lib."
        )
