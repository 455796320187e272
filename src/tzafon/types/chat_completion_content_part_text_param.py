"""The `text` content part of a message."""

from typing_extensions import Literal, Required, TypedDict

__all__ = ["ChatCompletionContentPartTextParam"]


class ChatCompletionContentPartTextParam(TypedDict, total=False):
    """Learn about text inputs."""

    text: Required[str]
    """The text content."""

    type: Required[Literal["text"]]
    """The type of the content part."""
