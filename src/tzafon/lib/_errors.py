"""The errors structured-output parsing raises, each carrying the completion, its raw text and its usage."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Type, Tuple, Callable, Optional

from .._exceptions import LightconeError

if TYPE_CHECKING:
    from pydantic import ValidationError

    from ..types.chat_completion import ChatCompletion
    from ..types.completion_usage import CompletionUsage

__all__ = [
    "ParseError",
    "LengthFinishReasonError",
    "RefusalError",
    "ContentFilterFinishReasonError",
    "InvalidJSONError",
    "SchemaValidationError",
]


def _restore(cls: Type[ParseError], args: Tuple[Any, ...], state: Dict[str, Any]) -> ParseError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ParseError(LightconeError):
    """The completion arrived but its output could not be turned into the requested type.

    Attributes:
        completion: the completion as the server sent it.
        content: the text that was to be parsed (`message.content` of the failing choice), if any.
        usage: the completion's token usage (what the attempt cost).
        choice_index: which choice failed.
    """

    completion: ChatCompletion
    content: Optional[str]
    usage: Optional[CompletionUsage]
    choice_index: int

    def __init__(self, message: str, *, completion: ChatCompletion, content: Optional[str], choice_index: int) -> None:
        super().__init__(message)
        self.completion = completion
        self.content = content
        self.usage = completion.usage
        self.choice_index = choice_index

    def __reduce__(self) -> Tuple[Callable[..., ParseError], Tuple[Any, ...]]:
        # The keyword-only constructor defeats Exception's default pickling, which multiprocessing relies on.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class LengthFinishReasonError(ParseError):
    """Generation stopped at the token limit (`finish_reason == "length"`), so the output is incomplete.

    Raise `max_completion_tokens` (or shorten the prompt); the partial text is in `content`.
    """


class RefusalError(ParseError):
    """The model refused to answer (`message.refusal` is set); the refusal text is in `refusal`."""

    refusal: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        completion: ChatCompletion,
        content: Optional[str],
        choice_index: int,
        refusal: Optional[str],
    ) -> None:
        super().__init__(message, completion=completion, content=content, choice_index=choice_index)
        self.refusal = refusal


class ContentFilterFinishReasonError(RefusalError):
    """A content filter stopped the generation (`finish_reason == "content_filter"`)."""


class InvalidJSONError(ParseError):
    """The output is not JSON; `json_error` says where it breaks (`None` when there was no text at all)."""

    json_error: Optional[json.JSONDecodeError]

    def __init__(
        self,
        message: str,
        *,
        completion: ChatCompletion,
        content: Optional[str],
        choice_index: int,
        json_error: Optional[json.JSONDecodeError],
    ) -> None:
        super().__init__(message, completion=completion, content=content, choice_index=choice_index)
        self.json_error = json_error


class SchemaValidationError(ParseError):
    """The output is JSON but does not fit the requested type; `validation_error` lists the mismatches."""

    validation_error: ValidationError

    def __init__(
        self,
        message: str,
        *,
        completion: ChatCompletion,
        content: Optional[str],
        choice_index: int,
        validation_error: ValidationError,
    ) -> None:
        super().__init__(message, completion=completion, content=content, choice_index=choice_index)
        self.validation_error = validation_error


for _error in (
    ParseError,
    LengthFinishReasonError,
    RefusalError,
    ContentFilterFinishReasonError,
    InvalidJSONError,
    SchemaValidationError,
):
    _error.__module__ = "tzafon.lib"  # where users import them from, and where pickle finds them
