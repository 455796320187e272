"""Retry decisions shared by both clients: what is retried and how long to wait. No I/O here."""

from __future__ import annotations

import random
import email.utils
from typing import Callable, Optional

import httpx

from ._constants import MAX_RETRY_DELAY, INITIAL_RETRY_DELAY, MAX_SERVER_RETRY_WAIT

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def should_retry_status(status_code: int, headers: httpx.Headers) -> bool:
    """Whether an error response is worth another attempt; `x-should-retry` overrides."""
    hint = headers.get("x-should-retry")
    if hint == "true":
        return True
    if hint == "false":
        return False
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def server_requested_wait(headers: Optional[httpx.Headers]) -> Optional[float]:
    """The wait the server asked for (`retry-after-ms`, then `Retry-After` seconds or date), if usable."""
    if headers is None:
        return None
    wait: Optional[float] = None
    retry_after_ms = headers.get("retry-after-ms")
    if retry_after_ms is not None:
        try:
            wait = float(retry_after_ms) / 1000
        except ValueError:
            wait = None
    if wait is None:
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            try:
                wait = float(retry_after)
            except ValueError:
                try:
                    parsed = email.utils.parsedate_tz(retry_after)
                    if parsed is not None:
                        wait = float(email.utils.mktime_tz(parsed)) - _now()
                except (ValueError, OverflowError):
                    wait = None  # a date Python cannot represent: fall back to backoff
    if wait is not None and wait == wait and 0 < wait <= MAX_SERVER_RETRY_WAIT:
        return wait
    return None


def retry_wait(
    retries_taken: int,
    headers: Optional[httpx.Headers] = None,
    *,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to sleep before retry number `retries_taken + 1`.

    The server's own request wins when it is between 0 and 60 s; otherwise exponential
    backoff, `min(0.5 * 2**n, 8)`, scaled by a jitter factor in (0.75, 1].
    """
    requested = server_requested_wait(headers)
    if requested is not None:
        return requested
    base = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 1000), MAX_RETRY_DELAY)
    return base * (1 - 0.25 * rand())


def describe_status(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()


def _now() -> float:
    import time

    return time.time()
