"""Faults over real sockets: retried failures, final failures, cut connections, odd bodies, redirects.

Every scenario runs against `Lightcone` and `AsyncLightcone` (the `kind` fixture) and a
`LightconeTestServer` on 127.0.0.1 that misbehaves on cue.
"""

from __future__ import annotations

import time
from typing import List

import httpx
import pytest

import tzafon
from tzafon.types import ChatCompletionChunk
from tzafon.testing import (
    Fail,
    Gzip,
    Html,
    Reply,
    Reset,
    Stall,
    Redirect,
    LargeBody,
    InvalidJSON,
    LightconeTestServer,
)

from ._support import ECHO, API_KEY, MakeDriver, text_of, closed_port

SSE_REPLY = Reply(content="one two three four five")


def test_429_with_retry_after_then_success(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Fail(429, message="slow down", retry_after=0.25))
    completion = make_driver().create()
    assert completion.choices[0].message.content == ECHO
    first, second = server.requests
    assert [first.headers["x-stainless-retry-count"], second.headers["x-stainless-retry-count"]] == ["0", "1"]
    assert first.headers["x-request-id"] == second.headers["x-request-id"]
    # The server asked for 0.25 s; the retry did not come sooner (a lower bound cannot flake).
    assert second.received_at - first.received_at >= 0.2


def test_burst_of_503_then_success(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Fail(503, retry_after_ms=20), times=3)
    completion = make_driver(max_retries=3).create()
    assert completion.choices[0].message.content == ECHO
    assert [r.headers["x-stainless-retry-count"] for r in server.requests] == ["0", "1", "2", "3"]


def test_503_beyond_max_retries_raises_typed_error(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.set_default(Fail(503, message="engine overloaded", retry_after_ms=10))
    with pytest.raises(tzafon.InternalServerError) as info:
        make_driver(max_retries=2).create()
    assert info.value.status_code == 503
    assert info.value.message == "engine overloaded"
    assert len(server.requests) == 3


def test_connection_refused(make_driver: MakeDriver) -> None:
    driver = make_driver(base_url=f"http://127.0.0.1:{closed_port()}", max_retries=1)
    with pytest.raises(tzafon.APIConnectionError) as info:
        driver.create()
    assert not isinstance(info.value, tzafon.APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "127.0.0.1" in str(info.value)


def test_reset_before_status_line_is_retried(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Reset(when="before_status"))
    assert make_driver().create().choices[0].message.content == ECHO
    assert len(server.requests) == 2


def test_reset_before_status_line_every_time(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.set_default(Reset(when="before_status"))
    with pytest.raises(tzafon.APIConnectionError) as info:
        make_driver(max_retries=0).create()
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert len(server.requests) == 1


def test_reset_mid_body_of_plain_response_is_retried(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Reset(when="mid_body"))
    assert make_driver().create().choices[0].message.content == ECHO
    assert len(server.requests) == 2


def test_reset_mid_stream_keeps_delivered_chunks_and_is_not_retried(
    server: LightconeTestServer, make_driver: MakeDriver
) -> None:
    server.enqueue(Reset(when="mid_body", after_chunks=3, reply=SSE_REPLY))
    received: List[ChatCompletionChunk] = []
    with pytest.raises(tzafon.APIConnectionError) as info:
        make_driver(max_retries=2).stream(received)
    assert not isinstance(info.value, tzafon.APITimeoutError)
    assert len(received) == 3
    assert "one two three four five".startswith(text_of(received))
    assert "after 3 chunk(s)" in str(info.value)
    assert len(server.requests) == 1


def test_server_that_never_answers_times_out(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.set_default(Stall())
    started = time.monotonic()
    with pytest.raises(tzafon.APITimeoutError) as info:
        make_driver(timeout=0.3, max_retries=1).create()
    assert str(info.value) == "Request timed out (read timeout of 0.3 s) after 2 attempts."
    assert len(server.requests) == 2
    # Two 0.3 s attempts and one backoff, not the 60 s default: the configured limit applied.
    assert time.monotonic() - started < 10


def test_stalled_stream_hits_the_idle_limit(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Stall(after_chunks=2, reply=SSE_REPLY))
    received: List[ChatCompletionChunk] = []
    with pytest.raises(tzafon.APITimeoutError) as info:
        make_driver(timeout=0.3).stream(received)
    assert len(received) == 2
    assert "next chunk" in str(info.value)
    assert len(server.requests) == 1


def test_slow_stream_outlives_the_read_timeout(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    # 9 gaps of 0.2 s: the stream lasts longer than the 1 s read timeout, but never idles that long.
    server.enqueue(Reply(content="a b c d e f g h", chunk_delay=0.2))
    received: List[ChatCompletionChunk] = []
    make_driver(timeout=1.0).stream(received)
    assert text_of(received) == "a b c d e f g h"
    assert received[-1].choices[0].finish_reason == "stop"


def test_ten_megabyte_body(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(LargeBody(size=10_000_000))
    content = make_driver().create().choices[0].message.content
    assert content is not None and len(content) == 10_000_000


def test_ten_megabyte_stream(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(LargeBody(size=10_000_000, chunk_size=500_000))
    received: List[ChatCompletionChunk] = []
    make_driver().stream(received)
    assert len(text_of(received)) == 10_000_000


def test_gzip_encoded_body(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Gzip())
    assert make_driver().create().choices[0].message.content == ECHO


def test_gzip_encoded_stream(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Gzip(reply=SSE_REPLY))
    received: List[ChatCompletionChunk] = []
    make_driver().stream(received)
    assert text_of(received) == "one two three four five"


def test_html_error_page_from_a_proxy(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.set_default(Html(502))
    with pytest.raises(tzafon.InternalServerError) as info:
        make_driver(max_retries=0).create()
    assert info.value.status_code == 502
    assert isinstance(info.value.body, str) and "<h1>502 Bad Gateway</h1>" in info.value.body
    assert "502" in str(info.value)


def test_html_error_page_with_a_client_error_status(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Html(413, text="<html><body>Request Entity Too Large</body></html>"))
    with pytest.raises(tzafon.APIStatusError) as info:
        make_driver().create()
    assert info.value.status_code == 413
    assert "Request Entity Too Large" in str(info.value.body)
    assert len(server.requests) == 1  # a 413 is not retried


def test_invalid_json_with_status_200(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    broken = '{"id": "chatcmpl-1", "choices": [{'
    server.enqueue(InvalidJSON(text=broken))
    with pytest.raises(tzafon.APIResponseValidationError) as info:
        make_driver().create()
    assert info.value.status_code == 200
    assert info.value.body == broken
    assert "not valid JSON" in str(info.value)
    assert len(server.requests) == 1


def test_invalid_json_inside_a_stream(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(InvalidJSON(text="{not json", after_chunks=2))
    received: List[ChatCompletionChunk] = []
    with pytest.raises(tzafon.APIResponseValidationError) as info:
        make_driver().stream(received)
    assert len(received) == 2
    assert info.value.body == "{not json"


def test_redirect_to_another_host_drops_the_key(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    with LightconeTestServer() as elsewhere:
        server.enqueue(Redirect(location=f"{elsewhere.base_url}/chat/completions"))
        completion = make_driver().create()
        assert completion.choices[0].message.content == ECHO
        assert server.last_request.headers["authorization"] == f"Bearer {API_KEY}"
        (followed,) = elsewhere.requests
        assert "authorization" not in followed.headers
        assert API_KEY not in followed.text
        assert all(API_KEY not in value for value in followed.headers.values())


def test_redirect_to_the_same_origin_keeps_the_key(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    server.enqueue(Redirect(location=f"{server.base_url}/v1/chat/completions"))
    assert make_driver().create().choices[0].message.content == ECHO
    first, followed = server.requests
    assert followed.path == "/v1/chat/completions"
    assert followed.headers["authorization"] == first.headers["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize("request_id", ["café-1", "line\r\nbreak", " padded "])
def test_a_body_request_id_that_cannot_be_a_header(
    server: LightconeTestServer, make_driver: MakeDriver, request_id: str
) -> None:
    # The body keeps it; the X-Request-Id header gets a generated id instead of failing the call.
    assert make_driver(max_retries=0).create(request_id=request_id).choices[0].message.content == ECHO
    sent = server.last_request
    assert sent.json["request_id"] == request_id
    assert sent.headers["x-request-id"].isalnum()
