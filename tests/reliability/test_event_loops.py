"""Event loops: asyncio and trio, one async client across successive loops, two loops at once,
and the sync client called from code that runs inside an event loop (a notebook cell)."""

from __future__ import annotations

import asyncio
import threading
from typing import List, Iterator

import trio
import anyio
import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletionChunk
from tzafon.testing import Fail, Reply, Stall, LightconeTestServer

from ._support import ECHO, API_KEY, MESSAGES, text_of


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(server: LightconeTestServer) -> Iterator[AsyncLightcone]:
    yield AsyncLightcone(api_key=API_KEY, base_url=server.base_url, timeout=0.5, max_retries=1)


async def content(client: AsyncLightcone) -> str:
    completion = await client.chat.create_completion(messages=MESSAGES)
    return completion.choices[0].message.content or ""


async def streamed(client: AsyncLightcone) -> str:
    received: List[ChatCompletionChunk] = []
    async with await client.chat.create_completion(messages=MESSAGES, stream=True) as stream:
        async for chunk in stream:
            received.append(chunk)
    return text_of(received)


@pytest.mark.anyio
async def test_async_client_on_each_backend(
    anyio_backend: str, client: AsyncLightcone, server: LightconeTestServer
) -> None:
    async with client:
        assert await content(client) == ECHO
        assert await streamed(client) == ECHO
        server.enqueue(Fail(503, retry_after_ms=10))  # the retry sleeps with the running library
        assert await content(client) == ECHO
        server.enqueue(Stall())
        server.enqueue(Stall())
        with pytest.raises(tzafon.APITimeoutError):
            await content(client)
    assert server.requests[0].headers["x-stainless-async"] == f"async:{anyio_backend}"


@pytest.mark.anyio
async def test_cancelling_a_call_on_each_backend(
    anyio_backend: str, client: AsyncLightcone, server: LightconeTestServer
) -> None:
    server.enqueue(Stall())
    async with client:
        with anyio.move_on_after(0.2) as scope:
            await client.with_options(timeout=30).chat.create_completion(messages=MESSAGES)
        assert scope.cancelled_caught
        # The cancelled call let go of its connection; the client goes on working.
        assert await content(client) == ECHO
    assert not server.requests[0].completed


def test_same_client_on_successive_event_loops(client: AsyncLightcone, server: LightconeTestServer) -> None:
    copy = client.with_options(max_retries=0)
    assert asyncio.run(content(client)) == ECHO
    # The first loop is closed; its connections went with it. The next loops get fresh ones.
    assert asyncio.run(streamed(client)) == ECHO
    assert trio.run(content, client) == ECHO
    assert trio.run(streamed, copy) == ECHO
    assert asyncio.run(content(copy)) == ECHO
    assert server.connections_accepted >= 3
    asyncio.run(client.close())


def test_closing_on_a_new_event_loop(client: AsyncLightcone) -> None:
    assert asyncio.run(content(client)) == ECHO
    asyncio.run(client.close())
    assert client.is_closed()


def test_two_running_event_loops_at_once_are_refused(client: AsyncLightcone) -> None:
    first_call_done = threading.Event()
    release = threading.Event()

    async def hold_a_loop() -> None:
        assert await content(client) == ECHO
        first_call_done.set()
        while not release.is_set():
            await asyncio.sleep(0.01)

    holder = threading.Thread(target=asyncio.run, args=(hold_a_loop(),))
    holder.start()
    try:
        assert first_call_done.wait(10)
        with pytest.raises(RuntimeError, match="another event loop that is still running"):
            asyncio.run(content(client))
    finally:
        release.set()
        holder.join(10)
    # Once that loop has ended, the client moves on to the next one.
    assert asyncio.run(content(client)) == ECHO
    asyncio.run(client.close())


def test_sync_client_inside_a_running_loop(server: LightconeTestServer) -> None:
    client = Lightcone(api_key=API_KEY, base_url=server.base_url)

    async def notebook_cell() -> str:
        # Blocking, as a sync call in a notebook cell is; the running loop is left alone.
        completion = client.chat.create_completion(messages=MESSAGES)
        with client.chat.create_completion(messages=MESSAGES, stream=True) as stream:
            chunks = list(stream)
        await anyio.sleep(0)
        return f"{completion.choices[0].message.content}|{text_of(chunks)}"

    assert asyncio.run(notebook_cell()) == f"{ECHO}|{ECHO}"
    assert trio.run(notebook_cell) == f"{ECHO}|{ECHO}"
    client.close()


def test_slow_stream_under_trio(server: LightconeTestServer) -> None:
    server.enqueue(Reply(content="a b c", chunk_delay=0.05))
    client = AsyncLightcone(api_key=API_KEY, base_url=server.base_url)
    assert trio.run(streamed, client) == "a b c"
    trio.run(client.close)
