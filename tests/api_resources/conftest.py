"""Points the Prism tests at the mock server: skip without Node.js, fail when the server is not running."""

from __future__ import annotations

import os
import shutil
import socket
from typing import Iterator, AsyncIterator

import httpx
import pytest

from tzafon import Lightcone, AsyncLightcone

DEFAULT_BASE_URL = "http://127.0.0.1:4010"


@pytest.fixture(scope="session")
def base_url() -> str:
    return os.environ.get("TEST_API_BASE_URL") or DEFAULT_BASE_URL


@pytest.fixture(scope="session", autouse=True)
def _mock_server_is_up(base_url: str) -> None:
    """Prism needs Node.js: without it these tests are skipped; with it, a server that is down is a failure."""
    if not os.environ.get("TEST_API_BASE_URL") and shutil.which("node") is None:
        pytest.skip("Node.js is not on PATH, so the Prism mock server cannot run (install node, then scripts/mock)")
    url = httpx.URL(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.host, port), timeout=2):
            pass
    except OSError as exc:
        pytest.fail(
            f"nothing listens on {url.host}:{port} ({exc}). Start the mock server with "
            "`scripts/mock --daemon` (stop it with `scripts/mock --stop`), or point TEST_API_BASE_URL elsewhere.",
            pytrace=False,
        )


@pytest.fixture
def client(base_url: str) -> Iterator[Lightcone]:
    with Lightcone(base_url=base_url, api_key="test-key", max_retries=0) as client:
        yield client


@pytest.fixture
async def async_client(base_url: str) -> AsyncIterator[AsyncLightcone]:
    async with AsyncLightcone(base_url=base_url, api_key="test-key", max_retries=0) as client:
        yield client
