"""`ErrorObject`: the `error` member of an error body, or of an error event inside a stream."""

from __future__ import annotations

from typing import Union, Optional

from .._models import BaseModel

__all__ = ["ErrorObject"]


class ErrorObject(BaseModel):
    """What went wrong, as the server describes it in `{"error": {...}}`.

    Every field is optional so that an unexpected error body never hides the error itself.
    """

    message: Optional[str] = None
    """A human-readable description of the error."""

    type: Optional[str] = None
    """The kind of error, e.g. `"BadRequestError"` or `"Bad Request"`; vLLM does not keep it stable."""

    param: Optional[str] = None
    """The request field the error is about, when there is one."""

    code: Union[int, str, None] = None
    """vLLM repeats the HTTP status here (an int); OpenAI-style servers may send a string code."""
