"""The `response_format` union: text/JSON formats and the two `structural_tag` formats."""

from typing import Union
from typing_extensions import TypeAlias

from .structural_tag_response_format_param import StructuralTagResponseFormatParam
from .chat_completion_response_format_param import ChatCompletionResponseFormatParam
from .legacy_structural_tag_response_format_param import LegacyStructuralTagResponseFormatParam

__all__ = ["ResponseFormatParam"]

ResponseFormatParam: TypeAlias = Union[
    ChatCompletionResponseFormatParam,
    StructuralTagResponseFormatParam,
    LegacyStructuralTagResponseFormatParam,
]
"""The format the model's output must follow."""
