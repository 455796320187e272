"""The `thinking` content part (vLLM): reasoning text in a message."""

from typing_extensions import Literal, Required, TypedDict

__all__ = ["CustomThinkCompletionContentParam"]


class CustomThinkCompletionContentParam(TypedDict, total=False):
    """A Think Completion Content Param that accepts a plain text and a boolean.

    Example: `{"thinking": "I am thinking about the answer", "closed": True, "type": "thinking"}`
    """

    thinking: Required[str]
    """The reasoning text."""

    type: Required[Literal["thinking"]]
    """The type of the content part."""

    closed: bool
    """Whether the reasoning is finished (the thinking block is closed)."""
