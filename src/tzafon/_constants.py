"""Defaults shared by both clients: timeouts, retries, pool limits and the header names we own."""

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(timeout=60, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_CONNECTION_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
DEFAULT_BASE_URL = "https://api.tzafon.ai"

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A server-requested wait (Retry-After / retry-after-ms) is honoured only inside this window.
MAX_SERVER_RETRY_WAIT = 60.0

# Internal header the raw/streaming response wrappers use to ask for an unparsed response.
# It is removed before the request is sent.
RAW_RESPONSE_HEADER = "X-Stainless-Raw-Response"

API_KEY_ENV = "TZAFON_API_KEY"
BASE_URL_ENV = "LIGHTCONE_BASE_URL"
CUSTOM_HEADERS_ENV = "LIGHTCONE_CUSTOM_HEADERS"
LOG_ENV = "LIGHTCONE_LOG"
