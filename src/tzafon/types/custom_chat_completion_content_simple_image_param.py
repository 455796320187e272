"""The bare `{"image_url": "..."}` content part (vLLM), without a `type` key."""

from typing import Optional
from typing_extensions import TypedDict

__all__ = ["CustomChatCompletionContentSimpleImageParam"]


class CustomChatCompletionContentSimpleImageParam(TypedDict, total=False):
    """A simpler version of the param that only accepts a plain image_url.

    This is supported by OpenAI API, although it is not documented.

    Example: `{"image_url": "https://example.com/image.jpg"}`
    """

    image_url: Optional[str]
    """A URL of the image, or a `data:` URL with the encoded image."""

    uuid: Optional[str]
    """A unique id you give this media item; the server caches the item under it instead of under a hash of its data."""
