"""The function a tool in `tools` describes: name, description and JSON Schema of its parameters."""

from typing import Dict, Optional
from typing_extensions import Required, TypedDict

__all__ = ["FunctionDefinitionParam"]


class FunctionDefinitionParam(TypedDict, total=False):
    name: Required[str]
    """The name of the function, as the model will call it."""

    description: Optional[str]
    """What the function does; the model reads it to decide when and how to call the function."""

    parameters: Optional[Dict[str, object]]
    """The function's parameters, as a JSON Schema object. Left out, the function takes no parameters."""
