"""The legacy `structural_tag` response format: tagged regions whose contents follow a JSON Schema."""

from typing import Iterable
from typing_extensions import Literal, Required, TypedDict

from .._types import SequenceNotStr
from .structural_tag_structure_param import StructuralTagStructureParam

__all__ = ["LegacyStructuralTagResponseFormatParam"]


class LegacyStructuralTagResponseFormatParam(TypedDict, total=False):
    structures: Required[Iterable[StructuralTagStructureParam]]
    """The tagged regions the model may produce."""

    triggers: Required[SequenceNotStr[str]]
    """Prefixes of `begin` tags; once the model writes one, the matching structure is enforced."""

    type: Required[Literal["structural_tag"]]
    """The type of the response format."""
