"""A Harmony-format message (gpt-oss models): author, channel, recipient and raw content."""

from typing import Iterable, Optional
from typing_extensions import Required, TypedDict

from .chat_completion_harmony_author_param import ChatCompletionHarmonyAuthorParam

__all__ = ["ChatCompletionHarmonyMessageParam"]


class ChatCompletionHarmonyMessageParam(TypedDict, total=False):
    author: Required[ChatCompletionHarmonyAuthorParam]
    """Who wrote the message."""

    channel: Optional[str]
    """The channel the message belongs to, such as `analysis`, `commentary` or `final`."""

    content: Iterable[object]
    """The message's content items."""

    content_type: Optional[str]
    """The content type of the message, such as `json` for tool arguments."""

    recipient: Optional[str]
    """Who the message is addressed to, such as the tool a call is for."""
