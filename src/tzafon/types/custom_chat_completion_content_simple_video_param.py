"""The bare `{"video_url": "..."}` content part (vLLM), without a `type` key."""

from typing import Optional
from typing_extensions import TypedDict

__all__ = ["CustomChatCompletionContentSimpleVideoParam"]


class CustomChatCompletionContentSimpleVideoParam(TypedDict, total=False):
    """A simpler version of the param that only accepts a plain video_url.

    Example: `{"video_url": "https://example.com/video.mp4"}`
    """

    uuid: Optional[str]
    """A unique id you give this media item; the server caches the item under it instead of under a hash of its data."""

    video_url: Optional[str]
    """A URL of the video, or a `data:` URL with the encoded video."""
