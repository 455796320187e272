"""`CompletionUsage`: token counts for a request, with vLLM's optional details."""

from __future__ import annotations

from typing import Dict, Optional

from .._models import BaseModel

__all__ = ["CompletionUsage", "PromptTokensDetails", "CompletionTokensDetails"]


class PromptTokensDetails(BaseModel):
    """A breakdown of the prompt tokens.

    vLLM sends it only when it runs with `--enable-prompt-tokens-details`.
    """

    cached_tokens: Optional[int] = None
    """Prompt tokens served from the prefix cache."""

    audio_tokens: Optional[int] = None
    """Audio input tokens in the prompt (OpenAI field; vLLM does not send it)."""

    created_cache_tokens: Optional[int] = None
    """Prompt tokens newly written to the prefix cache by this request (vLLM 0.33 and later)."""

    multimodal_tokens: Optional[Dict[str, int]] = None
    """Prompt tokens per input modality, e.g. `{"image": 1024}` (vLLM 0.33 and later)."""


class CompletionTokensDetails(BaseModel):
    """A breakdown of the completion tokens.

    vLLM 0.33 and later send it when the server runs a reasoning parser.
    """

    reasoning_tokens: Optional[int] = None
    """Tokens the model generated as reasoning."""

    accepted_prediction_tokens: Optional[int] = None
    """Predicted-output tokens that appeared in the completion (OpenAI field; vLLM does not send it)."""

    rejected_prediction_tokens: Optional[int] = None
    """Predicted-output tokens that did not appear in the completion (OpenAI field; vLLM does not send it)."""

    audio_tokens: Optional[int] = None
    """Audio tokens the model generated (OpenAI field; vLLM does not send it)."""


class CompletionUsage(BaseModel):
    """Usage statistics for the completion request."""

    prompt_tokens: int
    """Number of tokens in the prompt (for encoder-decoder models, the encoder prompt included)."""

    total_tokens: int
    """Total number of tokens used in the request (prompt + completion)."""

    completion_tokens: Optional[int] = None
    """Number of tokens in the generated completion, summed over all `n` choices.

    In a stream with `continuous_usage_stats`, the count so far for the choice of that chunk.
    """

    prompt_tokens_details: Optional[PromptTokensDetails] = None
    """Breakdown of tokens used in the prompt; `None` unless the server enables it."""

    completion_tokens_details: Optional[CompletionTokensDetails] = None
    """Breakdown of tokens used in the completion (vLLM 0.33 and later, with a reasoning parser)."""
