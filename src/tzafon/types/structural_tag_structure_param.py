"""One tagged region of a legacy `structural_tag` response format: begin tag, schema, end tag."""

from typing import Dict, Optional
from typing_extensions import Required, TypedDict

__all__ = ["StructuralTagStructureParam"]


class StructuralTagStructureParam(TypedDict, total=False):
    begin: Required[str]
    """The text that opens the region, such as `<function=get_weather>`."""

    end: Required[str]
    """The text that closes the region, such as `</function>`."""

    schema: Optional[Dict[str, object]]
    """The JSON Schema the text between `begin` and `end` must match."""
