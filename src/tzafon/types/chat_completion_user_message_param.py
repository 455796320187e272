"""The `user` message: the end user's prompt, as text or text, image, audio and file parts."""

from typing import Union, Iterable
from typing_extensions import Literal, Required, TypedDict

from .chat_completion_content_part_param import ChatCompletionContentPartParam

__all__ = ["ChatCompletionUserMessageParam"]


class ChatCompletionUserMessageParam(TypedDict, total=False):
    """Messages sent by an end user, containing prompts or additional context information."""

    content: Required[Union[str, Iterable[ChatCompletionContentPartParam]]]
    """The contents of the user message.

    A string, or an array of content parts: text, image, audio or file inputs.
    """

    role: Required[Literal["user"]]
    """The role of the messages author, in this case `user`."""

    name: str
    """An optional name for the participant.

    Provides the model information to differentiate between participants of the same role.
    """
