"""`Lightcone` and `AsyncLightcone`: configuration, connection pool, and the `chat` resource."""

from __future__ import annotations

import os
import ssl
import functools
from typing import TYPE_CHECKING, Any, Dict, Union, Mapping, Optional
from typing_extensions import Self

import httpx

from ._logs import setup_logging
from ._types import Omit, Timeout, NotGiven, not_given
from ._constants import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_TIMEOUT,
    DEFAULT_BASE_URL,
    CUSTOM_HEADERS_ENV,
    DEFAULT_MAX_RETRIES,
    DEFAULT_CONNECTION_LIMITS,
)
from ._exceptions import LightconeError
from ._base_client import BaseClient, SyncAPIClient, AsyncAPIClient

if TYPE_CHECKING:
    from .resources.chat import (
        ChatResource,
        AsyncChatResource,
        ChatResourceWithRawResponse,
        AsyncChatResourceWithRawResponse,
        ChatResourceWithStreamingResponse,
        AsyncChatResourceWithStreamingResponse,
    )

__all__ = [
    "Lightcone",
    "AsyncLightcone",
    "Client",
    "AsyncClient",
    "DefaultHttpxClient",
    "DefaultAsyncHttpxClient",
]


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """One verified TLS context per process: building it is most of what a new client costs."""
    return httpx.create_ssl_context()


class DefaultHttpxClient(httpx.Client):
    """An `httpx.Client` with this SDK's defaults (timeout, pool limits, redirects, shared TLS context)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_CONNECTION_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        if "verify" not in kwargs and "transport" not in kwargs:
            kwargs["verify"] = _default_ssl_context()
        super().__init__(**kwargs)


class DefaultAsyncHttpxClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` with this SDK's defaults (timeout, pool limits, redirects, shared TLS context)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_CONNECTION_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        if "verify" not in kwargs and "transport" not in kwargs:
            kwargs["verify"] = _default_ssl_context()
        super().__init__(**kwargs)


def _headers_from_env() -> Dict[str, str]:
    """`LIGHTCONE_CUSTOM_HEADERS`: newline-separated `Name: value` lines."""
    raw = os.environ.get(CUSTOM_HEADERS_ENV)
    headers: Dict[str, str] = {}
    if not raw:
        return headers
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise LightconeError(f"{CUSTOM_HEADERS_ENV} line {number} is not of the form 'Name: value': {line!r}")
        headers[name.strip()] = value.strip()
    return headers


def _resolve_config(
    api_key: Optional[str],
    base_url: Union[str, httpx.URL, None],
    default_headers: Optional[Mapping[str, str]],
) -> tuple[str, Union[str, httpx.URL], Dict[str, str]]:
    if api_key is None:
        api_key = os.environ.get(API_KEY_ENV)
    if not api_key:
        raise LightconeError(
            f"No API key: pass api_key=... to the client or set the {API_KEY_ENV} environment variable."
        )
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    headers = _headers_from_env()
    headers.update(default_headers or {})
    return api_key, base_url, headers


def _timeout_from(http_client: Union[httpx.Client, httpx.AsyncClient, None]) -> Timeout:
    """A user's client keeps its own timeout unless it is httpx's bare default (5 s for everything)."""
    if http_client is not None and http_client.timeout != httpx.Timeout(5.0):
        return http_client.timeout
    return DEFAULT_TIMEOUT


class _ClientMixin(BaseClient):
    """What `Lightcone` and `AsyncLightcone` share beyond the request loop: options, copies, repr."""

    _http_client_owned: bool

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, max_retries={self.max_retries}, "
            f"timeout={self.timeout!r})"
        )

    def _copy_kwargs(
        self,
        *,
        api_key: Optional[str],
        base_url: Union[str, httpx.URL, None],
        timeout: Union[float, Timeout, None, NotGiven],
        max_retries: Union[int, NotGiven],
        default_headers: Optional[Mapping[str, str]],
        set_default_headers: Optional[Mapping[str, str]],
        default_query: Optional[Mapping[str, object]],
        set_default_query: Optional[Mapping[str, object]],
    ) -> Dict[str, Any]:
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("default_headers and set_default_headers cannot both be given")
        if default_query is not None and set_default_query is not None:
            raise ValueError("default_query and set_default_query cannot both be given")
        headers: Mapping[str, Union[str, Omit]] = self._custom_headers
        if default_headers is not None:
            headers = {**headers, **default_headers}
        elif set_default_headers is not None:
            headers = set_default_headers
        query: Mapping[str, object] = self._custom_query
        if default_query is not None:
            query = {**query, **default_query}
        elif set_default_query is not None:
            query = set_default_query
        return {
            "api_key": api_key or self.api_key,
            "base_url": base_url or self.base_url,
            "timeout": self.timeout if isinstance(timeout, NotGiven) else timeout,
            "max_retries": self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            "default_headers": headers,
            "default_query": query,
        }


class Lightcone(_ClientMixin, SyncAPIClient):
    """Synchronous client for the Lightcone API. Create one and reuse it: it holds a connection pool.

    ```py
    from tzafon import Lightcone

    client = Lightcone()  # api_key from TZAFON_API_KEY
    completion = client.chat.create_completion(messages=[{"role": "user", "content": "Hi"}])
    ```
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[float, Timeout, None, NotGiven] = not_given,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        setup_logging()
        api_key, base_url, headers = _resolve_config(api_key, base_url, default_headers)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError(f"http_client must be an httpx.Client, got {type(http_client).__name__}")
        if isinstance(timeout, NotGiven):
            timeout = _timeout_from(http_client)
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            custom_headers=headers,
            custom_query=default_query,
        )
        self._http_client_owned = http_client is None
        self._client = http_client or DefaultHttpxClient(timeout=timeout)

    @functools.cached_property
    def chat(self) -> ChatResource:
        from .resources.chat import ChatResource

        return ChatResource(self)

    @functools.cached_property
    def with_raw_response(self) -> LightconeWithRawResponse:
        return LightconeWithRawResponse(self)

    @functools.cached_property
    def with_streaming_response(self) -> LightconeWithStreamingResponse:
        return LightconeWithStreamingResponse(self)

    def with_options(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[float, Timeout, None, NotGiven] = not_given,
        max_retries: Union[int, NotGiven] = not_given,
        default_headers: Optional[Mapping[str, str]] = None,
        set_default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        set_default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> Self:
        """A new client with some options changed; it shares this client's connection pool."""
        kwargs = self._copy_kwargs(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        new = self.__class__(http_client=http_client or self._client, **kwargs)
        new._custom_headers = dict(kwargs["default_headers"])
        new._http_client_owned = False
        return new

    copy = with_options

    def close(self) -> None:
        """Close the connection pool (unless it was passed in by the caller, or shared by a copy)."""
        if self._http_client_owned and not self._client.is_closed:
            self._client.close()

    def is_closed(self) -> bool:
        return self._client.is_closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncLightcone(_ClientMixin, AsyncAPIClient):
    """Asynchronous client for the Lightcone API (asyncio or trio). Create one per event loop and reuse it.

    ```py
    from tzafon import AsyncLightcone

    client = AsyncLightcone()
    completion = await client.chat.create_completion(messages=[{"role": "user", "content": "Hi"}])
    ```
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[float, Timeout, None, NotGiven] = not_given,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        setup_logging()
        api_key, base_url, headers = _resolve_config(api_key, base_url, default_headers)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}")
        if isinstance(timeout, NotGiven):
            timeout = _timeout_from(http_client)
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            custom_headers=headers,
            custom_query=default_query,
        )
        self._http_client_owned = http_client is None
        self._client = http_client or DefaultAsyncHttpxClient(timeout=timeout)

    @functools.cached_property
    def chat(self) -> AsyncChatResource:
        from .resources.chat import AsyncChatResource

        return AsyncChatResource(self)

    @functools.cached_property
    def with_raw_response(self) -> AsyncLightconeWithRawResponse:
        return AsyncLightconeWithRawResponse(self)

    @functools.cached_property
    def with_streaming_response(self) -> AsyncLightconeWithStreamingResponse:
        return AsyncLightconeWithStreamingResponse(self)

    def with_options(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[float, Timeout, None, NotGiven] = not_given,
        max_retries: Union[int, NotGiven] = not_given,
        default_headers: Optional[Mapping[str, str]] = None,
        set_default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        set_default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> Self:
        """A new client with some options changed; it shares this client's connection pool."""
        kwargs = self._copy_kwargs(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        new = self.__class__(http_client=http_client or self._client, **kwargs)
        new._custom_headers = dict(kwargs["default_headers"])
        new._http_client_owned = False
        return new

    copy = with_options

    async def close(self) -> None:
        """Close the connection pool (unless it was passed in by the caller, or shared by a copy)."""
        if self._http_client_owned and not self._client.is_closed:
            await self._client.aclose()

    def is_closed(self) -> bool:
        return self._client.is_closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class LightconeWithRawResponse:
    """`client.with_raw_response.chat.create_completion(...)` returns an `APIResponse`."""

    def __init__(self, client: Lightcone) -> None:
        self._client = client

    @functools.cached_property
    def chat(self) -> ChatResourceWithRawResponse:
        from .resources.chat import ChatResourceWithRawResponse

        return ChatResourceWithRawResponse(self._client.chat)


class AsyncLightconeWithRawResponse:
    def __init__(self, client: AsyncLightcone) -> None:
        self._client = client

    @functools.cached_property
    def chat(self) -> AsyncChatResourceWithRawResponse:
        from .resources.chat import AsyncChatResourceWithRawResponse

        return AsyncChatResourceWithRawResponse(self._client.chat)


class LightconeWithStreamingResponse:
    def __init__(self, client: Lightcone) -> None:
        self._client = client

    @functools.cached_property
    def chat(self) -> ChatResourceWithStreamingResponse:
        from .resources.chat import ChatResourceWithStreamingResponse

        return ChatResourceWithStreamingResponse(self._client.chat)


class AsyncLightconeWithStreamingResponse:
    def __init__(self, client: AsyncLightcone) -> None:
        self._client = client

    @functools.cached_property
    def chat(self) -> AsyncChatResourceWithStreamingResponse:
        from .resources.chat import AsyncChatResourceWithStreamingResponse

        return AsyncChatResourceWithStreamingResponse(self._client.chat)


Client = Lightcone
AsyncClient = AsyncLightcone
