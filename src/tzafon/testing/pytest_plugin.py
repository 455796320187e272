"""pytest fixtures that run a `LightconeTestServer` and point `tzafon` clients at it.

Enable in your top-level `conftest.py`::

    pytest_plugins = ["tzafon.testing.pytest_plugin"]

Fixtures:

- `lightcone_server`: a running `LightconeTestServer` (one per session, `reset()` before and
  after each test). It expects the API key `TEST_API_KEY` (`"test-key"`); set
  `lightcone_server.api_key = None` in a test to accept any key (the reset restores it).
- `lightcone_client`: a `tzafon.Lightcone` for that server, closed after the test.
- `async_lightcone_client`: a `tzafon.AsyncLightcone`, closed after the test; an async fixture,
  so use it from async tests run by anyio's pytest plugin (`@pytest.mark.anyio`) or
  pytest-asyncio.
- `lightcone_env`: sets `LIGHTCONE_BASE_URL` and `TZAFON_API_KEY` for the test, so code that
  builds its own `Lightcone()` talks to the server.

The clients keep the SDK's default retries; make a scripted failure retry at once with
`Fail(503, retry_after_ms=1)`, or use `lightcone_client.with_options(max_retries=0)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, AsyncIterator

import pytest

from ._server import LightconeTestServer

if TYPE_CHECKING:
    from tzafon import Lightcone, AsyncLightcone

__all__ = [
    "TEST_API_KEY",
    "lightcone_server",
    "lightcone_client",
    "async_lightcone_client",
    "lightcone_env",
]

TEST_API_KEY = "test-key"


@pytest.fixture(scope="session")
def _lightcone_session_server() -> Iterator[LightconeTestServer]:
    with LightconeTestServer(api_key=TEST_API_KEY) as server:
        yield server


@pytest.fixture
def lightcone_server(_lightcone_session_server: LightconeTestServer) -> Iterator[LightconeTestServer]:
    """A running test server with an empty script and no recorded requests."""
    server = _lightcone_session_server
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def lightcone_client(lightcone_server: LightconeTestServer) -> Iterator[Lightcone]:
    """A `tzafon.Lightcone` pointed at `lightcone_server`."""
    from tzafon import Lightcone

    client = Lightcone(base_url=lightcone_server.base_url, api_key=TEST_API_KEY)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
async def async_lightcone_client(lightcone_server: LightconeTestServer) -> AsyncIterator[AsyncLightcone]:
    """A `tzafon.AsyncLightcone` pointed at `lightcone_server`."""
    from tzafon import AsyncLightcone

    client = AsyncLightcone(base_url=lightcone_server.base_url, api_key=TEST_API_KEY)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def lightcone_env(lightcone_server: LightconeTestServer, monkeypatch: pytest.MonkeyPatch) -> LightconeTestServer:
    """Point clients configured from the environment at `lightcone_server`."""
    monkeypatch.setenv("LIGHTCONE_BASE_URL", lightcone_server.base_url)
    monkeypatch.setenv("TZAFON_API_KEY", TEST_API_KEY)
    return lightcone_server
