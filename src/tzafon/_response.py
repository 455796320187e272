"""Raw responses: `with_raw_response` (headers plus `parse()`) and `with_streaming_response` (body on demand)."""

from __future__ import annotations

import json
import functools
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Type,
    Generic,
    TypeVar,
    Callable,
    Iterator,
    Optional,
    Awaitable,
    AsyncIterator,
    cast,
)
from typing_extensions import ParamSpec

import httpx

from ._constants import RAW_RESPONSE_HEADER

if TYPE_CHECKING:
    from ._base_client import SyncAPIClient, AsyncAPIClient, FinalRequestOptions

__all__ = [
    "APIResponse",
    "AsyncAPIResponse",
    "ResponseContextManager",
    "AsyncResponseContextManager",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
]

P = ParamSpec("P")
R = TypeVar("R")
_Missing = object()


class _BaseAPIResponse(Generic[R]):
    http_response: httpx.Response

    def __init__(self, *, response: httpx.Response, client: Any, options: FinalRequestOptions) -> None:
        self.http_response = response
        self._client = client
        self._options = options
        self._parsed: Any = _Missing

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def http_version(self) -> str:
        return self.http_response.http_version

    @property
    def elapsed(self) -> Any:
        return self.http_response.elapsed

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    @property
    def request_id(self) -> str:
        """The response's `x-request-id` header, else the `X-Request-Id` this SDK sent."""
        return self.http_response.headers.get("x-request-id") or self._options.request_id

    _request_id = request_id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code} {self.http_response.reason_phrase}] type={self._options.cast_to}>"


class APIResponse(_BaseAPIResponse[R]):
    """The HTTP response of a call, with `parse()` giving what the plain call would have returned."""

    _client: SyncAPIClient

    def parse(self) -> R:
        """The typed result: a `ChatCompletion`, or a `Stream` when the call had `stream=True`."""
        if self._parsed is _Missing:
            if self._options.stream:
                self._parsed = self._client._result_for_stream(self.http_response, self._options)
            else:
                self.read()
                self._parsed = self._client._result_for_body(self.http_response, self._options)
        return cast(R, self._parsed)

    def read(self) -> bytes:
        try:
            return self.http_response.read()
        except httpx.StreamConsumed as err:
            raise RuntimeError(
                "The body was already consumed by iter_bytes()/iter_text()/iter_lines() and cannot be read again."
            ) from err

    def text(self) -> str:
        self.read()
        return self.http_response.text

    def json(self) -> object:
        return json.loads(self.read())

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        yield from self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: Optional[int] = None) -> Iterator[str]:
        yield from self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        yield from self.http_response.iter_lines()

    def close(self) -> None:
        self.http_response.close()


class AsyncAPIResponse(_BaseAPIResponse[R]):
    """The async twin of `APIResponse`: same properties, awaitable body methods."""

    _client: AsyncAPIClient

    async def parse(self) -> R:
        if self._parsed is _Missing:
            if self._options.stream:
                self._parsed = self._client._result_for_stream(self.http_response, self._options)
            else:
                await self.read()
                self._parsed = self._client._result_for_body(self.http_response, self._options)
        return cast(R, self._parsed)

    async def read(self) -> bytes:
        try:
            return await self.http_response.aread()
        except httpx.StreamConsumed as err:
            raise RuntimeError(
                "The body was already consumed by iter_bytes()/iter_text()/iter_lines() and cannot be read again."
            ) from err

    async def text(self) -> str:
        await self.read()
        return self.http_response.text

    async def json(self) -> object:
        return json.loads(await self.read())

    async def iter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        async for chunk in self.http_response.aiter_bytes(chunk_size):
            yield chunk

    async def iter_text(self, chunk_size: Optional[int] = None) -> AsyncIterator[str]:
        async for chunk in self.http_response.aiter_text(chunk_size):
            yield chunk

    async def iter_lines(self) -> AsyncIterator[str]:
        async for line in self.http_response.aiter_lines():
            yield line

    async def close(self) -> None:
        await self.http_response.aclose()


def _with_raw_header(kwargs: Any, mode: str) -> None:
    headers = dict(kwargs.get("extra_headers") or {})
    headers[RAW_RESPONSE_HEADER] = mode
    kwargs["extra_headers"] = headers


class ResponseContextManager(Generic[R]):
    """`with client.chat.with_streaming_response.create_completion(...) as response:`; closes on exit."""

    def __init__(self, request_func: Callable[[], R]) -> None:
        self._request_func = request_func
        self._response: Optional[R] = None

    def __enter__(self) -> R:
        self._response = self._request_func()
        return self._response

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        if self._response is not None:
            cast(APIResponse[Any], self._response).close()


class AsyncResponseContextManager(Generic[R]):
    """`async with client.chat.with_streaming_response.create_completion(...) as response:`."""

    def __init__(self, request_func: Callable[[], Awaitable[R]]) -> None:
        self._request_func = request_func
        self._response: Optional[R] = None

    async def __aenter__(self) -> R:
        self._response = await self._request_func()
        return self._response

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        if self._response is not None:
            await cast(AsyncAPIResponse[Any], self._response).close()


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        _with_raw_header(kwargs, "raw")
        return cast(APIResponse[R], func(*args, **kwargs))

    return wrapped


def async_to_raw_response_wrapper(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[AsyncAPIResponse[R]]]:
    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncAPIResponse[R]:
        _with_raw_header(kwargs, "raw")
        return cast(AsyncAPIResponse[R], await func(*args, **kwargs))

    return wrapped


def to_streamed_response_wrapper(func: Callable[P, R]) -> Callable[P, ResponseContextManager[APIResponse[R]]]:
    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseContextManager[APIResponse[R]]:
        _with_raw_header(kwargs, "stream")
        return ResponseContextManager(cast(Callable[[], APIResponse[R]], functools.partial(func, *args, **kwargs)))

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, AsyncResponseContextManager[AsyncAPIResponse[R]]]:
    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncResponseContextManager[AsyncAPIResponse[R]]:
        _with_raw_header(kwargs, "stream")
        return AsyncResponseContextManager(
            cast(Callable[[], Awaitable[AsyncAPIResponse[R]]], functools.partial(func, *args, **kwargs))
        )

    return wrapped
