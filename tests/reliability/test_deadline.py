"""`total_timeout`: one wall-clock budget for all attempts and retry waits of a call."""

from __future__ import annotations

import time
from typing import Any, List

import httpx
import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletionChunk
from tzafon.testing import Fail, Reply, Stall, LightconeTestServer

from ._support import ECHO, MESSAGES, MakeDriver, text_of


def test_deadline_cuts_an_attempt_that_never_ends(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.set_default(Stall())
    started = time.monotonic()
    with pytest.raises(tzafon.APITimeoutError) as info:
        make_driver(timeout=30, total_timeout=0.5, max_retries=5).create()
    assert str(info.value) == "Request timed out: total_timeout of 0.5 s expired after 1 attempt."
    assert len(server.requests) == 1
    assert time.monotonic() - started < 10  # the 30 s read timeout did not apply


def test_deadline_cuts_the_retries(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    # Attempt 1 fails at once and asks for 0.5 s; attempt 2 never ends and is cut at the 1 s mark.
    server.enqueue(Fail(503, retry_after=0.5))
    server.set_default(Stall())
    with pytest.raises(tzafon.APITimeoutError) as info:
        make_driver(timeout=30, total_timeout=1.0, max_retries=10).create()
    assert str(info.value) == "Request timed out: total_timeout of 1.0 s expired after 2 attempts."
    assert len(server.requests) == 2


def test_no_sleep_past_the_deadline(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    # Without a deadline the client would honour the 30 s Retry-After; with one it gives up at once.
    server.set_default(Fail(503, message="come back later", retry_after=30))
    started = time.monotonic()
    with pytest.raises(tzafon.InternalServerError) as info:
        make_driver(total_timeout=5, max_retries=3).create()
    assert info.value.message == "come back later"
    assert len(server.requests) == 1
    assert time.monotonic() - started < 5


def test_deadline_ends_a_retry_loop_before_max_retries(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.set_default(Fail(429, retry_after=0.2))
    with pytest.raises(tzafon.RateLimitError):
        make_driver(total_timeout=0.9, max_retries=50).create()
    # 0.2 s apart within 0.9 s: at most 5 attempts, far fewer than the 51 that max_retries allows.
    assert 1 <= len(server.requests) <= 5


def test_a_call_within_its_deadline_succeeds(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Fail(503, retry_after_ms=50))
    assert make_driver(total_timeout=5).create().choices[0].message.content == ECHO
    assert len(server.requests) == 2


def test_deadline_covers_only_the_start_of_a_stream(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    # Each gap (0.4 s) is longer than the whole total_timeout (0.3 s): only the headers had to beat it.
    server.enqueue(Reply(content="a b c", chunk_delay=0.4))
    received: List[ChatCompletionChunk] = []
    make_driver(timeout=5, total_timeout=0.3).stream(received)
    assert text_of(received) == "a b c"


def test_deadline_applies_while_waiting_for_a_stream_to_start(
    server: LightconeTestServer, make_driver: MakeDriver
) -> None:
    server.set_default(Stall())
    with pytest.raises(tzafon.APITimeoutError) as info:
        make_driver(timeout=30, total_timeout=0.4).stream([])
    assert "total_timeout of 0.4 s expired" in str(info.value)


def test_per_call_deadline_with_options(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    driver = make_driver(timeout=30)
    server.set_default(Stall())
    bounded = driver.client.with_options(total_timeout=0.3, max_retries=0)
    assert bounded.total_timeout == 0.3 and driver.client.total_timeout is None
    assert bounded.with_options(total_timeout=None).total_timeout is None
    if driver.kind == "sync":
        with pytest.raises(tzafon.APITimeoutError, match="total_timeout of 0.3 s"):
            bounded.chat.create_completion(messages=MESSAGES)
    else:
        with pytest.raises(tzafon.APITimeoutError, match="total_timeout of 0.3 s"):
            driver.portal.call(lambda: bounded.chat.create_completion(messages=MESSAGES))  # type: ignore[attr-defined]


def test_per_call_deadline_in_request_options(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    driver = make_driver(timeout=30, max_retries=0)
    server.set_default(Stall())
    options: Any = {"total_timeout": 0.3}
    with pytest.raises(tzafon.APITimeoutError, match="total_timeout of 0.3 s expired after 1 attempt"):
        driver.post("/chat/completions", cast_to=object, body={"messages": MESSAGES}, options=options)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "5", True])
def test_total_timeout_must_be_positive_seconds(bad: Any) -> None:
    with pytest.raises(ValueError, match="total_timeout"):
        Lightcone(api_key="k", base_url="http://127.0.0.1:1", total_timeout=bad)
    with pytest.raises(ValueError, match="total_timeout"):
        AsyncLightcone(api_key="k", base_url="http://127.0.0.1:1", total_timeout=bad)


def test_total_timeout_is_shown_and_kept_by_copies() -> None:
    client = Lightcone(api_key="k", base_url="http://127.0.0.1:1", total_timeout=12)
    assert client.total_timeout == 12.0
    assert "total_timeout=12.0" in repr(client)
    assert client.with_options(max_retries=0).total_timeout == 12.0
    assert client.with_options(timeout=httpx.Timeout(3)).total_timeout == 12.0
