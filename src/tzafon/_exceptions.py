"""The exception hierarchy, and the one function that maps an HTTP error response to its class."""

from __future__ import annotations

import json
from typing import Any, Dict, Type, Optional, cast
from typing_extensions import Literal

import httpx

__all__ = [
    "LightconeError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "make_status_error",
    "error_message_from_body",
    "parse_error_body",
]


class LightconeError(Exception):
    """Base class of every exception this package raises on purpose."""


class APIError(LightconeError):
    """A request was made and something about it failed.

    `body` is the decoded JSON error body when there is one, else the raw text (or `None`).
    """

    message: str
    request: httpx.Request
    body: object
    request_id: Optional[str]
    code: Optional[Any]
    param: Optional[str]
    type: Optional[str]

    def __init__(
        self,
        message: str,
        request: httpx.Request,
        *,
        body: object = None,
        request_id: Optional[str] = None,
        display: Optional[str] = None,
    ) -> None:
        # `message` is the server's own words when it sent any; `str(err)` adds the status to them.
        super().__init__(display or message)
        self.message = message
        self.request = request
        self.body = body
        self.request_id = request_id
        info = _error_info(body)
        self.code = info.get("code")
        param = info.get("param")
        self.param = param if isinstance(param, str) else None
        type_ = info.get("type")
        self.type = type_ if isinstance(type_, str) else None


class APIResponseValidationError(APIError):
    """The server answered 2xx but the body is not what the API promises (e.g. not JSON)."""

    response: httpx.Response
    status_code: int

    def __init__(
        self,
        response: httpx.Response,
        body: object,
        *,
        message: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(
            message or "Data returned by the API is invalid for the expected schema.",
            response.request,
            body=body,
            request_id=request_id,
        )
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status (or sent an error event inside a stream)."""

    response: httpx.Response
    status_code: int

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        request_id: Optional[str] = None,
        status_code: Optional[int] = None,
        display: Optional[str] = None,
    ) -> None:
        super().__init__(message, response.request, body=body, request_id=request_id, display=display)
        self.response = response
        self.status_code = response.status_code if status_code is None else status_code


class APIConnectionError(APIError):
    """No usable response arrived: DNS, refused or reset connection, TLS, a cut stream...

    The underlying exception is chained as `__cause__`.
    """

    def __init__(
        self,
        *,
        message: str = "Connection error.",
        request: httpx.Request,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, request, body=None, request_id=request_id)


class APITimeoutError(APIConnectionError):
    """A timeout expired before the response (or the next stream chunk) arrived."""

    def __init__(
        self,
        request: httpx.Request,
        *,
        message: str = "Request timed out.",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message=message, request=request, request_id=request_id)


class BadRequestError(APIStatusError):
    status_code: Literal[400] = 400  # pyright: ignore[reportIncompatibleVariableOverride]


class AuthenticationError(APIStatusError):
    status_code: Literal[401] = 401  # pyright: ignore[reportIncompatibleVariableOverride]


class PermissionDeniedError(APIStatusError):
    status_code: Literal[403] = 403  # pyright: ignore[reportIncompatibleVariableOverride]


class NotFoundError(APIStatusError):
    status_code: Literal[404] = 404  # pyright: ignore[reportIncompatibleVariableOverride]


class ConflictError(APIStatusError):
    status_code: Literal[409] = 409  # pyright: ignore[reportIncompatibleVariableOverride]


class UnprocessableEntityError(APIStatusError):
    status_code: Literal[422] = 422  # pyright: ignore[reportIncompatibleVariableOverride]


class RateLimitError(APIStatusError):
    status_code: Literal[429] = 429  # pyright: ignore[reportIncompatibleVariableOverride]


class InternalServerError(APIStatusError):
    pass


_STATUS_CLASSES: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> Type[APIStatusError]:
    """The exception class for an HTTP status: the table above, `InternalServerError` for 5xx."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


def parse_error_body(content: bytes, content_type: str = "") -> object:
    """Decode an error body: JSON when it parses, else the text (an HTML page from a proxy...)."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _error_info(body: object) -> Dict[str, Any]:
    """The `{message, type, param, code}` object of the body, in any of the shapes vLLM uses."""
    if isinstance(body, dict):
        mapping = cast(Dict[str, Any], body)
        error = mapping.get("error")
        if isinstance(error, dict):
            return cast(Dict[str, Any], error)
        if error is None and mapping.get("object") == "error":
            return mapping
    return {}


def error_message_from_body(body: object) -> Optional[str]:
    """The server's own message: `{"error": {"message"}}`, flat `{"message"}`, or `{"error": "..."}`."""
    if isinstance(body, dict):
        mapping = cast(Dict[str, Any], body)
        error = mapping.get("error")
        if isinstance(error, dict):
            message = cast(Dict[str, Any], error).get("message")
            if isinstance(message, str):
                return message
        elif isinstance(error, str):
            return error
        message = mapping.get("message")
        if isinstance(message, str):
            return message
    elif isinstance(body, str) and body.strip():
        text = body.strip()
        return text if len(text) <= 500 else text[:500] + "..."
    return None


def make_status_error(
    response: httpx.Response,
    body: object,
    *,
    message: Optional[str] = None,
    request_id: Optional[str] = None,
    status_code: Optional[int] = None,
) -> APIStatusError:
    """Build the typed error for an error response (or an in-stream error with `status_code`)."""
    code = response.status_code if status_code is None else status_code
    server_message = message if message is not None else error_message_from_body(body)
    reason = response.reason_phrase if status_code is None else ""
    display = f"Error code: {code}"
    if reason:
        display += f" ({reason})"
    if server_message:
        display += f" - {server_message}"
    if request_id is None:
        request_id = response.headers.get("x-request-id")
    return status_error_class(code)(
        server_message or display,
        response=response,
        body=body,
        request_id=request_id,
        status_code=code,
        display=display,
    )
