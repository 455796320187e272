"""`with_raw_response` and `with_streaming_response`, on the resource and on the client, sync and async."""

from __future__ import annotations

import json

import httpx
import pytest

import tzafon
from tzafon.types import ChatCompletion, ChatCompletionChunk

from .utils import MESSAGES, COMPLETION, Recorder, make_client, make_async_client

CHUNK = {
    "id": "chatcmpl-abc",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}],
}
SSE = f"data: {json.dumps(CHUNK)}\n\ndata: [DONE]\n\n".encode()


def sse_response() -> httpx.Response:
    return httpx.Response(200, content=SSE, headers={"content-type": "text/event-stream", "x-request-id": "rid-s"})


def test_raw_response_has_headers_and_parses() -> None:
    recorder = Recorder(httpx.Response(200, json=COMPLETION, headers={"x-request-id": "rid-1", "x-custom": "v"}))
    client = make_client(recorder)
    response = client.chat.with_raw_response.create_completion(messages=MESSAGES)
    assert isinstance(response, tzafon.APIResponse)
    assert response.status_code == 200
    assert response.headers["x-custom"] == "v"
    assert response.request_id == "rid-1"
    assert isinstance(response.http_response, httpx.Response)
    completion = response.parse()
    assert isinstance(completion, ChatCompletion)
    assert completion.id == "chatcmpl-abc"
    assert response.parse() is completion
    assert response.json() == COMPLETION
    assert json.loads(response.text()) == COMPLETION
    assert "X-Stainless-Raw-Response".lower() not in recorder.last.headers


def test_client_level_raw_response() -> None:
    recorder = Recorder()
    client = make_client(recorder)
    response = client.with_raw_response.chat.create_completion(messages=MESSAGES)
    assert response.parse().choices[0].message.content == "Hello!"


def test_raw_response_stream_parse_gives_stream() -> None:
    recorder = Recorder(sse_response())
    client = make_client(recorder)
    response = client.chat.with_raw_response.create_completion(messages=MESSAGES, stream=True)
    stream = response.parse()
    assert isinstance(stream, tzafon.Stream)
    chunks = list(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["Hi"]
    assert isinstance(chunks[0], ChatCompletionChunk)


def test_streaming_response_reads_lazily() -> None:
    body = json.dumps(COMPLETION).encode()
    recorder = Recorder(httpx.Response(200, content=iter([body[:10], body[10:]])))
    client = make_client(recorder)
    with client.chat.with_streaming_response.create_completion(messages=MESSAGES) as response:
        assert not response.is_closed and not response.http_response.is_stream_consumed
        assert response.status_code == 200
        assert json.loads(b"".join(response.iter_bytes())) == COMPLETION
    assert response.is_closed


def test_streaming_response_iter_lines_and_parse() -> None:
    recorder = Recorder(sse_response())
    client = make_client(recorder)
    with client.with_streaming_response.chat.create_completion(messages=MESSAGES, stream=True) as response:
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    with client.chat.with_streaming_response.create_completion(messages=MESSAGES) as response:
        assert response.parse().id == "chatcmpl-abc"
    with client.chat.with_streaming_response.create_completion(messages=MESSAGES) as response:
        assert "".join(response.iter_text()).startswith("{")


def test_raw_response_errors_still_raise() -> None:
    recorder = Recorder(httpx.Response(404, json={"error": {"message": "nope", "code": 404}}))
    client = make_client(recorder)
    with pytest.raises(tzafon.NotFoundError):
        client.chat.with_raw_response.create_completion(messages=MESSAGES)


@pytest.mark.anyio
async def test_async_raw_and_streaming_response() -> None:
    recorder = Recorder(httpx.Response(200, json=COMPLETION, headers={"x-request-id": "rid-a"}), sse_response())
    client = make_async_client(recorder)
    response = await client.chat.with_raw_response.create_completion(messages=MESSAGES)
    assert isinstance(response, tzafon.AsyncAPIResponse)
    assert response.request_id == "rid-a"
    completion = await response.parse()
    assert completion.id == "chatcmpl-abc"
    async with client.with_streaming_response.chat.create_completion(messages=MESSAGES, stream=True) as streamed:
        stream = await streamed.parse()
        contents = [chunk.choices[0].delta.content async for chunk in stream]
    assert contents == ["Hi"]


@pytest.mark.anyio
async def test_async_streaming_response_body_methods() -> None:
    recorder = Recorder()
    client = make_async_client(recorder)
    async with client.chat.with_streaming_response.create_completion(messages=MESSAGES) as response:
        assert await response.json() == COMPLETION
    async with client.chat.with_streaming_response.create_completion(messages=MESSAGES) as response:
        lines = [line async for line in response.iter_lines()]
        assert json.loads("".join(lines)) == COMPLETION
