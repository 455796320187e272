"""Processes: a client used after `os.fork()`, pickled into `spawn` workers, and results sent back."""

from __future__ import annotations

import os
import json
import pickle
import asyncio
import multiprocessing
from typing import Any, Dict, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import httpx
import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletion, ChatCompletionChunk
from tzafon.testing import LightconeTestServer

from . import _workers

CHILD_KEY = "sk-child-environment"
PARENT_ENV_KEY = "sk-parent-environment"
EXPLICIT_KEY = "sk-explicit-argument"

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
# Python 3.12+ warns that forking a process with threads (the test server's) may deadlock; the
# child here only runs the client, which takes no lock the server holds.
fork_with_threads = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@pytest.fixture
def open_server() -> Iterator[LightconeTestServer]:
    """A server that accepts any key, and records which one each request carried."""
    with LightconeTestServer() as running:
        yield running


def in_forked_child(work: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
    """Run `work` in a forked child and return what it reported (an exception becomes {"error": ...})."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 0
        try:
            os.close(read_end)
            try:
                report = work()
            except BaseException as exc:
                report, code = {"error": f"{type(exc).__name__}: {exc}"}, 1
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    os.waitpid(pid, 0)
    reported: Dict[str, Any] = json.loads(data)
    return reported


@needs_fork
@fork_with_threads
def test_sync_client_after_fork(open_server: LightconeTestServer) -> None:
    client = Lightcone(api_key=EXPLICIT_KEY, base_url=open_server.base_url)
    copy = client.with_options(max_retries=0)
    assert client.chat.create_completion(messages=_workers.MESSAGES).choices[0].message.content
    assert open_server.connections_accepted == 1  # the parent keeps this connection alive in its pool

    def work() -> Dict[str, Any]:
        first = client.chat.create_completion(messages=_workers.MESSAGES).choices[0].message.content
        second = copy.chat.create_completion(messages=_workers.MESSAGES).choices[0].message.content
        return {"contents": [first, second]}

    report = in_forked_child(work)
    assert report == {"contents": ["Echo: from a child process"] * 2}
    # The child opened its own connection (its copy shares its new pool) and left the parent's alone...
    assert open_server.connections_accepted == 2
    # ...which the parent goes on using.
    assert client.chat.create_completion(messages=_workers.MESSAGES).choices[0].message.content
    assert copy.chat.create_completion(messages=_workers.MESSAGES).choices[0].message.content
    assert open_server.connections_accepted == 2
    client.close()


@needs_fork
@fork_with_threads
def test_async_client_after_fork(open_server: LightconeTestServer) -> None:
    client = AsyncLightcone(api_key=EXPLICIT_KEY, base_url=open_server.base_url)

    async def call() -> str:
        completion = await client.chat.create_completion(messages=_workers.MESSAGES)
        return completion.choices[0].message.content or ""

    assert asyncio.run(call())

    report = in_forked_child(lambda: {"content": asyncio.run(call())})
    assert report == {"content": "Echo: from a child process"}
    assert asyncio.run(call()) == "Echo: from a child process"


@needs_fork
@fork_with_threads
def test_a_pool_passed_in_is_left_to_its_owner_after_fork(open_server: LightconeTestServer) -> None:
    http_client = httpx.Client()
    client = Lightcone(api_key=EXPLICIT_KEY, base_url=open_server.base_url, http_client=http_client)
    client.chat.create_completion(messages=_workers.MESSAGES)
    report = in_forked_child(lambda: {"same_pool": client._client is http_client})
    assert report == {"same_pool": True}
    http_client.close()


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[ProcessPoolExecutor]:
    """One `spawn` worker whose environment holds CHILD_KEY (a different key from the parent's)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_workers.set_child_key, initargs=(CHILD_KEY,)) as pool:
        yield pool


def test_pickled_client_reads_the_key_of_the_process_that_uses_it(
    spawn_pool: ProcessPoolExecutor, open_server: LightconeTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZAFON_API_KEY", PARENT_ENV_KEY)
    client = Lightcone(base_url=open_server.base_url, max_retries=0)
    assert PARENT_ENV_KEY.encode() not in pickle.dumps(client)
    completion, _ = spawn_pool.submit(_workers.complete, client).result(timeout=60)
    assert completion.choices[0].message.content == "Echo: from a child process"
    assert {r.headers["authorization"] for r in open_server.requests} == {f"Bearer {CHILD_KEY}"}


def test_pickled_client_carries_an_explicit_key(
    spawn_pool: ProcessPoolExecutor, open_server: LightconeTestServer
) -> None:
    client = Lightcone(api_key=EXPLICIT_KEY, base_url=open_server.base_url, max_retries=0)
    spawn_pool.submit(_workers.complete, client.with_options(timeout=30)).result(timeout=60)
    assert {r.headers["authorization"] for r in open_server.requests} == {f"Bearer {EXPLICIT_KEY}"}


def test_pickled_async_client_works_in_another_process(
    spawn_pool: ProcessPoolExecutor, open_server: LightconeTestServer
) -> None:
    client = AsyncLightcone(api_key=EXPLICIT_KEY, base_url=open_server.base_url)
    completion = spawn_pool.submit(_workers.complete_async, client).result(timeout=60)
    assert completion.choices[0].message.content == "Echo: from a child process"


def test_response_models_cross_processes(spawn_pool: ProcessPoolExecutor, open_server: LightconeTestServer) -> None:
    client = Lightcone(api_key=EXPLICIT_KEY, base_url=open_server.base_url)
    completion, chunks = spawn_pool.submit(_workers.complete, client).result(timeout=60)
    assert isinstance(completion, ChatCompletion)
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert completion._request_id == open_server.requests[0].headers["x-request-id"]
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Echo: from a child process"
    # And back again: what came from a child pickles in the parent too.
    assert pickle.loads(pickle.dumps(completion)) == completion


def test_pickle_keeps_the_configuration() -> None:
    client = Lightcone(
        api_key=EXPLICIT_KEY,
        base_url="http://127.0.0.1:8000/v1",
        timeout=httpx.Timeout(12, connect=3),
        total_timeout=40,
        max_retries=5,
        default_headers={"X-Team": "eval"},
        default_query={"tenant": "a"},
    )
    clone = pickle.loads(pickle.dumps(client))
    assert type(clone) is Lightcone
    assert (clone.api_key, str(clone.base_url), clone.timeout, clone.total_timeout, clone.max_retries) == (
        EXPLICIT_KEY,
        "http://127.0.0.1:8000/v1/",
        httpx.Timeout(12, connect=3),
        40.0,
        5,
    )
    assert clone.default_headers["X-Team"] == "eval" and clone.default_query == {"tenant": "a"}
    assert clone._client is not client._client


def test_unpickling_without_a_key_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZAFON_API_KEY", PARENT_ENV_KEY)
    blob = pickle.dumps(AsyncLightcone(base_url="http://127.0.0.1:8000"))
    monkeypatch.delenv("TZAFON_API_KEY")
    with pytest.raises(tzafon.LightconeError, match="unpickled.*TZAFON_API_KEY"):
        pickle.loads(blob)


def test_a_client_with_its_own_http_client_refuses_to_pickle() -> None:
    client = Lightcone(api_key="k", base_url="http://127.0.0.1:1", http_client=httpx.Client())
    with pytest.raises(TypeError, match="http_client you passed in"):
        pickle.dumps(client)
    with pytest.raises(TypeError, match="http_client you passed in"):
        pickle.dumps(client.with_options(max_retries=1))
    default = Lightcone(api_key="k", base_url="http://127.0.0.1:1")
    assert pickle.loads(pickle.dumps(default.with_options(max_retries=1))).max_retries == 1


def test_pickle_does_not_carry_connections() -> None:
    client = Lightcone(api_key="k", base_url="http://127.0.0.1:1")
    client.chat  # noqa: B018  (a resource object exists now; it is not pickled either)
    blob = pickle.dumps(client)
    assert b"httpcore" not in blob and b"_transports" not in blob and b"SSLContext" not in blob
    assert len(blob) < 1024
