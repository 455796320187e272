"""The request loop: build the request, send it, retry, and turn the answer into a result or an error.

Everything that is a decision lives in `BaseClient` (or in `_retry`, `_request`, `_exceptions`);
`SyncAPIClient` and `AsyncAPIClient` only do the I/O: send, sleep, read.
"""

from __future__ import annotations

import os
import sys
import json
import time
import uuid
import logging
import warnings
import functools
import ipaddress
from typing import (
    Any,
    Dict,
    Type,
    Tuple,
    Union,
    Mapping,
    TypeVar,
    Callable,
    Optional,
    cast,
)
from typing_extensions import Literal

import httpx

from ._logs import logger
from ._retry import retry_wait, describe_status, should_retry_status
from ._types import Body, Omit, Query, Headers, Timeout, NotGiven, RequestOptions, not_given
from ._version import __version__
from ._platform import async_library, platform_headers
from ._constants import RAW_RESPONSE_HEADER
from ._json_body import check_extra_body, encode_json_body
from ._exceptions import (
    APITimeoutError,
    APIConnectionError,
    APIResponseValidationError,
    parse_error_body,
    make_status_error,
)
from ._httpx_request import RequestBuilder, set_header

__all__ = ["SyncAPIClient", "AsyncAPIClient", "make_request_options", "FinalRequestOptions"]

ResponseT = TypeVar("ResponseT")

RawMode = Optional[Literal["raw", "stream"]]


def make_request_options(
    *,
    extra_headers: Optional[Headers] = None,
    extra_query: Optional[Query] = None,
    extra_body: Optional[Body] = None,
    timeout: Union[float, httpx.Timeout, None, NotGiven] = not_given,
) -> RequestOptions:
    """Per-call options of a resource method, in the shape `client.post(..., options=...)` takes."""
    options: RequestOptions = {}
    if extra_headers is not None:
        options["headers"] = extra_headers
    if extra_query is not None:
        options["params"] = extra_query
    if extra_body is not None:
        options["extra_json"] = cast(Mapping[str, object], extra_body)
    if not isinstance(timeout, NotGiven):
        options["timeout"] = timeout
    return options


class FinalRequestOptions:
    """One call, fully resolved: what to send and how to treat the answer. Fixed across retries."""

    __slots__ = (
        "method",
        "url",
        "content",
        "params",
        "headers",
        "max_retries",
        "timeout",
        "total_timeout",
        "request_id",
        "stream",
        "stream_cls",
        "cast_to",
        "raw_mode",
    )

    def __init__(
        self,
        *,
        method: str,
        url: str,
        content: Optional[bytes],
        params: Dict[str, object],
        headers: Dict[str, Union[str, Omit]],
        max_retries: int,
        timeout: Union[Timeout, NotGiven],
        total_timeout: Optional[float],
        request_id: str,
        stream: bool,
        stream_cls: Any,
        cast_to: Any,
        raw_mode: RawMode,
    ) -> None:
        self.method = method
        self.url = url
        self.content = content
        self.params = params
        self.headers = headers
        self.max_retries = max_retries
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.request_id = request_id
        self.stream = stream
        self.stream_cls = stream_cls
        self.cast_to = cast_to
        self.raw_mode = raw_mode

    def __repr__(self) -> str:
        # Deliberately leaves out headers and body: they may carry credentials or user data.
        return (
            f"FinalRequestOptions(method={self.method!r}, url={self.url!r}, stream={self.stream}, "
            f"max_retries={self.max_retries}, timeout={self.timeout!r}, total_timeout={self.total_timeout!r}, "
            f"request_id={self.request_id!r})"
        )


@functools.lru_cache(maxsize=64)
def _stream_parts(stream_cls: Any) -> Tuple[Any, Any]:
    """`Stream[ChatCompletionChunk]` -> (`Stream`, `ChatCompletionChunk`), computed once per alias."""
    from typing import get_args, get_origin

    origin = get_origin(stream_cls) or stream_cls
    args = get_args(stream_cls)
    return origin, (args[0] if args else object)


def parse_body(content: bytes, cast_to: Any, response: httpx.Response, request_id: Optional[str]) -> Any:
    """Bytes of a 2xx body -> the result type, in one step; `APIResponseValidationError` if they don't fit."""
    if cast_to is httpx.Response:
        return response
    if cast_to is bytes:
        return content
    if cast_to is str:
        return content.decode("utf-8", errors="replace")
    validate_json = getattr(cast_to, "model_validate_json", None)
    try:
        if validate_json is not None:
            result = validate_json(content)
            result._request_id = request_id
            return result
        return json.loads(content)
    except ValueError as err:
        text = content.decode("utf-8", errors="replace")
        message = _describe_invalid_body(text, err, response)
        raise APIResponseValidationError(response, text, message=message, request_id=request_id) from err


def _describe_invalid_body(text: str, err: ValueError, response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "")
    excerpt = text[:200] + ("..." if len(text) > 200 else "")
    kind = "is not valid JSON" if _is_json_error(err) else "does not match the expected schema"
    return (
        f"The server answered {response.status_code} but its body {kind} "
        f"(content-type {content_type or 'missing'}): {excerpt!r}. The raw text is in `.body`."
    )


def _is_json_error(err: ValueError) -> bool:
    if isinstance(err, json.JSONDecodeError):
        return True
    from pydantic import ValidationError

    return isinstance(err, ValidationError) and any(error["type"] == "json_invalid" for error in err.errors())


def _merge_query(*parts: Optional[Mapping[str, object]]) -> Dict[str, object]:
    merged: Dict[str, object] = {}
    for part in parts:
        if part:
            merged.update(part)
    return {k: v for k, v in merged.items() if not isinstance(v, Omit)}


def _describe_connection_error(err: BaseException, request: httpx.Request) -> str:
    cause = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return f"Connection error while calling {request.method} {request.url.copy_with(query=None)}: {cause}"


_TIMEOUT_PHASES = {
    "ConnectTimeout": "connect",
    "ReadTimeout": "read",
    "WriteTimeout": "write",
    "PoolTimeout": "pool",
}


def _describe_timeout(
    phase: str,
    timeout: object,
    attempts: int,
    *,
    total_timeout: Optional[float] = None,
    pool_usage: Optional[Tuple[int, int]] = None,
) -> str:
    """The message of an `APITimeoutError`: which limit expired, after how many attempts."""
    plural = "s" if attempts != 1 else ""
    if total_timeout is not None:
        return f"Request timed out: total_timeout of {total_timeout} s expired after {attempts} attempt{plural}."
    text = "Request timed out"
    if phase:
        text += f" ({phase} timeout"
        if isinstance(timeout, httpx.Timeout):
            value = getattr(timeout, phase)
            text += f" of {value} s" if value is not None else ""
        text += ")"
    text += f" after {attempts} attempt{plural}"
    if phase != "pool":
        return text + "."
    if pool_usage is not None:
        limit, others = pool_usage
        text += (
            f": all {limit} pooled connections (max_connections) were busy, with {others} other "
            f"request{'s' if others != 1 else ''} in flight on this client's pool."
        )
    else:
        text += ": every pooled connection (max_connections) was busy."
    return text + (
        " Raise the pool size with http_client=DefaultHttpxClient(limits=httpx.Limits(max_connections=...)) "
        "(DefaultAsyncHttpxClient for AsyncLightcone), lower the concurrency, or close streams you stop reading."
    )


def _pool_usage(http_client: object) -> Optional[Tuple[int, int]]:
    """(max_connections, requests in flight) of httpx's default transport, when it can be seen."""
    pool = getattr(getattr(http_client, "_transport", None), "_pool", None)
    limit = getattr(pool, "_max_connections", None)
    requests = getattr(pool, "_requests", None)
    if isinstance(limit, int) and isinstance(requests, list):
        return limit, len(cast("list[object]", requests))
    return None


def _fits_a_header(value: str) -> bool:
    """Whether `value` can be sent as an HTTP header value as it is (visible ASCII, no edge spaces)."""
    return bool(value) and value.isascii() and value.isprintable() and value == value.strip()


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_httpx_timeout(timeout: Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def _clamp_timeout(timeout: Timeout, left: float) -> httpx.Timeout:
    """Every phase limit cut down to the time left before a deadline."""
    full = _as_httpx_timeout(timeout)

    def clamp(value: Optional[float]) -> float:
        return left if value is None or value > left else value

    return httpx.Timeout(
        connect=clamp(full.connect), read=clamp(full.read), write=clamp(full.write), pool=clamp(full.pool)
    )


def _check_total_timeout(value: object) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"total_timeout must be a number of seconds > 0, or None; got {value!r}")
    return float(value)


def _running_loop() -> object:
    """What an async pool's connections belong to: the running asyncio loop, or the trio run."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            pass
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            return trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
    return None


def _loop_is_running(loop: object) -> bool:
    is_running = getattr(loop, "is_running", None)
    if callable(is_running):  # asyncio
        return bool(is_running())
    run_sync_soon = getattr(loop, "run_sync_soon", None)
    if callable(run_sync_soon):  # a trio token: scheduling a no-op fails once its run is over
        try:
            run_sync_soon(_do_nothing)
        except Exception:
            return False
        return True
    return False


def _do_nothing() -> None:
    return None


class BaseClient:
    """Configuration and the decisions both clients share."""

    _is_async = False
    _pool_source: Optional[BaseClient] = None
    """The client whose pool this copy shares (`with_options`); None when it uses its own."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: Union[str, httpx.URL],
        timeout: Union[float, Timeout, None],
        max_retries: int,
        custom_headers: Optional[Mapping[str, str]],
        custom_query: Optional[Mapping[str, object]],
        total_timeout: Optional[float] = None,
    ) -> None:
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
        self.api_key = api_key
        self._base_url = self._enforce_trailing_slash(httpx.URL(str(base_url)))
        self.timeout = timeout
        self.total_timeout = _check_total_timeout(total_timeout)
        self.max_retries = max_retries
        self._custom_headers: Dict[str, str] = dict(custom_headers or {})
        self._custom_query: Dict[str, object] = dict(custom_query or {})
        self._static_headers: Optional[Dict[str, str]] = None
        self._header_variants: Dict[Any, Dict[str, str]] = {}
        self._request_builder = RequestBuilder()
        self._plain_http_warned = False
        # The pool: `_pool_factory` builds a fresh one (None for a pool the user passed in, which is
        # never replaced); it was built in process `_pool_pid` and, async, is used on `_pool_loop`.
        self._pool_factory: Optional[Callable[[], Any]] = None
        self._pool_pid = os.getpid()
        self._pool_loop: object = None

    @staticmethod
    def _enforce_trailing_slash(url: httpx.URL) -> httpx.URL:
        if url.raw_path.endswith(b"/"):
            return url
        return url.copy_with(raw_path=url.raw_path + b"/")

    @property
    def _base_url_prefix(self) -> str:
        text = str(self._base_url)
        return text if text.endswith("/") else text + "/"

    @property
    def base_url(self) -> httpx.URL:
        return self._base_url

    @base_url.setter
    def base_url(self, url: Union[str, httpx.URL]) -> None:
        self._base_url = self._enforce_trailing_slash(httpx.URL(str(url)))
        self._static_headers = None
        self._plain_http_warned = False
        self._warn_if_key_sent_in_clear(stacklevel=3)

    def _warn_if_key_sent_in_clear(self, *, stacklevel: int) -> None:
        """Warn (once per client) when the key would travel over plain http to a host off this machine."""
        url = self._base_url
        if self._plain_http_warned or url.scheme != "http" or _is_loopback(url.host):
            return
        self._plain_http_warned = True
        warnings.warn(
            f"The API key will be sent unencrypted: base_url {str(url)!r} is plain http to a host that is "
            "not this machine. Use https:// (or reach the server through a tunnel on localhost).",
            UserWarning,
            stacklevel=stacklevel,
        )

    def _pool_must_be_rebuilt(self, pool_closed: bool, loop: object = None) -> bool:
        """Whether the pool this client built belongs to another process (after `os.fork()`), or to an
        event loop that has ended; raises when that loop is still running elsewhere."""
        if self._pool_factory is None or pool_closed:
            return False
        if self._pool_pid != os.getpid():
            return True
        old = self._pool_loop
        if old is None or loop is None or old is loop:
            return False
        if _loop_is_running(old):
            raise RuntimeError(
                f"This {type(self).__name__} is in use on another event loop that is still running (in another "
                "thread): an async client's connections belong to one event loop. Create one async client "
                "per event loop, or use the sync Lightcone from threads."
            )
        return True

    @property
    def default_headers(self) -> Dict[str, Union[str, Omit]]:
        return {**self._headers_without_custom(), **self._custom_headers}

    @property
    def default_query(self) -> Dict[str, object]:
        return dict(self._custom_query)

    @property
    def auth_headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def user_agent(self) -> str:
        return f"Lightcone/Python {__version__}"

    def _headers_without_custom(self) -> Dict[str, str]:
        return {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": self.user_agent,
            **platform_headers(),
            "X-Stainless-Async": "false",
        }

    def _base_headers(self) -> Dict[str, str]:
        """Headers identical for every call of this client, merged once."""
        headers = self._static_headers
        if headers is None:
            merged: Dict[str, str] = {**self._headers_without_custom(), **self.auth_headers}
            for name, value in self._custom_headers.items():
                self._set_header(merged, name, value)
            headers = self._static_headers = merged
        return headers

    @staticmethod
    def _set_header(headers: Dict[str, Any], name: str, value: object) -> None:
        lower = name.lower()
        for existing in [k for k in headers if k.lower() == lower]:
            del headers[existing]
        if not isinstance(value, Omit):
            headers[name] = value

    def _prepare_options(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any,
        body: Optional[Body],
        options: RequestOptions,
        stream: bool,
        stream_cls: Any,
    ) -> FinalRequestOptions:
        """Resolve a call once: merge extras, encode the body, pick the request id and limits."""
        headers: Dict[str, Union[str, Omit]] = dict(options.get("headers") or {})
        raw_mode = cast(RawMode, headers.pop(RAW_RESPONSE_HEADER, None))
        extra_json = options.get("extra_json")
        if extra_json is not None:
            check_extra_body(extra_json)
            if body is None:
                body = dict(extra_json)
            elif isinstance(body, Mapping):
                body = {**cast(Mapping[str, object], body), **extra_json}
                body = {k: v for k, v in body.items() if not isinstance(v, Omit)}
            else:
                raise TypeError(f"extra_body cannot be merged into a body of type {type(body).__name__}")
        content = None if body is None or method == "get" else encode_json_body(body)
        request_id = options.get("request_id")
        if request_id is None and isinstance(body, Mapping):
            body_request_id = cast(Mapping[str, object], body).get("request_id")
            if isinstance(body_request_id, str) and _fits_a_header(body_request_id):
                request_id = body_request_id
        if request_id is None:
            request_id = uuid.uuid4().hex
        max_retries = options.get("max_retries", self.max_retries)
        # `RequestOptions` may be a plain dict from an older caller: read the key without assuming it.
        total_timeout = options.get("total_timeout", self.total_timeout)
        return FinalRequestOptions(
            method=method,
            url=path,
            content=content,
            params=_merge_query(self._custom_query, options.get("params")),
            headers=headers,
            max_retries=max_retries,
            timeout=options.get("timeout", not_given),
            total_timeout=_check_total_timeout(total_timeout),
            request_id=request_id,
            stream=stream,
            stream_cls=stream_cls,
            cast_to=cast_to,
            raw_mode=raw_mode,
        )

    def _timeout_for(self, options: FinalRequestOptions) -> Timeout:
        return self.timeout if isinstance(options.timeout, NotGiven) else options.timeout

    def _deadline_for(self, options: FinalRequestOptions) -> Optional[float]:
        """The `time.monotonic()` instant by which the call must be over, if it has a total_timeout."""
        return None if options.total_timeout is None else time.monotonic() + options.total_timeout

    def _constant_headers(self, stream: bool, has_content: bool) -> Dict[str, str]:
        """`_base_headers()` as adjusted for one kind of call: the same dict each time, until they change."""
        base = self._base_headers()
        variants = self._header_variants
        if variants.get(None) is not base:
            variants = self._header_variants = {None: base}
        async_header = f"async:{async_library()}" if self._is_async else ""
        key = (stream, has_content, async_header)
        headers = variants.get(key)
        if headers is None:
            headers = dict(base)
            if stream:
                headers["Accept"] = "text/event-stream"
            if not has_content:
                headers.pop("Content-Type", None)
            if async_header:
                headers["X-Stainless-Async"] = async_header
            variants[key] = headers
        return headers

    def _build_request(
        self, options: FinalRequestOptions, retries_taken: int, client: Any, deadline: Optional[float] = None
    ) -> httpx.Request:
        timeout = configured = self._timeout_for(options)
        if deadline is not None:
            timeout = _clamp_timeout(configured, max(deadline - time.monotonic(), 0.0))
        read_timeout = configured.read if isinstance(configured, httpx.Timeout) else configured
        builder = self._request_builder
        headers = builder.headers(client, self._constant_headers(options.stream, options.content is not None))
        headers["X-Stainless-Retry-Count"] = str(retries_taken)
        if read_timeout is not None:
            headers["X-Stainless-Read-Timeout"] = str(read_timeout)
        headers["X-Request-Id"] = options.request_id
        for name, value in options.headers.items():
            set_header(headers, name, value, client)
        url = options.url
        if "://" not in url:
            url = self._base_url_prefix + url.lstrip("/")
        return builder.build(
            client,
            options.method.upper(),
            url,
            headers=headers,
            content=options.content,
            params=options.params,
            timeout=timeout,
        )

    def _retry_decision(
        self,
        options: FinalRequestOptions,
        retries_taken: int,
        response: Optional[httpx.Response],
        deadline: Optional[float] = None,
    ) -> Optional[float]:
        """Seconds to wait before another attempt, or None when this failure is final."""
        if retries_taken >= options.max_retries:
            return None
        if response is not None and not should_retry_status(response.status_code, response.headers):
            return None
        wait = retry_wait(retries_taken, response.headers if response is not None else None)
        if deadline is not None and time.monotonic() + wait >= deadline:
            logger.info(
                "Not retrying %s %s: waiting %.2f seconds would pass its total_timeout of %s s",
                options.method.upper(),
                options.url,
                wait,
                options.total_timeout,
            )
            return None
        return wait

    def _deadline_error(self, request: httpx.Request, options: FinalRequestOptions, attempts: int) -> Exception:
        message = _describe_timeout("", None, attempts, total_timeout=options.total_timeout)
        return APITimeoutError(request, message=message, request_id=options.request_id)

    def _lift_deadline(self, response: httpx.Response, options: FinalRequestOptions) -> None:
        """A stream is read after the call returns, beyond its total_timeout: restore the normal limits
        for the reads of its body (httpcore looks them up in the request's extensions when it starts)."""
        if options.total_timeout is not None:
            response.request.extensions["timeout"] = _as_httpx_timeout(self._timeout_for(options)).as_dict()

    def _log_retry(self, options: FinalRequestOptions, wait: float, retries_taken: int, reason: str) -> None:
        logger.info(
            "Retrying %s %s in %.2f seconds (retry %d of %d): %s",
            options.method.upper(),
            options.url,
            wait,
            retries_taken + 1,
            options.max_retries,
            reason,
        )

    def _make_status_error(self, response: httpx.Response, options: FinalRequestOptions) -> Exception:
        body = parse_error_body(response.content, response.headers.get("content-type", ""))
        return make_status_error(response, body, request_id=self._response_request_id(response, options))

    @staticmethod
    def _response_request_id(response: httpx.Response, options: FinalRequestOptions) -> str:
        return response.headers.get("x-request-id") or options.request_id

    def _connection_error(
        self,
        err: Exception,
        request: httpx.Request,
        options: FinalRequestOptions,
        attempts: int,
        http_client: object = None,
    ) -> Exception:
        if isinstance(err, httpx.TimeoutException):
            timeout = _as_httpx_timeout(self._timeout_for(options))
            phase = _TIMEOUT_PHASES.get(type(err).__name__, "")
            cut_by_deadline = False
            if options.total_timeout is not None and phase:
                used = cast(Mapping[str, Optional[float]], request.extensions.get("timeout", {})).get(phase)
                configured = getattr(timeout, phase)
                cut_by_deadline = used is not None and (configured is None or used < configured)
            message = _describe_timeout(
                phase,
                timeout,
                attempts,
                total_timeout=options.total_timeout if cut_by_deadline else None,
                pool_usage=_pool_usage(http_client) if phase == "pool" else None,
            )
            return APITimeoutError(request, message=message, request_id=options.request_id)
        return APIConnectionError(
            message=_describe_connection_error(err, request), request=request, request_id=options.request_id
        )

    def _finish(self, response: httpx.Response, options: FinalRequestOptions) -> Any:
        """A 2xx response -> what the call returns: a raw response, a stream, or the parsed body."""
        if options.raw_mode is not None:
            return self._raw_response(response, options)
        if options.stream:
            return self._result_for_stream(response, options)
        return self._result_for_body(response, options)

    def _raw_response(self, response: httpx.Response, options: FinalRequestOptions) -> Any:
        from ._response import APIResponse, AsyncAPIResponse

        if self._is_async:
            return AsyncAPIResponse[Any](response=response, client=self, options=options)
        return APIResponse[Any](response=response, client=self, options=options)

    def _result_for_stream(self, response: httpx.Response, options: FinalRequestOptions) -> Any:
        stream_type, item_type = _stream_parts(options.stream_cls)
        return stream_type(
            cast_to=item_type, response=response, request_id=self._response_request_id(response, options)
        )

    def _result_for_body(self, response: httpx.Response, options: FinalRequestOptions) -> Any:
        return parse_body(response.content, options.cast_to, response, self._response_request_id(response, options))

    @staticmethod
    def _log_response(response: httpx.Response, options: FinalRequestOptions) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                'HTTP Response: %s %s "%s" request_id=%s',
                options.method.upper(),
                response.request.url,
                describe_status(response),
                options.request_id,
            )


def _reads_body_eagerly(options: FinalRequestOptions) -> bool:
    return not options.stream and options.raw_mode != "stream"


class SyncAPIClient(BaseClient):
    """Sends requests with an `httpx.Client`; the decisions come from `BaseClient`."""

    _client: httpx.Client

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
        stream: bool = False,
        stream_cls: Any = None,
    ) -> Any:
        opts = self._prepare_options(
            method, path, cast_to=cast_to, body=body, options=options or {}, stream=stream, stream_cls=stream_cls
        )
        return self._send_with_retries(opts)

    def _send_with_retries(self, options: FinalRequestOptions) -> Any:
        client = self._get_http_client()
        deadline = self._deadline_for(options)
        retries_taken = 0
        while True:
            request = self._build_request(options, retries_taken, client, deadline)
            if deadline is not None and time.monotonic() >= deadline:
                raise self._deadline_error(request, options, retries_taken)
            try:
                response = client.send(request, stream=True)
                if response.status_code < 400 and _reads_body_eagerly(options):
                    try:
                        response.read()
                    finally:
                        response.close()
            except Exception as err:
                if not isinstance(err, httpx.HTTPError):
                    raise
                wait = self._retry_decision(options, retries_taken, None, deadline)
                if wait is None:
                    raise self._connection_error(err, request, options, retries_taken + 1, client) from err
                self._log_retry(options, wait, retries_taken, type(err).__name__)
                _sleep(wait)
                retries_taken += 1
                continue
            self._log_response(response, options)
            if response.status_code >= 400:
                wait = self._retry_decision(options, retries_taken, response, deadline)
                if wait is not None:
                    response.close()
                    self._log_retry(options, wait, retries_taken, describe_status(response))
                    _sleep(wait)
                    retries_taken += 1
                    continue
                try:
                    response.read()
                except httpx.HTTPError:
                    pass
                finally:
                    response.close()
                raise self._make_status_error(response, options)
            if deadline is not None and not _reads_body_eagerly(options):
                self._lift_deadline(response, options)
            return self._finish(response, options)

    def _get_http_client(self) -> httpx.Client:
        source = cast(Optional[SyncAPIClient], self._pool_source)
        if source is not None:
            client = self._client = source._get_http_client()
            return client
        factory = self._pool_factory
        if self._pool_pid != os.getpid() and factory is not None and self._pool_must_be_rebuilt(self._client.is_closed):
            # A forked child: the parent's sockets are left alone (closing them here would hurt the parent).
            self._client = cast(httpx.Client, factory())
            self._pool_pid = os.getpid()
        return self._client

    def get(self, path: str, *, cast_to: Type[ResponseT], options: Optional[RequestOptions] = None) -> ResponseT:
        """GET an endpoint the SDK has no method for, with the client's auth, retries and timeouts."""
        return cast(ResponseT, self.request("get", path, cast_to=cast_to, options=options))

    def post(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
        stream: bool = False,
        stream_cls: Any = None,
    ) -> Any:
        """POST to any path; `cast_to=httpx.Response` returns the raw response."""
        return self.request(
            "post", path, cast_to=cast_to, body=body, options=options, stream=stream, stream_cls=stream_cls
        )

    def put(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
    ) -> ResponseT:
        return cast(ResponseT, self.request("put", path, cast_to=cast_to, body=body, options=options))

    def patch(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
    ) -> ResponseT:
        return cast(ResponseT, self.request("patch", path, cast_to=cast_to, body=body, options=options))

    def delete(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
    ) -> ResponseT:
        return cast(ResponseT, self.request("delete", path, cast_to=cast_to, body=body, options=options))


class AsyncAPIClient(BaseClient):
    """Sends requests with an `httpx.AsyncClient`; the decisions come from `BaseClient`."""

    _is_async = True
    _client: httpx.AsyncClient

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
        stream: bool = False,
        stream_cls: Any = None,
    ) -> Any:
        opts = self._prepare_options(
            method, path, cast_to=cast_to, body=body, options=options or {}, stream=stream, stream_cls=stream_cls
        )
        return await self._send_with_retries(opts)

    async def _send_with_retries(self, options: FinalRequestOptions) -> Any:
        client = self._get_http_client()
        deadline = self._deadline_for(options)
        retries_taken = 0
        while True:
            request = self._build_request(options, retries_taken, client, deadline)
            if deadline is not None and time.monotonic() >= deadline:
                raise self._deadline_error(request, options, retries_taken)
            try:
                response = await client.send(request, stream=True)
                if response.status_code < 400 and _reads_body_eagerly(options):
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
            except Exception as err:
                if not isinstance(err, httpx.HTTPError):
                    raise
                wait = self._retry_decision(options, retries_taken, None, deadline)
                if wait is None:
                    raise self._connection_error(err, request, options, retries_taken + 1, client) from err
                self._log_retry(options, wait, retries_taken, type(err).__name__)
                await _async_sleep(wait)
                retries_taken += 1
                continue
            self._log_response(response, options)
            if response.status_code >= 400:
                wait = self._retry_decision(options, retries_taken, response, deadline)
                if wait is not None:
                    await response.aclose()
                    self._log_retry(options, wait, retries_taken, describe_status(response))
                    await _async_sleep(wait)
                    retries_taken += 1
                    continue
                try:
                    await response.aread()
                except httpx.HTTPError:
                    pass
                finally:
                    await response.aclose()
                raise self._make_status_error(response, options)
            if deadline is not None and not _reads_body_eagerly(options):
                self._lift_deadline(response, options)
            return self._finish(response, options)

    def _get_http_client(self) -> httpx.AsyncClient:
        source = cast(Optional[AsyncAPIClient], self._pool_source)
        if source is not None:
            client = self._client = source._get_http_client()
            return client
        factory = self._pool_factory
        if factory is not None:
            loop = _running_loop()
            if loop is not self._pool_loop or self._pool_pid != os.getpid():
                if self._pool_must_be_rebuilt(self._client.is_closed, loop):
                    # Its connections belong to a loop that is over (or to the parent process): drop them.
                    self._client = cast(httpx.AsyncClient, factory())
                    self._pool_pid = os.getpid()
                if loop is not None:
                    self._pool_loop = loop
        return self._client

    async def get(self, path: str, *, cast_to: Type[ResponseT], options: Optional[RequestOptions] = None) -> ResponseT:
        """GET an endpoint the SDK has no method for, with the client's auth, retries and timeouts."""
        return cast(ResponseT, await self.request("get", path, cast_to=cast_to, options=options))

    async def post(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
        stream: bool = False,
        stream_cls: Any = None,
    ) -> Any:
        """POST to any path; `cast_to=httpx.Response` returns the raw response."""
        return await self.request(
            "post", path, cast_to=cast_to, body=body, options=options, stream=stream, stream_cls=stream_cls
        )

    async def put(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
    ) -> ResponseT:
        return cast(ResponseT, await self.request("put", path, cast_to=cast_to, body=body, options=options))

    async def patch(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
    ) -> ResponseT:
        return cast(ResponseT, await self.request("patch", path, cast_to=cast_to, body=body, options=options))

    async def delete(
        self,
        path: str,
        *,
        cast_to: Type[ResponseT],
        body: Optional[Body] = None,
        options: Optional[RequestOptions] = None,
    ) -> ResponseT:
        return cast(ResponseT, await self.request("delete", path, cast_to=cast_to, body=body, options=options))


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)
