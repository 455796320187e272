"""Load: many concurrent calls and streams on one client, pool exhaustion, threads, memory over time.

The heaviest async tests talk to a server in another process (as a real vLLM is), so that the
server does not compete with the client for this process's GIL.
"""

from __future__ import annotations

import gc
import sys
import json
import logging
import subprocess
import tracemalloc
from typing import List, Tuple, Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone, DefaultHttpxClient, DefaultAsyncHttpxClient
from tzafon.types import ChatCompletionChunk, ChatCompletionMessageParam
from tzafon.testing import Reply, LightconeTestServer

from ._support import API_KEY

CONCURRENT_CALLS = 1_000
CONCURRENT_STREAMS = 200
THREADS = 32
CALLS_PER_THREAD = 100
MEMORY_WARMUP_CALLS = 2_000
MEMORY_CALLS = 20_000
# Bytes of traced memory allowed to stay behind across the last 18,000 calls (a leak of one small
# object per call would exceed it: 18,000 x 64 bytes).
MEMORY_GROWTH_LIMIT = 1_000_000
# Memory blocks allowed to stay behind across the last 18,000 calls: a leak of one object every
# ten calls would exceed it (the measured noise is a handful of blocks).
BLOCK_GROWTH_LIMIT = 1_800

_SERVE = """
import sys
from tzafon.testing import LightconeTestServer
server = LightconeTestServer(chunk_delay=float(sys.argv[1])).start()
print(server.base_url, flush=True)
sys.stdin.read()
"""


def serve_in_another_process(chunk_delay: float = 0.0) -> Iterator[str]:
    """A `LightconeTestServer` in a child process; yields its base URL, stops when stdin closes."""
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(chunk_delay)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        yield child.stdout.readline().strip()
    finally:
        child.stdin.close()
        child.wait(timeout=30)


@pytest.fixture
def remote_base_url() -> Iterator[str]:
    yield from serve_in_another_process()


@pytest.fixture
def remote_slow_base_url() -> Iterator[str]:
    yield from serve_in_another_process(chunk_delay=0.005)


def ask(index: int) -> List[ChatCompletionMessageParam]:
    return [{"role": "user", "content": f"request {index}"}]


@pytest.mark.anyio
async def test_a_thousand_concurrent_async_calls(remote_base_url: str) -> None:
    results: List[str] = [""] * CONCURRENT_CALLS
    async with AsyncLightcone(api_key=API_KEY, base_url=remote_base_url) as client:

        async def call(index: int) -> None:
            completion = await client.chat.create_completion(messages=ask(index))
            results[index] = completion.choices[0].message.content or ""

        async with anyio.create_task_group() as group:
            for index in range(CONCURRENT_CALLS):
                group.start_soon(call, index)
    assert results == [f"Echo: request {index}" for index in range(CONCURRENT_CALLS)]


def words_for(index: int) -> List[str]:
    return [f"s{index}w{n}" for n in range(10)]


@pytest.mark.anyio
async def test_two_hundred_concurrent_async_streams(remote_slow_base_url: str) -> None:
    pieces: List[List[str]] = [[] for _ in range(CONCURRENT_STREAMS)]
    finished: List[bool] = [False] * CONCURRENT_STREAMS
    async with AsyncLightcone(api_key=API_KEY, base_url=remote_slow_base_url) as client:

        async def consume(index: int) -> None:
            messages: List[ChatCompletionMessageParam] = [{"role": "user", "content": " ".join(words_for(index))}]
            async with await client.chat.create_completion(messages=messages, stream=True) as stream:
                async for chunk in stream:
                    if chunk.choices:
                        pieces[index].append(chunk.choices[0].delta.content or "")
                        finished[index] = chunk.choices[0].finish_reason == "stop"

        async with anyio.create_task_group() as group:
            for index in range(CONCURRENT_STREAMS):
                group.start_soon(consume, index)
    # Every stream got every one of its own chunks (one per word), in order, and ended properly.
    for index, received in enumerate(pieces):
        assert [piece.strip() for piece in received if piece.strip()] == ["Echo:", *words_for(index)]
    assert all(finished)


def test_one_sync_client_shared_by_threads(server: LightconeTestServer) -> None:
    with Lightcone(api_key=API_KEY, base_url=server.base_url, timeout=20) as client:

        def work(thread: int) -> List[Tuple[int, str]]:
            done: List[Tuple[int, str]] = []
            for n in range(CALLS_PER_THREAD):
                index = thread * CALLS_PER_THREAD + n
                completion = client.chat.create_completion(messages=ask(index))
                done.append((index, completion.choices[0].message.content or ""))
            return done

        with ThreadPoolExecutor(THREADS) as pool:
            results = [pair for batch in pool.map(work, range(THREADS)) for pair in batch]
    assert len(results) == THREADS * CALLS_PER_THREAD
    assert all(content == f"Echo: request {index}" for index, content in results)
    # Every call reached the server under its own request id (a transparent retry may add a request).
    assert len({r.headers["x-request-id"] for r in server.requests}) == THREADS * CALLS_PER_THREAD


def test_pool_exhaustion_names_the_limit_sync(server: LightconeTestServer) -> None:
    server.set_default(Reply(content="a b c d e f g h", chunk_delay=0.2))
    http_client = DefaultHttpxClient(limits=httpx.Limits(max_connections=2), timeout=httpx.Timeout(5, pool=0.2))
    with Lightcone(api_key=API_KEY, base_url=server.base_url, http_client=http_client, max_retries=0) as client:
        # Two streams the caller keeps open hold both connections.
        held = [client.chat.create_completion(messages=ask(n), stream=True) for n in range(2)]
        with pytest.raises(tzafon.APITimeoutError) as info:
            client.chat.create_completion(messages=ask(2))
        for stream in held:
            stream.close()
        # Once they are closed, the pool serves again.
        assert client.chat.create_completion(messages=ask(3)).choices[0].message.content == "a b c d e f g h"
    http_client.close()
    message = str(info.value)
    assert message.startswith("Request timed out (pool timeout of 0.2 s) after 1 attempt")
    assert "all 2 pooled connections (max_connections) were busy, with 2 other requests in flight" in message
    assert "close streams you stop reading" in message


@pytest.mark.anyio
async def test_pool_exhaustion_names_the_limit_async(server: LightconeTestServer) -> None:
    server.set_default(Reply(content="a b c d e f g h", chunk_delay=0.2))
    http_client = DefaultAsyncHttpxClient(limits=httpx.Limits(max_connections=2), timeout=httpx.Timeout(5, pool=0.2))
    async with AsyncLightcone(
        api_key=API_KEY, base_url=server.base_url, http_client=http_client, max_retries=0
    ) as client:
        held = [await client.chat.create_completion(messages=ask(n), stream=True) for n in range(2)]
        with pytest.raises(tzafon.APITimeoutError) as info:
            await client.chat.create_completion(messages=ask(2))
        for stream in held:
            await stream.close()
        completion = await client.chat.create_completion(messages=ask(3))
        assert completion.choices[0].message.content == "a b c d e f g h"
    await http_client.aclose()
    assert "all 2 pooled connections (max_connections) were busy, with 2 other requests in flight" in str(info.value)


COMPLETION_BODY = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=COMPLETION_BODY, headers={"content-type": "application/json"})


@pytest.fixture
def no_log_capture() -> Iterator[None]:
    """Log records kept by a capturing handler (pytest's, at --log-level=INFO) are not the SDK's memory."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def traced_bytes() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def allocated_blocks() -> int:
    gc.collect()
    return sys.getallocatedblocks()


@pytest.mark.usefixtures("no_log_capture")
def test_memory_is_flat_over_many_sync_calls() -> None:
    http_client = httpx.Client(transport=httpx.MockTransport(answer))
    client = Lightcone(api_key=API_KEY, base_url="http://127.0.0.1:1", http_client=http_client)
    messages = ask(0)
    gc.collect()
    gc.freeze()  # the objects of earlier tests need not be scanned again by every collection
    tracemalloc.start()
    try:
        for _ in range(MEMORY_WARMUP_CALLS):
            client.chat.create_completion(messages=messages)
        after_warmup = traced_bytes()
        for _ in range(MEMORY_CALLS - MEMORY_WARMUP_CALLS):
            client.chat.create_completion(messages=messages)
        growth = traced_bytes() - after_warmup
    finally:
        tracemalloc.stop()
        gc.unfreeze()
    assert growth < MEMORY_GROWTH_LIMIT, f"{growth} bytes retained over {MEMORY_CALLS - MEMORY_WARMUP_CALLS} calls"


# The next two count live memory blocks instead of tracing every allocation: as exact for a
# leak, and ten times faster.


@pytest.mark.anyio
@pytest.mark.usefixtures("no_log_capture")
async def test_memory_is_flat_over_many_async_calls() -> None:
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = AsyncLightcone(api_key=API_KEY, base_url="http://127.0.0.1:1", http_client=http_client)
    messages = ask(0)
    for _ in range(MEMORY_WARMUP_CALLS):
        await client.chat.create_completion(messages=messages)
    after_warmup = allocated_blocks()
    for _ in range(MEMORY_CALLS - MEMORY_WARMUP_CALLS):
        await client.chat.create_completion(messages=messages)
    growth = allocated_blocks() - after_warmup
    assert growth < BLOCK_GROWTH_LIMIT, f"{growth} blocks retained over {MEMORY_CALLS - MEMORY_WARMUP_CALLS} calls"


@pytest.mark.usefixtures("no_log_capture")
def test_memory_is_flat_with_a_copy_per_call() -> None:
    # `with_options` per request is a common pattern (per-tenant headers); copies must not pile up.
    http_client = httpx.Client(transport=httpx.MockTransport(answer))
    client = Lightcone(api_key=API_KEY, base_url="http://127.0.0.1:1", http_client=http_client)
    messages = ask(0)
    for n in range(MEMORY_WARMUP_CALLS):
        client.with_options(default_headers={"X-Tenant": str(n)}).chat.create_completion(messages=messages)
    after_warmup = allocated_blocks()
    for n in range(MEMORY_CALLS - MEMORY_WARMUP_CALLS):
        client.with_options(default_headers={"X-Tenant": str(n)}).chat.create_completion(messages=messages)
    growth = allocated_blocks() - after_warmup
    assert growth < BLOCK_GROWTH_LIMIT, f"{growth} blocks retained over {MEMORY_CALLS - MEMORY_WARMUP_CALLS} copies"


def test_stream_chunks_in_order_under_sync_threads(server: LightconeTestServer) -> None:
    words = [f"t{n}" for n in range(10)]
    server.set_default(Reply(content=" ".join(words)))
    with Lightcone(api_key=API_KEY, base_url=server.base_url) as client:

        def consume(index: int) -> List[str]:
            received: List[ChatCompletionChunk] = []
            with client.chat.create_completion(messages=ask(index), stream=True) as stream:
                received.extend(stream)
            return "".join(c.choices[0].delta.content or "" for c in received if c.choices).split()

        with ThreadPoolExecutor(THREADS) as pool:
            outcomes = list(pool.map(consume, range(THREADS * 4)))
    assert all(outcome == words for outcome in outcomes)
