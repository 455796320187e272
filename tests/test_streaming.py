"""`Stream` / `AsyncStream` over recorded vLLM bodies: items, in-band errors, cut streams, and closing."""

from __future__ import annotations

import gc
import gzip
import json
import socket
import itertools
import threading
import socketserver
from typing import Any, Dict, List, Type, Union, Iterator, Optional, AsyncIterator
from pathlib import Path
from dataclasses import field, dataclass

import anyio
import httpx
import pytest
from hypothesis import given, settings, strategies as st
from anyio.lowlevel import checkpoint

from tzafon import (
    APIError,
    APIStatusError,
    RateLimitError,
    APITimeoutError,
    BadRequestError,
    APIConnectionError,
    InternalServerError,
    APIResponseValidationError,
)
from tzafon._streaming import Stream, AsyncStream
from tzafon.types.chat_completion_chunk import ChatCompletionChunk

FIXTURES = Path(__file__).parent / "fixtures"
URL = "http://vllm.test/v1/chat/completions"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fixture_events(name: str) -> List[bytes]:
    """A recorded body, cut into one network read per event as vLLM sends it."""
    body = (FIXTURES / name).read_bytes()
    return [event + b"\n\n" for event in body.split(b"\n\n") if event]


def sse(*objects: Union[Dict[str, Any], str], done: bool = True) -> List[bytes]:
    reads = [b"data: " + (o if isinstance(o, str) else json.dumps(o)).encode() + b"\n\n" for o in objects]
    return reads + ([b"data: [DONE]\n\n"] if done else [])


def chunk(content: str, index: int = 0, finish: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1751875200,
        "model": "m",
        "choices": [{"index": index, "delta": {"content": content}, "logprobs": None, "finish_reason": finish}],
    }


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that yields the given reads, then optionally fails or waits forever."""

    def __init__(self, reads: List[bytes], *, then: Optional[Exception] = None, hang: bool = False) -> None:
        self.reads = reads
        self.then = then
        self.hang = hang
        self.sent = 0
        self.exhausted = False
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for read in self.reads:
            self.sent += 1
            yield read
        if self.then is not None:
            raise self.then
        self.exhausted = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for read in self.reads:
            self.sent += 1
            yield read
        if self.hang:
            await anyio.sleep_forever()
        if self.then is not None:
            raise self.then
        self.exhausted = True

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        await checkpoint()  # closing a real connection awaits too: it must survive cancellation
        self.closed = True


def respond(body: Body, headers: Optional[Dict[str, str]] = None) -> httpx.Response:
    all_headers = {"content-type": "text/event-stream; charset=utf-8", "x-request-id": "req-42", **(headers or {})}
    client = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=body, headers=all_headers))
    )
    return client.send(client.build_request("POST", URL), stream=True)


async def arespond(body: Body, headers: Optional[Dict[str, str]] = None) -> httpx.Response:
    all_headers = {"content-type": "text/event-stream; charset=utf-8", "x-request-id": "req-42", **(headers or {})}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=body, headers=all_headers))
    client = httpx.AsyncClient(transport=transport)
    return await client.send(client.build_request("POST", URL), stream=True)


@dataclass
class Outcome:
    items: List[Any]
    response: httpx.Response
    body: Body
    error: Optional[BaseException] = None
    extra: Dict[str, Any] = field(default_factory=dict)


async def consume(
    mode: str,
    reads: List[bytes],
    cast_to: Type[Any] = ChatCompletionChunk,
    headers: Optional[Dict[str, str]] = None,
    **body_options: Any,
) -> Outcome:
    """Iterate a whole stream with a plain `for` / `async for`, recording items and what was raised."""
    body = Body(reads, **body_options)
    items: List[Any] = []
    if mode == "sync":
        response = respond(body, headers)
        try:
            for item in Stream(cast_to=cast_to, response=response):
                items.append(item)
        except Exception as exc:
            return Outcome(items, response, body, exc)
    else:
        response = await arespond(body, headers)
        try:
            async for item in AsyncStream(cast_to=cast_to, response=response):
                items.append(item)
        except Exception as exc:
            return Outcome(items, response, body, exc)
    return Outcome(items, response, body)


def text_of(items: List[ChatCompletionChunk], index: int = 0) -> str:
    return "".join(c.choices[0].delta.content or "" for c in items if c.choices and c.choices[0].index == index)


# --- items ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_plain_text_stream(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_text.sse"))
    assert outcome.error is None
    assert all(isinstance(c, ChatCompletionChunk) for c in outcome.items)
    assert len(outcome.items) == 11
    assert text_of(outcome.items) == "Hello! It's nice to meet you."
    assert outcome.items[-1].choices[0].finish_reason == "stop"
    assert outcome.response.is_closed
    assert outcome.body.exhausted  # read to its end after [DONE], so the connection could be reused


@pytest.mark.anyio
async def test_keep_alive_comments_are_skipped(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_keepalive.sse"))
    assert outcome.error is None
    assert text_of(outcome.items) == "Sure."


@pytest.mark.anyio
async def test_tool_call_fragments(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_tool_calls.sse"))
    calls: Dict[int, Dict[str, str]] = {}
    for item in outcome.items:
        for call in item.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"name": "", "arguments": ""})
            if call.function and call.function.name:
                entry["name"] = call.function.name
            entry["arguments"] += (call.function.arguments if call.function else None) or ""
    assert calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris", "unit": "celsius"}
    assert json.loads(calls[1]["arguments"]) == {"timezone": "Asia/Tokyo"}
    assert outcome.items[-1].choices[0].finish_reason == "tool_calls"


@pytest.mark.anyio
async def test_two_interleaved_choices(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_n2.sse"))
    assert text_of(outcome.items, 0) == "Red."
    assert text_of(outcome.items, 1) == "Blue is a primary"


@pytest.mark.anyio
async def test_usage_chunk_with_no_choices(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_usage.sse"))
    last = outcome.items[-1]
    assert last.choices == []
    assert last.usage is not None and last.usage.total_tokens == 44
    assert text_of(outcome.items) == "Hi there! 👋"


@pytest.mark.anyio
async def test_whole_body_in_one_read_and_byte_by_byte(mode: str) -> None:
    body = (FIXTURES / "stream_reasoning.sse").read_bytes()
    whole = await consume(mode, [body])
    single_bytes = await consume(mode, [body[i : i + 1] for i in range(len(body))])
    assert whole.error is None and single_bytes.error is None
    assert [c.to_dict() for c in whole.items] == [c.to_dict() for c in single_bytes.items]
    assert "".join(c.choices[0].delta.reasoning or "" for c in whole.items if c.choices).startswith("Okay, 17 times")


@pytest.mark.anyio
async def test_compressed_body(mode: str) -> None:
    compressed = gzip.compress((FIXTURES / "stream_text.sse").read_bytes())
    reads = [compressed[i : i + 100] for i in range(0, len(compressed), 100)]
    outcome = await consume(mode, reads, headers={"content-encoding": "gzip"})
    assert outcome.error is None
    assert text_of(outcome.items) == "Hello! It's nice to meet you."


def test_body_already_read_into_memory() -> None:
    response = respond(Body(fixture_events("stream_usage.sse")))
    response.read()
    assert text_of(list(Stream(cast_to=ChatCompletionChunk, response=response))) == "Hi there! 👋"


@pytest.mark.anyio
async def test_async_body_already_read_into_memory() -> None:
    response = await arespond(Body(fixture_events("stream_usage.sse")))
    await response.aread()
    async with AsyncStream(cast_to=ChatCompletionChunk, response=response) as stream:
        assert text_of([c async for c in stream]) == "Hi there! 👋"


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=40))
def test_any_chunking_of_the_body_gives_the_same_chunks(cuts: List[int]) -> None:
    body = (FIXTURES / "stream_tool_calls.sse").read_bytes()
    points = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    reads = [body[a:b] for a, b in zip(points, points[1:])]
    items = list(Stream(cast_to=ChatCompletionChunk, response=respond(Body(reads))))
    expected = list(Stream(cast_to=ChatCompletionChunk, response=respond(Body([body]))))
    assert [c.to_dict() for c in items] == [c.to_dict() for c in expected]
    assert len(items) == 11


@pytest.mark.anyio
async def test_cast_to_object_gives_plain_dicts(mode: str) -> None:
    outcome = await consume(mode, sse(chunk("a"), chunk("b")), cast_to=object)
    assert outcome.items == [chunk("a"), chunk("b")]


@pytest.mark.anyio
async def test_nothing_after_done_is_delivered(mode: str) -> None:
    outcome = await consume(mode, [*sse(chunk("a")), *sse(chunk("late"), done=False)])
    assert outcome.error is None
    assert text_of(outcome.items) == "a"
    assert outcome.response.is_closed


@pytest.mark.anyio
async def test_unknown_named_events_are_skipped(mode: str) -> None:
    reads = [b"event: ping\ndata: {}\n\n", *sse(chunk("a"))]
    outcome = await consume(mode, reads)
    assert outcome.error is None and text_of(outcome.items) == "a"


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_error_event_mid_stream_raises_after_the_chunks_before_it(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_error.sse"))
    assert text_of(outcome.items) == "The answer"
    error = outcome.error
    assert isinstance(error, InternalServerError)
    assert error.status_code == 500
    assert error.message == "Internal server error"
    assert error.type == "InternalServerError"
    assert error.request_id == "req-42"
    assert outcome.response.is_closed


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("code", "cls", "status"),
    [
        (503, InternalServerError, 503),
        (400, BadRequestError, 400),
        (429, RateLimitError, 429),
        ("503", InternalServerError, 503),
        (None, InternalServerError, 500),
        ("overloaded", InternalServerError, 500),
        (200, InternalServerError, 500),
    ],
)
async def test_error_code_picks_the_exception(mode: str, code: Any, cls: Type[APIStatusError], status: int) -> None:
    error_object = {"error": {"message": "Engine busy", "type": "ServiceUnavailableError", "param": None, "code": code}}
    outcome = await consume(mode, sse(chunk("a"), error_object))
    assert type(outcome.error) is cls
    assert isinstance(outcome.error, APIStatusError)
    assert outcome.error.status_code == status
    assert outcome.error.message == "Engine busy"
    assert "Engine busy" in str(outcome.error)
    assert outcome.error.body == error_object
    assert text_of(outcome.items) == "a"


@pytest.mark.anyio
async def test_error_in_the_same_read_as_good_chunks(mode: str) -> None:
    error_object = {"error": {"message": "bad", "type": "BadRequestError", "param": None, "code": 400}}
    outcome = await consume(mode, [b"".join(sse(chunk("a"), chunk("b"), error_object))])
    assert text_of(outcome.items) == "ab"
    assert isinstance(outcome.error, BadRequestError)


@pytest.mark.anyio
async def test_error_as_first_event(mode: str) -> None:
    outcome = await consume(mode, sse({"error": {"message": "no", "code": 400}}))
    assert outcome.items == []
    assert isinstance(outcome.error, BadRequestError)


@pytest.mark.anyio
async def test_error_string_shape(mode: str) -> None:
    outcome = await consume(mode, sse(chunk("a"), {"error": "The model is currently scaling."}))
    assert isinstance(outcome.error, InternalServerError)
    assert outcome.error.message == "The model is currently scaling."


@pytest.mark.anyio
async def test_named_error_event(mode: str) -> None:
    reads = [*sse(chunk("a"), done=False), b'event: error\ndata: {"message": "overloaded", "code": 503}\n\n']
    outcome = await consume(mode, reads)
    assert text_of(outcome.items) == "a"
    assert isinstance(outcome.error, InternalServerError)
    assert outcome.error.status_code == 503
    assert outcome.error.message == "overloaded"


@pytest.mark.anyio
async def test_named_error_event_with_plain_text(mode: str) -> None:
    outcome = await consume(mode, [b"event: error\ndata: upstream went away\n\n"])
    assert isinstance(outcome.error, InternalServerError)
    assert outcome.error.message == "upstream went away"


@pytest.mark.anyio
async def test_error_key_is_found_with_plain_dicts_too(mode: str) -> None:
    outcome = await consume(mode, sse(chunk("a"), {"error": {"message": "x", "code": 429}}), cast_to=object)
    assert outcome.items == [chunk("a")]
    assert isinstance(outcome.error, RateLimitError)


@pytest.mark.anyio
async def test_null_error_key_is_not_an_error(mode: str) -> None:
    outcome = await consume(mode, sse({**chunk("a"), "error": None}))
    assert outcome.error is None and text_of(outcome.items) == "a"


@pytest.mark.anyio
async def test_word_error_in_content_is_not_an_error(mode: str) -> None:
    outcome = await consume(mode, sse(chunk('"error"'), chunk(" error")))
    assert outcome.error is None and text_of(outcome.items) == '"error" error'


@pytest.mark.anyio
async def test_stream_cut_before_done_is_a_connection_error(mode: str) -> None:
    outcome = await consume(mode, fixture_events("stream_truncated.sse"))
    assert text_of(outcome.items) == "Once upon a"
    assert type(outcome.error) is APIConnectionError
    assert "cut before it finished" in str(outcome.error)
    assert outcome.error.request_id == "req-42"
    assert outcome.response.is_closed


@pytest.mark.anyio
async def test_stream_cut_in_the_middle_of_an_event(mode: str) -> None:
    outcome = await consume(mode, [*sse(chunk("a"), done=False), b'data: {"id": "chatcmpl-1", "choi'])
    assert text_of(outcome.items) == "a"
    assert type(outcome.error) is APIConnectionError


@pytest.mark.anyio
async def test_empty_body_is_a_connection_error(mode: str) -> None:
    outcome = await consume(mode, [])
    assert type(outcome.error) is APIConnectionError


@pytest.mark.anyio
async def test_read_error_becomes_connection_error(mode: str) -> None:
    cause = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    outcome = await consume(mode, sse(chunk("a"), done=False), then=cause)
    assert text_of(outcome.items) == "a"
    assert type(outcome.error) is APIConnectionError
    assert outcome.error.__cause__ is cause
    assert outcome.response.is_closed


@pytest.mark.anyio
async def test_read_timeout_becomes_timeout_error(mode: str) -> None:
    cause = httpx.ReadTimeout("timed out")
    outcome = await consume(mode, sse(chunk("a"), done=False), then=cause)
    assert isinstance(outcome.error, APITimeoutError)
    assert outcome.error.__cause__ is cause
    assert outcome.response.is_closed


@pytest.mark.anyio
async def test_invalid_json_chunk(mode: str) -> None:
    outcome = await consume(mode, [b"data: {not json\n\n"])
    assert isinstance(outcome.error, APIResponseValidationError)
    assert outcome.error.body == "{not json"
    assert outcome.response.is_closed


@pytest.mark.anyio
async def test_chunk_that_does_not_fit_the_model(mode: str) -> None:
    outcome = await consume(mode, sse({"id": "chatcmpl-1", "choices": "not a list"}))
    assert isinstance(outcome.error, APIResponseValidationError)
    assert isinstance(outcome.error, APIError)


# --- request id ----------------------------------------------------------------------------------


def test_request_id_from_header_or_argument() -> None:
    stream = Stream(cast_to=ChatCompletionChunk, response=respond(Body(sse(chunk("a")))))
    assert stream.request_id == stream._request_id == "req-42"
    stream.close()
    explicit = Stream(cast_to=ChatCompletionChunk, response=respond(Body([])), request_id="mine")
    assert explicit.request_id == explicit._request_id == "mine"
    explicit.close()


@pytest.mark.anyio
async def test_async_request_id() -> None:
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=await arespond(Body([])), request_id="mine")
    assert stream.request_id == stream._request_id == "mine"
    await stream.aclose()


@pytest.mark.anyio
async def test_bytes_read_are_counted_on_the_response(mode: str) -> None:
    # The body is read straight from the transport: `num_bytes_downloaded` must still be right.
    reads = sse(chunk("a"), chunk("b"))
    outcome = await consume(mode, reads)
    assert outcome.error is None and len(outcome.items) == 2
    assert outcome.response.num_bytes_downloaded == sum(len(read) for read in reads)


@pytest.mark.anyio
async def test_empty_reads_are_harmless(mode: str) -> None:
    reads = [b""] + [part for read in sse(chunk("a"), chunk("b")) for part in (read, b"")]
    outcome = await consume(mode, reads)
    assert outcome.error is None
    assert text_of(outcome.items) == "ab"


# --- lifecycle: sync -----------------------------------------------------------------------------


def test_next_reads_piecemeal_then_context_manager_closes() -> None:
    body = Body(sse(chunk("a"), chunk("b"), chunk("c")))
    response = respond(body)
    with Stream(cast_to=ChatCompletionChunk, response=response) as stream:
        assert next(stream).choices[0].delta.content == "a"
        assert next(stream).choices[0].delta.content == "b"
        assert not response.is_closed
    assert response.is_closed
    assert body.closed
    assert list(stream) == []


def test_break_closes_the_stream() -> None:
    response = respond(Body(sse(chunk("a"), chunk("b"))))
    stream = Stream(cast_to=ChatCompletionChunk, response=response)
    for _ in stream:
        break
    assert response.is_closed
    with pytest.raises(StopIteration):
        next(stream)
    assert list(stream) == []
    stream.close()  # still fine


def test_loop_over_a_stream_nobody_else_holds() -> None:
    # The `for` loop alone keeps the items going: the `Stream` object itself is gone at once.
    response = respond(Body(sse(chunk("a"), chunk("b"), chunk("c"))))
    texts = [c.choices[0].delta.content for c in Stream(cast_to=ChatCompletionChunk, response=response)]
    assert texts == ["a", "b", "c"]
    assert response.is_closed


def test_an_iterator_dropped_before_its_first_item_still_releases_the_response() -> None:
    response = respond(Body(sse(chunk("a"), chunk("b"))))
    items = iter(Stream(cast_to=ChatCompletionChunk, response=response))
    assert not response.is_closed
    del items
    gc.collect()
    assert response.is_closed
    response = respond(Body(sse(chunk("a"), chunk("b"))))
    assert list(itertools.islice(Stream(cast_to=ChatCompletionChunk, response=response), 0)) == []
    gc.collect()
    assert response.is_closed


def test_iter_then_next_share_one_position() -> None:
    response = respond(Body(sse(chunk("a"), chunk("b"), chunk("c"))))
    with Stream(cast_to=ChatCompletionChunk, response=response) as stream:
        items = iter(stream)
        assert next(items).choices[0].delta.content == "a"
        assert next(stream).choices[0].delta.content == "b"
        assert [c.choices[0].delta.content for c in items] == ["c"]
    assert response.is_closed


def test_exception_in_loop_body_closes_the_stream() -> None:
    response = respond(Body(sse(chunk("a"), chunk("b"))))
    stream = Stream(cast_to=ChatCompletionChunk, response=response)
    with pytest.raises(ZeroDivisionError):
        for _ in stream:
            1 / 0  # noqa: B018
    assert response.is_closed


def test_close_twice_and_iterate_after_close() -> None:
    response = respond(Body(sse(chunk("a"))))
    stream = Stream(cast_to=ChatCompletionChunk, response=response)
    stream.close()
    stream.close()
    assert response.is_closed
    assert list(stream) == []
    with pytest.raises(StopIteration):
        next(stream)


def test_unclosed_stream_warns_and_closes_on_garbage_collection() -> None:
    response = respond(Body(sse(chunk("a"), chunk("b"))))
    stream = Stream(cast_to=ChatCompletionChunk, response=response)
    next(stream)
    with pytest.warns(ResourceWarning, match="unclosed stream"):
        del stream
        gc.collect()
    assert response.is_closed


def test_finished_or_closed_streams_do_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    finished = Stream(cast_to=ChatCompletionChunk, response=respond(Body(sse(chunk("a")))))
    assert len(list(finished)) == 1
    closed = Stream(cast_to=ChatCompletionChunk, response=respond(Body(sse(chunk("a")))))
    closed.close()
    del finished, closed
    gc.collect()
    assert not [w for w in recwarn if issubclass(w.category, ResourceWarning)]


# --- lifecycle: async ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_break_then_context_exit_closes() -> None:
    response = await arespond(Body(sse(chunk("a"), chunk("b"))))
    async with AsyncStream(cast_to=ChatCompletionChunk, response=response) as stream:
        async for _ in stream:
            break
        assert not response.is_closed
    assert response.is_closed


@pytest.mark.anyio
async def test_async_break_then_close() -> None:
    body = Body(sse(chunk("a"), chunk("b")))
    response = await arespond(body)
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=response)
    async for _ in stream:
        break
    await stream.close()
    await stream.close()
    await stream.aclose()
    assert response.is_closed and body.closed
    assert [item async for item in stream] == []


@pytest.mark.anyio
async def test_async_exception_in_loop_body_with_context_manager() -> None:
    response = await arespond(Body(sse(chunk("a"), chunk("b"))))
    with pytest.raises(ZeroDivisionError):
        async with AsyncStream(cast_to=ChatCompletionChunk, response=response) as stream:
            async for _ in stream:
                1 / 0  # noqa: B018
    assert response.is_closed


@pytest.mark.anyio
async def test_async_cancelled_while_waiting_for_a_chunk() -> None:
    body = Body(sse(chunk("a"), done=False), hang=True)
    response = await arespond(body)
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=response)
    received: List[ChatCompletionChunk] = []
    with anyio.CancelScope() as scope:
        async for item in stream:
            received.append(item)
            scope.cancel()  # the next read, which would wait forever, is cancelled
    assert scope.cancelled_caught
    assert len(received) == 1
    assert response.is_closed and body.closed


@pytest.mark.anyio
async def test_async_cancelled_by_a_deadline() -> None:
    body = Body([], hang=True)
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=await arespond(body))
    with anyio.move_on_after(0.05):
        async for _ in stream:
            pass
    assert body.closed


@pytest.mark.anyio
async def test_async_finished_or_closed_streams_do_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    finished = AsyncStream(cast_to=ChatCompletionChunk, response=await arespond(Body(sse(chunk("a")))))
    assert len([item async for item in finished]) == 1
    assert finished.response.is_closed
    closed = AsyncStream(cast_to=ChatCompletionChunk, response=await arespond(Body(sse(chunk("a")))))
    await closed.close()
    never_read = AsyncStream(cast_to=ChatCompletionChunk, response=await arespond(Body(sse(chunk("a")))))
    async with never_read:
        pass
    assert never_read.response.is_closed
    del finished, closed, never_read
    gc.collect()
    assert not [w for w in recwarn if issubclass(w.category, ResourceWarning)]


@pytest.mark.anyio
async def test_async_anext_after_close_stops() -> None:
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=await arespond(Body(sse(chunk("a"), chunk("b")))))
    assert (await stream.__anext__()).choices[0].delta.content == "a"
    await stream.close()
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()


@pytest.mark.anyio
async def test_async_unclosed_stream_only_warns_on_garbage_collection() -> None:
    response = await arespond(Body(sse(chunk("a"), chunk("b"))))
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=response)
    await stream.__anext__()
    with pytest.warns(ResourceWarning, match="unclosed stream"):
        del stream
        gc.collect()
    await response.aclose()


# --- lifecycle over a real socket: the connection goes back to the pool --------------------------


class SSEServer(socketserver.ThreadingTCPServer):
    """A tiny HTTP/1.1 keep-alive server that answers every request with a chunked event stream."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SSEHandler)
        self.connections = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def body_for(self, path: str) -> List[bytes]:
        if path == "/error":
            return sse(chunk("t0"), {"error": {"message": "engine died", "type": "InternalServerError", "code": 500}})
        count = 2000 if path == "/long" else 3
        return sse(*[chunk(f"t{i}") for i in range(count)])


class _SSEHandler(socketserver.BaseRequestHandler):
    server: SSEServer

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        conn: socket.socket = self.request
        reader = conn.makefile("rb")
        try:
            while True:
                request_line = reader.readline()
                if not request_line:
                    return
                length = 0
                while True:
                    header = reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                reader.read(length)
                path = request_line.split()[1].decode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                )
                for event in self.server.body_for(path):
                    conn.sendall(b"%x\r\n%s\r\n" % (len(event), event))
                conn.sendall(b"0\r\n\r\n")
        except OSError:
            return  # the client dropped the connection


@pytest.fixture
def server() -> Iterator[SSEServer]:
    server = SSEServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=1)
TIMEOUT = httpx.Timeout(10.0, pool=5.0)


def test_sequential_streams_reuse_one_connection(server: SSEServer) -> None:
    with httpx.Client(limits=ONE_CONNECTION, timeout=TIMEOUT) as client:
        for _ in range(3):
            response = client.send(client.build_request("POST", server.url + "/short", json={}), stream=True)
            assert [c.choices[0].delta.content for c in Stream(cast_to=ChatCompletionChunk, response=response)] == [
                "t0",
                "t1",
                "t2",
            ]
    assert server.connections == 1


def test_abandoned_stream_releases_its_connection(server: SSEServer) -> None:
    with httpx.Client(limits=ONE_CONNECTION, timeout=TIMEOUT) as client:
        response = client.send(client.build_request("POST", server.url + "/long", json={}), stream=True)
        stream = Stream(cast_to=ChatCompletionChunk, response=response)
        assert next(stream).choices[0].delta.content == "t0"
        stream.close()
        # With one connection in the pool, this would time out waiting if the first one leaked.
        response = client.send(client.build_request("POST", server.url + "/short", json={}), stream=True)
        with Stream(cast_to=ChatCompletionChunk, response=response) as second:
            assert len(list(second)) == 3
    assert server.connections == 2  # the half-read connection could not be reused, and was dropped


def test_connection_is_reused_after_an_error_event(server: SSEServer) -> None:
    with httpx.Client(limits=ONE_CONNECTION, timeout=TIMEOUT) as client:
        response = client.send(client.build_request("POST", server.url + "/error", json={}), stream=True)
        with pytest.raises(InternalServerError, match="engine died"):
            for _ in Stream(cast_to=ChatCompletionChunk, response=response):
                pass
        response = client.send(client.build_request("POST", server.url + "/short", json={}), stream=True)
        assert len(list(Stream(cast_to=ChatCompletionChunk, response=response))) == 3
    assert server.connections == 1


@pytest.mark.anyio
async def test_async_sequential_streams_reuse_one_connection(server: SSEServer) -> None:
    async with httpx.AsyncClient(limits=ONE_CONNECTION, timeout=TIMEOUT) as client:
        for _ in range(3):
            request = client.build_request("POST", server.url + "/short", json={})
            stream = AsyncStream(cast_to=ChatCompletionChunk, response=await client.send(request, stream=True))
            assert [c.choices[0].delta.content async for c in stream] == ["t0", "t1", "t2"]
    assert server.connections == 1


@pytest.mark.anyio
async def test_async_abandoned_stream_releases_its_connection(server: SSEServer) -> None:
    async with httpx.AsyncClient(limits=ONE_CONNECTION, timeout=TIMEOUT) as client:
        request = client.build_request("POST", server.url + "/long", json={})
        async with AsyncStream(cast_to=ChatCompletionChunk, response=await client.send(request, stream=True)) as stream:
            async for _ in stream:
                break
        request = client.build_request("POST", server.url + "/short", json={})
        async with AsyncStream(cast_to=ChatCompletionChunk, response=await client.send(request, stream=True)) as second:
            assert len([c async for c in second]) == 3
    assert server.connections == 2
