"""The values of `tool_choice`: `"none"`, `"auto"`, `"required"` or a named function."""

from typing import Union
from typing_extensions import Literal, TypeAlias

from .chat_completion_named_tool_choice_param import ChatCompletionNamedToolChoiceParam

__all__ = ["ChatCompletionToolChoiceOptionParam"]

ChatCompletionToolChoiceOptionParam: TypeAlias = Union[
    Literal["none", "auto", "required"], ChatCompletionNamedToolChoiceParam
]
"""Controls which (if any) tool is called by the model.

`none` means the model will not call any tool and instead generates a message. `auto` means the model can pick
between generating a message or calling one or more tools. `required` means the model must call one or more tools.
Specifying a particular tool via `{"type": "function", "function": {"name": "my_function"}}` forces the model to
call that tool.

`none` is the default when no tools are present. `auto` is the default if tools are present.
"""
