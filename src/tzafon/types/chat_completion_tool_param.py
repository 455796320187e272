"""A function tool the model may call (an item of the request's `tools`)."""

from typing_extensions import Literal, Required, TypedDict

from .function_definition_param import FunctionDefinitionParam

__all__ = ["ChatCompletionToolParam"]


class ChatCompletionToolParam(TypedDict, total=False):
    """A function tool that can be used to generate a response."""

    function: Required[FunctionDefinitionParam]

    type: Literal["function"]
    """The type of the tool. Currently, only `function` is supported."""
