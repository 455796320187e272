"""The content-part unions: what a user message and a custom-role message accept."""

from typing import Union
from typing_extensions import TypeAlias

from .custom_think_completion_content_param import CustomThinkCompletionContentParam
from .chat_completion_content_part_file_param import ChatCompletionContentPartFileParam
from .chat_completion_content_part_text_param import ChatCompletionContentPartTextParam
from .chat_completion_content_part_audio_param import ChatCompletionContentPartAudioParam
from .chat_completion_content_part_image_param import ChatCompletionContentPartImageParam
from .chat_completion_content_part_video_param import ChatCompletionContentPartVideoParam
from .chat_completion_content_part_refusal_param import ChatCompletionContentPartRefusalParam
from .chat_completion_content_part_input_audio_param import ChatCompletionContentPartInputAudioParam
from .chat_completion_content_part_audio_embeds_param import ChatCompletionContentPartAudioEmbedsParam
from .chat_completion_content_part_image_embeds_param import ChatCompletionContentPartImageEmbedsParam
from .custom_chat_completion_content_simple_audio_param import CustomChatCompletionContentSimpleAudioParam
from .custom_chat_completion_content_simple_image_param import CustomChatCompletionContentSimpleImageParam
from .custom_chat_completion_content_simple_video_param import CustomChatCompletionContentSimpleVideoParam

__all__ = ["ChatCompletionContentPartParam", "CustomChatCompletionContentPartParam"]

ChatCompletionContentPartParam: TypeAlias = Union[
    ChatCompletionContentPartTextParam,
    ChatCompletionContentPartImageParam,
    ChatCompletionContentPartInputAudioParam,
    ChatCompletionContentPartFileParam,
]
"""A content part of a user message: text, image, input audio or file."""

CustomChatCompletionContentPartParam: TypeAlias = Union[
    ChatCompletionContentPartTextParam,
    ChatCompletionContentPartImageParam,
    ChatCompletionContentPartInputAudioParam,
    ChatCompletionContentPartFileParam,
    ChatCompletionContentPartAudioParam,
    ChatCompletionContentPartVideoParam,
    ChatCompletionContentPartRefusalParam,
    CustomChatCompletionContentSimpleImageParam,
    ChatCompletionContentPartImageEmbedsParam,
    ChatCompletionContentPartAudioEmbedsParam,
    CustomChatCompletionContentSimpleAudioParam,
    CustomChatCompletionContentSimpleVideoParam,
    str,
    CustomThinkCompletionContentParam,
]
"""A content part of a custom-role message: any typed part, a bare media URL part, or a plain string."""
