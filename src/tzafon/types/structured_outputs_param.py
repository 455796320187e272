"""The `structured_outputs` object: one constraint on the output (JSON schema, regex, choice, grammar...)."""

from typing import Dict, Union, Optional
from typing_extensions import TypedDict

from .._types import SequenceNotStr

__all__ = ["StructuredOutputsParam"]


# Functional syntax, so the keys starting with "_" stay exactly as on the wire.
class StructuredOutputsParam(TypedDict, total=False):
    _backend: Optional[str]
    _backend_was_auto: bool
    choice: Optional[SequenceNotStr[str]]
    disable_additional_properties: bool
    disable_any_whitespace: bool
    disable_fallback: bool
    grammar: Optional[str]
    json: Union[str, Dict[str, object], None]
    json_object: Optional[bool]
    regex: Optional[str]
    structural_tag: Optional[str]
    whitespace_pattern: Optional[str]


StructuredOutputsParam.__doc__ = """Additional kwargs for structured outputs.

Set exactly one constraint: `json` (a JSON Schema, as an object or a JSON string), `regex`, `choice` (the output is
one of these strings), `grammar` (an EBNF grammar), `json_object` (any JSON object) or `structural_tag`. The other
keys tune how the constraint is applied:

- `disable_any_whitespace`: generate JSON without any whitespace between tokens.
- `disable_additional_properties`: treat JSON objects as if the schema said `additionalProperties: false`.
- `disable_fallback`: fail instead of falling back to another backend when the chosen one can't handle the constraint.
- `whitespace_pattern`: a regex for the whitespace allowed in generated JSON.
- `_backend`, `_backend_was_auto`: internal fields the server sets itself; leave them out.
"""
