"""The `vllm_xargs` map: extra request parameters for custom server extensions."""

from typing import Dict, Union
from typing_extensions import TypeAlias

from .._types import SequenceNotStr

__all__ = ["VllmXargsParam"]

VllmXargsParam: TypeAlias = Dict[str, Union[str, float, SequenceNotStr[Union[str, float]]]]
"""Additional request parameters with (list of) string or numeric values, used by custom extensions."""
