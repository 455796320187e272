"""The author of a Harmony-format message: a role and an optional name."""

from typing import Optional
from typing_extensions import Literal, Required, TypedDict

__all__ = ["ChatCompletionHarmonyAuthorParam"]


class ChatCompletionHarmonyAuthorParam(TypedDict, total=False):
    role: Required[Literal["user", "assistant", "system", "developer", "tool"]]
    """The role of a message author (mirrors chat::Role)."""

    name: Optional[str]
    """The author's name, such as the tool that wrote the message."""
