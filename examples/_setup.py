"""Shared by the examples: use the real endpoint when configured, else a local test server."""

from __future__ import annotations

import os
import sys
import atexit
from typing import Any, Optional

from tzafon.testing import LightconeTestServer

_server: Optional[LightconeTestServer] = None


def endpoint() -> tuple[str, str]:
    """(base_url, api_key): `LIGHTCONE_BASE_URL`/`TZAFON_API_KEY` when set, else a local server."""
    global _server
    base_url = os.environ.get("LIGHTCONE_BASE_URL")
    api_key = os.environ.get("TZAFON_API_KEY")
    if base_url and api_key:
        print(f"[using {base_url}]", file=sys.stderr)
        return base_url, api_key
    _server = LightconeTestServer(chunk_delay=0.03).start()
    atexit.register(_server.stop)
    print(
        f"[LIGHTCONE_BASE_URL/TZAFON_API_KEY not set: using the local test server at {_server.base_url}]",
        file=sys.stderr,
    )
    return _server.base_url, "local-test-key"


def model() -> Optional[str]:
    """`LIGHTCONE_MODEL` when set; vLLM serves its only model when the field is left out."""
    return os.environ.get("LIGHTCONE_MODEL")


def script(*actions: Any) -> None:
    """Queue scripted answers on the local server (a real endpoint answers for itself)."""
    if _server is not None:
        _server.enqueue(*actions)
