"""Spec parity: the SDK's request surface mirrors `openapi.yml` field for field, in both directions."""

from __future__ import annotations

import os
import types
import hashlib
import inspect
import collections.abc
from typing import Any, Dict, List, Tuple, Union, Callable, Iterable, Optional, FrozenSet
from pathlib import Path
from dataclasses import field, dataclass
from typing_extensions import (
    Literal,
    Required,
    Annotated,
    TypedDict,
    NotRequired,
    get_args,
    get_origin,
    is_typeddict,
    get_type_hints,
)

import yaml
import pytest
import pydantic

import tzafon.types
from tzafon.types import chat_create_completion_params as params_module
from tzafon._types import Omit, NotGiven
from tzafon.resources.chat import ChatResource, AsyncChatResource

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = Path(os.environ.get("TZAFON_OPENAPI_PATH") or REPO_ROOT / "openapi.yml")
OPERATION = ("/chat/completions", "post")
# Request options every method takes on top of the body fields; they never go into the body as such.
REQUEST_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout"}
# Union members that mean "left out" in a method signature, not a wire value.
OMITTED_MARKERS: Tuple[type, ...] = (Omit, NotGiven)
# Properties whose constant value tells the members of a union apart.
DISCRIMINATORS = ("type", "role")

Schema = Dict[str, Any]


# ---------------------------------------------------------------------------------------------- loading


def load_spec(path: Path) -> Schema:
    with path.open(encoding="utf-8") as f:
        spec: Schema = yaml.safe_load(f)
    return spec


SPEC = load_spec(SPEC_PATH)


def resolve(spec: Schema, schema: Schema) -> Tuple[Schema, Optional[str]]:
    """Follows `$ref`s; returns the schema and the name of the last component it pointed at."""
    name: Optional[str] = None
    while "$ref" in schema:
        ref: str = schema["$ref"]
        assert ref.startswith("#/"), f"only local $refs are supported, got {ref}"
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target[part]
        name = ref.rsplit("/", 1)[-1]
        schema = target
    return schema, name


def request_body_schema(spec: Schema) -> Schema:
    path, method = OPERATION
    body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return resolve(spec, body)[0]


# ---------------------------------------------------------------------------------------------- shapes
#
# Both sides are reduced to the same vocabulary: a node is nullable or not, and has members, each of
# one kind: string / integer / number / boolean / unknown (any JSON value) / enum (string constants) /
# array (of a node) / map (string keys to a node) / object (named properties, some required).


@dataclass
class Member:
    kind: str
    values: FrozenSet[Any] = frozenset()  # enum constants, or the booleans a Literal allows
    item: Any = None  # the spec schema or Python annotation of array items / map values
    properties: Dict[str, Tuple[bool, Any]] = field(default_factory=dict)  # name -> (required, schema|annotation)
    label: str = ""  # the spec component or TypedDict name, for messages only
    disc: Optional[Tuple[str, FrozenSet[Any]]] = None  # (property, constants) that singles out a union member


@dataclass
class Shape:
    nullable: bool = False
    members: List[Member] = field(default_factory=list)


def spec_shape(spec: Schema, schema: Schema) -> Shape:
    schema, name = resolve(spec, schema)
    shape = Shape()
    for branch_key in ("anyOf", "oneOf"):
        for sub in schema.get(branch_key, ()):
            sub_shape = spec_shape(spec, sub)
            shape.nullable |= sub_shape.nullable
            shape.members.extend(sub_shape.members)
    if "allOf" in schema:
        raise AssertionError(f"allOf is not supported by the parity walker ({name or schema})")
    declared = schema.get("type")
    kinds: List[str] = list(declared) if isinstance(declared, list) else [declared] if declared else []
    if "null" in kinds:
        shape.nullable = True
        kinds.remove("null")
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else list(schema["enum"])
        if None in values:
            shape.nullable = True
        shape.members.append(Member("enum", frozenset(v for v in values if v is not None), label=name or ""))
        return shape
    if not kinds and not shape.members and not shape.nullable:
        shape.members.append(Member("unknown"))
    for kind in kinds:
        if kind == "array":
            shape.members.append(Member("array", item=schema.get("items", {})))
        elif kind == "object" and "properties" in schema:
            required = set(schema.get("required", ()))
            props = {prop: (prop in required, sub) for prop, sub in schema["properties"].items()}
            member = Member("object", properties=props, label=name or "")
            shape.members.append(_with_discriminator(member, lambda sub: spec_shape(spec, sub)))
        elif kind == "object":
            extra = schema.get("additionalProperties", True)
            shape.members.append(Member("map", item=extra if isinstance(extra, dict) else {}))
        else:
            shape.members.append(Member(kind))
    return shape


def _with_discriminator(member: Member, shape_of: Callable[[Any], Shape]) -> Member:
    for prop in DISCRIMINATORS:
        if prop in member.properties:
            sub_shape = shape_of(member.properties[prop][1])
            if len(sub_shape.members) == 1 and sub_shape.members[0].kind == "enum":
                member.disc = (prop, sub_shape.members[0].values)
                return member
    return member


def strip_wrappers(annotation: Any) -> Tuple[Any, Optional[str]]:
    """Removes `Required`/`NotRequired`/`Annotated`; returns the type and a wire alias if one is declared."""
    alias: Optional[str] = None
    while True:
        origin = get_origin(annotation)
        if origin in (Required, NotRequired):
            annotation = get_args(annotation)[0]
        elif origin is Annotated:
            for meta in annotation.__metadata__:
                alias = getattr(meta, "alias", None) or alias
            annotation = annotation.__origin__
        else:
            return annotation, alias


UNION_ORIGINS: Tuple[Any, ...] = (Union,) + ((types.UnionType,) if hasattr(types, "UnionType") else ())
ARRAY_ORIGINS = (list, collections.abc.Sequence, collections.abc.Iterable, collections.abc.MutableSequence)
MAP_ORIGINS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)
SCALARS: Dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean", object: "unknown"}


def typeddict_properties(td: Any) -> Dict[str, Tuple[bool, Any]]:
    hints = get_type_hints(td, include_extras=True)
    props: Dict[str, Tuple[bool, Any]] = {}
    for key, hint in hints.items():
        _, alias = strip_wrappers(hint)
        props[alias or key] = (key in td.__required_keys__, hint)
    return props


def python_shape(annotation: Any) -> Shape:
    annotation, _ = strip_wrappers(annotation)
    shape = Shape()
    origin = get_origin(annotation)
    if origin in UNION_ORIGINS:
        for arg in get_args(annotation):
            sub_shape = python_shape(arg)
            shape.nullable |= sub_shape.nullable
            shape.members.extend(sub_shape.members)
    elif annotation is type(None) or annotation is None:
        shape.nullable = True
    elif origin is Literal:
        values = get_args(annotation)
        shape.nullable = None in values
        strings = frozenset(v for v in values if isinstance(v, str))
        if strings:
            shape.members.append(Member("enum", strings))
        if any(isinstance(v, bool) for v in values):
            shape.members.append(Member("boolean", frozenset(v for v in values if isinstance(v, bool))))
    elif annotation in SCALARS or annotation is Any:
        shape.members.append(Member(SCALARS.get(annotation, "unknown")))
    elif is_typeddict(annotation):
        member = Member("object", properties=typeddict_properties(annotation), label=annotation.__name__)
        shape.members.append(_with_discriminator(member, python_shape))
    elif origin in ARRAY_ORIGINS:
        shape.members.append(Member("array", item=get_args(annotation)[0]))
    elif origin in MAP_ORIGINS:
        key, value = get_args(annotation)
        assert key is str, f"map keys must be str, got {key!r}"
        shape.members.append(Member("map", item=value))
    else:
        raise AssertionError(f"the parity walker does not understand the annotation {annotation!r}")
    return _merge_constants(shape)


def _merge_constants(shape: Shape) -> Shape:
    """`Literal["a"] | Literal["b"]` and `Literal[True] | Literal[False]` read as one enum and one boolean."""
    merged: List[Member] = []
    for member in shape.members:
        twin = next((m for m in merged if m.kind == member.kind and m.kind in ("enum", "boolean")), None)
        if twin is None:
            merged.append(member)
        else:
            twin.values = twin.values | member.values
    shape.members = merged
    return shape


# ---------------------------------------------------------------------------------------------- comparison


def fmt(values: Iterable[Any]) -> str:
    return "{" + ", ".join(sorted(repr(v) for v in values)) + "}"


def compare(spec: Schema, path: str, schema: Schema, annotation: Any, errors: List[str]) -> None:
    """Appends to `errors` every difference between a spec schema and an SDK annotation."""
    s_shape = spec_shape(spec, schema)
    try:
        p_shape = python_shape(annotation)
    except AssertionError as exc:
        errors.append(f"{path}: {exc}")
        return
    if s_shape.nullable != p_shape.nullable:
        errors.append(f"{path}: nullable differs: spec {s_shape.nullable} sdk {p_shape.nullable}")
    s_members = _merge_constants(Shape(members=list(s_shape.members))).members
    for kind in ("string", "integer", "number", "boolean", "unknown", "enum", "array", "map"):
        s_of_kind = [m for m in s_members if m.kind == kind]
        p_of_kind = [m for m in p_shape.members if m.kind == kind]
        if s_of_kind and not p_of_kind:
            errors.append(f"{path}: spec allows {_describe(s_of_kind[0])}, sdk does not")
        elif p_of_kind and not s_of_kind:
            errors.append(f"{path}: sdk allows {_describe(p_of_kind[0])}, spec does not")
        elif s_of_kind and p_of_kind:
            s_member, p_member = s_of_kind[0], p_of_kind[0]
            if len(s_of_kind) > 1 or len(p_of_kind) > 1:
                errors.append(f"{path}: several {kind} members in one union are not supported")
            elif kind == "enum" and s_member.values != p_member.values:
                errors.append(f"{path}: enum values differ: spec {fmt(s_member.values)} sdk {fmt(p_member.values)}")
            elif kind == "boolean" and p_member.values and p_member.values != {True, False}:
                errors.append(f"{path}: sdk narrows the spec's boolean to {fmt(p_member.values)}")
            elif kind == "array":
                compare(spec, f"{path}[]", s_member.item, p_member.item, errors)
            elif kind == "map":
                compare(spec, f"{path}{{*}}", s_member.item, p_member.item, errors)
    compare_objects(
        spec,
        path,
        [m for m in s_members if m.kind == "object"],
        [m for m in p_shape.members if m.kind == "object"],
        errors,
    )


def _describe(member: Member) -> str:
    if member.kind == "enum":
        return f"enum {fmt(member.values)}"
    return f"a{'n' if member.kind[0] in 'aeiou' else ''} {member.kind}"


def _variant_label(member: Member) -> str:
    if member.disc is not None and len(member.disc[1]) == 1:
        return f"({member.disc[0]}={next(iter(member.disc[1]))})"
    return f"({member.label or '+'.join(sorted(member.properties))})"


def _match_score(s_member: Member, p_member: Member) -> float:
    """Same discriminator first, then the share of property names in common; -1 for a clash."""
    if s_member.disc is not None and p_member.disc is not None and s_member.disc != p_member.disc:
        return -1.0
    s_names, p_names = set(s_member.properties), set(p_member.properties)
    overlap = len(s_names & p_names) / max(len(s_names | p_names), 1)
    return overlap + (10.0 if s_member.disc is not None and s_member.disc == p_member.disc else 0.0)


def compare_objects(
    spec: Schema, path: str, s_objects: List[Member], p_objects: List[Member], errors: List[str]
) -> None:
    """Pairs union members by discriminator (`type`/`role` constant), then by shared property names."""
    several = len(s_objects) > 1 or len(p_objects) > 1
    pairs = sorted(
        ((_match_score(s, p), i, j) for i, s in enumerate(s_objects) for j, p in enumerate(p_objects)),
        reverse=True,
    )
    matched_s: Dict[int, int] = {}
    matched_p: set = set()  # type: ignore[type-arg]
    for score, i, j in pairs:
        if (score <= 0 and several) or score < 0 or i in matched_s or j in matched_p:
            continue
        matched_s[i] = j
        matched_p.add(j)
    for i, s_member in enumerate(s_objects):
        member_path = f"{path}{_variant_label(s_member)}" if several else path
        if i not in matched_s:
            errors.append(
                f"{member_path}: spec variant {s_member.label or fmt(s_member.properties)} has no sdk counterpart"
            )
            continue
        compare_properties(spec, member_path, s_member, p_objects[matched_s[i]], errors)
    for j, p_member in enumerate(p_objects):
        if j not in matched_p:
            errors.append(f"{path}{_variant_label(p_member)}: sdk variant {p_member.label} has no spec counterpart")


def compare_properties(spec: Schema, path: str, s_member: Member, p_member: Member, errors: List[str]) -> None:
    s_names, p_names = set(s_member.properties), set(p_member.properties)
    for name in sorted(s_names - p_names):
        errors.append(f"{path}.{name}: in the spec, missing from the sdk ({p_member.label})")
    for name in sorted(p_names - s_names):
        errors.append(f"{path}.{name}: in the sdk ({p_member.label}), not in the spec")
    for name in sorted(s_names & p_names):
        s_required, s_schema = s_member.properties[name]
        p_required, p_annotation = p_member.properties[name]
        if s_required != p_required:
            errors.append(f"{path}.{name}: required differs: spec {s_required} sdk {p_required}")
        compare(spec, f"{path}.{name}", s_schema, p_annotation, errors)


def assert_no_differences(errors: List[str]) -> None:
    if errors:
        pytest.fail("the SDK differs from the spec:\n  " + "\n  ".join(errors), pytrace=False)


# ---------------------------------------------------------------------------------------------- the SDK side


def sdk_body_params() -> Dict[str, Tuple[bool, Any]]:
    """The body as the params TypedDicts describe it: the base plus each streaming variant's `stream`."""
    variants = get_args(params_module.ChatCreateCompletionParams) or (params_module.ChatCreateCompletionParams,)
    merged: Dict[str, Tuple[bool, Any]] = {}
    for variant in variants:
        for name, (required, hint) in typeddict_properties(variant).items():
            if name in merged:
                was_required, was_hint = merged[name]
                merged[name] = (was_required and required, Union[was_hint, hint] if was_hint != hint else hint)
            else:
                merged[name] = (required, hint)
    for name, (_, hint) in list(merged.items()):
        if any(name not in typeddict_properties(v) for v in variants):
            merged[name] = (False, hint)
    return merged


def keyword_parameters(method: Callable[..., Any]) -> Dict[str, inspect.Parameter]:
    signature = inspect.signature(method)
    params: Dict[str, inspect.Parameter] = {}
    for name, param in signature.parameters.items():
        if name == "self" or name in REQUEST_OPTIONS or param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{method.__qualname__}: `{name}` is not keyword-only"
        params[name] = param
    return params


def without_omitted(annotation: Any) -> Any:
    """`X | Omit` (the "left out" default of a signature) reads as `X`."""
    annotation, _ = strip_wrappers(annotation)
    if get_origin(annotation) in UNION_ORIGINS:
        kept = tuple(a for a in get_args(annotation) if not (isinstance(a, type) and issubclass(a, OMITTED_MARKERS)))
        return Union[kept] if len(kept) > 1 else kept[0]
    return annotation


METHODS = [ChatResource.create_completion, AsyncChatResource.create_completion]
METHOD_IDS = ["sync", "async"]
BODY = request_body_schema(SPEC)
SPEC_FIELDS = sorted(BODY["properties"])


# ---------------------------------------------------------------------------------------------- tests


def test_stats_yml_names_the_spec_and_its_hash() -> None:
    stats = yaml.safe_load((REPO_ROOT / ".stats.yml").read_text(encoding="utf-8"))
    spec_file = REPO_ROOT / stats["openapi_spec_path"]
    operations = [(p, m) for p, item in load_spec(spec_file)["paths"].items() for m in item]
    assert stats["configured_endpoints"] == len(operations) == 1
    digest = hashlib.sha256(spec_file.read_bytes()).hexdigest()
    assert stats["openapi_spec_hash"] == digest, f"{spec_file.name} changed: update .stats.yml's hash to {digest}"


def test_spec_lists_every_documented_body_field() -> None:
    # 54 fields on the reference pages, plus vLLM's `use_beam_search`.
    assert len(SPEC_FIELDS) == 55
    assert BODY["required"] == ["messages"]
    assert BODY.get("additionalProperties", True) is not False, "unknown keys (extra_body) must stay valid"


@pytest.mark.parametrize("method", METHODS, ids=METHOD_IDS)
def test_method_keywords_are_the_body_fields(method: Callable[..., Any]) -> None:
    params = keyword_parameters(method)
    errors = [
        f"{name}: in the spec, not a keyword of {method.__qualname__}" for name in SPEC_FIELDS if name not in params
    ]
    errors += [
        f"{name}: keyword of {method.__qualname__}, not in the spec"
        for name in params
        if name not in BODY["properties"]
    ]
    required = set(BODY["required"])
    for name in set(params) & set(BODY["properties"]):
        has_default = params[name].default is not inspect.Parameter.empty
        if has_default == (name in required):
            errors.append(f"{name}: required differs: spec {name in required} sdk {not has_default}")
    assert_no_differences(errors)


@pytest.mark.parametrize("method", METHODS, ids=METHOD_IDS)
def test_method_annotations_match_the_spec(method: Callable[..., Any]) -> None:
    try:
        hints = get_type_hints(method, include_extras=True)
    except TypeError as exc:  # `X | Omit` strings cannot be evaluated before Python 3.10
        pytest.skip(f"signature annotations need Python 3.10+ to evaluate: {exc}")
    errors: List[str] = []
    for name in keyword_parameters(method):
        if name in BODY["properties"]:
            compare(SPEC, name, BODY["properties"][name], without_omitted(hints[name]), errors)
    assert_no_differences(errors)


def test_params_typeddict_fields_are_the_body_fields() -> None:
    sdk = sdk_body_params()
    errors = [f"{name}: in the spec, missing from the params TypedDicts" for name in SPEC_FIELDS if name not in sdk]
    errors += [f"{name}: in the params TypedDicts, not in the spec" for name in sdk if name not in BODY["properties"]]
    required = set(BODY["required"])
    for name in set(sdk) & set(BODY["properties"]):
        if sdk[name][0] != (name in required):
            errors.append(f"{name}: required differs: spec {name in required} sdk {sdk[name][0]}")
    assert_no_differences(errors)


def test_params_base_is_the_body_less_stream() -> None:
    base = set(typeddict_properties(params_module.ChatCreateCompletionParamsBase))
    expected = set(BODY["properties"]) - {"stream"}
    assert base == expected, (
        f"spec only: {sorted(expected - base)}; ChatCreateCompletionParamsBase only: {sorted(base - expected)}"
    )


@pytest.mark.parametrize("name", SPEC_FIELDS)
def test_body_field_matches_the_spec(name: str) -> None:
    """Each field's schema, walked down to the leaves, against its annotation in the params TypedDicts."""
    sdk = sdk_body_params()
    if name not in sdk:
        pytest.fail(f"{name}: in the spec, missing from the params TypedDicts")
    errors: List[str] = []
    compare(SPEC, name, BODY["properties"][name], sdk[name][1], errors)
    assert_no_differences(errors)


def test_spec_integer_bounds() -> None:
    props = BODY["properties"]
    assert (props["seed"]["minimum"], props["seed"]["maximum"]) == (-(2**63), 2**63 - 1)
    assert (props["truncate_prompt_tokens"]["minimum"], props["truncate_prompt_tokens"]["maximum"]) == (-1, 2**63 - 1)


def test_wire_order_lists_every_body_field_once() -> None:
    # The body builder walks BODY_FIELDS: a field missing there would never reach the server.
    fields = params_module.BODY_FIELDS
    assert len(fields) == len(set(fields))
    assert set(fields) == set(BODY["properties"])


# ---------------------------------------------------------------------------------------------- responses


def models_in(annotation: Any) -> List[type]:
    """The pydantic models an annotation can hold, through `Optional`, `Union`, `List` and `Dict`."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in models_in(arg)]


def wire_names(model: type) -> Dict[str, Any]:
    """Every JSON key a response model reads, mapped to the field's annotation (aliases included)."""
    names: Dict[str, Any] = {}
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        names[info.alias or name] = info.annotation
        choices = getattr(info.validation_alias, "choices", None) or [info.validation_alias]
        for choice in choices:
            if isinstance(choice, str):
                names[choice] = info.annotation
    return names


def response_gaps(spec: Schema, path: str, schema: Schema, annotation: Any, errors: List[str]) -> None:
    """Appends every property the spec's response declares that the SDK's models cannot read."""
    for member in spec_shape(spec, schema).members:
        if member.kind in ("array", "map"):
            response_gaps(spec, f"{path}[]", member.item, annotation, errors)
        elif member.kind == "object":
            candidates = models_in(annotation)
            if not candidates:
                errors.append(f"{path}: an object in the spec, no response model in the SDK")
                continue
            model = max(candidates, key=lambda m: len(set(member.properties) & set(wire_names(m))))
            names = wire_names(model)
            for prop, (_, sub) in member.properties.items():
                if prop not in names:
                    errors.append(f"{path}.{prop}: in the spec's response, not read by {model.__name__}")
                else:
                    response_gaps(spec, f"{path}.{prop}", sub, names[prop], errors)


@pytest.mark.parametrize(
    ("component", "model_name"), [("ChatCompletion", "ChatCompletion"), ("ChatCompletionChunk", "ChatCompletionChunk")]
)
def test_response_models_read_every_field_the_spec_declares(component: str, model_name: str) -> None:
    model = getattr(tzafon.types, model_name)
    errors: List[str] = []
    response_gaps(SPEC, component, SPEC["components"]["schemas"][component], model, errors)
    assert_no_differences(errors)


# ---------------------------------------------------------------------------------------------- the walker bites


# Functional syntax (hence the noqa): under this module's postponed annotations a class-syntax TypedDict would see
# `Required[...]` as a string and mark every key optional.
_Detail = TypedDict("_Detail", {"url": Required[str], "detail": Literal["auto", "low"]}, total=False)  # noqa: UP013
_ImagePart = TypedDict(  # noqa: UP013
    "_ImagePart", {"type": Required[Literal["image_url"]], "image_url": Required[_Detail]}, total=False
)
_TextPart = TypedDict(  # noqa: UP013
    "_TextPart", {"type": Required[Literal["text"]], "text": str, "extra": int}, total=False
)
_Body = TypedDict(  # noqa: UP013
    "_Body",
    {"parts": Required[Iterable[Union[_TextPart, _ImagePart]]], "seed": int, "tags": Optional[Dict[str, float]]},
    total=False,
)


_FIXTURE_SPEC: Schema = {
    "components": {
        "schemas": {
            "Image": {
                "type": "object",
                "required": ["type", "image_url"],
                "properties": {
                    "type": {"type": "string", "const": "image_url"},
                    "image_url": {
                        "type": "object",
                        "required": ["url"],
                        "properties": {
                            "url": {"type": "string"},
                            "detail": {"type": "string", "enum": ["auto", "low", "high"]},
                        },
                    },
                },
            },
            "Text": {
                "type": "object",
                "required": ["type", "text"],
                "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
            },
            "Audio": {"type": "object", "required": ["type"], "properties": {"type": {"const": "audio"}}},
        }
    }
}
_FIXTURE_BODY: Schema = {
    "type": "object",
    "required": ["parts"],
    "properties": {
        "parts": {
            "type": "array",
            "items": {
                "anyOf": [
                    {"$ref": "#/components/schemas/Text"},
                    {"$ref": "#/components/schemas/Image"},
                    {"$ref": "#/components/schemas/Audio"},
                ]
            },
        },
        "seed": {"type": ["integer", "null"]},
        "tags": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        "user": {"type": "string"},
    },
}


def test_the_walker_reports_every_kind_of_drift() -> None:
    """The comparison itself must catch drift in both directions, or the tests above prove nothing."""
    errors: List[str] = []
    compare(_FIXTURE_SPEC, "body", _FIXTURE_BODY, _Body, errors)
    assert sorted(errors) == sorted(
        [
            "body.user: in the spec, missing from the sdk (_Body)",
            "body.seed: nullable differs: spec True sdk False",
            "body.tags{*}: spec allows a string, sdk does not",
            "body.tags{*}: sdk allows a number, spec does not",
            "body.parts[](type=text).text: required differs: spec True sdk False",
            "body.parts[](type=text).extra: in the sdk (_TextPart), not in the spec",
            "body.parts[](type=image_url).image_url.detail: enum values differ: "
            "spec {'auto', 'high', 'low'} sdk {'auto', 'low'}",
            "body.parts[](type=audio): spec variant Audio has no sdk counterpart",
        ]
    )
