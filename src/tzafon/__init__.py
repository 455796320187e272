"""Typed Python client for the Lightcone API.

Importing this package loads only what a client needs to be built; response models, streams
and the optional aiohttp backend load on first use (see `_LAZY`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, Tuple

from . import _exceptions
from ._types import NOT_GIVEN, Omit, Timeout, NotGiven, RequestOptions, omit, not_given
from ._client import (
    Client,
    Lightcone,
    AsyncClient,
    AsyncLightcone,
    DefaultHttpxClient,
    DefaultAsyncHttpxClient,
)
from ._version import __title__, __version__
from ._constants import DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_CONNECTION_LIMITS
from ._exceptions import (
    APIError,
    ConflictError,
    NotFoundError,
    APIStatusError,
    LightconeError,
    RateLimitError,
    APITimeoutError,
    BadRequestError,
    APIConnectionError,
    AuthenticationError,
    InternalServerError,
    PermissionDeniedError,
    UnprocessableEntityError,
    APIResponseValidationError,
)

if TYPE_CHECKING:
    from . import types as types
    from ._models import BaseModel as BaseModel
    from ._aiohttp import DefaultAioHttpClient as DefaultAioHttpClient
    from ._response import APIResponse as APIResponse, AsyncAPIResponse as AsyncAPIResponse
    from ._streaming import Stream as Stream, AsyncStream as AsyncStream
    from .lib._tools import FunctionTool as FunctionTool, function_tool as function_tool
    from .lib._accumulator import ChatCompletionAccumulator as ChatCompletionAccumulator

__all__ = [
    "types",
    "__version__",
    "__title__",
    "NoneType",
    "Timeout",
    "RequestOptions",
    "NotGiven",
    "NOT_GIVEN",
    "not_given",
    "Omit",
    "omit",
    "LightconeError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "APIConnectionError",
    "APIResponseValidationError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "Client",
    "AsyncClient",
    "Lightcone",
    "AsyncLightcone",
    "Stream",
    "AsyncStream",
    "APIResponse",
    "AsyncAPIResponse",
    "BaseModel",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_CONNECTION_LIMITS",
    "DefaultHttpxClient",
    "DefaultAsyncHttpxClient",
    "DefaultAioHttpClient",
    "ChatCompletionAccumulator",
    "function_tool",
    "FunctionTool",
]

NoneType = type(None)

# name -> (module, attribute); loaded on first access by __getattr__ below.
_LAZY: Dict[str, Tuple[str, str]] = {
    "types": ("tzafon.types", ""),
    "BaseModel": ("tzafon._models", "BaseModel"),
    "Stream": ("tzafon._streaming", "Stream"),
    "AsyncStream": ("tzafon._streaming", "AsyncStream"),
    "APIResponse": ("tzafon._response", "APIResponse"),
    "AsyncAPIResponse": ("tzafon._response", "AsyncAPIResponse"),
    "DefaultAioHttpClient": ("tzafon._aiohttp", "DefaultAioHttpClient"),
    "ChatCompletionAccumulator": ("tzafon.lib._accumulator", "ChatCompletionAccumulator"),
    "function_tool": ("tzafon.lib._tools", "function_tool"),
    "FunctionTool": ("tzafon.lib._tools", "FunctionTool"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tzafon' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> Any:
    return sorted(set(globals()) | set(_LAZY))


def _public_module_names() -> None:
    """Show exceptions as `tzafon.X` in tracebacks rather than `tzafon._exceptions.X`."""
    for name in _exceptions.__all__:
        value = getattr(_exceptions, name)
        if isinstance(value, type):
            value.__module__ = "tzafon"


_public_module_names()
