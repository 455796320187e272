"""The clients under test: the same call made with raw httpx, with tzafon, and with openai when it is installed."""

from __future__ import annotations

import json
import importlib
from types import ModuleType
from typing import Any, Dict, List, Optional

import httpx
from _bodies import MODEL, MESSAGES

__all__ = ["Contender", "RawHttpx", "TypedHttpx", "Floor", "Tzafon", "OpenAI", "available_contenders"]

API_KEY = "sk-bench"
BASE_URL = "http://127.0.0.1:9/v1"
# The pool every contender gets over loopback: 200 streams at once, and tzafon's default of 20 idle
# connections kept. (Keeping all 200 makes httpcore's pool bookkeeping quadratic in idle connections,
# which would swamp every per-chunk cost measured here.)
LOOPBACK_LIMITS = {"max_connections": 200, "max_keepalive_connections": 20}
LOOPBACK_TIMEOUT = {"timeout": 60.0, "connect": 5.0}


class Contender:
    """One way of calling the API. `http` is the HTTP module its transports come from."""

    name = ""
    http: ModuleType = httpx

    def sync_client(self, transport: Any) -> Any:
        raise TypeError(f"{self.name} has no sync client")

    def async_client(self, transport: Any = None, base_url: Optional[str] = None) -> Any:
        raise TypeError(f"{self.name} has no async client")

    def call(self, client: Any) -> Any:
        """One non-streaming call; returns the parsed result."""
        raise TypeError(self.name)

    async def acall(self, client: Any) -> Any:
        raise TypeError(self.name)

    def stream(self, client: Any) -> int:
        """One streaming call, read to the end; returns how many chunks it produced."""
        raise TypeError(self.name)

    async def astream(self, client: Any) -> int:
        raise TypeError(self.name)

    def close(self, client: Any) -> None:
        client.close()

    async def aclose(self, client: Any) -> None:
        await client.close()


class RawHttpx(Contender):
    """`client.post(...)` + `response.json()`; streams as `iter_lines()` + `json.loads` per `data:` line."""

    name = "raw httpx"
    _headers = {"Authorization": f"Bearer {API_KEY}"}
    _url = "/chat/completions"

    def sync_client(self, transport: Any) -> httpx.Client:
        return httpx.Client(transport=transport, base_url=BASE_URL)

    def async_client(self, transport: Any = None, base_url: Optional[str] = None) -> httpx.AsyncClient:
        if transport is not None:
            return httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        return httpx.AsyncClient(
            base_url=base_url or BASE_URL,
            limits=httpx.Limits(**LOOPBACK_LIMITS),
            timeout=httpx.Timeout(**LOOPBACK_TIMEOUT),
        )

    def _parse_body(self, response: httpx.Response) -> Any:
        return response.json()

    def _parse_data(self, data: str) -> Any:
        return json.loads(data)

    def call(self, client: httpx.Client) -> Any:
        response = client.post(self._url, json={"messages": MESSAGES, "model": MODEL}, headers=self._headers)
        response.raise_for_status()
        return self._parse_body(response)

    async def acall(self, client: httpx.AsyncClient) -> Any:
        response = await client.post(self._url, json={"messages": MESSAGES, "model": MODEL}, headers=self._headers)
        response.raise_for_status()
        return self._parse_body(response)

    def stream(self, client: httpx.Client) -> int:
        count = 0
        parse = self._parse_data
        payload = {"messages": MESSAGES, "model": MODEL, "stream": True}
        with client.stream("POST", self._url, json=payload, headers=self._headers) as response:
            response.raise_for_status()
            done = False
            # Parsing stops at `[DONE]`, but the body is read to its end (as the SDKs do), so that
            # the connection goes back to the pool instead of being closed mid-response.
            for line in response.iter_lines():
                if not done and line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        done = True
                        continue
                    parse(data)
                    count += 1
        return count

    async def astream(self, client: httpx.AsyncClient) -> int:
        count = 0
        parse = self._parse_data
        payload = {"messages": MESSAGES, "model": MODEL, "stream": True}
        async with client.stream("POST", self._url, json=payload, headers=self._headers) as response:
            response.raise_for_status()
            done = False
            async for line in response.aiter_lines():
                if not done and line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        done = True
                        continue
                    parse(data)
                    count += 1
        return count

    async def aclose(self, client: httpx.AsyncClient) -> None:
        await client.aclose()


class TypedHttpx(RawHttpx):
    """Raw httpx, but parsing into tzafon's models with pydantic-core instead of `json.loads`: no SDK code.

    The gap between this and raw httpx is the price of typed results alone; the gap between this
    and tzafon is what the SDK's own code costs.
    """

    name = "httpx+pydantic"

    def __init__(self) -> None:
        from tzafon.types.chat_completion import ChatCompletion
        from tzafon.types.chat_completion_chunk import ChatCompletionChunk

        self._completion = ChatCompletion.__pydantic_validator__.validate_json
        self._chunk = ChatCompletionChunk.__pydantic_validator__.validate_json

    def _parse_body(self, response: httpx.Response) -> Any:
        return self._completion(response.content)

    def _parse_data(self, data: str) -> Any:
        return self._chunk(data)


class Floor(TypedHttpx):
    """The least work any typed client can do per chunk: `validate_json` on each read's data, nothing else.

    No SSE decoding (it takes every read to be one whole `data: ...` event, which holds only for the
    bodies of the 4,000-chunk rows), no checks, and the reads taken straight from the transport's
    stream. It is not a client; it bounds what tzafon could reach with the same model.
    """

    name = "floor"

    def stream(self, client: httpx.Client) -> int:
        count = 0
        validate = self._chunk
        payload = {"messages": MESSAGES, "model": MODEL, "stream": True}
        with client.stream("POST", self._url, json=payload, headers=self._headers) as response:
            for read in response.stream:
                if read.startswith(b"data: {"):
                    validate(read[6:])
                    count += 1
        return count

    async def astream(self, client: httpx.AsyncClient) -> int:
        count = 0
        validate = self._chunk
        payload = {"messages": MESSAGES, "model": MODEL, "stream": True}
        async with client.stream("POST", self._url, json=payload, headers=self._headers) as response:
            async for read in response.stream:  # type: ignore[union-attr]
                if read.startswith(b"data: {"):
                    validate(read[6:])
                    count += 1
        return count


class Tzafon(Contender):
    """`client.chat.create_completion(...)`: a typed `ChatCompletion`, or a `Stream` of typed chunks."""

    name = "tzafon"

    # The SDK's default pool classes, as `Lightcone(...)` without `http_client` would build, on the mock transport.
    def sync_client(self, transport: Any) -> Any:
        from tzafon import Lightcone, DefaultHttpxClient

        return Lightcone(api_key=API_KEY, base_url=BASE_URL, http_client=DefaultHttpxClient(transport=transport))

    def async_client(self, transport: Any = None, base_url: Optional[str] = None) -> Any:
        from tzafon import AsyncLightcone, DefaultAsyncHttpxClient

        if transport is not None:
            return AsyncLightcone(
                api_key=API_KEY, base_url=BASE_URL, http_client=DefaultAsyncHttpxClient(transport=transport)
            )
        http_client = DefaultAsyncHttpxClient(limits=httpx.Limits(**LOOPBACK_LIMITS))
        return AsyncLightcone(api_key=API_KEY, base_url=base_url or BASE_URL, http_client=http_client)

    def call(self, client: Any) -> Any:
        return client.chat.create_completion(messages=MESSAGES, model=MODEL)

    async def acall(self, client: Any) -> Any:
        return await client.chat.create_completion(messages=MESSAGES, model=MODEL)

    def stream(self, client: Any) -> int:
        count = 0
        for _ in client.chat.create_completion(messages=MESSAGES, model=MODEL, stream=True):
            count += 1
        return count

    async def astream(self, client: Any) -> int:
        count = 0
        async for _ in await client.chat.create_completion(messages=MESSAGES, model=MODEL, stream=True):
            count += 1
        return count

    def close(self, client: Any) -> None:
        client.close()
        client._client.close()

    async def aclose(self, client: Any) -> None:
        await client.close()
        await client._client.aclose()


class OpenAI(Contender):
    """openai-python's `client.chat.completions.create(...)` on whichever httpx module it is built on."""

    name = "openai"

    def __init__(self) -> None:
        openai = importlib.import_module("openai")
        base = importlib.import_module("openai._base_client")
        self.version = str(openai.__version__)
        # openai 1.x/2.x run on httpx; later releases on the `httpx2` fork, with the same API.
        self.http = getattr(base, "httpx2", None) or httpx
        self._openai = openai

    def sync_client(self, transport: Any) -> Any:
        http_client = self.http.Client(transport=transport)
        return self._openai.OpenAI(api_key=API_KEY, base_url=BASE_URL, http_client=http_client)

    def async_client(self, transport: Any = None, base_url: Optional[str] = None) -> Any:
        if transport is not None:
            http_client = self.http.AsyncClient(transport=transport)
        else:
            http_client = self.http.AsyncClient(
                limits=self.http.Limits(**LOOPBACK_LIMITS), timeout=self.http.Timeout(**LOOPBACK_TIMEOUT)
            )
        return self._openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url or BASE_URL, http_client=http_client)

    def call(self, client: Any) -> Any:
        return client.chat.completions.create(messages=MESSAGES, model=MODEL)

    async def acall(self, client: Any) -> Any:
        return await client.chat.completions.create(messages=MESSAGES, model=MODEL)

    def stream(self, client: Any) -> int:
        count = 0
        for _ in client.chat.completions.create(messages=MESSAGES, model=MODEL, stream=True):
            count += 1
        return count

    async def astream(self, client: Any) -> int:
        count = 0
        async for _ in await client.chat.completions.create(messages=MESSAGES, model=MODEL, stream=True):
            count += 1
        return count


def available_contenders(skip_openai: bool = False, typed_floor: bool = True) -> Dict[str, Contender]:
    """raw httpx first (the baseline), tzafon, httpx+pydantic, then openai if it can be imported."""
    contenders: List[Contender] = [RawHttpx(), Tzafon()]
    if typed_floor:
        contenders.append(TypedHttpx())
    if not skip_openai:
        try:
            contenders.append(OpenAI())
        except ImportError:
            pass
    return {contender.name: contender for contender in contenders}
