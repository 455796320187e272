"""Shared test configuration: the anyio backend and a clean environment for every test."""

from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's real key, endpoint or log settings."""
    for name in ("TZAFON_API_KEY", "LIGHTCONE_BASE_URL", "LIGHTCONE_CUSTOM_HEADERS", "LIGHTCONE_LOG"):
        monkeypatch.delenv(name, raising=False)
    yield
