"""The `developer` message: instructions the model follows whatever the user says."""

from typing import Union, Iterable
from typing_extensions import Literal, Required, TypedDict

from .chat_completion_content_part_text_param import ChatCompletionContentPartTextParam

__all__ = ["ChatCompletionDeveloperMessageParam"]


class ChatCompletionDeveloperMessageParam(TypedDict, total=False):
    """
    Developer-provided instructions that the model should follow, regardless of messages sent by the user. With o1
    models and newer, `developer` messages replace the previous `system` messages.
    """

    content: Required[Union[str, Iterable[ChatCompletionContentPartTextParam]]]
    """The contents of the developer message.

    A string, or an array of content parts; for developer messages, only type `text` is supported.
    """

    role: Required[Literal["developer"]]
    """The role of the messages author, in this case `developer`."""

    name: str
    """An optional name for the participant.

    Provides the model information to differentiate between participants of the same role.
    """
