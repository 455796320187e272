"""The SSE decoder: each WHATWG event-stream rule, and any chunking of recorded vLLM streams."""

from __future__ import annotations

import re
from typing import List, Tuple, Optional
from pathlib import Path

import pytest
from hypothesis import given, example, settings, strategies as st

from tzafon._sse import SSEDecoder, ServerSentEvent

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = sorted(FIXTURES.glob("stream_*.sse"))

Event = Tuple[Optional[str], str, Optional[str], Optional[int]]


def decode(*chunks: bytes) -> List[ServerSentEvent]:
    decoder = SSEDecoder()
    events: List[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.flush()
    return events


def as_tuples(events: List[ServerSentEvent]) -> List[Event]:
    return [(e.event, e.data, e.id, e.retry) for e in events]


def reference(body: bytes) -> List[Event]:
    """A line-by-line transcription of the WHATWG parsing algorithm, on the decoded text."""
    text = body.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    *lines, _unterminated = re.split(r"\r\n|\r|\n", text)
    events: List[Event] = []
    data: List[str] = []
    event_type = ""
    last_id: Optional[str] = None
    retry: Optional[int] = None
    for line in lines:
        if line == "":
            if data:
                events.append((event_type or None, "\n".join(data), last_id, retry))
            data, event_type, retry = [], "", None
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            event_type = value
        elif field == "id" and "\0" not in value:
            last_id = value
        elif field == "retry" and value.isascii() and value.isdigit() and len(value) <= 15:
            retry = int(value)
    return events


def split_at(body: bytes, cuts: List[int]) -> List[bytes]:
    points = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    return [body[a:b] for a, b in zip(points, points[1:])]


# A short vLLM stream with the things that matter to the decoder: keep-alives, multi-byte UTF-8
# (2, 3 and 4 bytes), escaped newlines inside JSON, several events per network read.
SHORT_VLLM = (
    b": keep-alive\n\n"
    b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'
    b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x91\x8b\\n"}}]}\n\n'
    b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


def recorded_bodies() -> List[bytes]:
    return [path.read_bytes() for path in RECORDED] or [SHORT_VLLM]


# --- one test per rule -------------------------------------------------------------------------


def test_plain_data_events() -> None:
    events = decode(b"data: one\n\ndata: two\n\n")
    assert [e.data for e in events] == ["one", "two"]
    assert all(e.event is None and e.id is None and e.retry is None for e in events)


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending(eol: bytes) -> None:
    body = b"event: note" + eol + b"data: a" + eol + b"data: b" + eol + eol + b"data: c" + eol + eol
    assert as_tuples(decode(body)) == [("note", "a\nb", None, None), (None, "c", None, None)]


def test_mixed_line_endings_in_one_stream() -> None:
    assert [e.data for e in decode(b"data: a\r\ndata: b\rdata: c\n\r\n")] == ["a\nb\nc"]


def test_crlf_split_between_two_reads_is_one_line_break() -> None:
    # If the `\n` after a `\r` ending one read were a second line break, it would end the event early.
    assert [e.data for e in decode(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n")] == ["a\nb"]


def test_cr_at_end_of_a_read_followed_by_other_text() -> None:
    assert [e.data for e in decode(b"data: a\r", b"data: b\r", b"\r")] == ["a\nb"]


def test_cr_then_empty_reads_then_lf() -> None:
    assert [e.data for e in decode(b"data: a\r", b"", b"", b"\n\n")] == ["a"]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode(b'data: {\ndata:   "a": 1\ndata: }\n\n')[0].data == '{\n  "a": 1\n}'


def test_event_field_names_the_event_and_does_not_leak_to_the_next() -> None:
    events = decode(b"event: error\ndata: x\n\ndata: y\n\n")
    assert [(e.event, e.data) for e in events] == [("error", "x"), (None, "y")]


def test_empty_event_field_means_the_default_type() -> None:
    assert decode(b"event:\ndata: x\n\n")[0].event is None


def test_event_without_data_is_not_dispatched() -> None:
    # WHATWG: a blank line with an empty data buffer dispatches nothing, and forgets the event type.
    assert as_tuples(decode(b"event: ping\n\ndata: x\n\n")) == [(None, "x", None, None)]


def test_id_carries_over_to_later_events() -> None:
    events = decode(b"id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
    assert [e.id for e in events] == ["7", "7", ""]


def test_id_set_without_data_still_applies_to_the_next_event() -> None:
    assert decode(b"id: 3\n\ndata: a\n\n")[0].id == "3"


def test_id_containing_nul_is_ignored() -> None:
    assert [e.id for e in decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")] == ["1", "1"]


def test_retry_takes_only_ascii_digits() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 3000\ndata: a\n\nretry: 12a\ndata: b\n\nretry: -5\ndata: c\n\nretry:\ndata: d\n\n")
    assert [e.retry for e in events] == [3000, None, None, None]
    assert decoder.retry == 3000


def test_retry_with_absurdly_many_digits_is_ignored_not_fatal() -> None:
    assert decode(b"retry: " + b"9" * 5000 + b"\ndata: a\n\n")[0].retry is None


@pytest.mark.parametrize("comment", [b": keep-alive", b":", b":no space", b": data: not data"])
def test_comment_lines_are_ignored(comment: bytes) -> None:
    assert decode(comment + b"\n\n") == []
    assert [e.data for e in decode(b"data: a\n" + comment + b"\ndata: b\n\n")] == ["a\nb"]


def test_field_without_colon_has_an_empty_value() -> None:
    assert [e.data for e in decode(b"data\n\ndata\ndata\n\n")] == ["", "\n"]


def test_only_one_space_after_the_colon_is_removed() -> None:
    assert [e.data for e in decode(b"data:x\n\ndata:  x\n\ndata: \n\n")] == ["x", " x", ""]


def test_unknown_fields_and_wrong_case_are_ignored() -> None:
    assert [e.data for e in decode(b"foo: bar\nData: no\nDATA: no\ndata: yes\n\n")] == ["yes"]


def test_byte_order_mark_at_the_start_is_skipped() -> None:
    assert [e.data for e in decode(b"\xef\xbb\xbfdata: a\n\n")] == ["a"]


def test_byte_order_mark_split_across_reads() -> None:
    assert [e.data for e in decode(b"\xef", b"\xbb", b"\xbf", b"data: a\n\n")] == ["a"]


def test_only_the_first_byte_order_mark_is_skipped() -> None:
    # A second BOM makes the field name "\ufeffdata", which is unknown, so the line is ignored.
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n")[0].data == "b"


def test_bytes_that_only_look_like_a_bom_prefix_are_kept() -> None:
    assert [e.data for e in decode(b"\xef", b"data: a\n\n")] == []  # field "\ufffddata" is unknown
    assert [e.data for e in decode(b"d", b"ata: a\n\n")] == ["a"]


def test_multibyte_characters_split_at_every_byte() -> None:
    body = "data: héllo € 👋\n\n".encode()
    assert [e.data for e in decode(*[body[i : i + 1] for i in range(len(body))])] == ["héllo € 👋"]


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    event = decode(b"data: a\xffb\n\n")[0]
    assert event.data == "a\ufffdb"
    assert event.data_bytes == b"a\xffb"


def test_incomplete_event_at_end_of_input_is_discarded() -> None:
    assert decode(b"data: a\n") == []
    assert decode(b"data: a") == []
    assert decode(b"data: a\n\ndata: b\n") == [ServerSentEvent("a")]


def test_flush_resets_the_decoder() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: x\ndata: partial\n") == []
    assert decoder.flush() == []
    assert decoder.feed(b"data: fresh\n\n") == [ServerSentEvent("fresh")]


def test_pending_state_is_respected_by_whole_event_reads() -> None:
    # A read that is exactly one `data: ...\n\n` must still see the event name and data lines before it.
    assert as_tuples(decode(b"event: error\n", b'data: {"a":1}\n\n')) == [("error", '{"a":1}', None, None)]
    assert [e.data for e in decode(b"data: a\n", b"data: b\n\n")] == ["a\nb"]
    assert [e.data for e in decode(b"da", b"data: b\n\n")] == []  # the line was "dadata: b"


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_line_break_inside_what_looks_like_one_event(eol: bytes) -> None:
    # The first read settles the BOM question, so the second one takes the decoder's fast path.
    events = decode(b"data: 0\n\n", b"data: a" + eol + b"data: b\n\n")
    assert [e.data for e in events] == ["0", "a\nb"]


def test_json_helper_and_text_access() -> None:
    event = decode(b'data: {"x": ["\xc3\xa9"]}\n\n')[0]
    assert event.json() == {"x": ["é"]}
    assert event.data == '{"x": ["é"]}'
    assert "ServerSentEvent" in repr(event)


def test_event_equality() -> None:
    assert ServerSentEvent("a", "e", "1", 5) == ServerSentEvent(b"a", event="e", id="1", retry=5)
    assert ServerSentEvent("a") != ServerSentEvent("a", "e")
    assert ServerSentEvent("a") != "a"


# --- properties over recorded streams and arbitrary bytes ----------------------------------------


@pytest.mark.parametrize("body", recorded_bodies(), ids=[p.name for p in RECORDED] or ["inline"])
def test_recorded_stream_matches_the_reference(body: bytes) -> None:
    events = decode(body)
    assert as_tuples(events) == reference(body)
    data_lines = [line for line in body.split(b"\n") if line.startswith(b"data: ")]
    assert [e.data_bytes for e in events] == [line[6:] for line in data_lines]


@pytest.mark.parametrize("body", recorded_bodies(), ids=[p.name for p in RECORDED] or ["inline"])
def test_recorded_stream_read_one_byte_at_a_time(body: bytes) -> None:
    assert decode(*[body[i : i + 1] for i in range(len(body))]) == decode(body)


def test_every_single_split_point_of_a_short_stream() -> None:
    whole = decode(SHORT_VLLM)
    assert len(whole) == 4
    for cut in range(len(SHORT_VLLM) + 1):
        assert decode(SHORT_VLLM[:cut], SHORT_VLLM[cut:]) == whole, cut


@pytest.mark.parametrize("eol", [b"\r\n", b"\r"], ids=["CRLF", "CR"])
def test_every_split_point_with_other_line_endings(eol: bytes) -> None:
    body = SHORT_VLLM.replace(b"\n", eol)
    whole = decode(body)
    assert whole == decode(SHORT_VLLM)
    for cut in range(len(body) + 1):
        assert decode(body[:cut], body[cut:]) == whole, cut


@settings(max_examples=200, deadline=None)
@given(
    body=st.sampled_from(recorded_bodies()),
    cuts=st.lists(st.integers(min_value=0, max_value=20_000), max_size=60),
    eol=st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_recorded_stream_split_anywhere_gives_the_same_events(body: bytes, cuts: List[int], eol: bytes) -> None:
    body = body.replace(b"\n", eol)
    assert decode(*split_at(body, cuts)) == decode(body)


TOKENS = [
    b"data",
    b"event",
    b"id",
    b"retry",
    b":",
    b" ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"x",
    b"12",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xa9",
    b"\xff",
    b"[DONE]",
    b'{"error":{}}',
]


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(TOKENS) | st.binary(max_size=8), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
@example(pieces=[b"\xef\xbb", b"\xbf\xbf"], cuts=[])
@example(pieces=[b"data: a\r", b"\n\n"], cuts=[8])
def test_arbitrary_bytes_follow_the_reference_in_any_chunking(pieces: List[bytes], cuts: List[int]) -> None:
    body = b"".join(pieces)
    events = decode(*split_at(body, cuts))
    assert as_tuples(events) == reference(body)


def decode_like_a_stream(chunks: List[bytes]) -> List[Event]:
    """What the stream loops do: try `lone_data` on each read first, and `feed_data` when it says no."""
    decoder = SSEDecoder()
    events: List[Event] = []
    for chunk in chunks:
        data = decoder.lone_data(chunk)
        items = [data] if data is not None else decoder.feed_data(chunk)
        for item in items:
            if isinstance(item, bytes):
                events.append((None, item.decode("utf-8", "replace"), None, None))
            else:
                events.append((item.event, item.data, item.id, item.retry))
    return events


@settings(max_examples=500, deadline=None)
@given(
    events=st.lists(
        st.sampled_from([b"data: a\n\n", b"data: {}\n\n", b"id: 1\n", b"event: e\n", b": c\n", b"\r"]), max_size=12
    ),
    pieces=st.lists(st.sampled_from(TOKENS) | st.binary(max_size=8), max_size=20),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
@example(events=[b"id: 1\n", b"data: a\n\n", b"data: b\n\n"], pieces=[], cuts=[])
@example(events=[b"data: a\n\n"], pieces=[b"data: b\n\n"], cuts=[])
def test_lone_data_shortcut_gives_the_same_events(events: List[bytes], pieces: List[bytes], cuts: List[int]) -> None:
    # Whole events as reads (the shape the shortcut takes), then arbitrary bytes in arbitrary reads.
    body = b"".join(events) + b"".join(pieces)
    reads = list(events) + split_at(b"".join(pieces), cuts)
    assert decode_like_a_stream(reads) == reference(body)


def test_lone_data_only_takes_a_whole_plain_event_with_nothing_pending() -> None:
    decoder = SSEDecoder()
    assert decoder.lone_data(b"data: a\n\n") is None  # the first read may start with a byte-order mark
    assert decoder.feed_data(b"data: a\n\n") == [b"a"]
    assert decoder.lone_data(b"data: b\n\n") == b"b"
    assert decoder.lone_data(b"data: b\n\ndata: c\n\n") is None  # two events
    assert decoder.lone_data(b"data: b\r\n\r\n") is None
    assert decoder.lone_data(b"event: x\ndata: b\n\n") is None
    assert decoder.lone_data(b"data: b\n") is None  # not finished
    assert decoder.feed_data(b"data: b\n") == []
    assert decoder.lone_data(b"data: c\n\n") is None  # `data: b` is pending
    assert decoder.feed_data(b"\n") == [b"b"]
    assert decoder.lone_data(b"data: c\n\n") == b"c"
    assert decoder.feed_data(b"id: 9\n\n") == []
    assert decoder.lone_data(b"data: d\n\n") is None  # an id is in force: the event must carry it
    assert decoder.feed(b"data: d\n\n") == [ServerSentEvent(b"d", id="9")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=30))
def test_arbitrary_reads_never_raise(chunks: List[bytes]) -> None:
    decoder = SSEDecoder()
    for chunk in chunks:
        assert all(isinstance(e, ServerSentEvent) for e in decoder.feed(chunk))
    assert decoder.flush() == []
