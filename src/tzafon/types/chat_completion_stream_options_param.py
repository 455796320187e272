"""The `stream_options` of a streaming request: whether and how often usage is reported."""

from typing import Optional
from typing_extensions import TypedDict

__all__ = ["ChatCompletionStreamOptionsParam"]


class ChatCompletionStreamOptionsParam(TypedDict, total=False):
    """Options for streaming response. Only set this when you set `stream: true`."""

    continuous_usage_stats: Optional[bool]
    """If set, every chunk carries the token usage so far."""

    include_usage: Optional[bool]
    """
    If set, an additional chunk will be streamed before the `data: [DONE]` message. The `usage` field on this chunk
    shows the token usage statistics for the entire request, and the `choices` field will always be an empty array.
    """
