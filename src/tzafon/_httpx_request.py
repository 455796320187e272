"""Builds each attempt's `httpx.Request`, merging the headers that repeat from call to call only once.

`httpx.Client.build_request` re-encodes and re-merges every header on every call (18 of them for
this SDK), which costs more than the rest of what the SDK does per call. The request built here is
the one `build_request` would build: the http client's default headers overridden by ours in the
same order, `Host` first, `Content-Length` last, the timeout as an extension. Calls that need the
http client's cookies or query parameters go through `build_request` itself.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple, Union, Mapping, Optional

import httpx

from ._types import Omit

__all__ = ["RequestBuilder"]

_MAX_URLS = 64


class RequestBuilder:
    """The caches of one API client: merged constant headers per http client, parsed URLs, the timeout."""

    # Each cache is one tuple, replaced whole, so that threads sharing a client never see half of one.
    __slots__ = ("_merged", "_urls", "_timeout")

    def __init__(self) -> None:
        # (http client, its headers, {id(constant headers): (constant headers, merged httpx.Headers)})
        self._merged: Tuple[object, List[Tuple[bytes, bytes]], Dict[int, Tuple[object, httpx.Headers]]] = (None, [], {})
        self._urls: Dict[str, httpx.URL] = {}
        self._timeout: Tuple[object, Dict[str, Optional[float]]] = (object(), {})

    def headers(self, client: Union[httpx.Client, httpx.AsyncClient], constant: Mapping[str, str]) -> httpx.Headers:
        """A fresh copy of the http client's headers overridden by `constant` (a dict that is reused)."""
        owner, owner_headers, merged = self._merged
        client_headers = client.headers.raw
        if client is not owner or client_headers != owner_headers:
            merged = {}
            self._merged = (client, client_headers, merged)
        entry = merged.get(id(constant))
        if entry is None or entry[0] is not constant:
            headers = httpx.Headers(client.headers)
            headers.update(constant)
            entry = merged[id(constant)] = (constant, headers)
        return httpx.Headers(entry[1])

    def build(
        self,
        client: Union[httpx.Client, httpx.AsyncClient],
        method: str,
        url: str,
        *,
        headers: httpx.Headers,
        content: Optional[bytes],
        params: Optional[Mapping[str, object]],
        timeout: Any,
    ) -> httpx.Request:
        if params or client.params or client.cookies:
            return client.build_request(method, url, headers=headers, content=content, params=params, timeout=timeout)  # type: ignore[arg-type]
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _MAX_URLS:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        cached = self._timeout
        if cached[0] is not timeout:
            cached = self._timeout = (timeout, httpx.Timeout(timeout).as_dict())
        return httpx.Request(method, parsed, headers=headers, content=content, extensions={"timeout": dict(cached[1])})


def set_header(
    headers: httpx.Headers, name: str, value: Union[str, Omit], defaults: Union[httpx.Client, httpx.AsyncClient]
) -> None:
    """Replace every header called `name` (in any case) by `value`, at the end.

    `Omit` removes ours, leaving the http client's own default for that name if it has one, as
    `build_request` does.
    """
    if name in headers:
        del headers[name]
    if not isinstance(value, Omit):
        headers[name] = value
    elif name in defaults.headers:
        headers[name] = defaults.headers[name]
