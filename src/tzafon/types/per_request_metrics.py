"""`PerRequestMetrics`: vLLM's timing figures for one request (0.33 and later, opt-in on the server)."""

from __future__ import annotations

from typing import Dict, Optional

from .._models import BaseModel

__all__ = ["PerRequestMetrics"]


class PerRequestMetrics(BaseModel):
    """Timing of one request as the server measured it.

    Sent only when the server runs with `--enable-per-request-metrics` (or speculative-decoding
    metrics) and `n` is 1: on the completion, or on the final usage chunk of a stream.
    """

    time_to_first_token_ms: Optional[float] = None
    """Milliseconds from the request's arrival to its first generated token."""

    generation_time_ms: Optional[float] = None
    """Milliseconds spent generating tokens."""

    queue_time_ms: Optional[float] = None
    """Milliseconds the request waited in the scheduler queue."""

    mean_itl_ms: Optional[float] = None
    """Mean inter-token latency, in milliseconds."""

    tokens_per_second: Optional[float] = None
    """Generated tokens per second."""

    speculative_decoding: Optional[Dict[str, object]] = None
    """Speculative-decoding statistics, as the server reports them."""
