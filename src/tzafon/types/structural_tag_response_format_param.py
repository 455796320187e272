"""The `structural_tag` response format, with its structure given as a free-form `format` object."""

from typing_extensions import Literal, Required, TypedDict

__all__ = ["StructuralTagResponseFormatParam"]


class StructuralTagResponseFormatParam(TypedDict, total=False):
    format: Required[object]
    """The structural tag, in the format of the server's structured-output backend."""

    type: Required[Literal["structural_tag"]]
    """The type of the response format."""
