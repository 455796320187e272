"""`ChatCompletionAccumulator` and friends: a stream folds into exactly what the non-streaming call returns."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple, AsyncIterator
from pathlib import Path

import httpx
import pytest

from tzafon import LightconeError
from tzafon.lib import ChatCompletionAccumulator, iter_text, accumulate, aiter_text, aaccumulate
from tests.utils import Recorder, make_client, make_async_client
from tzafon._sse import SSEDecoder
from tzafon.types.chat_completion import ChatCompletion
from tzafon.types.chat_completion_chunk import ChatCompletionChunk, ChoiceDeltaToolCall, ChoiceDeltaToolCallFunction
from tzafon.types.chat_completion_message_param import ChatCompletionMessageParam
from tzafon.types.chat_completion_message_function_tool_call import ChatCompletionMessageFunctionToolCall

FIXTURES = Path(__file__).parent.parent / "fixtures"
MESSAGES: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Hi"}]
LOCAL = "http://127.0.0.1:8000/v1"  # a mock transport answers; a local URL keeps the plain-http warning away


def read_chunks(path: Path) -> List[ChatCompletionChunk]:
    decoder = SSEDecoder()
    events = decoder.feed(path.read_bytes()) + decoder.flush()
    chunks: List[ChatCompletionChunk] = []
    for event in events:
        if event.data == "[DONE]":
            break
        chunks.append(ChatCompletionChunk.model_validate_json(event.data_bytes))
    return chunks


def paired_recordings() -> List[Tuple[Path, Path]]:
    """Each non-streaming recording with the streaming recording of the same generation (same `id`)."""
    streams: Dict[str, Path] = {}
    for path in FIXTURES.glob("stream_*.sse"):
        for chunk in read_chunks_or_none(path):
            streams[chunk.id] = path
            break
    pairs: List[Tuple[Path, Path]] = []
    for path in sorted(FIXTURES.glob("completion_*.json")):
        completion_id = json.loads(path.read_text())["id"]
        if completion_id in streams:
            pairs.append((path, streams[completion_id]))
    return pairs


def read_chunks_or_none(path: Path) -> List[ChatCompletionChunk]:
    try:
        return read_chunks(path)
    except ValueError:  # a recording of an in-band error event is not a chunk stream
        return []


PAIRS = paired_recordings()

# What legitimately differs between a vLLM non-streaming body and the stream of the same generation.
# Each of these is dropped from both sides when it holds only "nothing" (None, or [] for tool_calls):
_NOTHING_ONLY_IN_BODY = {
    # The non-streaming ChatMessage always writes these OpenAI fields, as null; a delta never has them.
    "message": ("refusal", "annotations", "audio", "function_call", "tool_calls"),
    # `tool_calls` above: vLLM <= 0.20 writes `[]` when there are no calls, 0.33 leaves it out.
    # 0.33 writes these choice fields as null in the body; a stream sends them only when they have a value.
    "choice": ("routed_experts", "weight_versions"),
    # Top-level fields the body writes as null that a stream never carries: `service_tier` is never set,
    # `prompt_text` / `ec_transfer_params` / `metrics` are 0.33 extras, and up to 0.20 `system_fingerprint`
    # and `kv_transfer_params` are null in the body and absent from chunks.
    "completion": (
        "service_tier",
        "prompt_text",
        "ec_transfer_params",
        "metrics",
        "system_fingerprint",
        "kv_transfer_params",
    ),
}


def normalise(body: Dict[str, Any], *, stream_had_usage: bool) -> Dict[str, Any]:
    body = json.loads(json.dumps(body))
    _drop_nothing(body, _NOTHING_ONLY_IN_BODY["completion"])
    # vLLM rejects prompt_logprobs with stream=True, so a stream never has them, even where the body does.
    body.pop("prompt_logprobs", None)
    if not stream_had_usage:
        # Usage is streamed only with stream_options.include_usage, which these recordings did not set.
        body.pop("usage", None)
    for choice in body["choices"]:
        _drop_nothing(choice, _NOTHING_ONLY_IN_BODY["choice"])
        message = choice["message"]
        _drop_nothing(message, _NOTHING_ONLY_IN_BODY["message"])
        # vLLM 0.11.1-0.16 mirror `reasoning` as `reasoning_content` in the body; the model reads both as `reasoning`.
        if "reasoning_content" in message and message["reasoning_content"] == message.get("reasoning"):
            del message["reasoning_content"]
    return body


def _drop_nothing(target: Dict[str, Any], keys: Tuple[str, ...]) -> None:
    for key in keys:
        if key in target and target[key] in (None, []):
            del target[key]


def test_the_fixtures_hold_the_expected_pairs() -> None:
    names = {body.name for body, _ in PAIRS}
    assert {
        "completion_text.json",
        "completion_logprobs.json",
        "completion_n2.json",
        "completion_reasoning_v0_15.json",
        "completion_token_ids.json",
        "completion_tool_calls.json",
    } <= names


@pytest.mark.parametrize(("body_path", "stream_path"), PAIRS, ids=[body.stem for body, _ in PAIRS])
def test_accumulated_stream_equals_the_non_streaming_response(body_path: Path, stream_path: Path) -> None:
    chunks = read_chunks(stream_path)
    expected = ChatCompletion.model_validate_json(body_path.read_bytes())

    completion = accumulate(chunks)

    had_usage = any(chunk.usage is not None for chunk in chunks)
    assert normalise(completion.to_dict(), stream_had_usage=had_usage) == normalise(
        expected.to_dict(), stream_had_usage=had_usage
    )
    assert completion.object == "chat.completion"
    for choice in completion.choices:
        for call in choice.message.tool_calls or []:
            assert isinstance(call, ChatCompletionMessageFunctionToolCall)


def sse_response(path: Path) -> httpx.Response:
    return httpx.Response(200, content=path.read_bytes(), headers={"content-type": "text/event-stream"})


def test_accumulate_reads_a_real_stream() -> None:
    client = make_client(Recorder(sse_response(FIXTURES / "stream_tool_calls.sse")), base_url=LOCAL)
    with client.chat.create_completion(messages=MESSAGES, stream=True) as stream:
        completion = accumulate(stream)
    expected = ChatCompletion.model_validate_json((FIXTURES / "completion_tool_calls.json").read_bytes())
    assert completion.choices[0].message.tool_calls == expected.choices[0].message.tool_calls
    assert completion.choices[0].finish_reason == "tool_calls"


@pytest.mark.anyio
async def test_aaccumulate_reads_a_real_async_stream() -> None:
    client = make_async_client(Recorder(sse_response(FIXTURES / "stream_reasoning.sse")), base_url=LOCAL)
    stream = await client.chat.create_completion(messages=MESSAGES, stream=True)
    async with stream:
        completion = await aaccumulate(stream)
    message = completion.choices[0].message
    assert message.content == "\n\n17 × 23 = **391**"
    assert message.reasoning == "Okay, 17 times 23: 17 × 20 = 340, 17 × 3 = 51, and 340 + 51 = 391."


# --- synthetic streams for the shapes the recordings do not cover -----------------------------------


def chunk(*choices: Dict[str, Any], **fields: Any) -> ChatCompletionChunk:
    body: Dict[str, Any] = {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    body["choices"] = list(choices)
    body.update(fields)
    return ChatCompletionChunk.model_validate(body)


def delta(index: int = 0, **fields: Any) -> Dict[str, Any]:
    extra: Dict[str, Any] = {
        key: fields.pop(key) for key in ("finish_reason", "stop_reason", "logprobs", "token_ids") if key in fields
    }
    return {"index": index, "delta": fields, **extra}


def tools(*calls: Any) -> Dict[str, Any]:
    return delta(tool_calls=list(calls))


def call_args(completion: ChatCompletion, choice: int = 0) -> List[Tuple[str, str, str]]:
    result: List[Tuple[str, str, str]] = []
    for call in completion.choices[choice].message.tool_calls or []:
        assert isinstance(call, ChatCompletionMessageFunctionToolCall)
        result.append((call.id, call.function.name, call.function.arguments))
    return result


def test_a_whole_tool_call_in_one_delta() -> None:
    whole = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    completion = accumulate([chunk(delta(role="assistant", content="")), chunk(tools(whole))])
    assert call_args(completion) == [("call_1", "f", '{"a": 1}')]
    assert completion.choices[0].message.content is None


def test_id_and_name_come_only_in_the_first_delta_and_arguments_are_concatenated() -> None:
    completion = accumulate(
        [
            chunk(tools({"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather"}})),
            chunk(tools({"index": 0, "function": {"arguments": '{"city": '}})),
            chunk(tools({"index": 0, "function": {"arguments": '"Paris"}'}})),
            # A later delta repeating another id or name does not replace the first ones.
            chunk(tools({"index": 0, "id": "call_other", "function": {"name": "other", "arguments": ""}})),
        ]
    )
    assert call_args(completion) == [("call_1", "get_weather", '{"city": "Paris"}')]


def test_parallel_tool_calls_interleaved_by_index() -> None:
    completion = accumulate(
        [
            chunk(tools({"index": 0, "id": "a", "function": {"name": "f", "arguments": "{"}})),
            chunk(tools({"index": 1, "id": "b", "function": {"name": "g", "arguments": "["}})),
            chunk(tools({"index": 0, "function": {"arguments": "}"}})),
            chunk(tools({"index": 1, "function": {"arguments": "]"}})),
        ]
    )
    assert call_args(completion) == [("a", "f", "{}"), ("b", "g", "[]")]


def test_two_pieces_of_one_call_in_one_chunk_are_merged() -> None:
    # vLLM with speculative decoding sends several pieces with the same index in one chunk (openai-python #3201).
    completion = accumulate(
        [
            chunk(tools({"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}})),
            chunk(
                tools(
                    {"index": 0, "function": {"arguments": '{"x"'}},
                    {"index": 0, "function": {"arguments": ": 1}"}},
                )
            ),
        ]
    )
    assert call_args(completion) == [("call_1", "f", '{"x": 1}')]
    assert json.loads(call_args(completion)[0][2]) == {"x": 1}


def without_index(**fields: Any) -> ChoiceDeltaToolCall:
    """A tool-call piece as some OpenAI-compatible servers send it: with no `index`."""
    function = fields.pop("function", None)
    if function is not None:
        fields["function"] = ChoiceDeltaToolCallFunction(**function)
    return ChoiceDeltaToolCall.model_construct(**fields)


def test_calls_without_an_index_are_told_apart_by_id() -> None:
    completion = accumulate(
        [
            chunk(tools(without_index(id="a", type="function", function={"name": "f", "arguments": '{"q": 1}'}))),
            chunk(tools(without_index(id="b", type="function", function={"name": "g", "arguments": "{"}))),
            # Same id as a call already seen: a piece of it, not a new call.
            chunk(tools(without_index(id="b", function={"arguments": "}"}))),
            # No index, no id, no name: the rest of the latest call's arguments.
            chunk(tools(without_index(function={"arguments": " "}))),
        ]
    )
    assert call_args(completion) == [("a", "f", '{"q": 1}'), ("b", "g", "{} ")]


def test_a_call_without_an_index_after_indexed_calls_is_a_new_call() -> None:
    completion = accumulate(
        [
            chunk(tools({"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}})),
            chunk(tools(without_index(id="b", function={"name": "g", "arguments": "[]"}))),
        ]
    )
    assert call_args(completion) == [("a", "f", "{}"), ("b", "g", "[]")]


def test_a_call_whose_id_never_arrived_is_kept() -> None:
    # vLLM #18412: some tool parsers stream a call without its id.
    completion = accumulate([chunk(tools({"index": 0, "function": {"name": "f", "arguments": "{}"}}))])
    assert call_args(completion) == [("", "f", "{}")]


def test_n2_choices_interleaved_with_tool_calls_in_each() -> None:
    completion = accumulate(
        [
            chunk(delta(0, role="assistant", content="")),
            chunk(delta(1, role="assistant", content="")),
            chunk(delta(1, content="Second")),
            chunk(delta(0, tool_calls=[{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}])),
            chunk(delta(1, content=" answer", finish_reason="stop")),
            chunk(delta(0, finish_reason="tool_calls")),
        ]
    )
    assert [choice.index for choice in completion.choices] == [0, 1]
    assert call_args(completion, 0) == [("a", "f", "{}")]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.choices[1].message.content == "Second answer"
    assert completion.choices[1].message.tool_calls is None
    assert completion.choices[1].finish_reason == "stop"


def test_the_usage_chunk_without_choices_gives_the_usage() -> None:
    chunks = read_chunks(FIXTURES / "stream_usage.sse")
    assert chunks[-1].choices == []

    completion = accumulate(chunks)

    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        38,
        6,
        44,
    )
    assert completion.system_fingerprint == "vllm-0.33.0-5e2c8a1f"
    assert completion.metrics is not None and completion.metrics.tokens_per_second == 97.9
    assert completion.choices[0].message.content == "Hi there! 👋"


def test_continuous_usage_is_replaced_by_the_final_usage_chunk() -> None:
    def usage(completion_tokens: int) -> Dict[str, int]:
        return {"prompt_tokens": 5, "completion_tokens": completion_tokens, "total_tokens": 5 + completion_tokens}

    snapshots = ChatCompletionAccumulator()
    snapshots.add(chunk(delta(0, content="a"), usage=usage(1)))
    snapshots.add(chunk(delta(1, content="b"), usage=usage(1)))
    assert snapshots.completion().usage == chunk(usage=usage(1)).usage
    snapshots.add(chunk(usage=usage(2)))
    snapshots.add(chunk(delta(0, content="c"), usage=usage(2)))  # a late per-choice count does not win
    final = snapshots.completion().usage
    assert final is not None and final.completion_tokens == 2 and final.total_tokens == 7


def test_reasoning_content_deltas_of_old_servers_are_accumulated_as_reasoning() -> None:
    completion = accumulate(
        [
            chunk(delta(role="assistant", content="")),
            chunk(delta(reasoning_content="Think")),
            chunk(delta(reasoning_content="ing.")),
            chunk(delta(content="Done", finish_reason="stop")),
        ]
    )
    assert completion.choices[0].message.reasoning == "Thinking."
    assert completion.choices[0].message.content == "Done"


def test_logprobs_and_token_ids_are_concatenated_and_prompt_token_ids_kept() -> None:
    def token(text: str) -> Dict[str, Any]:
        return {"token": text, "logprob": -0.5, "bytes": list(text.encode()), "top_logprobs": []}

    completion = accumulate(
        [
            chunk(delta(role="assistant", content=""), prompt_token_ids=[1, 2, 3]),
            chunk(delta(content="Hi", logprobs={"content": [token("Hi")]}, token_ids=[10])),
            chunk(delta(content="!", logprobs={"content": [token("!")]}, token_ids=[11], finish_reason="stop")),
        ]
    )
    choice = completion.choices[0]
    assert choice.logprobs is not None and choice.logprobs.content is not None
    assert [entry.token for entry in choice.logprobs.content] == ["Hi", "!"]
    assert choice.token_ids == [10, 11]
    assert completion.prompt_token_ids == [1, 2, 3]


def test_role_ids_and_extension_fields_are_carried_over() -> None:
    completion = accumulate(
        [
            chunk(delta(role="user", content="")),
            chunk(delta(content="continued", finish_reason="stop", stop_reason="</s>"), kv_transfer_params={"k": 1}),
        ]
    )
    assert completion.id == "chatcmpl-x"
    assert (completion.created, completion.model, completion.object) == (1, "m", "chat.completion")
    assert completion.choices[0].message.role == "user"
    assert completion.choices[0].stop_reason == "</s>"
    assert completion.kv_transfer_params == {"k": 1}


def test_unknown_fields_of_a_newer_server_are_kept() -> None:
    completion = accumulate(
        [
            chunk(delta(content="a", annotation_text="x"), server_hint="h"),
            chunk(delta(content="b", annotation_text="y")),
        ]
    )
    assert completion.to_dict()["server_hint"] == "h"
    assert completion.choices[0].message.to_dict()["annotation_text"] == "xy"


def test_the_snapshot_follows_the_stream() -> None:
    chunks = read_chunks(FIXTURES / "stream_text.sse")
    accumulator = ChatCompletionAccumulator()
    for item in chunks[:4]:
        assert accumulator.add(item) is item
    partial = accumulator.completion()
    assert partial.choices[0].message.content == "Hello! It"
    assert partial.choices[0].finish_reason is None
    for item in chunks[4:]:
        accumulator.add(item)
    assert accumulator.completion().choices[0].message.content == "Hello! It's nice to meet you."
    assert accumulator.completion().choices[0].finish_reason == "stop"


def test_no_chunk_at_all_is_an_error_not_an_empty_completion() -> None:
    with pytest.raises(LightconeError, match="no chunk"):
        accumulate([])


def test_iter_text_yields_only_non_empty_content_of_one_choice() -> None:
    chunks = read_chunks(FIXTURES / "stream_n2.sse")
    assert "".join(iter_text(chunks)) == "Red."
    assert "".join(iter_text(chunks, index=1)) == "Blue is a primary"
    pieces = list(iter_text(read_chunks(FIXTURES / "stream_reasoning.sse")))
    assert "" not in pieces
    assert "".join(pieces) == "\n\n17 × 23 = **391**"  # reasoning is not content


@pytest.mark.anyio
async def test_aiter_text_yields_the_content_of_an_async_stream() -> None:
    async def source() -> AsyncIterator[ChatCompletionChunk]:
        for item in read_chunks(FIXTURES / "stream_text.sse"):
            yield item

    pieces = [piece async for piece in aiter_text(source())]
    assert pieces[0] == "Hello"
    assert "".join(pieces) == "Hello! It's nice to meet you."


def test_an_earlier_snapshot_does_not_change_when_more_chunks_arrive() -> None:
    chunks = read_chunks(FIXTURES / "stream_token_ids.sse")
    accumulator = ChatCompletionAccumulator()
    for item in chunks[:3]:
        accumulator.add(item)
    early = accumulator.completion()
    for item in chunks[3:]:
        accumulator.add(item)
    assert early.choices[0].token_ids == [9707, 0]
    assert early.choices[0].message.content == "Hello!"
    assert accumulator.completion().choices[0].token_ids == [9707, 0, 2585, 646, 358, 1492, 498, 3351, 30, 151645]
