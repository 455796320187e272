"""The `file` content part of a message."""

from typing_extensions import Literal, Required, TypedDict

__all__ = ["ChatCompletionContentPartFileParam", "FileFile"]


class FileFile(TypedDict, total=False):
    file_data: str
    """The base64 encoded file data, used when passing the file to the model as a string."""

    file_id: str
    """The ID of an uploaded file to use as input."""

    filename: str
    """The name of the file, used when passing the file to the model as a string."""


class ChatCompletionContentPartFileParam(TypedDict, total=False):
    """Learn about file inputs for text generation."""

    file: Required[FileFile]

    type: Required[Literal["file"]]
    """The type of the content part. Always `file`."""
