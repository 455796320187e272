"""The `audio_url` content part (vLLM): audio given by URL."""

from typing_extensions import Literal, Required, TypedDict

__all__ = ["ChatCompletionContentPartAudioParam", "AudioURL"]


class AudioURL(TypedDict, total=False):
    url: Required[str]
    """A URL of the audio, or a `data:` URL with the encoded audio."""


class ChatCompletionContentPartAudioParam(TypedDict, total=False):
    audio_url: Required[AudioURL]

    type: Required[Literal["audio_url"]]
    """The type of the content part."""
