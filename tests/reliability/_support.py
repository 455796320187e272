"""Helpers for the reliability tests: one test body driving either client.

A `Driver` wraps `Lightcone` or `AsyncLightcone` behind the same blocking methods, so each scenario
is written once and runs against both. The async client runs on an event loop in a helper thread
(an anyio blocking portal), and keeps that loop for its whole life, as in a real program.
"""

from __future__ import annotations

import socket
from typing import Any, List, Callable, cast

from anyio.from_thread import BlockingPortal

from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

MESSAGES: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello there"}]
ECHO = "Echo: Hello there"
API_KEY = "sk-reliability-0123456789abcdef"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def text_of(chunks: List[ChatCompletionChunk]) -> str:
    return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


class Driver:
    """Blocking calls on either client; `kind` says which one."""

    kind: str
    client: Any

    def create(self, **params: Any) -> ChatCompletion:
        raise AssertionError("overridden")

    def stream(self, received: List[ChatCompletionChunk], **params: Any) -> None:
        """Stream a completion into `received`, chunk by chunk, so that what arrived before a failure stays."""
        raise AssertionError("overridden")

    def post(self, path: str, **kwargs: Any) -> Any:
        raise AssertionError("overridden")

    def close(self) -> None:
        raise AssertionError("overridden")


class SyncDriver(Driver):
    kind = "sync"

    def __init__(self, **options: Any) -> None:
        self.client = Lightcone(**options)

    def create(self, **params: Any) -> ChatCompletion:
        params.setdefault("messages", MESSAGES)
        return cast(ChatCompletion, self.client.chat.create_completion(**params))

    def stream(self, received: List[ChatCompletionChunk], **params: Any) -> None:
        params.setdefault("messages", MESSAGES)
        with self.client.chat.create_completion(stream=True, **params) as stream:
            for chunk in stream:
                received.append(chunk)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(path, **kwargs)

    def close(self) -> None:
        self.client.close()


class AsyncDriver(Driver):
    kind = "async"

    def __init__(self, portal: BlockingPortal, **options: Any) -> None:
        self.portal = portal
        self.client = AsyncLightcone(**options)

    def create(self, **params: Any) -> ChatCompletion:
        params.setdefault("messages", MESSAGES)
        return cast(ChatCompletion, self.portal.call(lambda: self.client.chat.create_completion(**params)))

    def stream(self, received: List[ChatCompletionChunk], **params: Any) -> None:
        params.setdefault("messages", MESSAGES)

        async def run() -> None:
            async with await self.client.chat.create_completion(stream=True, **params) as stream:
                async for chunk in stream:
                    received.append(chunk)

        self.portal.call(run)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.portal.call(lambda: self.client.post(path, **kwargs))

    def close(self) -> None:
        self.portal.call(self.client.close)


MakeDriver = Callable[..., Driver]
