"""The `json_schema` member of a `json_schema` response format."""

from typing import Dict, Optional
from typing_extensions import Required, TypedDict

__all__ = ["JSONSchemaParam"]


class JSONSchemaParam(TypedDict, total=False):
    name: Required[str]
    """The name of the response format."""

    description: Optional[str]
    """What the response format is for; the model reads it to decide how to respond in the format."""

    schema: Optional[Dict[str, object]]
    """The schema the response must match, as a JSON Schema object."""

    strict: Optional[bool]
    """Whether the output must follow the schema exactly."""
