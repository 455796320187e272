"""An item of `logits_processors`: a qualified name, or a constructor object."""

from typing import Union
from typing_extensions import TypeAlias

from .logits_processor_constructor_param import LogitsProcessorConstructorParam

__all__ = ["LogitsProcessorParam"]

LogitsProcessorParam: TypeAlias = Union[str, LogitsProcessorConstructorParam]
"""The qualified name of a logits processor, or a constructor object with `qualname`, `args` and `kwargs`."""
