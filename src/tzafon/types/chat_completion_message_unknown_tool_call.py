"""`ChatCompletionMessageUnknownToolCall`: a tool call of a kind this SDK does not know, kept as sent."""

from __future__ import annotations

from typing import Optional

from .._models import BaseModel

__all__ = ["ChatCompletionMessageUnknownToolCall"]


class ChatCompletionMessageUnknownToolCall(BaseModel):
    """A tool call that is neither a well-formed function call nor a custom call.

    It has an unknown `type`, or lacks a member its `type` requires. Nothing is dropped: every
    member the server sent is available as an attribute, in `model_extra` and in `to_dict()`.
    """

    id: Optional[str] = None
    """The ID of the tool call, if the server sent one."""

    type: Optional[str] = None
    """The type of the tool call as the server sent it, if it sent one."""
