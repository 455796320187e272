"""What a scripted test server does for one request: replies, failures and raw responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Union, Mapping, Callable, Optional, Sequence
from dataclasses import field, dataclass
from typing_extensions import Literal, TypeAlias

if TYPE_CHECKING:
    from ._request import RecordedRequest

__all__ = [
    "ToolCall",
    "Reply",
    "LargeBody",
    "Fail",
    "ErrorEvent",
    "CutStream",
    "Stall",
    "Reset",
    "Html",
    "InvalidJSON",
    "Redirect",
    "Gzip",
    "RawResponse",
    "RawStream",
    "Action",
    "Handler",
    "Script",
]


def _no_headers() -> Dict[str, str]:
    return {}


def _no_arguments() -> Dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ToolCall:
    """One function call the model makes; `arguments` is a JSON-able mapping or ready JSON text.

    `id` defaults to a fresh `chatcmpl-tool-<hex>` like vLLM's.
    """

    name: str
    arguments: Union[Mapping[str, Any], str] = field(default_factory=_no_arguments)
    id: Optional[str] = None


@dataclass(frozen=True)
class Reply:
    """A model answer: content, reasoning and tool calls, streamed piece by piece like vLLM.

    `content=None` with tool calls or reasoning gives `content: null`, as vLLM does. `chunks`
    sets the streamed content pieces explicitly (their concatenation is the content).
    `finish_reason` defaults to `"tool_calls"` when there are tool calls, else `"stop"`.
    `usage` replaces the computed usage object. `role` defaults to what vLLM would answer
    (`"assistant"`, or the last message's role with `add_generation_prompt: false`).
    `chunk_delay` overrides the server's for this reply; `headers` are added to the response.
    """

    content: Optional[str] = None
    reasoning: Optional[str] = None
    tool_calls: Sequence[ToolCall] = ()
    finish_reason: Optional[str] = None
    stop_reason: Union[int, str, None] = None
    usage: Optional[Mapping[str, Any]] = None
    role: Optional[str] = None
    chunks: Optional[Sequence[str]] = None
    chunk_delay: Optional[float] = None
    headers: Mapping[str, str] = field(default_factory=_no_headers)


@dataclass(frozen=True)
class LargeBody:
    """A valid reply whose content is `size` characters, streamed in `chunk_size` pieces."""

    size: int = 10_000_000
    chunk_size: int = 65_536


@dataclass(frozen=True)
class Fail:
    """An HTTP error before any byte of the answer, for streaming and plain requests alike.

    The default body is vLLM's `{"error": {"message", "type", "param", "code"}}` (for 401,
    `{"error": "Unauthorized"}`). `body` replaces it: a mapping or list is sent as JSON, `str`
    or `bytes` as they are (as `text/plain` unless `content_type` says otherwise).
    `retry_after` sets `Retry-After` (seconds, or an HTTP date string), `retry_after_ms` sets
    `retry-after-ms`; `headers` are added as given.
    """

    status: int = 500
    message: Optional[str] = None
    type: Optional[str] = None
    param: Optional[str] = None
    retry_after: Union[float, str, None] = None
    retry_after_ms: Optional[float] = None
    body: Any = None
    content_type: Optional[str] = None
    headers: Mapping[str, str] = field(default_factory=_no_headers)


@dataclass(frozen=True)
class ErrorEvent:
    """A vLLM in-band error: HTTP 200, `after_chunks` chunks, `data: {"error": ...}`, `[DONE]`.

    A plain (non-streaming) request gets the same error as a JSON body with status `code`.
    `reply` is what the chunks before the error carry (default: the echo reply).
    """

    after_chunks: int = 1
    code: int = 500
    message: Optional[str] = None
    type: Optional[str] = None
    param: Optional[str] = None
    reply: Union[Reply, LargeBody, None] = None


@dataclass(frozen=True)
class CutStream:
    """The server stops after `after_chunks` chunks, without `[DONE]` or a finish reason.

    By default the socket is closed mid-body, so the HTTP response itself is incomplete (the
    chunked body is never terminated). `clean=True` ends the HTTP body properly instead: only
    the SSE stream is truncated, as when a proxy gives up politely. A plain request gets its
    headers and half of its body, then the connection closes.
    """

    after_chunks: int = 1
    clean: bool = False
    reply: Union[Reply, LargeBody, None] = None


@dataclass(frozen=True)
class Stall:
    """The server stops sending for `seconds` (`None`: until the client goes away), then goes on.

    `after_chunks=None` stalls before the status line; a number stalls after that many stream
    chunks (a plain request: after the headers, before the body).
    """

    seconds: Optional[float] = None
    after_chunks: Optional[int] = None
    reply: Union[Reply, LargeBody, None] = None


@dataclass(frozen=True)
class Reset:
    """The connection is reset (TCP RST): before the status line, or mid-body.

    `when="mid_body"` sends the headers and `after_chunks` stream chunks (a plain request: half
    of its body) first.
    """

    when: Literal["before_status", "mid_body"] = "before_status"
    after_chunks: int = 1
    reply: Union[Reply, LargeBody, None] = None


@dataclass(frozen=True)
class Html:
    """An HTML error page, as a reverse proxy in front of vLLM sends (default: nginx's 502)."""

    status: int = 502
    text: Optional[str] = None
    headers: Mapping[str, str] = field(default_factory=_no_headers)


@dataclass(frozen=True)
class InvalidJSON:
    """A body that is not JSON although it says so.

    A plain request gets `text` with status `status` and `Content-Type: application/json`. A
    streaming request gets `after_chunks` good chunks, then `data: <text>`, then `[DONE]`.
    """

    text: str = '{"id": "chatcmpl-truncated", "choices": [{'
    status: int = 200
    after_chunks: int = 0


@dataclass(frozen=True)
class Redirect:
    """A redirect to `location` (default: the URL that was requested)."""

    location: Optional[str] = None
    status: int = 307


@dataclass(frozen=True)
class Gzip:
    """`reply` (default: the echo reply) sent with `Content-Encoding: gzip`."""

    reply: Union[Reply, LargeBody, None] = None


@dataclass(frozen=True)
class RawResponse:
    """Exactly this status, headers and body. A mapping or list body is sent as JSON."""

    status: int = 200
    body: Any = b""
    content_type: Optional[str] = "application/json"
    headers: Mapping[str, str] = field(default_factory=_no_headers)


@dataclass(frozen=True)
class RawStream:
    """A chunked response made of `parts`, each written and flushed on its own.

    Parts are sent byte for byte (`str` as UTF-8), so SSE edge cases are easy to build: events
    split mid-line, `\\r\\n` line endings, comments, several events in one part.
    `delay` seconds pass between parts.
    """

    parts: Sequence[Union[str, bytes]] = ()
    status: int = 200
    content_type: Optional[str] = "text/event-stream; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=_no_headers)
    delay: float = 0.0


Action: TypeAlias = Union[
    Reply,
    LargeBody,
    Fail,
    ErrorEvent,
    CutStream,
    Stall,
    Reset,
    Html,
    InvalidJSON,
    Redirect,
    Gzip,
    RawResponse,
    RawStream,
]
"""Anything the server can be told to do for one request."""

Handler: TypeAlias = Callable[["RecordedRequest"], Optional[Action]]
"""A function deciding per request; returning `None` means the default echo reply."""

Script: TypeAlias = Union[Action, Handler]
"""What `enqueue` and `set_default` accept."""

ACTION_TYPES = (
    Reply,
    LargeBody,
    Fail,
    ErrorEvent,
    CutStream,
    Stall,
    Reset,
    Html,
    InvalidJSON,
    Redirect,
    Gzip,
    RawResponse,
    RawStream,
)
