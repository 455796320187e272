"""The request and the vLLM-shaped response bodies every contender of the benchmark gets, byte for byte."""

from __future__ import annotations

import json
from typing import Any, Dict, List

__all__ = [
    "MODEL",
    "MESSAGES",
    "completion_body",
    "content_stream_events",
    "tool_call_stream_events",
]

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
MESSAGES: List[Dict[str, str]] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Write two sentences about the sea."},
]
_ID = "chatcmpl-4f3c9a0e8b7d4c2a9e1f0b6d5c4a3b2e"
_CREATED = 1732350000
_WORDS = "the sea is wide and deep and the light on it changes with every hour of the day".split()


def _dumps(value: Any) -> bytes:
    # vLLM (pydantic) writes compact JSON with non-ASCII characters as they are.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def completion_body() -> bytes:
    """A ~1 KB non-streaming vLLM 0.33 answer: every declared field present, unset ones null."""
    content = " ".join(_WORDS[i % len(_WORDS)] for i in range(90)).capitalize() + "."
    body: Dict[str, Any] = {
        "id": _ID,
        "object": "chat.completion",
        "created": _CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": None,
                    "annotations": None,
                    "audio": None,
                    "function_call": None,
                    "tool_calls": [],
                    "reasoning": None,
                },
                "logprobs": None,
                "finish_reason": "stop",
                "stop_reason": None,
                "token_ids": None,
            }
        ],
        "service_tier": None,
        "system_fingerprint": None,
        "usage": {"prompt_tokens": 27, "total_tokens": 117, "completion_tokens": 90, "prompt_tokens_details": None},
        "prompt_logprobs": None,
        "prompt_token_ids": None,
        "kv_transfer_params": None,
    }
    return _dumps(body)


def _event(chunk: Dict[str, Any]) -> bytes:
    return b"data: " + _dumps(chunk) + b"\n\n"


def _chunk(delta: Dict[str, Any], finish_reason: Any = None, **extra: Any) -> Dict[str, Any]:
    choice: Dict[str, Any] = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    if finish_reason is not None:
        choice["stop_reason"] = None
    choice["token_ids"] = None
    # vLLM 0.33 writes chunks with `exclude_unset`, and sets `kv_transfer_params` (to null without a
    # KV connector) on every chunk that carries a choice.
    return {
        "id": _ID,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": MODEL,
        "choices": [choice],
        **extra,
        "kv_transfer_params": None,
    }


_DONE = b"data: [DONE]\n\n"


def content_stream_events(count: int) -> List[bytes]:
    """`count` content chunks as vLLM streams them (role chunk first, finish chunk last), then `[DONE]`.

    One item per SSE event, the way a server flushes them; `count` includes the role and finish chunks.
    """
    events = [_event(_chunk({"role": "assistant", "content": ""}, prompt_token_ids=None))]
    for index in range(count - 2):
        events.append(_event(_chunk({"content": " " + _WORDS[index % len(_WORDS)]})))
    events.append(_event(_chunk({}, finish_reason="stop")))
    events.append(_DONE)
    return events


def tool_call_stream_events(count: int, calls: int = 4) -> List[bytes]:
    """`count` chunks of `calls` streamed tool calls: a header delta (id, type, name) then argument fragments."""
    events = [_event(_chunk({"role": "assistant", "content": ""}, prompt_token_ids=None))]
    per_call = max(2, (count - 2) // calls)
    fragments = ['{"', "city", '":', ' "', "Par", "is", '",', ' "', "unit", '":', ' "', "celsius", '"}']
    for call in range(calls):
        header = {
            "index": call,
            "id": f"chatcmpl-tool-{call:032x}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": ""},
        }
        events.append(_event(_chunk({"tool_calls": [header]})))
        for index in range(per_call - 1):
            piece = {"index": call, "function": {"arguments": fragments[index % len(fragments)]}}
            events.append(_event(_chunk({"tool_calls": [piece]})))
    events.append(_event(_chunk({}, finish_reason="tool_calls")))
    events.append(_DONE)
    return events
