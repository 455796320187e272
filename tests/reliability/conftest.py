"""Fixtures for the reliability tests: a local server, and clients of both kinds pointed at it."""

from __future__ import annotations

from typing import Any, List, Iterator, Optional

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from tzafon.testing import LightconeTestServer

from ._support import API_KEY, Driver, MakeDriver, SyncDriver, AsyncDriver


@pytest.fixture
def server() -> Iterator[LightconeTestServer]:
    with LightconeTestServer(api_key=API_KEY) as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_driver(kind: str, server: LightconeTestServer) -> Iterator[MakeDriver]:
    """`make_driver(**client_options)`: a client of the test's kind pointed at `server` (closed afterwards)."""
    portal_cm = start_blocking_portal("asyncio") if kind == "async" else None
    portal: Optional[BlockingPortal] = portal_cm.__enter__() if portal_cm is not None else None
    drivers: List[Driver] = []

    def make(**options: Any) -> Driver:
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", server.base_url)
        driver: Driver = SyncDriver(**options) if portal is None else AsyncDriver(portal, **options)
        drivers.append(driver)
        return driver

    try:
        yield make
    finally:
        for driver in drivers:
            driver.close()
        if portal_cm is not None:
            portal_cm.__exit__(None, None, None)
