"""`DefaultAioHttpClient`: the async client on aiohttp, with the `aiohttp` extra (`pip install tzafon[aiohttp]`)."""

from __future__ import annotations

from typing import Any

import httpx

from ._cookies import SkipEmptyCookieJar
from ._constants import DEFAULT_TIMEOUT, DEFAULT_CONNECTION_LIMITS

try:
    import httpx_aiohttp
except ImportError:

    class DefaultAioHttpClient(httpx.AsyncClient):
        """Stands in when the `aiohttp` extra is missing, and says how to install it."""

        def __init__(self, **_kwargs: Any) -> None:
            raise RuntimeError("DefaultAioHttpClient needs the aiohttp extra: pip install 'tzafon[aiohttp]'")

else:

    class DefaultAioHttpClient(SkipEmptyCookieJar, httpx_aiohttp.HttpxAiohttpClient):  # type: ignore[no-redef]
        """An `httpx.AsyncClient` that sends through aiohttp (asyncio only), with this SDK's defaults."""

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
            kwargs.setdefault("limits", DEFAULT_CONNECTION_LIMITS)
            kwargs.setdefault("follow_redirects", True)
            super().__init__(**kwargs)
            self.cookies = kwargs.get("cookies")
