"""The bare `{"audio_url": "..."}` content part (vLLM), without a `type` key."""

from typing import Optional
from typing_extensions import TypedDict

__all__ = ["CustomChatCompletionContentSimpleAudioParam"]


class CustomChatCompletionContentSimpleAudioParam(TypedDict, total=False):
    """A simpler version of the param that only accepts a plain audio_url.

    Example: `{"audio_url": "https://example.com/audio.mp3"}`
    """

    audio_url: Optional[str]
    """A URL of the audio, or a `data:` URL with the encoded audio."""
