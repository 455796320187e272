"""Functions run in child processes by test_processes (importable without pytest)."""

from __future__ import annotations

import os
import asyncio
from typing import List, Tuple

from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

MESSAGES: List[ChatCompletionMessageParam] = [{"role": "user", "content": "from a child process"}]


def set_child_key(key: str) -> None:
    """Process-pool initializer: the child's own environment has a different key than the parent's."""
    os.environ["TZAFON_API_KEY"] = key


def complete(client: Lightcone) -> Tuple[ChatCompletion, List[ChatCompletionChunk]]:
    """One plain call and one streamed call; both results travel back to the parent pickled."""
    completion = client.chat.create_completion(messages=MESSAGES)
    with client.chat.create_completion(messages=MESSAGES, stream=True) as stream:
        chunks = list(stream)
    return completion, chunks


def complete_async(client: AsyncLightcone) -> ChatCompletion:
    async def call() -> ChatCompletion:
        async with client:
            return await client.chat.create_completion(messages=MESSAGES)

    return asyncio.run(call())
