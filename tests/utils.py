"""Helpers for tests: a recording mock transport and canned vLLM-shaped bodies."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Union, Callable, Optional

import httpx

from tzafon import Lightcone, AsyncLightcone

COMPLETION: Dict[str, Any] = {
    "id": "chatcmpl-abc",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "test-model",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "tool_calls": [], "reasoning": None},
            "logprobs": None,
            "finish_reason": "stop",
            "stop_reason": None,
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}

MESSAGES = [{"role": "user", "content": "Hi"}]

Reply = Union[httpx.Response, Exception, Callable[[httpx.Request], httpx.Response]]


class Recorder:
    """A transport handler that records requests and answers from a script, then with COMPLETION."""

    def __init__(self, *replies: Reply) -> None:
        self.replies: List[Reply] = list(replies)
        self.requests: List[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.replies:
            reply = self.replies.pop(0)
            if isinstance(reply, Exception):
                raise reply
            if callable(reply) and not isinstance(reply, httpx.Response):
                return reply(request)
            return reply
        return httpx.Response(200, json=COMPLETION)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def make_client(recorder: Recorder, **kwargs: Any) -> Lightcone:
    kwargs.setdefault("api_key", "sk-test-123")
    kwargs.setdefault("base_url", "http://testserver/v1")
    return Lightcone(http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **kwargs)


def make_async_client(recorder: Recorder, **kwargs: Any) -> AsyncLightcone:
    kwargs.setdefault("api_key", "sk-test-123")
    kwargs.setdefault("base_url", "http://testserver/v1")
    return AsyncLightcone(http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)), **kwargs)


def error_response(status: int, body: Optional[Any] = None, headers: Optional[Dict[str, str]] = None) -> httpx.Response:
    if body is None:
        body = {"error": {"message": f"boom {status}", "type": "Error", "param": None, "code": status}}
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers)
    return httpx.Response(status, json=body, headers=headers)
