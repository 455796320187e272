"""The `audio_embeds` content part (vLLM): precomputed audio embeddings."""

from typing import Dict, Union, Optional
from typing_extensions import Literal, Required, TypedDict

__all__ = ["ChatCompletionContentPartAudioEmbedsParam"]


class ChatCompletionContentPartAudioEmbedsParam(TypedDict, total=False):
    type: Required[Literal["audio_embeds"]]
    """The type of the content part."""

    audio_embeds: Union[str, Dict[str, str], None]
    """The embeddings as a base64 encoded tensor, or a map of named base64 encoded tensors."""

    uuid: Optional[str]
    """A unique id you give this media item; the server caches the item under it instead of under a hash of its data."""
