"""`ChatCompletionTokenLogprob`: the log probability of one generated token, with its top alternatives."""

from __future__ import annotations

from typing import List, Optional

from .._models import BaseModel

__all__ = ["ChatCompletionTokenLogprob", "TopLogprob"]


class TopLogprob(BaseModel):
    """One of the most likely tokens at a position, with its log probability."""

    token: str
    """The token.

    With `return_tokens_as_token_ids=true` it is the string `"token_id:<id>"`.
    """

    logprob: float = -9999.0
    """The log probability of this token.

    vLLM clamps it to -9999.0 at the lowest, and sends that value when the probability is unknown.
    """

    bytes: Optional[List[int]] = None
    """The UTF-8 bytes of the token, as integers.

    Useful when a character is split over several tokens and their bytes must be joined to decode
    it. `None` when the token has no byte representation.
    """


class ChatCompletionTokenLogprob(BaseModel):
    """The log probability of one generated token, and the most likely tokens at its position."""

    token: str
    """The token.

    With `return_tokens_as_token_ids=true` it is the string `"token_id:<id>"`.
    """

    logprob: float = -9999.0
    """The log probability of this token.

    vLLM clamps it to -9999.0 at the lowest, and sends that value when the probability is unknown.
    """

    bytes: Optional[List[int]] = None
    """The UTF-8 bytes of the token, as integers.

    Useful when a character is split over several tokens and their bytes must be joined to decode
    it. `None` when the token has no byte representation.
    """

    top_logprobs: List[TopLogprob] = []
    """The most likely tokens at this position, with their log probabilities.

    vLLM lists the sampled token first, then the others by rank, so the list is not always sorted
    by log probability. Empty when `top_logprobs` was 0; there may be fewer entries than requested.
    """
