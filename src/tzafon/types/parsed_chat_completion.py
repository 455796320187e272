"""`ParsedChatCompletion[T]`: a chat completion whose messages carry their content parsed into `T`."""

from __future__ import annotations

from typing import List, Generic, TypeVar, Optional

from .chat_completion import Choice, ChatCompletion
from .chat_completion_message import ChatCompletionMessage

__all__ = ["ParsedChatCompletion", "ParsedChoice", "ParsedChatCompletionMessage"]

ContentType = TypeVar("ContentType")

# These classes are generic for type checkers only: the SDK never subscripts them at runtime (each
# `ParsedChatCompletion[X]` would be a new class with its own validators, which pydantic cannot free
# and which pickle cannot find by name). `parsed` holds whatever object was parsed, unchecked here.


class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[ContentType]):
    """A chat completion message with its content parsed into the requested type."""

    parsed: Optional[ContentType] = None
    """The content parsed and validated as the requested type; `None` when the message has no content (tool calls)."""


class ParsedChoice(Choice, Generic[ContentType]):
    """A choice of a parsed chat completion."""

    message: ParsedChatCompletionMessage[ContentType]  # pyright: ignore[reportIncompatibleVariableOverride]
    """The message, with `parsed` set."""


class ParsedChatCompletion(ChatCompletion, Generic[ContentType]):
    """A chat completion whose choices' messages carry `parsed`, their content as the requested type."""

    choices: List[ParsedChoice[ContentType]]  # type: ignore[assignment]
    """The choices, each message with `parsed` set."""
