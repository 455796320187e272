"""The `tzafon` logger, switched on by `LIGHTCONE_LOG=info|debug`; it never sees the API key."""

from __future__ import annotations

import os
import logging

from ._constants import LOG_ENV

logger = logging.getLogger("tzafon")
logger.addHandler(logging.NullHandler())
httpx_logger = logging.getLogger("httpx")

_configured = False


def setup_logging() -> None:
    """Apply `LIGHTCONE_LOG` once per process (called when a client is created)."""
    global _configured
    if _configured:
        return
    _configured = True
    level_name = os.environ.get(LOG_ENV, "").strip().lower()
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(level_name)
    if level is None:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"))
    for target in (logger, httpx_logger):
        target.addHandler(handler)
        target.setLevel(level)
