"""The request body on the wire: compact JSON encoding, and the check of `extra_body`. No I/O.

Kept apart from `_request` so that the client core can encode bodies without importing the
request types (`import tzafon` stays cheap).
"""

from __future__ import annotations

import json
import datetime
from typing import Any, Mapping, Iterable, cast

__all__ = ["encode_json_body", "check_extra_body"]

# Removed from vLLM in 0.12; a server ignores them silently and returns unconstrained output.
_REMOVED_GUIDED_FIELDS = (
    "guided_json",
    "guided_regex",
    "guided_choice",
    "guided_grammar",
    "guided_decoding_backend",
    "guided_whitespace_pattern",
)


def check_extra_body(extra_body: object) -> None:
    """Reject `extra_body` keys that a current server would silently ignore."""
    if not isinstance(extra_body, Mapping):
        raise TypeError(f"extra_body must be a dict of extra JSON fields, got {type(extra_body).__name__}")
    for key in _REMOVED_GUIDED_FIELDS:
        if key in extra_body:
            raise ValueError(
                f"extra_body[{key!r}] was removed from vLLM in 0.12 and is ignored silently, so the "
                "output would come back unconstrained. Use structured_outputs "
                '(e.g. structured_outputs={"json": schema}) instead.'
            )


def _json_default(value: object) -> object:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    model_dump = getattr(value, "model_dump", None)
    if model_dump is not None and callable(model_dump):
        return model_dump(mode="json", exclude_unset=True, by_alias=True)
    if isinstance(value, Mapping):
        return dict(cast(Mapping[str, Any], value))
    if isinstance(value, bytes):
        raise TypeError(f"bytes are not JSON: decode them first ({value[:20]!r}...)")
    if isinstance(value, Iterable):
        return list(cast(Iterable[object], value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_encoder = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    allow_nan=False,
    default=_json_default,
)


def encode_json_body(body: object) -> bytes:
    """Serialise the body once: compact UTF-8 JSON, iterables as arrays, NaN rejected."""
    try:
        return _encoder.encode(body).encode("utf-8")
    except ValueError as err:
        raise ValueError(
            f"The request body cannot be sent as JSON: {err}. NaN and infinity are not valid JSON numbers."
        ) from err
    except TypeError as err:
        raise TypeError(f"The request body cannot be sent as JSON: {err}") from err
