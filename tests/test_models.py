"""Response models: every recorded vLLM body parses, leniently, and round-trips through `to_dict()` / pickle."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any, Set, Dict, List, Type, Tuple, Union, cast
from pathlib import Path

import pytest

from tzafon._models import BaseModel
from tzafon.types.error_object import ErrorObject
from tzafon.types.prompt_logprob import PromptLogprob
from tzafon.types.weight_version import WeightVersion
from tzafon.types.chat_completion import Choice, ChatCompletion, ChoiceLogprobs
from tzafon.types.completion_usage import CompletionUsage, PromptTokensDetails, CompletionTokensDetails
from tzafon.types.per_request_metrics import PerRequestMetrics
from tzafon.types.chat_completion_audio import ChatCompletionAudio
from tzafon.types.chat_completion_chunk import (
    ChoiceDelta,
    ChunkChoice,
    ChatCompletionChunk,
    ChoiceDeltaToolCall,
    ChoiceDeltaFunctionCall,
    ChoiceDeltaToolCallFunction,
)
from tzafon.types.chat_completion_message import Annotation, FunctionCall, AnnotationURLCitation, ChatCompletionMessage
from tzafon.types.chat_completion_token_logprob import TopLogprob, ChatCompletionTokenLogprob
from tzafon.types.chat_completion_message_custom_tool_call import Custom, ChatCompletionMessageCustomToolCall
from tzafon.types.chat_completion_message_unknown_tool_call import ChatCompletionMessageUnknownToolCall
from tzafon.types.chat_completion_message_function_tool_call import Function, ChatCompletionMessageFunctionToolCall

FIXTURES = Path(__file__).parent / "fixtures"
COMPLETION_FIXTURES = [
    "completion_text.json",
    "completion_reasoning_v0_11_0.json",
    "completion_reasoning_v0_15.json",
    "completion_reasoning_v0_33.json",
    "completion_tool_calls.json",
    "completion_n2.json",
    "completion_logprobs.json",
    "completion_token_ids.json",
]
STREAM_FIXTURES = [
    "stream_text.sse",
    "stream_reasoning.sse",
    "stream_tool_calls.sse",
    "stream_n2.sse",
    "stream_usage.sse",
    "stream_token_ids.sse",
    "stream_logprobs.sse",
    "stream_keepalive.sse",
    "stream_error.sse",
    "stream_truncated.sse",
]

REASONING = "Okay, 17 times 23: 17 × 20 = 340, 17 × 3 = 51, and 340 + 51 = 391."
ANSWER = "\n\n17 × 23 = **391**"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sse_payloads(name: str) -> List[bytes]:
    """The `data:` payloads of a recorded stream, in order, without `[DONE]` and comment lines."""
    payloads: List[bytes] = []
    for event in load(name).split(b"\n\n"):
        data = [line[5:].lstrip(b" ") for line in event.split(b"\n") if line.startswith(b"data:")]
        if data and data != [b"[DONE]"]:
            payloads.append(b"\n".join(data))
    return payloads


def chunks(name: str) -> List[ChatCompletionChunk]:
    return [ChatCompletionChunk.model_validate_json(p) for p in sse_payloads(name) if "error" not in json.loads(p)]


def completion(name: str) -> ChatCompletion:
    return ChatCompletion.model_validate_json(load(name))


def _current_reasoning_name(members: Dict[str, Any]) -> Dict[str, Any]:
    if "reasoning_content" in members:
        legacy = members.pop("reasoning_content")
        members.setdefault("reasoning", legacy)
    return members


def wire_as_dumped(raw: bytes) -> Any:
    """The wire JSON as `to_dict()` gives it back: the reasoning once, under its current name `reasoning`."""
    return json.loads(raw, object_hook=_current_reasoning_name)


# ---------------------------------------------------------------------------------------------
# Every recording parses and gives back what the server sent


def test_every_recording_is_covered() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.suffix in (".json", ".sse")}

    assert on_disk == set(COMPLETION_FIXTURES) | set(STREAM_FIXTURES)


@pytest.mark.parametrize("name", COMPLETION_FIXTURES)
def test_completion_fixture_parses_and_round_trips(name: str) -> None:
    raw = load(name)
    parsed = completion(name)

    assert parsed.id.startswith("chatcmpl-")
    assert parsed.object == "chat.completion"
    assert parsed.choices and all(isinstance(c.message, ChatCompletionMessage) for c in parsed.choices)
    assert parsed.usage is not None
    assert parsed.usage.total_tokens == parsed.usage.prompt_tokens + (parsed.usage.completion_tokens or 0)
    assert parsed.to_dict() == wire_as_dumped(raw)
    assert json.loads(parsed.to_json()) == parsed.to_dict(mode="json")
    assert ChatCompletion.model_validate(parsed.to_dict()) == parsed
    assert ChatCompletion.model_validate_json(parsed.to_json()) == parsed


@pytest.mark.parametrize("name", STREAM_FIXTURES)
def test_stream_fixture_payloads_parse_and_round_trip(name: str) -> None:
    payloads = sse_payloads(name)
    assert payloads
    ids: Set[str] = set()
    for payload in payloads:
        body = json.loads(payload)
        if "error" in body:
            error = ErrorObject.model_validate(body["error"])
            assert error.message
            continue
        chunk = ChatCompletionChunk.model_validate_json(payload)
        ids.add(chunk.id)
        assert chunk.object == "chat.completion.chunk"
        assert len(chunk.choices) <= 1  # vLLM: one choice per chunk, none on the usage chunk
        assert chunk.to_dict() == wire_as_dumped(payload)
        assert ChatCompletionChunk.model_validate(chunk.to_dict()) == chunk
    assert len(ids) == 1
    assert next(iter(ids)).startswith("chatcmpl-")


# ---------------------------------------------------------------------------------------------
# What each recording carries


def test_text_completion_v0_33() -> None:
    parsed = completion("completion_text.json")
    choice = parsed.choices[0]

    assert choice.message.role == "assistant"
    assert choice.message.content == "Hello! It's nice to meet you."
    assert choice.finish_reason == "stop"
    assert choice.stop_reason == 128009 and isinstance(choice.stop_reason, int)
    assert parsed.system_fingerprint == "vllm-0.33.0-5e2c8a1f"
    assert parsed.usage == CompletionUsage(prompt_tokens=42, completion_tokens=10, total_tokens=52)
    # 0.33 leaves out an empty `tool_calls`; the null vLLM fields are there and read as None.
    assert choice.message.tool_calls is None
    assert "tool_calls" not in choice.message.model_fields_set
    assert {"prompt_text", "ec_transfer_params", "metrics", "kv_transfer_params"} <= parsed.model_fields_set
    assert parsed.metrics is None and parsed.prompt_text is None
    assert choice.routed_experts is None and choice.weight_versions is None


@pytest.mark.parametrize(
    "name", ["completion_reasoning_v0_11_0.json", "completion_reasoning_v0_15.json", "completion_reasoning_v0_33.json"]
)
def test_reasoning_reads_the_same_under_every_server_version(name: str) -> None:
    message = completion(name).choices[0].message

    assert message.reasoning == REASONING
    assert message.reasoning_content == REASONING
    assert message.content == ANSWER


def test_reasoning_fields_by_version() -> None:
    old = completion("completion_reasoning_v0_11_0.json").choices[0].message
    mid = completion("completion_reasoning_v0_15.json").choices[0].message
    new = completion("completion_reasoning_v0_33.json")

    assert old.tool_calls == []
    for message in (old, mid):
        assert message.model_extra == {}
        dumped = message.to_dict()
        assert dumped["reasoning"] == REASONING
        assert "reasoning_content" not in dumped  # written once, under the current name
    assert new.choices[0].message.tool_calls is None
    assert new.usage is not None and new.usage.completion_tokens_details is not None
    assert new.usage.completion_tokens_details.reasoning_tokens == 27


def test_old_reasoning_name_is_written_back_under_the_current_name() -> None:
    message = completion("completion_reasoning_v0_11_0.json").choices[0].message

    dumped = message.to_dict()
    assert dumped["reasoning"] == REASONING
    assert "reasoning_content" not in dumped
    assert "reasoning_content" not in repr(message)
    assert ChatCompletionMessage.model_validate(dumped) == message


def test_tool_calls_completion() -> None:
    choice = completion("completion_tool_calls.json").choices[0]
    calls = choice.message.tool_calls

    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert calls is not None and len(calls) == 2
    first, second = calls
    assert isinstance(first, ChatCompletionMessageFunctionToolCall)
    assert isinstance(second, ChatCompletionMessageFunctionToolCall)
    assert first.id == "chatcmpl-tool-5d0b6c1f2e7a4b39a8c4e1f09d3b2a76"
    assert first.type == "function"
    assert first.function.name == "get_weather"
    assert json.loads(first.function.arguments) == {"city": "Paris", "unit": "celsius"}
    assert second.function.name == "get_local_time"
    assert json.loads(second.function.arguments) == {"timezone": "Asia/Tokyo"}


def test_n2_completion() -> None:
    parsed = completion("completion_n2.json")

    assert [c.index for c in parsed.choices] == [0, 1]
    assert [c.finish_reason for c in parsed.choices] == ["stop", "length"]
    assert [c.stop_reason for c in parsed.choices] == [128009, None]
    assert [c.message.content for c in parsed.choices] == ["Red.", "Blue is a primary"]
    # 0.12 sends both reasoning names, both null, and an empty tool_calls list.
    assert all(c.message.reasoning is None and c.message.reasoning_content is None for c in parsed.choices)
    assert all(c.message.tool_calls == [] for c in parsed.choices)


def test_logprobs_completion() -> None:
    choice = completion("completion_logprobs.json").choices[0]

    assert isinstance(choice.logprobs, ChoiceLogprobs)
    entries = choice.logprobs.content
    assert entries is not None and len(entries) == 8
    assert "".join(e.token for e in entries[:-1]) == choice.message.content
    for entry in entries:
        assert isinstance(entry, ChatCompletionTokenLogprob)
        assert entry.bytes is not None and bytes(entry.bytes).decode("utf-8") == entry.token
        assert len(entry.top_logprobs) == 2
        assert entry.top_logprobs[0].token == entry.token  # vLLM lists the sampled token first
    sampled_at_rank_two = entries[4]
    assert sampled_at_rank_two.top_logprobs[0].logprob < sampled_at_rank_two.top_logprobs[1].logprob


def test_token_ids_and_prompt_logprobs_completion() -> None:
    parsed = completion("completion_token_ids.json")
    choice = parsed.choices[0]

    assert parsed.usage is not None
    assert parsed.prompt_token_ids is not None and len(parsed.prompt_token_ids) == parsed.usage.prompt_tokens
    assert choice.token_ids is not None and len(choice.token_ids) == parsed.usage.completion_tokens
    assert choice.token_ids[-1] == 151645

    prompt_logprobs = parsed.prompt_logprobs
    assert prompt_logprobs is not None and len(prompt_logprobs) == len(parsed.prompt_token_ids)
    assert prompt_logprobs[0] is None
    for token_id, position in zip(parsed.prompt_token_ids[1:], prompt_logprobs[1:]):
        assert position is not None
        assert str(token_id) in position  # keys are token ids written as strings
        assert all(isinstance(v, PromptLogprob) for v in position.values())
    user = prompt_logprobs[1]
    assert user is not None
    assert user["872"] == PromptLogprob(logprob=-3.2188, rank=2, decoded_token="user")
    assert user["8948"].rank == 1


def test_reasoning_stream_v0_15_mirror() -> None:
    stream = chunks("stream_reasoning.sse")
    deltas = [c.choices[0].delta for c in stream]

    reasoning_deltas = [d for d in deltas if d.reasoning is not None]
    content_deltas = [d for d in deltas if d.content]
    assert "".join(d.reasoning or "" for d in reasoning_deltas) == REASONING
    assert all(d.reasoning_content == d.reasoning for d in reasoning_deltas)
    # A content delta carries `"reasoning_content": null`: it must not read as reasoning.
    assert all(d.reasoning is None and d.reasoning_content is None for d in content_deltas)
    assert "".join(d.content or "" for d in deltas) == ANSWER


def test_tool_call_stream_fragments() -> None:
    stream = chunks("stream_tool_calls.sse")
    pieces = [tc for c in stream for tc in (c.choices[0].delta.tool_calls or [])]

    heads = [tc for tc in pieces if tc.id is not None]
    assert [(h.index, h.type, h.function and h.function.name) for h in heads] == [
        (0, "function", "get_weather"),
        (1, "function", "get_local_time"),
    ]
    assert all(isinstance(tc, ChoiceDeltaToolCall) for tc in pieces)
    for index, expected in enumerate(['{"city": "Paris", "unit": "celsius"}', '{"timezone": "Asia/Tokyo"}']):
        arguments = "".join(tc.function.arguments or "" for tc in pieces if tc.index == index and tc.function)
        assert arguments == expected
    last = stream[-1].choices[0]
    assert last.finish_reason == "tool_calls"
    assert last.delta.tool_calls is not None  # the finishing chunk still carries a fragment


def test_n2_stream_has_one_role_chunk_per_choice() -> None:
    stream = chunks("stream_n2.sse")
    roles = [(c.choices[0].index, c.choices[0].delta.role) for c in stream if c.choices[0].delta.role]
    finishes = {c.choices[0].index: c.choices[0].finish_reason for c in stream if c.choices[0].finish_reason}

    assert roles == [(0, "assistant"), (1, "assistant")]
    assert finishes == {0: "stop", 1: "length"}


def test_usage_stream_final_chunk() -> None:
    stream = chunks("stream_usage.sse")
    final = stream[-1]

    assert final.choices == []
    assert final.usage == CompletionUsage(prompt_tokens=38, completion_tokens=6, total_tokens=44)
    assert final.system_fingerprint == "vllm-0.33.0-5e2c8a1f"
    assert isinstance(final.metrics, PerRequestMetrics)
    assert final.metrics.time_to_first_token_ms == 21.7
    assert final.metrics.speculative_decoding is None
    assert all(c.usage is None for c in stream[:-1])
    assert stream[-2].choices[0].delta == ChoiceDelta()


def test_token_ids_stream_matches_completion() -> None:
    stream = chunks("stream_token_ids.sse")
    reference = completion("completion_token_ids.json")

    assert stream[0].prompt_token_ids == reference.prompt_token_ids
    streamed = [i for c in stream[1:] for i in (c.choices[0].token_ids or [])]
    assert streamed == reference.choices[0].token_ids


def test_logprobs_stream_carries_one_token_per_chunk() -> None:
    stream = chunks("stream_logprobs.sse")
    reference = completion("completion_logprobs.json").choices[0].logprobs

    streamed = [e for c in stream for e in ((c.choices[0].logprobs and c.choices[0].logprobs.content) or [])]
    assert reference is not None
    assert streamed == reference.content


def test_error_event_payload() -> None:
    payload = json.loads(sse_payloads("stream_error.sse")[-1])
    error = ErrorObject.model_validate(payload["error"])

    assert error == ErrorObject(message="Internal server error", type="InternalServerError", param=None, code=500)
    assert isinstance(error.code, int)


# ---------------------------------------------------------------------------------------------
# Leniency: newer and older servers never break parsing


def _minimal_completion() -> Dict[str, Any]:
    return {
        "id": "chatcmpl-min",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant"}}],
    }


def test_body_missing_every_optional_field() -> None:
    parsed = ChatCompletion.model_validate_json(json.dumps(_minimal_completion()))
    choice = parsed.choices[0]

    assert parsed.object == "chat.completion"
    assert parsed.usage is None and parsed.system_fingerprint is None and parsed.service_tier is None
    assert parsed.prompt_logprobs is None and parsed.prompt_token_ids is None and parsed.kv_transfer_params is None
    assert choice.finish_reason is None and choice.stop_reason is None and choice.logprobs is None
    assert choice.message.content is None and choice.message.reasoning is None and choice.message.tool_calls is None
    assert parsed.model_fields_set == {"id", "created", "model", "choices"}
    assert parsed.to_dict() == _minimal_completion()
    full = parsed.to_dict(exclude_unset=False)
    assert full["object"] == "chat.completion" and full["usage"] is None


def _with_unknown_fields() -> Dict[str, Any]:
    body = cast(Dict[str, Any], json.loads(load("completion_logprobs.json")))
    body["x_top"] = {"nested": [1, 2]}
    choice = body["choices"][0]
    choice["x_choice"] = 1
    choice["message"]["x_message"] = "m"
    choice["message"]["tool_calls"] = [
        {"id": "call-1", "type": "function", "function": {"name": "f", "arguments": "{}", "x_fn": True}, "x_call": 2}
    ]
    choice["logprobs"]["x_logprobs"] = None
    choice["logprobs"]["content"][0]["x_entry"] = 3.5
    choice["logprobs"]["content"][0]["top_logprobs"][0]["x_top_entry"] = "t"
    body["usage"]["x_usage"] = 7
    body["usage"]["prompt_tokens_details"] = {"cached_tokens": 16, "x_details": "d"}
    return body


def test_unknown_fields_at_every_level_are_kept() -> None:
    body = _with_unknown_fields()
    parsed = ChatCompletion.model_validate_json(json.dumps(body))
    choice = parsed.choices[0]

    assert parsed.x_top == {"nested": [1, 2]}  # type: ignore[attr-defined]
    assert parsed.model_extra == {"x_top": {"nested": [1, 2]}}
    assert choice.model_extra == {"x_choice": 1}
    assert choice.message.model_extra == {"x_message": "m"}
    calls = choice.message.tool_calls
    assert calls is not None and isinstance(calls[0], ChatCompletionMessageFunctionToolCall)
    assert calls[0].model_extra == {"x_call": 2}
    assert calls[0].function.model_extra == {"x_fn": True}
    assert choice.logprobs is not None and choice.logprobs.model_extra == {"x_logprobs": None}
    assert choice.logprobs.content is not None
    assert choice.logprobs.content[0].model_extra == {"x_entry": 3.5}
    assert choice.logprobs.content[0].top_logprobs[0].model_extra == {"x_top_entry": "t"}
    assert parsed.usage is not None and parsed.usage.model_extra == {"x_usage": 7}
    assert parsed.usage.prompt_tokens_details == PromptTokensDetails.model_validate(
        {"cached_tokens": 16, "x_details": "d"}
    )
    assert "x_choice" in choice.model_fields_set
    assert parsed.to_dict() == body
    assert json.loads(parsed.to_json()) == body


def test_chunk_with_empty_delta() -> None:
    chunk = ChatCompletionChunk.model_validate_json(
        b'{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}'
    )
    delta = chunk.choices[0].delta

    assert delta.model_fields_set == set()
    assert (delta.role, delta.content, delta.reasoning, delta.tool_calls) == (None, None, None, None)
    assert delta.to_dict() == {}


def test_usage_only_chunk() -> None:
    chunk = ChatCompletionChunk.model_validate_json(
        b'{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],'
        b'"usage":{"prompt_tokens":5,"total_tokens":12,"completion_tokens":7}}'
    )

    assert chunk.choices == []
    assert chunk.usage is not None and chunk.usage.completion_tokens == 7
    assert chunk.usage.prompt_tokens_details is None


def test_chunk_without_object_field() -> None:
    chunk = ChatCompletionChunk.model_validate({"id": "x", "created": 1, "model": "m", "choices": []})

    assert chunk.object == "chat.completion.chunk"
    assert "object" not in chunk.to_dict()


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(128009, 128009), ("</answer>", "</answer>"), ("repetition_detected", "repetition_detected"), ("7", "7")],
)
def test_stop_reason_keeps_int_or_str(sent: Union[int, str], expected: Union[int, str]) -> None:
    body = _minimal_completion()
    body["choices"][0]["stop_reason"] = sent
    stop_reason = ChatCompletion.model_validate_json(json.dumps(body)).choices[0].stop_reason

    assert stop_reason == expected
    assert type(stop_reason) is type(expected)


def test_usage_with_null_completion_tokens() -> None:
    usage = CompletionUsage.model_validate_json(b'{"prompt_tokens":3,"total_tokens":3,"completion_tokens":null}')

    assert usage.completion_tokens is None


def test_unknown_enum_values_are_kept_as_strings() -> None:
    body = _minimal_completion()
    body.update(object="chat.completion.v2", service_tier="batch")
    body["choices"][0].update(finish_reason="eos_token")
    body["choices"][0]["message"]["role"] = "critic"
    parsed = ChatCompletion.model_validate_json(json.dumps(body))

    assert parsed.object == "chat.completion.v2"
    assert parsed.service_tier == "batch"
    assert parsed.choices[0].finish_reason == "eos_token"
    assert parsed.choices[0].message.role == "critic"

    chunk = ChatCompletionChunk.model_validate(
        {
            "id": "x",
            "created": 1,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "", "tool_calls": [{"index": 0, "type": "mcp"}]},
                    "finish_reason": "",
                }
            ],
        }
    )
    choice = chunk.choices[0]
    assert choice.delta.role == ""
    assert choice.finish_reason == ""
    assert choice.delta.tool_calls is not None and choice.delta.tool_calls[0].type == "mcp"


@pytest.mark.parametrize(
    ("call", "expected_class"),
    [
        (
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            ChatCompletionMessageFunctionToolCall,
        ),
        ({"id": "c1", "function": {"name": "f", "arguments": "{}"}}, ChatCompletionMessageFunctionToolCall),
        ({"id": "c1", "type": "custom", "custom": {"name": "g", "input": "x"}}, ChatCompletionMessageCustomToolCall),
        ({"id": "c1", "custom": {"name": "g", "input": "x"}}, ChatCompletionMessageCustomToolCall),
        ({"id": "c1", "type": "mcp", "server": "s", "function": {"name": "f", "arguments": "{}"}}, None),
        ({"id": "c1", "type": "function", "function": {"name": "f"}}, None),
        ({"id": "c1", "type": "custom", "function": {"name": "f", "arguments": "{}"}}, None),
        ({}, None),
    ],
    ids=[
        "function",
        "function-untyped",
        "custom",
        "custom-untyped",
        "unknown-type",
        "broken-function",
        "mismatch",
        "empty",
    ],
)
def test_tool_call_union_never_picks_the_wrong_member(call: Dict[str, Any], expected_class: Any) -> None:
    body = _minimal_completion()
    body["choices"][0]["message"]["tool_calls"] = [call]
    calls = ChatCompletion.model_validate_json(json.dumps(body)).choices[0].message.tool_calls
    assert calls is not None
    parsed = calls[0]

    assert type(parsed) is (expected_class or ChatCompletionMessageUnknownToolCall)
    assert parsed.to_dict() == call  # nothing dropped, nothing added
    if expected_class is None:
        assert parsed.type == call.get("type")
    else:
        assert parsed.type == ("function" if expected_class is ChatCompletionMessageFunctionToolCall else "custom")


def test_unknown_tool_call_data_is_reachable() -> None:
    call = ChatCompletionMessageUnknownToolCall.model_validate({"id": "c1", "type": "mcp", "server": "s"})

    assert call.server == "s"  # type: ignore[attr-defined]
    assert call.model_extra == {"server": "s"}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"role": "assistant", "reasoning_content": "old"}, "old"),
        ({"role": "assistant", "reasoning": "new", "reasoning_content": "new"}, "new"),
        ({"role": "assistant", "reasoning": "new"}, "new"),
        ({"role": "assistant", "reasoning_content": None}, None),
        ({"role": "assistant"}, None),
    ],
)
def test_reasoning_under_either_name(message: Dict[str, Any], expected: Union[str, None]) -> None:
    parsed = ChatCompletionMessage.model_validate_json(json.dumps(message))
    delta = ChoiceDelta.model_validate(message)

    assert parsed.reasoning == parsed.reasoning_content == expected
    assert delta.reasoning == delta.reasoning_content == expected
    assert parsed.model_extra == delta.model_extra == {}


def test_reasoning_prefers_the_current_name_when_the_two_disagree() -> None:
    delta = ChoiceDelta.model_validate_json(b'{"reasoning_content":null,"reasoning":"step"}')

    assert delta.reasoning == "step"
    assert delta.reasoning_content is None  # as sent under that name
    assert delta.to_dict() == {"reasoning": "step"}


def test_models_are_built_by_field_name() -> None:
    message = ChatCompletionMessage(role="assistant", content="hi", reasoning="why")
    legacy = ChatCompletionMessage.model_validate({"role": "assistant", "content": "hi", "reasoning_content": "why"})

    assert message == legacy
    assert message.reasoning_content == "why"
    assert message.to_dict() == {"role": "assistant", "content": "hi", "reasoning": "why"}


# ---------------------------------------------------------------------------------------------
# BaseModel behaviour: to_dict / to_json options, repr, request id, pickling


def test_to_dict_options() -> None:
    parsed = completion("completion_text.json")

    choices = cast(List[Dict[str, Any]], parsed.to_dict(exclude_none=True)["choices"])
    assert choices[0]["message"] == {
        "role": "assistant",
        "content": "Hello! It's nice to meet you.",
    }
    assert parsed.to_dict(by_alias=False) == parsed.to_dict(use_api_names=False) == parsed.to_dict()
    assert "object" not in parsed.to_dict(exclude_defaults=True)
    assert parsed.to_json(indent=None) == json.dumps(parsed.to_dict(mode="json"), separators=(",", ":"))
    assert parsed.to_json().startswith('{\n  "id": ')


def test_to_json_keeps_non_ascii_text() -> None:
    message = completion("completion_reasoning_v0_33.json").choices[0].message

    assert "17 × 23" in message.to_json()


def test_str_and_repr_name_the_class_and_show_unknown_fields() -> None:
    usage = CompletionUsage.model_validate({"prompt_tokens": 1, "total_tokens": 2, "x_new": 3})

    assert repr(usage) == str(usage)
    assert str(usage).startswith("CompletionUsage(prompt_tokens=1, total_tokens=2")
    assert "x_new=3" in str(usage)


def test_request_id() -> None:
    parsed = completion("completion_text.json")
    assert parsed._request_id is None

    parsed._request_id = "req-123"

    assert parsed._request_id == "req-123"
    assert "req-123" not in repr(parsed)
    assert "req-123" not in parsed.to_json()
    assert "_request_id" not in parsed.to_dict()
    assert pickle.loads(pickle.dumps(parsed))._request_id == "req-123"
    assert copy.deepcopy(parsed)._request_id == "req-123"
    assert parsed.model_copy()._request_id == "req-123"
    assert parsed.choices[0]._request_id is None


def test_request_id_does_not_change_the_data() -> None:
    first, second = completion("completion_text.json"), completion("completion_text.json")
    second._request_id = None

    assert first == second
    assert first.to_dict() == second.to_dict()


def _instances() -> List[Tuple[str, BaseModel]]:
    samples: List[Tuple[Type[BaseModel], Dict[str, Any]]] = [
        (TopLogprob, {"token": "a", "logprob": -0.5, "bytes": [97]}),
        (ChatCompletionTokenLogprob, {"token": "a", "logprob": -0.5, "top_logprobs": [{"token": "a"}]}),
        (PromptLogprob, {"logprob": -1.0, "rank": 1, "decoded_token": "a"}),
        (PromptTokensDetails, {"cached_tokens": 1, "multimodal_tokens": {"image": 4}}),
        (CompletionTokensDetails, {"reasoning_tokens": 2}),
        (CompletionUsage, {"prompt_tokens": 1, "total_tokens": 2, "completion_tokens": 1}),
        (PerRequestMetrics, {"mean_itl_ms": 1.5, "speculative_decoding": {"acceptance_rate": 0.7}}),
        (WeightVersion, {"version": "v2", "start": 0, "end": 3}),
        (ErrorObject, {"message": "bad", "type": "BadRequestError", "param": "n", "code": 400}),
        (ChatCompletionAudio, {"id": "a", "data": "AA==", "expires_at": 1, "transcript": "t"}),
        (FunctionCall, {"name": "f", "arguments": "{}"}),
        (AnnotationURLCitation, {"start_index": 0, "end_index": 3, "title": "t", "url": "https://example.com"}),
        (Annotation, {"type": "url_citation", "url_citation": {"url": "https://example.com"}}),
        (Function, {"name": "f", "arguments": "{}"}),
        (Custom, {"name": "g", "input": "x"}),
        (
            ChatCompletionMessageFunctionToolCall,
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": ""}},
        ),
        (ChatCompletionMessageCustomToolCall, {"id": "c", "type": "custom", "custom": {"name": "g", "input": ""}}),
        (ChatCompletionMessageUnknownToolCall, {"id": "c", "type": "mcp", "server": "s"}),
        (ChatCompletionMessage, {"role": "assistant", "content": "hi", "reasoning": "r", "x": 1}),
        (ChoiceLogprobs, {"content": [{"token": "a", "logprob": -1.0}]}),
        (Choice, {"index": 0, "message": {"role": "assistant"}, "finish_reason": "stop", "stop_reason": 2}),
        (ChoiceDeltaFunctionCall, {"name": "f"}),
        (ChoiceDeltaToolCallFunction, {"arguments": "{"}),
        (ChoiceDeltaToolCall, {"index": 0, "id": "c", "type": "function", "function": {"name": "f"}}),
        (ChoiceDelta, {"content": "x", "reasoning_content": None}),
        (ChunkChoice, {"index": 1, "delta": {}, "token_ids": [1, 2]}),
    ]
    instances: List[Tuple[str, BaseModel]] = [(cls.__name__, cls.model_validate(data)) for cls, data in samples]
    instances += [(f"ChatCompletion:{name}", completion(name)) for name in COMPLETION_FIXTURES]
    instances += [(f"ChatCompletionChunk:{name}", chunks(name)[-1]) for name in STREAM_FIXTURES]
    return instances


@pytest.mark.parametrize(("label", "instance"), _instances(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_model_pickles(label: str, instance: BaseModel) -> None:
    instance._request_id = "req-1"

    restored = pickle.loads(pickle.dumps(instance))

    assert type(restored) is type(instance)
    assert restored == instance
    assert restored.to_dict() == instance.to_dict()
    assert restored.model_extra == instance.model_extra
    assert restored.model_fields_set == instance.model_fields_set
    assert restored._request_id == "req-1"
