"""The `text`, `json_object` and `json_schema` response formats."""

from typing import Optional
from typing_extensions import Literal, Required, TypedDict

from .json_schema_param import JSONSchemaParam

__all__ = ["ChatCompletionResponseFormatParam"]


class ChatCompletionResponseFormatParam(TypedDict, total=False):
    type: Required[Literal["text", "json_object", "json_schema"]]
    """`text`: free text. `json_object`: any JSON object. `json_schema`: JSON matching `json_schema`."""

    json_schema: Optional[JSONSchemaParam]
    """The schema the response must match; required when `type` is `json_schema`."""
