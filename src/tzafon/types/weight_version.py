"""`WeightVersion`: which model weights produced a span of generated tokens (vLLM 0.33 and later)."""

from __future__ import annotations

from .._models import BaseModel

__all__ = ["WeightVersion"]


class WeightVersion(BaseModel):
    """A span of the generated tokens and the version of the weights that produced it.

    Sent only when the request sets `return_weight_versions=true`.
    """

    version: str
    """The weight version."""

    start: int
    """Where the span starts, as a position in the generated tokens."""

    end: int
    """Where the span ends, as a position in the generated tokens."""
