"""`client.chat.create_completion` against the Prism mock of `openapi.yml`: every request shape the spec allows
goes through, and a body that breaks the spec is refused.

Prism validates each request body against the spec and answers an invalid one with 422, so a request shape
the SDK sends but the spec does not allow (or the reverse) fails here. Start the server with `scripts/mock --daemon`.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletion, ChatCompletionChunk

pytestmark = pytest.mark.prism

# What the spec's 200 example holds; Prism returns it for every valid non-streaming request.
EXAMPLE_ID = "chatcmpl-8f1d6f3c9a2b4e7d9c0a1b2c3d4e5f60"
EXAMPLE_CONTENT = "Hello! How can I help you today?"

USER = {"role": "user", "content": "Hello"}
FUNCTION_TOOL_CALL = {
    "id": "chatcmpl-tool-1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

# One request per message variant: each is sent after a plain user message.
MESSAGE_VARIANTS: Dict[str, Dict[str, Any]] = {
    "developer": {"role": "developer", "content": "Answer in French.", "name": "ops"},
    "developer-parts": {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
    "system": {"role": "system", "content": "You are terse.", "name": "sys"},
    "system-parts": {"role": "system", "content": [{"type": "text", "text": "You are terse."}]},
    "user": {"role": "user", "content": "What is the weather in Paris?", "name": "alice"},
    "assistant": {
        "role": "assistant",
        "content": "Let me check.",
        "name": "bot",
        "refusal": None,
        "audio": {"id": "audio-1"},
        "function_call": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
        "tool_calls": [
            FUNCTION_TOOL_CALL,
            {"id": "call-2", "type": "custom", "custom": {"name": "sql", "input": "SELECT 1"}},
        ],
    },
    "assistant-parts": {
        "role": "assistant",
        "content": [{"type": "text", "text": "I can't"}, {"type": "refusal", "refusal": "Not allowed."}],
    },
    "assistant-null-content": {"role": "assistant", "content": None, "tool_calls": [FUNCTION_TOOL_CALL]},
    "tool": {"role": "tool", "content": '{"temp_c": 21}', "tool_call_id": "chatcmpl-tool-1"},
    "tool-parts": {"role": "tool", "content": [{"type": "text", "text": "21 C"}], "tool_call_id": "chatcmpl-tool-1"},
    "function": {"role": "function", "name": "get_weather", "content": None},
    "custom-role": {
        "role": "critic",
        "content": "Be more concise.",
        "name": "reviewer",
        "reasoning": "The answer was long.",
        "tool_call_id": None,
        "tool_calls": [FUNCTION_TOOL_CALL],
        "tools": [
            {
                "type": "function",
                "function": {"name": "get_weather", "description": "Weather", "parameters": {}, "strict": True},
            }
        ],
    },
    "harmony": {
        "author": {"role": "assistant", "name": "analysis-bot"},
        "channel": "analysis",
        "content": [{"type": "text", "text": "Thinking..."}],
        "content_type": "text",
        "recipient": "functions.get_weather",
    },
}

# One request per content-part variant, each in the message kind that accepts it.
CONTENT_PARTS: Dict[str, Dict[str, Any]] = {
    "text": {"type": "text", "text": "Describe this."},
    "image_url": {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
    "input_audio": {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    "file": {"type": "file", "file": {"file_data": "JVBERi0=", "file_id": "file-1", "filename": "a.pdf"}},
    "refusal": {"type": "refusal", "refusal": "I can't help with that."},
    "audio_url": {"type": "audio_url", "audio_url": {"url": "https://example.com/a.mp3"}},
    "video_url": {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}},
    "simple-image": {"image_url": "https://example.com/cat.png", "uuid": "img-1"},
    "simple-audio": {"audio_url": "https://example.com/a.mp3"},
    "simple-video": {"video_url": "https://example.com/v.mp4", "uuid": None},
    "image_embeds": {"type": "image_embeds", "image_embeds": "AAAA", "uuid": "emb-1"},
    "image_embeds-map": {"type": "image_embeds", "image_embeds": {"image_embeds": "AAAA", "image_grid_thw": "AQID"}},
    "audio_embeds": {"type": "audio_embeds", "audio_embeds": "AAAA", "uuid": None},
    "thinking": {"type": "thinking", "thinking": "Let me think.", "closed": True},
    "string": "plain text part",
}
USER_MESSAGE_PARTS = {"text", "image_url", "input_audio", "file"}


def content_part_messages(part_name: str) -> List[Dict[str, Any]]:
    """The part inside a user message when a user message accepts it, and always inside a custom-role message."""
    part = CONTENT_PARTS[part_name]
    messages: List[Dict[str, Any]] = [{"role": "reviewer", "content": [part]}]
    if part_name in USER_MESSAGE_PARTS:
        messages.append({"role": "user", "content": [part]})
    return messages + [USER]


# Every body field, with values that are valid together (no contradiction the client refuses before sending).
EVERY_FIELD: Dict[str, Any] = {
    "messages": [{"role": "system", "content": "You are terse."}, USER],
    "add_generation_prompt": True,
    "add_special_tokens": False,
    "allowed_token_ids": [1, 2, 3],
    "bad_words": ["darn"],
    "cache_salt": "c2FsdA",
    "chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}",
    "chat_template_kwargs": {"enable_thinking": False},
    "continue_final_message": False,
    "documents": [{"title": "Doc", "text": "Body"}],
    "echo": False,
    "frequency_penalty": 0.5,
    "ignore_eos": False,
    "include_reasoning": True,
    "include_stop_str_in_output": False,
    "kv_transfer_params": {"do_remote_decode": False},
    "length_penalty": 1.0,
    "logit_bias": {"50256": -100.0},
    "logits_processors": ["my_module.MyLogitsProcessor", {"qualname": "m.P", "args": [1, 2], "kwargs": {"k": "v"}}],
    "logprobs": True,
    "max_completion_tokens": 64,
    "max_tokens": 64,
    "min_p": 0.05,
    "min_tokens": 1,
    "mm_processor_kwargs": {"num_crops": 4},
    "model": "example-model",
    "n": 1,
    "parallel_tool_calls": True,
    "presence_penalty": 0.1,
    "priority": 0,
    "prompt_logprobs": 1,
    "reasoning_effort": "low",
    "repetition_penalty": 1.1,
    "request_id": "req-123",
    "response_format": {"type": "text"},
    "return_token_ids": True,
    "return_tokens_as_token_ids": False,
    "seed": -(2**63),
    "skip_special_tokens": True,
    "spaces_between_special_tokens": True,
    "stop": ["\n\n", "END"],
    "stop_token_ids": [2],
    "stream": False,
    "stream_options": None,
    "structured_outputs": {
        "json": {"type": "object"},
        "_backend": "xgrammar",
        "_backend_was_auto": False,
        "choice": None,
        "disable_additional_properties": False,
        "disable_any_whitespace": False,
        "disable_fallback": False,
        "grammar": None,
        "json_object": None,
        "regex": None,
        "structural_tag": None,
        "whitespace_pattern": None,
    },
    "temperature": 0.7,
    "tool_choice": "auto",
    "tools": [WEATHER_TOOL],
    "top_k": 40,
    "top_logprobs": 2,
    "top_p": 0.9,
    "truncate_prompt_tokens": -1,
    "use_beam_search": False,
    "user": "user-42",
    "vllm_xargs": {"session": "abc", "weight": 0.5, "ids": [1, "two"]},
}

# Every field again, for the shapes the first request cannot hold at the same time.
OTHER_SHAPES: Dict[str, Dict[str, Any]] = {
    "nulls": {
        "messages": [USER],
        **{name: None for name in ("allowed_token_ids", "cache_salt", "chat_template", "chat_template_kwargs")},
        **{name: None for name in ("documents", "frequency_penalty", "kv_transfer_params", "logit_bias")},
        **{name: None for name in ("logits_processors", "logprobs", "max_completion_tokens", "max_tokens", "min_p")},
        **{name: None for name in ("mm_processor_kwargs", "model", "n", "parallel_tool_calls", "presence_penalty")},
        **{name: None for name in ("prompt_logprobs", "reasoning_effort", "repetition_penalty", "response_format")},
        **{name: None for name in ("return_token_ids", "return_tokens_as_token_ids", "seed", "stop")},
        **{name: None for name in ("stop_token_ids", "stream", "structured_outputs", "temperature", "tool_choice")},
        **{name: None for name in ("tools", "top_k", "top_logprobs", "top_p", "truncate_prompt_tokens", "user")},
        "vllm_xargs": None,
    },
    "stop-string": {"messages": [USER], "stop": "END", "seed": 2**63 - 1, "truncate_prompt_tokens": 512},
    "response_format-json_schema": {
        "messages": [USER],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "description": None, "schema": {"type": "object"}, "strict": True},
        },
    },
    "response_format-structural_tag": {
        "messages": [USER],
        "response_format": {"type": "structural_tag", "format": {"type": "triggered_tags", "tags": []}},
    },
    "response_format-legacy_structural_tag": {
        "messages": [USER],
        "response_format": {
            "type": "structural_tag",
            "structures": [{"begin": "<fn>", "end": "</fn>", "schema": {"type": "object"}}],
            "triggers": ["<fn>"],
        },
    },
    "named-tool_choice": {
        "messages": [USER],
        "tools": [WEATHER_TOOL, {"function": {"name": "noop"}}],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    },
    "structured_outputs-choice": {"messages": [USER], "structured_outputs": {"choice": ["yes", "no"]}},
    "structured_outputs-json-string": {"messages": [USER], "structured_outputs": {"json": '{"type": "object"}'}},
}

CASES: Dict[str, Dict[str, Any]] = {
    "minimal": {"messages": [USER]},
    "every-field": EVERY_FIELD,
    **OTHER_SHAPES,
    **{f"message-{name}": {"messages": [USER, message]} for name, message in MESSAGE_VARIANTS.items()},
    **{f"part-{name}": {"messages": content_part_messages(name)} for name in CONTENT_PARTS},
}


def assert_is_the_example(completion: ChatCompletion) -> None:
    assert isinstance(completion, ChatCompletion)
    assert completion.id == EXAMPLE_ID
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == EXAMPLE_CONTENT
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.total_tokens == 22


def test_every_body_field_is_exercised() -> None:
    from tzafon.types.chat_create_completion_params import BODY_FIELDS

    assert set(EVERY_FIELD) == set(BODY_FIELDS)


@pytest.mark.parametrize("kwargs", CASES.values(), ids=list(CASES))
def test_create_completion(client: Lightcone, kwargs: Dict[str, Any]) -> None:
    assert_is_the_example(client.chat.create_completion(**kwargs))


@pytest.mark.anyio
@pytest.mark.parametrize("kwargs", CASES.values(), ids=list(CASES))
async def test_create_completion_async(async_client: AsyncLightcone, kwargs: Dict[str, Any]) -> None:
    assert_is_the_example(await async_client.chat.create_completion(**kwargs))


def test_stream(client: Lightcone) -> None:
    with client.chat.create_completion(
        messages=[USER], stream=True, stream_options={"include_usage": True, "continuous_usage_stats": False}
    ) as stream:
        chunks = list(stream)
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == "Hello!"
    assert chunks[-1].choices[0].finish_reason == "stop"


@pytest.mark.anyio
async def test_stream_async(async_client: AsyncLightcone) -> None:
    stream = await async_client.chat.create_completion(messages=[USER], stream=True)
    chunks = [chunk async for chunk in stream]
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == "Hello!"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_unknown_extra_body_keys_are_accepted(client: Lightcone) -> None:
    # vLLM ignores keys it does not know; the spec must not forbid them, or extra_body could not work.
    completion = client.chat.create_completion(messages=[USER], extra_body={"some_future_field": {"x": 1}})
    assert_is_the_example(completion)


@pytest.mark.parametrize(
    ("extra_body", "violation"),
    [
        ({"n": "not-a-number"}, "n"),
        ({"truncate_prompt_tokens": -2}, "truncate_prompt_tokens"),
        ({"messages": [{"role": "user", "content": 42}]}, "messages"),
    ],
    ids=["wrong-type", "below-minimum", "bad-message"],
)
def test_a_body_that_breaks_the_spec_is_refused(client: Lightcone, extra_body: Dict[str, Any], violation: str) -> None:
    with pytest.raises(tzafon.UnprocessableEntityError) as caught:
        client.chat.create_completion(messages=[USER], extra_body=extra_body)
    assert caught.value.status_code == 422
    # Prism names what it rejected in this header: it must be the field we broke, not something else.
    assert f'"{violation}"' in caught.value.response.headers["sl-violations"]


@pytest.mark.anyio
async def test_a_body_that_breaks_the_spec_is_refused_async(async_client: AsyncLightcone) -> None:
    with pytest.raises(tzafon.UnprocessableEntityError) as caught:
        await async_client.chat.create_completion(messages=[USER], extra_body={"n": "not-a-number"})
    assert caught.value.status_code == 422
