"""The `video_url` content part (vLLM): video given by URL."""

from typing_extensions import Literal, Required, TypedDict

__all__ = ["ChatCompletionContentPartVideoParam", "VideoURL"]


class VideoURL(TypedDict, total=False):
    url: Required[str]
    """A URL of the video, or a `data:` URL with the encoded video."""


class ChatCompletionContentPartVideoParam(TypedDict, total=False):
    type: Required[Literal["video_url"]]
    """The type of the content part."""

    video_url: Required[VideoURL]
