"""`PromptLogprob`: vLLM's log probability of one candidate token at a prompt position."""

from __future__ import annotations

from typing import Optional

from .._models import BaseModel

__all__ = ["PromptLogprob"]


class PromptLogprob(BaseModel):
    """The log probability of one token at a prompt position (vLLM's `prompt_logprobs`)."""

    logprob: float
    """The log probability of this token at this position; vLLM clamps it to -9999.0 at the lowest."""

    rank: Optional[int] = None
    """The token's rank among all tokens at this position, 1 being the most likely."""

    decoded_token: Optional[str] = None
    """The token as text, when the server could decode it."""
