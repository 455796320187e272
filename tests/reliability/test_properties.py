"""Property tests (hypothesis): the SSE decoder, the stream reader, the request body and retry waits."""

from __future__ import annotations

import json
import datetime
import email.utils
from typing import Any, Dict, List, Tuple, Optional

import httpx
from hypothesis import HealthCheck, given, example, settings, strategies as st

import tzafon
from tzafon import Lightcone
from tzafon._sse import SSEDecoder, ServerSentEvent
from tzafon.types import ChatCompletionChunk
from tzafon._retry import retry_wait
from tzafon._types import omit
from tzafon._request import encode_json_body, build_chat_completion_body
from tzafon._streaming import Stream
from tzafon.types.chat_create_completion_params import BODY_FIELDS

# No example database: the runs stay reproducible from the seed and leave no files behind.
FAST = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SSE_EXAMPLES = 500
STREAM_EXAMPLES = 300
BODY_EXAMPLES = 200
RETRY_EXAMPLES = 1_000


# -- the SSE decoder --------------------------------------------------------------------------

EventTuple = Tuple[bytes, Optional[str], Optional[str], Optional[int]]


def as_tuples(events: List[ServerSentEvent]) -> List[EventTuple]:
    return [(e.data_bytes, e.event, e.id, e.retry) for e in events]


def decode(chunks: List[bytes]) -> List[EventTuple]:
    decoder = SSEDecoder()
    events: List[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return as_tuples(events)


def split_at(data: bytes, cuts: List[int]) -> List[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts})
    pieces: List[bytes] = []
    start = 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


line_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=20)
newline = st.sampled_from([b"\n", b"\r\n", b"\r"])


def line_break(draw: st.DrawFn, before: bytes) -> bytes:
    """Any of the three line breaks, except `\n` right after a `\r` (the pair is a single break)."""
    chosen: bytes = draw(newline)
    return b"\r\n" if chosen == b"\n" and before.endswith(b"\r") else chosen


@st.composite
def sse_streams(draw: st.DrawFn) -> Tuple[bytes, List[EventTuple]]:
    """A well-formed stream (random line endings, comments, names, ids) and the events it holds."""
    body = b""
    expected: List[EventTuple] = []
    last_id: Optional[str] = None
    for _ in range(draw(st.integers(0, 6))):
        lines: List[str] = []
        if draw(st.booleans()):
            lines.append(": " + draw(line_text))  # a comment (vLLM's keep-alive)
        name = draw(st.one_of(st.none(), st.from_regex(r"[a-z]{1,8}", fullmatch=True)))
        if name is not None:
            lines.append("event: " + name)
        event_id = draw(st.one_of(st.none(), st.from_regex(r"[0-9a-z]{1,6}", fullmatch=True)))
        if event_id is not None:
            lines.append("id: " + event_id)
            last_id = event_id
        data = draw(st.lists(line_text, min_size=1, max_size=3))
        lines.extend("data: " + value for value in data)
        for line in lines + [""]:  # the blank line ends the event
            body += line.encode("utf-8") + line_break(draw, body + line.encode("utf-8"))
        expected.append(("\n".join(data).encode("utf-8"), name, last_id, None))
    return body, expected


@settings(FAST, max_examples=SSE_EXAMPLES)
@given(sse_streams(), st.lists(st.integers(0, 400), max_size=12))
def test_sse_decoder_finds_every_event_whatever_the_chunking(
    stream: Tuple[bytes, List[EventTuple]], cuts: List[int]
) -> None:
    body, expected = stream
    assert decode(split_at(body, cuts)) == expected


@settings(FAST, max_examples=SSE_EXAMPLES)
@given(st.binary(max_size=300), st.lists(st.integers(0, 300), max_size=12))
@example(b"\xef\xbb\xbfdata: x\r", [1, 2, 11])
@example(b"data: a\r\n\r\ndata: b\r", [8, 9])
def test_sse_decoder_on_arbitrary_bytes_does_not_depend_on_chunking(data: bytes, cuts: List[int]) -> None:
    # Never raises, always ends, and the split of the bytes into reads changes nothing.
    assert decode(split_at(data, cuts)) == decode([data])


# -- the stream reader ------------------------------------------------------------------------


def streamed_response(chunks: List[bytes]) -> httpx.Response:
    request = httpx.Request("POST", "http://127.0.0.1/chat/completions")
    return httpx.Response(200, content=iter(chunks), request=request, headers={"content-type": "text/event-stream"})


def chunk_json(index: int, text: str) -> Dict[str, Any]:
    delta = {"role": "assistant", "content": text}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}],
        "n": index,
    }


@settings(FAST, max_examples=STREAM_EXAMPLES)
@given(st.lists(st.text(max_size=10), max_size=8), st.lists(st.integers(0, 2000), max_size=10))
def test_stream_yields_every_chunk_in_order_whatever_the_chunking(texts: List[str], cuts: List[int]) -> None:
    body = b"".join(b"data: " + json.dumps(chunk_json(i, t)).encode() + b"\n\n" for i, t in enumerate(texts))
    body += b"data: [DONE]\n\n"
    stream = Stream(cast_to=ChatCompletionChunk, response=streamed_response(split_at(body, cuts)))
    received = list(stream)
    assert [c.choices[0].delta.content for c in received] == texts


@settings(FAST, max_examples=STREAM_EXAMPLES)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=8))
@example(b'data: {"error": {"message": "boom", "code": 503}}\n\n', [])
@example(b"data: [DONE]\n\n", [3])
@example(b"data: {}\n\n", [])
@example(b"data: null\n\n", [])
@example(b'event: error\ndata: "oops"\n\n', [])
def test_stream_on_arbitrary_bytes_raises_only_sdk_errors(data: bytes, cuts: List[int]) -> None:
    stream = Stream(cast_to=ChatCompletionChunk, response=streamed_response(split_at(data, cuts)))
    try:
        for chunk in stream:
            assert isinstance(chunk, ChatCompletionChunk)
    except tzafon.APIError:
        pass
    assert stream.response.is_closed


# -- the request body -------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=10,
)
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "developer"]), "content": st.text(max_size=40)}
)
tool_name = st.from_regex(r"[a-z_]{1,10}", fullmatch=True)


@st.composite
def valid_params(draw: st.DrawFn) -> Dict[str, Any]:
    """Keyword arguments a user may pass, none of which the server would refuse together."""
    params: Dict[str, Any] = {"messages": draw(st.lists(message, min_size=1, max_size=4))}
    optional = {
        "model": st.text(max_size=20),
        "temperature": st.floats(0.01, 2.0),
        "top_p": st.floats(0.01, 1.0),
        "top_k": st.integers(-1, 100),
        "max_tokens": st.integers(1, 100_000),
        "seed": st.integers(-(2**63), 2**63 - 1),
        "stop": st.one_of(st.text(max_size=5), st.lists(st.text(max_size=5), max_size=4)),
        "logit_bias": st.dictionaries(st.from_regex(r"[0-9]{1,5}", fullmatch=True), st.floats(-100, 100), max_size=3),
        "user": st.text(max_size=10),
        "request_id": st.text(min_size=1, max_size=10),
        "chat_template_kwargs": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
        "vllm_xargs": st.dictionaries(
            st.text(max_size=6),
            st.one_of(st.text(max_size=5), st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
            max_size=3,
        ),
        "n": st.integers(1, 4),
        "presence_penalty": st.floats(-2, 2),
        "stop_token_ids": st.lists(st.integers(0, 200_000), max_size=4),
        "priority": st.integers(-10, 10),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            params[name] = draw(strategy)
    if draw(st.booleans()):
        params["stream"] = draw(st.booleans())
        if params["stream"] and draw(st.booleans()):
            params["stream_options"] = {"include_usage": draw(st.booleans())}
    if draw(st.booleans()):
        params["logprobs"] = True
        params["top_logprobs"] = draw(st.integers(0, 20))
    if draw(st.booleans()):
        names = draw(st.lists(tool_name, min_size=1, max_size=3, unique=True))
        params["tools"] = [
            {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}} for name in names
        ]
        params["tool_choice"] = draw(
            st.one_of(
                st.sampled_from(["auto", "none", "required"]),
                st.sampled_from(names).map(lambda name: {"type": "function", "function": {"name": name}}),
            )
        )
    return params


def call_arguments(params: Dict[str, Any]) -> Dict[str, Any]:
    """What `create_completion` hands the body builder: every field, the omitted ones as `omit`."""
    arguments: Dict[str, Any] = {name: omit for name in BODY_FIELDS}
    arguments.update(params)
    return arguments


@settings(FAST, max_examples=BODY_EXAMPLES)
@given(valid_params())
def test_request_body_round_trips_through_json(params: Dict[str, Any]) -> None:
    body = build_chat_completion_body(call_arguments(params))
    decoded = json.loads(encode_json_body(body))
    assert decoded == params
    assert list(decoded) == [name for name in BODY_FIELDS if name in params]  # wire order


_sent: List[bytes] = []


def _record(request: httpx.Request) -> httpx.Response:
    _sent.append(request.read())
    return httpx.Response(200, content=_COMPLETION, headers={"content-type": "application/json"})


_COMPLETION = json.dumps(
    {"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [], "usage": None}
).encode()
_recording_client = Lightcone(
    api_key="sk", base_url="http://127.0.0.1:1", http_client=httpx.Client(transport=httpx.MockTransport(_record))
)


@settings(FAST, max_examples=BODY_EXAMPLES)
@given(
    valid_params(),
    st.dictionaries(st.from_regex(r"x_[a-z]{1,6}", fullmatch=True), json_values, max_size=3),
)
def test_the_server_receives_exactly_the_params_and_extra_body(params: Dict[str, Any], extra: Dict[str, Any]) -> None:
    params.pop("stream", None)
    params.pop("stream_options", None)
    _sent.clear()
    _recording_client.chat.create_completion(**params, extra_body=extra)
    assert json.loads(_sent[0]) == {**params, **extra}


# -- retry waits ------------------------------------------------------------------------------


def http_date(moment: datetime.datetime, gmt: bool) -> str:
    """An HTTP date, with `GMT` or with no zone at all (which parses to a local time)."""
    if gmt:
        return email.utils.format_datetime(moment, usegmt=True)
    return email.utils.format_datetime(moment.replace(tzinfo=None)).rsplit(" ", 1)[0]


http_dates = st.builds(
    http_date,
    st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.just(datetime.timezone.utc),
    ),
    st.booleans(),
)
numbers_as_text = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(0, 120).map(lambda f: f"{f:.3f}"),
)
header_values = st.one_of(numbers_as_text, http_dates, st.text(max_size=30))


@settings(FAST, max_examples=RETRY_EXAMPLES)
@given(
    st.integers(0, 10**6),
    st.dictionaries(st.sampled_from(["retry-after", "retry-after-ms", "x-should-retry"]), header_values),
    st.floats(0, 1, exclude_max=True),
)
@example(0, {"retry-after": "60"}, 0.0)
@example(0, {"retry-after-ms": "1e400"}, 0.0)
@example(3, {"retry-after": "nan"}, 0.999)
@example(10**6, {}, 0.0)
def test_retry_wait_is_always_within_bounds(retries_taken: int, headers: Dict[str, str], jitter: float) -> None:
    # A server may send any bytes in a header; httpx decodes them as UTF-8, else Latin-1.
    raw = [(name.encode(), value.encode("utf-8")) for name, value in headers.items()]
    wait = retry_wait(retries_taken, httpx.Headers(raw), rand=lambda: jitter)
    assert 0 < wait <= 60


def test_retry_wait_survives_a_date_beyond_year_9999() -> None:
    wait = retry_wait(0, httpx.Headers({"retry-after": "Mon, 01 Jan 99999999 00:00:00 GMT"}))
    assert 0 < wait <= 60
