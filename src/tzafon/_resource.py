"""Base classes of API resources: they hold the client and borrow its request methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._client import Lightcone, AsyncLightcone


class SyncAPIResource:
    _client: Lightcone

    def __init__(self, client: Lightcone) -> None:
        self._client = client
        self._post = client.post
        self._get = client.get


class AsyncAPIResource:
    _client: AsyncLightcone

    def __init__(self, client: AsyncLightcone) -> None:
        self._client = client
        self._post = client.post
        self._get = client.get
