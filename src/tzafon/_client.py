"""`Lightcone` and `AsyncLightcone`: configuration, connection pool, and the `chat` resource."""

from __future__ import annotations

import os
import ssl
import functools
import contextvars
from typing import TYPE_CHECKING, Any, Dict, Type, Tuple, Union, Mapping, Optional
from typing_extensions import Self

import httpx

from ._logs import setup_logging
from ._types import Omit, Timeout, NotGiven, not_given
from ._cookies import SkipEmptyCookieJar
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


class DefaultHttpxClient(SkipEmptyCookieJar, httpx.Client):
    """An `httpx.Client` with this SDK's defaults (timeout, pool limits, redirects, shared TLS context).

    Its cookie jar skips responses that set no cookie (see `tzafon._cookies`).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_CONNECTION_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        if "verify" not in kwargs and "transport" not in kwargs:
            kwargs["verify"] = _default_ssl_context()
        super().__init__(**kwargs)
        self.cookies = kwargs.get("cookies")


class DefaultAsyncHttpxClient(SkipEmptyCookieJar, httpx.AsyncClient):
    """An `httpx.AsyncClient` with this SDK's defaults (timeout, pool limits, redirects, shared TLS context).

    Its cookie jar skips responses that set no cookie (see `tzafon._cookies`).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_CONNECTION_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        if "verify" not in kwargs and "transport" not in kwargs:
            kwargs["verify"] = _default_ssl_context()
        super().__init__(**kwargs)
        self.cookies = kwargs.get("cookies")


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


# Set while `with_options` builds a copy: the base URL of the client being copied, which already
# warned about plain http if it had to.
_copying_from: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("_copying_from", default=None)


def _unpickle_client(cls: Type[_ClientMixin], config: Dict[str, Any]) -> Any:
    try:
        return cls(**config)
    except LightconeError as err:
        if config.get("api_key") is not None:
            raise
        raise LightconeError(
            f"{err} (This client was unpickled: its key is not pickled unless it was passed as api_key=..., "
            f"so this process reads {API_KEY_ENV}.)"
        ) from None


class _ClientMixin(BaseClient):
    """What `Lightcone` and `AsyncLightcone` share beyond the request loop: options, copies, repr, pickling."""

    _http_client_owned: bool
    _api_key_explicit: bool

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, max_retries={self.max_retries}, "
            f"timeout={self.timeout!r}, total_timeout={self.total_timeout!r})"
        )

    def _setup(self, *, pool_factory: Any, api_key_explicit: bool) -> None:
        """What both constructors do once the configuration is set."""
        self._pool_factory = pool_factory
        self._http_client_owned = pool_factory is not None
        self._api_key_explicit = api_key_explicit
        copying_from = _copying_from.get()
        if copying_from is None:
            self._warn_if_key_sent_in_clear(stacklevel=4)
        elif copying_from != str(self.base_url):
            self._warn_if_key_sent_in_clear(stacklevel=5)

    def _share_pool_with_copy(self, new: Self, api_key: Optional[str], own_http_client: bool) -> None:
        new._http_client_owned = False
        if not own_http_client:
            new._pool_source = self._pool_source or self
        new._api_key_explicit = self._api_key_explicit if api_key is None else True

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickle the configuration only: never the connection pool, and the key only if passed explicitly."""
        root = self._pool_source or self
        if root._pool_factory is None:
            raise TypeError(
                f"cannot pickle this {type(self).__name__}: it uses an http_client you passed in, which holds "
                "connections and cannot be pickled. Pickle a client built without http_client=..., or create "
                "the client inside each process."
            )
        config: Dict[str, Any] = {
            "api_key": self.api_key if self._api_key_explicit else None,
            "base_url": str(self.base_url),
            "timeout": self.timeout,
            "total_timeout": self.total_timeout,
            "max_retries": self.max_retries,
            "default_headers": dict(self._custom_headers),
            "default_query": dict(self._custom_query),
        }
        return (_unpickle_client, (type(self), config))

    def _copy_kwargs(
        self,
        *,
        api_key: Optional[str],
        base_url: Union[str, httpx.URL, None],
        timeout: Union[float, Timeout, None, NotGiven],
        total_timeout: Union[float, None, NotGiven],
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
            "total_timeout": self.total_timeout if isinstance(total_timeout, NotGiven) else total_timeout,
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

    One client can be shared by threads. `total_timeout` bounds a whole call, all attempts and retry
    waits included (`timeout` bounds each phase of one attempt). After `os.fork()` the child opens
    a fresh pool on first use; a pool you pass as `http_client=` is yours to recreate there. Pickling
    carries the configuration only: the key travels only if it was passed as `api_key=`.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[float, Timeout, None, NotGiven] = not_given,
        total_timeout: Optional[float] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        setup_logging()
        api_key_explicit = api_key is not None
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
            total_timeout=total_timeout,
        )
        pool_factory = None if http_client is not None else functools.partial(DefaultHttpxClient, timeout=timeout)
        self._client = http_client or DefaultHttpxClient(timeout=timeout)
        self._setup(pool_factory=pool_factory, api_key_explicit=api_key_explicit)

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
        total_timeout: Union[float, None, NotGiven] = not_given,
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
            total_timeout=total_timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        token = _copying_from.set(str(self.base_url))
        try:
            new = self.__class__(http_client=http_client or self._client, **kwargs)
        finally:
            _copying_from.reset(token)
        new._custom_headers = dict(kwargs["default_headers"])
        self._share_pool_with_copy(new, api_key, http_client is not None)
        return new

    copy = with_options

    def close(self) -> None:
        """Close the connection pool (unless it was passed in by the caller, or shared by a copy)."""
        if self._http_client_owned and not self._client.is_closed:
            # In a forked child this closes a fresh pool, never the parent's connections.
            self._get_http_client().close()

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

    Its connections belong to the event loop that uses it: used on a new loop once the previous one
    has ended (a second `asyncio.run(...)`, a new trio run), it opens a fresh pool; it refuses to be
    used from two running loops at once. Forking and pickling behave as for `Lightcone`.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[float, Timeout, None, NotGiven] = not_given,
        total_timeout: Optional[float] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        setup_logging()
        api_key_explicit = api_key is not None
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
            total_timeout=total_timeout,
        )
        pool_factory = None if http_client is not None else functools.partial(DefaultAsyncHttpxClient, timeout=timeout)
        self._client = http_client or DefaultAsyncHttpxClient(timeout=timeout)
        self._setup(pool_factory=pool_factory, api_key_explicit=api_key_explicit)

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
        total_timeout: Union[float, None, NotGiven] = not_given,
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
            total_timeout=total_timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        token = _copying_from.set(str(self.base_url))
        try:
            new = self.__class__(http_client=http_client or self._client, **kwargs)
        finally:
            _copying_from.reset(token)
        new._custom_headers = dict(kwargs["default_headers"])
        self._share_pool_with_copy(new, api_key, http_client is not None)
        return new

    copy = with_options

    async def close(self) -> None:
        """Close the connection pool (unless it was passed in by the caller, or shared by a copy)."""
        if self._http_client_owned and not self._client.is_closed:
            # A pool left on an event loop that has ended cannot be closed on it: it is replaced first.
            await self._get_http_client().aclose()

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
