"""Turns a structured-output `ChatCompletion` into a `ParsedChatCompletion`, or raises a typed `ParseError`."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Type, TypeVar, Optional

import pydantic

from ._errors import (
    RefusalError,
    InvalidJSONError,
    SchemaValidationError,
    LengthFinishReasonError,
    ContentFilterFinishReasonError,
)
from .._models import BaseModel
from ._structured import type_adapter
from ..types.chat_completion import Choice, ChatCompletion
from ..types.parsed_chat_completion import ParsedChoice, ParsedChatCompletion, ParsedChatCompletionMessage

__all__ = ["parse_completion"]

_T = TypeVar("_T")


def _copy_as(cls: Type[BaseModel], source: BaseModel, **changes: Any) -> Any:
    """`source` as an instance of `cls` (a subclass adding fields), without validating anything again."""
    values: Dict[str, Any] = dict(source.__dict__)
    values.update(source.__pydantic_extra__ or {})
    values.update(changes)
    copy = cls.model_construct(_fields_set=set(source.model_fields_set) | set(changes), **values)
    copy._request_id = source._request_id
    return copy


def parse_completion(completion: ChatCompletion, response_format: Type[_T]) -> ParsedChatCompletion[_T]:
    """Parse each choice's content as `response_format` (a pydantic model, dataclass or `TypedDict`).

    Returns the same completion as a `ParsedChatCompletion`, each `choices[i].message.parsed` set
    (`None` for a choice that answered with tool calls instead of content). Raises a `ParseError`
    subclass for the first choice that cannot be parsed, carrying the completion, the raw text and
    the usage: `LengthFinishReasonError`, `ContentFilterFinishReasonError`, `RefusalError`,
    `InvalidJSONError` or `SchemaValidationError`.
    """
    choices: List[ParsedChoice[_T]] = []
    for choice in completion.choices:
        parsed = _parse_choice(completion, choice, response_format)
        message: ParsedChatCompletionMessage[_T] = _copy_as(ParsedChatCompletionMessage, choice.message, parsed=parsed)
        choices.append(_copy_as(ParsedChoice, choice, message=message))
    result: ParsedChatCompletion[_T] = _copy_as(ParsedChatCompletion, completion, choices=choices)
    return result


def _parse_choice(completion: ChatCompletion, choice: Choice, response_format: Type[_T]) -> Optional[_T]:
    message = choice.message
    content = message.content
    where = f"choice {choice.index}" if len(completion.choices) > 1 else "the completion"
    common: Dict[str, Any] = {"completion": completion, "content": content, "choice_index": choice.index}
    if choice.finish_reason == "length":
        tokens = completion.usage.completion_tokens if completion.usage is not None else None
        spent = f" after {tokens} completion tokens" if tokens is not None else ""
        raise LengthFinishReasonError(
            f"The model stopped at the token limit (finish_reason='length'){spent}, so the output of {where} "
            "is incomplete JSON. Raise max_completion_tokens; the partial text is in `.content`.",
            **common,
        )
    if choice.finish_reason == "content_filter":
        raise ContentFilterFinishReasonError(
            f"A content filter stopped the generation of {where} (finish_reason='content_filter').",
            refusal=message.refusal,
            **common,
        )
    if message.refusal:
        raise RefusalError(
            f"The model refused to answer in {where}: {message.refusal}", refusal=message.refusal, **common
        )
    if content is None:
        if message.tool_calls:
            return None  # the model called a tool instead of answering
        hint = ""
        if message.reasoning:
            hint = (
                " The output is in `reasoning` instead: the server's reasoning parser took it (vLLM #15618). "
                "Turn reasoning off for this request (e.g. chat_template_kwargs={'enable_thinking': False}) "
                "or use a server whose reasoning parser ends before the structured output."
            )
        raise InvalidJSONError(f"The message of {where} has no content to parse.{hint}", json_error=None, **common)
    return _validate(content, response_format, common, where)


def _validate(content: str, response_format: Type[_T], common: Dict[str, Any], where: str) -> _T:
    """Validate JSON text as `response_format` in one pass; tell bad JSON from a schema mismatch only on failure."""
    try:
        return type_adapter(response_format).validate_json(content)  # type: ignore[no-any-return]
    except pydantic.ValidationError as exc:
        try:
            json.loads(content)
        except json.JSONDecodeError as json_error:
            raise InvalidJSONError(
                f"The output of {where} is not valid JSON ({json_error}); the raw text is in `.content`.",
                json_error=json_error,
                **common,
            ) from json_error
        name = getattr(response_format, "__name__", repr(response_format))
        raise SchemaValidationError(
            f"The output of {where} is JSON but does not fit {name}: {exc}",
            validation_error=exc,
            **common,
        ) from exc
