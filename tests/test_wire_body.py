"""The JSON body `create_completion` puts on the wire, and the bad input it refuses before sending anything."""

from __future__ import annotations

import sys
import json
import inspect
import importlib.util
from typing import Any, Dict, List, Tuple, Callable, Awaitable, AsyncIterator
from pathlib import Path

import httpx
import pytest

from tzafon import Lightcone, AsyncLightcone
from tzafon.resources.chat import ChatResource, AsyncChatResource
from tzafon.types.chat_create_completion_params import BODY_FIELDS

REPO = Path(__file__).resolve().parent.parent

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop", "logprobs": None}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}

USER = {"role": "user", "content": "Hi"}


def compact(value: object) -> bytes:
    """What a body must look like byte for byte: compact JSON, UTF-8, keys in the order given."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


class Recorder:
    """An `httpx.MockTransport` handler that keeps every request and answers like a vLLM server."""

    def __init__(self) -> None:
        self.requests: List[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if json.loads(request.content).get("stream") is True:
            return httpx.Response(200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=COMPLETION)


Send = Callable[..., Awaitable[httpx.Request]]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["sync", "async"])
async def send(request: pytest.FixtureRequest, recorder: Recorder) -> AsyncIterator[Send]:
    """Calls `create_completion` on the sync or the async client and returns the request that went out."""
    transport = httpx.MockTransport(recorder)
    if request.param == "sync":
        client = Lightcone(
            api_key="k", base_url="http://testserver", max_retries=0, http_client=httpx.Client(transport=transport)
        )

        async def send_sync(**kwargs: Any) -> httpx.Request:
            result = client.chat.create_completion(**kwargs)
            if kwargs.get("stream") is True:
                result.close()
            assert len(recorder.requests) == 1
            return recorder.requests[0]

        yield send_sync
        client.close()
    else:
        async_client = AsyncLightcone(
            api_key="k",
            base_url="http://testserver",
            max_retries=0,
            http_client=httpx.AsyncClient(transport=transport),
        )

        async def send_async(**kwargs: Any) -> httpx.Request:
            result = await async_client.chat.create_completion(**kwargs)
            if kwargs.get("stream") is True:
                await result.close()
            assert len(recorder.requests) == 1
            return recorder.requests[0]

        yield send_async
        await async_client.close()


# Every body field, with values that are valid together (a server would accept this request).
EVERY_FIELD: Dict[str, object] = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "It is"},
    ],
    "add_generation_prompt": False,
    "add_special_tokens": True,
    "allowed_token_ids": [1, 2, 3],
    "bad_words": ["darn"],
    "cache_salt": "salt-123",
    "chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}",
    "chat_template_kwargs": {"enable_thinking": False},
    "continue_final_message": True,
    "documents": [{"title": "Doc", "text": "Body"}],
    "echo": False,
    "frequency_penalty": 0.5,
    "ignore_eos": False,
    "include_reasoning": True,
    "include_stop_str_in_output": False,
    "kv_transfer_params": {"do_remote_decode": False},
    "length_penalty": 1.0,
    "logit_bias": {"42": -100.0},
    "logits_processors": ["my_module.Processor", {"qualname": "my_module.Other", "args": [1], "kwargs": {"a": 2}}],
    "logprobs": True,
    "max_completion_tokens": 64,
    "max_tokens": 64,
    "min_p": 0.05,
    "min_tokens": 1,
    "mm_processor_kwargs": {"num_crops": 4},
    "model": "meta-llama/Llama-3.1-8B-Instruct",
    "n": 2,
    "parallel_tool_calls": True,
    "presence_penalty": -0.5,
    "priority": 0,
    "prompt_logprobs": 0,
    "reasoning_effort": "low",
    "repetition_penalty": 1.1,
    "request_id": "req-1",
    "response_format": {"type": "text"},
    "return_token_ids": True,
    "return_tokens_as_token_ids": False,
    "seed": 7,
    "skip_special_tokens": True,
    "spaces_between_special_tokens": True,
    "stop": ["\n\n", "END"],
    "stop_token_ids": [128001],
    "stream": True,
    "stream_options": {"include_usage": True, "continuous_usage_stats": False},
    "structured_outputs": {"choice": ["sunny", "rainy"], "disable_any_whitespace": True},
    "temperature": 0.7,
    "tool_choice": "required",
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather of a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ],
    "top_k": 40,
    "top_logprobs": 2,
    "top_p": 0.9,
    "truncate_prompt_tokens": -1,
    "use_beam_search": False,
    "user": "user-1",
    "vllm_xargs": {"session": "abc", "weights": [0.5, "x"]},
}

# One message of each kind `messages` accepts.
MESSAGES: Dict[str, Dict[str, object]] = {
    "developer": {"role": "developer", "content": [{"type": "text", "text": "Obey."}], "name": "dev"},
    "system": {"role": "system", "content": "Be brief.", "name": "sys"},
    "user": {"role": "user", "content": "Hello", "name": "alice"},
    "assistant": {
        "role": "assistant",
        "content": [{"type": "text", "text": "Calling."}, {"type": "refusal", "refusal": "No."}],
        "audio": {"id": "audio-1"},
        "function_call": {"name": "f", "arguments": "{}"},
        "name": "bot",
        "refusal": None,
        "tool_calls": [
            {"id": "call-1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
            {"id": "call-2", "type": "custom", "custom": {"name": "g", "input": "raw"}},
        ],
    },
    "tool": {"role": "tool", "content": "42", "tool_call_id": "call-1"},
    "function": {"role": "function", "content": None, "name": "f"},
    "custom": {
        "role": "critic",
        "content": "Too long.",
        "name": "c",
        "reasoning": "Because.",
        "tool_call_id": None,
        "tool_calls": [{"id": "call-3", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}, "strict": True}}],
    },
    "harmony": {
        "author": {"role": "assistant", "name": None},
        "channel": "analysis",
        "content": [{"type": "text", "text": "thinking"}],
        "content_type": "text",
        "recipient": None,
    },
}

# One content part of each kind (a plain string is a part too, in custom-role messages).
CONTENT_PARTS: Dict[str, object] = {
    "text": {"type": "text", "text": "Describe this."},
    "image_url": {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "high"}},
    "input_audio": {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    "file": {"type": "file", "file": {"file_data": "JVBERi0=", "file_id": None, "filename": "a.pdf"}},
    "refusal": {"type": "refusal", "refusal": "I can't."},
    "audio_url": {"type": "audio_url", "audio_url": {"url": "https://example.com/a.mp3"}},
    "video_url": {"type": "video_url", "video_url": {"url": "https://example.com/a.mp4"}},
    "simple_image": {"image_url": "https://example.com/b.png", "uuid": "img-1"},
    "simple_audio": {"audio_url": "https://example.com/b.mp3"},
    "simple_video": {"video_url": "https://example.com/b.mp4", "uuid": None},
    "image_embeds": {"type": "image_embeds", "image_embeds": {"image_embeds": "AAAA"}, "uuid": "e-1"},
    "audio_embeds": {"type": "audio_embeds", "audio_embeds": "AAAA", "uuid": None},
    "thinking": {"type": "thinking", "thinking": "Let me see.", "closed": True},
    "string": "plain text part",
}
# The parts a `user` message (not only a custom-role one) accepts, per the spec.
USER_PARTS = ("text", "image_url", "input_audio", "file")


@pytest.mark.anyio
async def test_minimal_call_sends_only_messages_to_chat_completions(send: Send) -> None:
    request = await send(messages=[USER])
    assert request.method == "POST"
    assert request.url == "http://testserver/chat/completions"
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"messages":[{"role":"user","content":"Hi"}]}'


@pytest.mark.anyio
async def test_every_field_is_sent_as_given_in_wire_order(send: Send) -> None:
    assert list(EVERY_FIELD) == list(BODY_FIELDS)
    request = await send(**EVERY_FIELD)
    assert json.loads(request.content) == EVERY_FIELD
    assert request.content == compact(EVERY_FIELD)
    assert request.headers["accept"] == "text/event-stream"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(MESSAGES))
async def test_each_message_variant_is_sent_unchanged(send: Send, kind: str) -> None:
    message = MESSAGES[kind]
    request = await send(messages=[message])
    assert json.loads(request.content) == {"messages": [message]}
    assert request.content == compact({"messages": [message]})


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(CONTENT_PARTS))
async def test_each_content_part_variant_is_sent_unchanged(send: Send, kind: str) -> None:
    message = {"role": "reviewer", "content": [CONTENT_PARTS[kind]]}
    request = await send(messages=[message])
    assert json.loads(request.content) == {"messages": [message]}
    assert request.content == compact({"messages": [message]})


@pytest.mark.anyio
async def test_user_message_with_every_user_part_is_sent_unchanged(send: Send) -> None:
    message = {"role": "user", "content": [CONTENT_PARTS[kind] for kind in USER_PARTS]}
    request = await send(messages=[message])
    assert request.content == compact({"messages": [message]})


@pytest.mark.anyio
async def test_omitted_fields_are_not_sent(send: Send) -> None:
    from tzafon import omit

    request = await send(messages=[USER], model="m", temperature=omit, stream=omit, tools=omit)
    assert request.content == b'{"messages":[{"role":"user","content":"Hi"}],"model":"m"}'


@pytest.mark.anyio
async def test_none_is_sent_as_null(send: Send) -> None:
    request = await send(messages=[USER], model=None, stop=None, temperature=None, vllm_xargs=None)
    assert json.loads(request.content) == {
        "messages": [USER],
        "model": None,
        "stop": None,
        "temperature": None,
        "vllm_xargs": None,
    }
    assert b'"model":null' in request.content and b'"temperature":null' in request.content


@pytest.mark.anyio
async def test_tuples_generators_and_ranges_become_arrays(send: Send) -> None:
    parts = ({"type": "text", "text": "a"}, {"type": "text", "text": "b"})
    tool_calls = (
        {"id": f"call-{i}", "type": "function", "function": {"name": "f", "arguments": "{}"}} for i in range(2)
    )
    messages = (
        message
        for message in (
            {"role": "user", "content": parts},
            {"role": "assistant", "content": None, "tool_calls": tool_calls},
            {"role": "reviewer", "content": (p for p in ["x", {"type": "text", "text": "y"}])},
        )
    )
    request = await send(
        messages=messages,
        allowed_token_ids=range(3),
        stop=("a", "b"),
        stop_token_ids=(i for i in (7, 8)),
        bad_words=("x",),
        documents=({"title": "t", "text": "x"},),
        chat_template_kwargs={"ids": (1, 2), "nested": {"gen": (c for c in "ab")}},
        vllm_xargs={"xs": (1.5, "y")},
    )
    assert json.loads(request.content) == {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call-0", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "call-1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                ],
            },
            {"role": "reviewer", "content": ["x", {"type": "text", "text": "y"}]},
        ],
        "allowed_token_ids": [0, 1, 2],
        "bad_words": ["x"],
        "chat_template_kwargs": {"ids": [1, 2], "nested": {"gen": ["a", "b"]}},
        "documents": [{"title": "t", "text": "x"}],
        "stop": ["a", "b"],
        "stop_token_ids": [7, 8],
        "vllm_xargs": {"xs": [1.5, "y"]},
    }


@pytest.mark.anyio
async def test_extra_body_is_merged_last_and_wins(send: Send) -> None:
    request = await send(
        messages=[USER], temperature=0.1, top_p=0.5, extra_body={"temperature": 0.9, "session_id": "y"}
    )
    assert json.loads(request.content) == {
        "messages": [USER],
        "temperature": 0.9,
        "top_p": 0.5,
        "session_id": "y",
    }
    # An overridden field keeps its place; new fields go at the end.
    assert request.content == compact({"messages": [USER], "temperature": 0.9, "top_p": 0.5, "session_id": "y"})


@pytest.mark.anyio
async def test_extra_query_and_extra_headers_are_merged(send: Send) -> None:
    request = await send(
        messages=[USER], extra_query={"api-version": "2"}, extra_headers={"X-Request-Id": "rid-1", "X-Trace": "t"}
    )
    assert request.url.params["api-version"] == "2"
    assert request.url.path == "/chat/completions"
    assert request.headers["x-request-id"] == "rid-1"
    assert request.headers["x-trace"] == "t"
    assert request.headers["authorization"] == "Bearer k"


@pytest.mark.anyio
async def test_non_ascii_text_is_sent_as_utf8_not_escaped(send: Send) -> None:
    text = "héllo wörld, 世界, שלום 🎉"
    request = await send(messages=[{"role": "user", "content": text}])
    assert text.encode("utf-8") in request.content
    assert b"\\u" not in request.content
    assert json.loads(request.content.decode("utf-8"))["messages"][0]["content"] == text


@pytest.mark.anyio
@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": float("nan")},
        {"logit_bias": {"1": float("inf")}},
        {"messages": [{"role": "user", "content": "x", "weight": float("-inf")}]},
    ],
    ids=["nan", "inf-nested", "-inf-in-message"],
)
async def test_nan_and_infinity_raise_value_error_before_sending(
    send: Send, recorder: Recorder, kwargs: Dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="NaN"):
        await send(**{"messages": [USER], **kwargs})
    assert recorder.requests == []


@pytest.mark.anyio
async def test_continue_final_message_alone_sends_add_generation_prompt_false(send: Send) -> None:
    messages = [USER, {"role": "assistant", "content": "Once upon"}]
    request = await send(messages=messages, continue_final_message=True)
    assert request.content == compact(
        {"messages": messages, "add_generation_prompt": False, "continue_final_message": True}
    )


@pytest.mark.anyio
async def test_continue_final_message_false_leaves_add_generation_prompt_out(send: Send) -> None:
    request = await send(messages=[USER], continue_final_message=False)
    assert json.loads(request.content) == {"messages": [USER], "continue_final_message": False}


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["temprature", "max_new_tokens"])
async def test_unknown_keyword_raises_type_error_naming_it_and_extra_body(
    send: Send, recorder: Recorder, name: str
) -> None:
    with pytest.raises(TypeError) as info:
        await send(messages=[USER], **{name: 1})
    assert name in str(info.value)
    assert "extra_body" in str(info.value)
    assert recorder.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("messages", [[], (), iter([])], ids=["list", "tuple", "iterator"])
async def test_empty_messages_raise_value_error(send: Send, recorder: Recorder, messages: object) -> None:
    with pytest.raises(ValueError, match="messages"):
        await send(messages=messages)
    assert recorder.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "messages",
    ["Hello", USER, 42, None, ["Hello"], [USER, "Hello"]],
    ids=["str", "dict", "int", "none", "list-of-str", "dict-then-str"],
)
async def test_messages_that_are_not_a_list_of_dicts_raise_type_error(
    send: Send, recorder: Recorder, messages: object
) -> None:
    with pytest.raises(TypeError, match="messages"):
        await send(messages=messages)
    assert recorder.requests == []


NAMED_TOOL = {"type": "function", "function": {"name": "f"}}

CONTRADICTIONS = [
    pytest.param(
        {"continue_final_message": True, "add_generation_prompt": True},
        ("continue_final_message", "add_generation_prompt"),
        id="continue_final_message+add_generation_prompt",
    ),
    pytest.param({"stream_options": {"include_usage": True}}, ("stream_options", "stream"), id="stream_options"),
    pytest.param(
        {"stream_options": {"include_usage": True}, "stream": False},
        ("stream_options", "stream"),
        id="stream_options+stream=False",
    ),
    pytest.param({"prompt_logprobs": 1, "stream": True}, ("prompt_logprobs", "stream"), id="prompt_logprobs+stream"),
    pytest.param({"top_logprobs": 3}, ("top_logprobs", "logprobs"), id="top_logprobs"),
    pytest.param(
        {"top_logprobs": 3, "logprobs": False}, ("top_logprobs", "logprobs"), id="top_logprobs+logprobs=False"
    ),
    pytest.param({"tool_choice": NAMED_TOOL}, ("tool_choice", "tools"), id="named-tool_choice"),
    pytest.param({"tool_choice": "required"}, ("tool_choice", "tools"), id="required-tool_choice"),
    pytest.param({"tool_choice": "required", "tools": None}, ("tool_choice", "tools"), id="required+tools=None"),
] + [
    pytest.param(
        {"structured_outputs": {first: value_a, second: value_b}},
        (repr(first), repr(second)),
        id=f"structured_outputs-{first}+{second}",
    )
    for (first, value_a), (second, value_b) in [
        (("json", {"type": "object"}), ("regex", "a+")),
        (("regex", "a+"), ("choice", ["a", "b"])),
        (("choice", ["a", "b"]), ("grammar", "root ::= 'a'")),
        (("grammar", "root ::= 'a'"), ("json_object", True)),
        (("json_object", True), ("structural_tag", "{}")),
        (("structural_tag", "{}"), ("json", "{}")),
    ]
]


@pytest.mark.anyio
@pytest.mark.parametrize("kwargs, names", CONTRADICTIONS)
async def test_contradictions_raise_value_error_naming_both_fields(
    send: Send, recorder: Recorder, kwargs: Dict[str, Any], names: Tuple[str, str]
) -> None:
    with pytest.raises(ValueError) as info:
        await send(messages=[USER], **kwargs)
    for name in names:
        assert name in str(info.value)
    assert recorder.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "kwargs",
    [
        {"continue_final_message": True, "add_generation_prompt": False},
        {"stream": True, "stream_options": {"include_usage": True}},
        {"stream": True, "prompt_logprobs": None},
        {"prompt_logprobs": 2},
        {"top_logprobs": 3, "logprobs": True},
        {"tool_choice": "auto"},
        {"tool_choice": "none"},
        {"tool_choice": NAMED_TOOL, "tools": [{"type": "function", "function": {"name": "f"}}]},
        {"structured_outputs": {"json": {"type": "object"}, "disable_any_whitespace": True}},
    ],
    ids=repr,
)
async def test_allowed_combinations_are_sent(send: Send, kwargs: Dict[str, Any]) -> None:
    request = await send(messages=[USER], **kwargs)
    assert json.loads(request.content) == {"messages": [USER], **kwargs}


def test_signature_lists_every_body_field_in_wire_order_then_the_request_options() -> None:
    options = ["extra_headers", "extra_query", "extra_body", "timeout", "unknown_kwargs"]
    for method in (ChatResource.create_completion, AsyncChatResource.create_completion):
        parameters = list(inspect.signature(method).parameters.values())
        assert [p.name for p in parameters] == ["self", *BODY_FIELDS, *options]
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters[1:-1])
        assert [p.name for p in parameters if p.default is p.empty and p.kind is p.KEYWORD_ONLY] == ["messages"]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_chat_resource", REPO / "scripts" / "gen_chat_resource.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_generated_chat_resource_is_up_to_date() -> None:
    generator = _generator()
    assert [name for name, _, _ in generator.FIELDS] == list(BODY_FIELDS)
    checked_in = (REPO / "src" / "tzafon" / "resources" / "chat.py").read_text(encoding="utf-8")
    assert checked_in == generator.render(), "run: python scripts/gen_chat_resource.py"
