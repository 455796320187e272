"""A function tool carried inside a custom-role message (its function may set `strict`)."""

from typing import Dict, Optional
from typing_extensions import Literal, Required, TypedDict

__all__ = ["CustomChatCompletionMessageToolParam", "Function"]


class Function(TypedDict, total=False):
    name: Required[str]
    """The name of the function, as the model will call it."""

    description: str
    """What the function does; the model reads it to decide when and how to call the function."""

    parameters: Dict[str, object]
    """The function's parameters, as a JSON Schema object."""

    strict: Optional[bool]
    """If true, the generated arguments follow the `parameters` schema exactly."""


class CustomChatCompletionMessageToolParam(TypedDict, total=False):
    function: Required[Function]

    type: Required[Literal["function"]]
    """The type of the tool. Currently, only `function` is supported."""
