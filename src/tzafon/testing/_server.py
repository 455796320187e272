"""`LightconeTestServer`: a vLLM-compatible chat completions server on a background thread."""

from __future__ import annotations

import gzip
import time
import zlib
import socket
import struct
import asyncio
import logging
import threading
import concurrent.futures
from types import TracebackType
from typing import Any, Dict, List, Type, Tuple, Union, Mapping, Optional, Sequence
from collections import deque
from urllib.parse import urlsplit

from ._http import LAST_CHUNK, HTTPError, RequestHead, RequestReader, http_date, encode_head, encode_chunk
from ._vllm import (
    VLLM_VERSION,
    Rejection,
    Completion,
    ChatRequest,
    ReasoningField,
    dumps,
    error_body,
    plan_completion,
    check_chat_request,
)
from ._actions import (
    ACTION_TYPES,
    Fail,
    Gzip,
    Html,
    Reply,
    Reset,
    Stall,
    Action,
    Script,
    Redirect,
    CutStream,
    LargeBody,
    RawStream,
    ErrorEvent,
    InvalidJSON,
    RawResponse,
)
from ._request import RequestHeaders, RecordedRequest

__all__ = ["LightconeTestServer"]

log = logging.getLogger("tzafon.testing")

CHAT_PATHS = ("/chat/completions", "/v1/chat/completions")
MODEL_PATHS = ("/models", "/v1/models")
SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_STOP = True
_GO_ON = False

Body = Union[Reply, LargeBody, None]
Fault = Union[ErrorEvent, CutStream, Stall, Reset, InvalidJSON, None]


class _Exchange:
    """One request and the response being written for it on a connection."""

    def __init__(
        self,
        writer: asyncio.StreamWriter,
        head: RequestHead,
        record: RecordedRequest,
    ) -> None:
        self.writer = writer
        self.head = head
        self.record = record
        self.keep_alive = head.keep_alive
        self.closed = False
        self.request_id = head.header("x-request-id")
        self._compressor: Optional[Any] = None

    def _headers(self, extra: Union[Mapping[str, str], Sequence[Tuple[str, str]]] = ()) -> List[Tuple[str, str]]:
        headers = [("date", http_date()), ("server", "uvicorn")]
        headers.extend(extra.items() if isinstance(extra, Mapping) else extra)
        if self.request_id is not None:
            headers.append(("x-request-id", self.request_id))
        if not self.keep_alive:
            headers.append(("connection", "close"))
        return headers

    async def _write(self, data: bytes, *, last: bool = False) -> None:
        if last and not self.writer.transport.is_closing():
            # Set before writing: the client may see the end before this thread runs again.
            self.record.completed = True
        self.writer.write(data)
        await self.writer.drain()

    async def respond(
        self,
        status: int,
        body: bytes,
        content_type: Optional[str] = JSON_CONTENT_TYPE,
        headers: Union[Mapping[str, str], Sequence[Tuple[str, str]]] = (),
    ) -> None:
        fields = [("content-length", str(len(body)))]
        if content_type is not None:
            fields.append(("content-type", content_type))
        fields.extend(headers.items() if isinstance(headers, Mapping) else headers)
        await self._write(encode_head(status, self._headers(fields)) + body, last=True)

    async def respond_json(self, status: int, value: Any, headers: Optional[Mapping[str, str]] = None) -> None:
        await self.respond(status, dumps(value), JSON_CONTENT_TYPE, headers or {})

    async def send_head(self, status: int, fields: List[Tuple[str, str]]) -> None:
        await self._write(encode_head(status, self._headers(fields)))

    async def start_stream(
        self,
        status: int = 200,
        content_type: Optional[str] = SSE_CONTENT_TYPE,
        headers: Optional[Mapping[str, str]] = None,
        *,
        gzipped: bool = False,
    ) -> None:
        fields: List[Tuple[str, str]] = []
        if content_type is not None:
            fields.append(("content-type", content_type))
        if gzipped:
            fields.append(("content-encoding", "gzip"))
            self._compressor = zlib.compressobj(wbits=31)
        fields.extend((headers or {}).items())
        fields.append(("transfer-encoding", "chunked"))
        await self.send_head(status, fields)

    async def send_chunk(self, data: bytes) -> None:
        if self._compressor is not None:
            data = self._compressor.compress(data) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        if data:
            await self._write(encode_chunk(data))

    async def end_stream(self, *, complete: bool = True) -> None:
        tail = b""
        if self._compressor is not None:
            rest = self._compressor.flush()
            tail = encode_chunk(rest) if rest else b""
        await self._write(tail + LAST_CHUNK, last=complete)

    async def send_raw(self, data: bytes) -> None:
        await self._write(data)

    def close(self) -> None:
        """Close the connection gracefully (FIN) after what was written."""
        self.closed = True
        self.writer.close()

    async def reset(self) -> None:
        """Reset the connection (RST) once what was written has left the process."""
        self.closed = True
        transport = self.writer.transport
        while transport.get_write_buffer_size() and not transport.is_closing():
            await asyncio.sleep(0.001)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()


class LightconeTestServer:
    """A local server that answers `POST /chat/completions` like vLLM, scriptable for tests.

    See the `tzafon.testing` module documentation for the whole API and examples.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: Optional[str] = None,
        model: str = "test-model",
        chunk_delay: float = 0.0,
        keep_alive_interval: Optional[float] = None,
        reasoning_field: ReasoningField = "reasoning",
        default: Optional[Script] = None,
    ) -> None:
        self.host = host
        self.api_key = api_key
        self.model = model
        self.chunk_delay = chunk_delay
        self.keep_alive_interval = keep_alive_interval
        self.reasoning_field: ReasoningField = reasoning_field
        self._settings = (api_key, model, chunk_delay, keep_alive_interval, reasoning_field, default)
        self._requested_port = port
        self._bound_port: Optional[int] = None
        self._lock = threading.Lock()
        self._queue: deque[Script] = deque()
        self._default: Optional[Script] = default
        self._requests: List[RecordedRequest] = []
        self._errors: List[BaseException] = []
        self._connections_accepted = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._server: Optional[asyncio.AbstractServer] = None
        self._connection_tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> LightconeTestServer:
        """Bind and start serving on a background thread; returns once connections are accepted."""
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[int] = concurrent.futures.Future()
        thread = threading.Thread(target=self._run, args=(loop, ready), name="LightconeTestServer", daemon=True)
        thread.start()
        try:
            self._bound_port = ready.result(timeout=30)
        except BaseException:
            thread.join(timeout=5)
            raise
        self._loop = loop
        self._thread = thread
        return self

    def stop(self) -> None:
        """Close every connection and the listening socket, and end the background thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._loop = None
        self._thread = None
        self._bound_port = None

    def __enter__(self) -> LightconeTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

    def _run(self, loop: asyncio.AbstractEventLoop, ready: concurrent.futures.Future[int]) -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                asyncio.start_server(self._on_connection, self.host, self._requested_port, backlog=4096)
            )
        except BaseException as exc:
            loop.close()
            ready.set_exception(exc)
            return
        self._server = server
        ready.set_result(server.sockets[0].getsockname()[1])
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._shutdown(server))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._server = None

    async def _shutdown(self, server: asyncio.AbstractServer) -> None:
        server.close()
        current = asyncio.current_task()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._connection_tasks):
            task.cancel()
        await asyncio.gather(*self._connection_tasks, return_exceptions=True)
        leftovers = [task for task in asyncio.all_tasks() if task is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        try:
            await asyncio.wait_for(server.wait_closed(), timeout=5)
        except asyncio.TimeoutError:
            log.debug("listening socket did not report closed in time")

    # -- public state ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (the requested one until `start()`)."""
        return self._bound_port if self._bound_port is not None else self._requested_port

    @property
    def base_url(self) -> str:
        """`http://host:port`: what a client's `base_url` should be."""
        if self._bound_port is None:
            raise RuntimeError("the server is not running; use `with LightconeTestServer() as server:` or start()")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._bound_port}"

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def requests(self) -> List[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise LookupError("the server has not received any request")
            return self._requests[-1]

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections were accepted (keep-alive reuse does not count)."""
        return self._connections_accepted

    @property
    def pending(self) -> int:
        """How many queued scripts have not been used yet."""
        with self._lock:
            return len(self._queue)

    @property
    def errors(self) -> List[BaseException]:
        """Exceptions raised by user handlers (each was answered with a 500)."""
        with self._lock:
            return list(self._errors)

    # -- scripting -------------------------------------------------------------------------

    def enqueue(self, *scripts: Script, times: int = 1) -> LightconeTestServer:
        """Queue what the next chat completion requests get, in order; `times` repeats the lot.

        Each request that passes authentication and validation takes the next item; when the
        queue is empty, the default (`set_default`, else the echo reply) applies again.
        """
        for script in scripts:
            if not isinstance(script, ACTION_TYPES) and not callable(script):
                raise TypeError(f"expected an action such as Reply(...) or Fail(...), or a callable; got {script!r}")
        if times < 0:
            raise ValueError("times must be >= 0")
        with self._lock:
            self._queue.extend(list(scripts) * times)
        return self

    def set_default(self, script: Optional[Script]) -> LightconeTestServer:
        """What requests get when the queue is empty; `None` restores the echo reply."""
        if script is not None and not isinstance(script, ACTION_TYPES) and not callable(script):
            raise TypeError(f"expected an action, a callable or None; got {script!r}")
        with self._lock:
            self._default = script
        return self

    def reset(self) -> None:
        """Forget requests, errors, queued scripts and counters; restore the constructor settings."""
        api_key, model, chunk_delay, keep_alive_interval, reasoning_field, default = self._settings
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._errors.clear()
            self._default = default
            self._connections_accepted = 0
        self.api_key = api_key
        self.model = model
        self.chunk_delay = chunk_delay
        self.keep_alive_interval = keep_alive_interval
        self.reasoning_field = reasoning_field

    def _next_script(self, record: RecordedRequest) -> Optional[Action]:
        with self._lock:
            script = self._queue.popleft() if self._queue else self._default
        if script is None or isinstance(script, ACTION_TYPES):
            return script
        chosen = script(record)
        if chosen is not None and not isinstance(chosen, ACTION_TYPES):
            raise TypeError(f"handler {script!r} returned {chosen!r}, not an action or None")
        return chosen

    # -- connections -----------------------------------------------------------------------

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connection_tasks.add(task)
        self._writers.add(writer)
        with self._lock:
            self._connections_accepted += 1
        try:
            await self._serve(RequestReader(reader), writer)
        except asyncio.CancelledError:
            # Only `_shutdown` cancels these; ending normally keeps asyncio's stream callback quiet.
            pass
        except (ConnectionError, OSError):
            pass
        except Exception:
            log.exception("test server connection failed")
        finally:
            self._connection_tasks.discard(task)
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _serve(self, requests: RequestReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                received = await requests.read_request()
            except HTTPError as exc:
                answer = dumps(error_body(400, f"Invalid HTTP request: {exc}", "Bad Request"))
                fields = [("content-type", JSON_CONTENT_TYPE), ("content-length", str(len(answer)))]
                writer.write(encode_head(400, [*fields, ("connection", "close")]) + answer)
                await writer.drain()
                return
            if received is None:
                return
            head, body = received
            exchange = _Exchange(writer, head, self._record(head, body))
            handling = asyncio.ensure_future(self._handle(exchange))
            watching = asyncio.ensure_future(requests.watch())
            try:
                await asyncio.wait({handling, watching}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # The client leaving first (or the server stopping) aborts the answer, as in vLLM.
                for task in (handling, watching):
                    task.cancel()
                await asyncio.gather(handling, watching, return_exceptions=True)
            if not handling.cancelled():
                error = handling.exception()
                if error is not None:
                    if not isinstance(error, (ConnectionError, OSError)):
                        log.error("test server failed to answer a request", exc_info=error)
                    return
            if exchange.closed or not exchange.keep_alive or requests.at_eof:
                return

    def _record(self, head: RequestHead, body: bytes) -> RecordedRequest:
        target = urlsplit(head.target)
        record = RecordedRequest.build(
            method=head.method,
            path=target.path or "/",
            query=target.query,
            headers=RequestHeaders(head.headers),
            body=body,
            received_at=time.time(),
            http_version=head.version,
        )
        with self._lock:
            self._requests.append(record)
        return record

    # -- routing ---------------------------------------------------------------------------

    async def _handle(self, exchange: _Exchange) -> None:
        record = exchange.record
        path = record.path
        if path in ("/health", "/ping"):
            await exchange.respond(200, b"", content_type=None)
        elif path == "/version":
            await exchange.respond_json(200, {"version": VLLM_VERSION})
        elif not self._authorized(record):
            await exchange.respond_json(401, {"error": "Unauthorized"})
        elif path in MODEL_PATHS and record.method == "GET":
            await exchange.respond_json(200, self._model_list())
        elif path in CHAT_PATHS:
            if record.method != "POST":
                await exchange.respond_json(405, error_body(405), headers={"allow": "POST"})
            else:
                await self._chat(exchange)
        else:
            await exchange.respond_json(404, error_body(404))

    def _authorized(self, record: RecordedRequest) -> bool:
        return self.api_key is None or record.headers.get("authorization") == f"Bearer {self.api_key}"

    def _model_list(self) -> Any:
        card: Dict[str, Any] = {"id": self.model, "object": "model", "created": int(time.time())}
        card.update({"owned_by": "vllm", "root": self.model, "parent": None, "max_model_len": 32768, "permission": []})
        return {"object": "list", "data": [card]}

    async def _chat(self, exchange: _Exchange) -> None:
        record = exchange.record
        checked = check_chat_request(
            content_type=record.headers.get("content-type"),
            body=record.body,
            request_id_header=exchange.request_id,
        )
        if isinstance(checked, Rejection):
            await exchange.respond_json(checked.status, checked.body)
            return
        try:
            action = self._next_script(record)
        except Exception as exc:
            with self._lock:
                self._errors.append(exc)
            message = f"The test server's handler raised {exc!r}"
            await exchange.respond_json(500, error_body(500, message))
            return
        await self._perform(exchange, checked, action)

    async def _perform(self, exchange: _Exchange, request: ChatRequest, action: Optional[Action]) -> None:
        if action is None or isinstance(action, (Reply, LargeBody)):
            await self._answer(exchange, request, action)
        elif isinstance(action, Fail):
            await self._fail(exchange, action)
        elif isinstance(action, Stall) and action.after_chunks is None:
            await self._stall(action.seconds)
            await self._answer(exchange, request, action.reply)
        elif isinstance(action, Reset) and action.when == "before_status":
            await exchange.reset()
        elif isinstance(action, (ErrorEvent, CutStream, Stall, Reset)):
            await self._answer(exchange, request, action.reply, fault=action)
        elif isinstance(action, InvalidJSON):
            await self._answer(exchange, request, None, fault=action)
        elif isinstance(action, Gzip):
            await self._answer(exchange, request, action.reply, gzipped=True)
        elif isinstance(action, Html):
            text = NGINX_502 if action.text is None else action.text
            await exchange.respond(action.status, text.encode("utf-8"), "text/html", action.headers)
        elif isinstance(action, Redirect):
            location = action.location or f"{self.base_url}{exchange.head.target}"
            await exchange.respond(action.status, b"", None, {"location": location})
        elif isinstance(action, RawResponse):
            body, content_type = _encode_body(action.body, action.content_type)
            await exchange.respond(action.status, body, content_type, action.headers)
        else:
            await self._raw_stream(exchange, action)

    async def _fail(self, exchange: _Exchange, fail: Fail) -> None:
        headers: Dict[str, str] = {}
        if fail.retry_after is not None:
            headers["retry-after"] = _number_text(fail.retry_after)
        if fail.retry_after_ms is not None:
            headers["retry-after-ms"] = _number_text(fail.retry_after_ms)
        headers.update(fail.headers)
        if fail.body is not None:
            body, content_type = _encode_body(fail.body, fail.content_type)
        elif fail.status == 401 and fail.message is None:
            body, content_type = dumps({"error": "Unauthorized"}), JSON_CONTENT_TYPE
        else:
            body = dumps(error_body(fail.status, fail.message, fail.type, fail.param))
            content_type = fail.content_type or JSON_CONTENT_TYPE
        await exchange.respond(fail.status, body, content_type, headers)

    async def _raw_stream(self, exchange: _Exchange, raw: RawStream) -> None:
        await exchange.start_stream(raw.status, raw.content_type, raw.headers)
        for index, part in enumerate(raw.parts):
            if index and raw.delay:
                await asyncio.sleep(raw.delay)
            await exchange.send_chunk(part.encode("utf-8") if isinstance(part, str) else part)
        await exchange.end_stream()

    # -- answers ---------------------------------------------------------------------------

    async def _answer(
        self,
        exchange: _Exchange,
        request: ChatRequest,
        reply: Body,
        *,
        fault: Fault = None,
        gzipped: bool = False,
    ) -> None:
        completion = plan_completion(request, reply, model=self.model, reasoning_field=self.reasoning_field)
        delay = self.chunk_delay
        headers: Mapping[str, str] = {}
        if isinstance(reply, Reply):
            headers = reply.headers
            if reply.chunk_delay is not None:
                delay = reply.chunk_delay
        if request.stream:
            await self._stream(exchange, completion, delay, headers, fault, gzipped)
        else:
            await self._complete(exchange, completion, delay, headers, fault, gzipped)

    async def _complete(
        self,
        exchange: _Exchange,
        completion: Completion,
        delay: float,
        headers: Mapping[str, str],
        fault: Fault,
        gzipped: bool,
    ) -> None:
        if delay:
            # A plain request waits for the whole generation its stream would have shown.
            await asyncio.sleep(delay * len(completion.chunks()))
        if isinstance(fault, ErrorEvent):
            await exchange.respond_json(fault.code, _error_event(fault))
            return
        if isinstance(fault, InvalidJSON):
            await exchange.respond(fault.status, fault.text.encode("utf-8"), JSON_CONTENT_TYPE, headers)
            return
        body = dumps(completion.body())
        fields = dict(headers)
        if gzipped:
            body = gzip.compress(body)
            fields["content-encoding"] = "gzip"
        if fault is None:
            await exchange.respond(200, body, JSON_CONTENT_TYPE, fields)
            return
        head = [("content-length", str(len(body))), ("content-type", JSON_CONTENT_TYPE), *fields.items()]
        await exchange.send_head(200, head)
        if isinstance(fault, Stall):
            await self._stall(fault.seconds)
            exchange.record.completed = not exchange.writer.transport.is_closing()
            await exchange.send_raw(body)
            return
        await exchange.send_raw(body[: len(body) // 2])
        if isinstance(fault, Reset):
            await exchange.reset()
        else:
            exchange.close()

    async def _stream(
        self,
        exchange: _Exchange,
        completion: Completion,
        delay: float,
        headers: Mapping[str, str],
        fault: Fault,
        gzipped: bool,
    ) -> None:
        events = [b"data: " + dumps(chunk) + b"\n\n" for chunk in completion.chunks()]
        fault_at = None if fault is None else min(max(fault.after_chunks or 0, 0), len(events))
        await exchange.start_stream(headers=headers, gzipped=gzipped)
        for index in range(len(events) + 1):
            if index == fault_at and await self._stream_fault(exchange, fault) is _STOP:
                return
            if index == len(events):
                break
            if index and delay:
                await self._pace(exchange, delay)
            await exchange.send_chunk(events[index])
        await exchange.send_chunk(b"data: [DONE]\n\n")
        await exchange.end_stream()

    async def _stream_fault(self, exchange: _Exchange, fault: Fault) -> bool:
        if isinstance(fault, Stall):
            await self._stall(fault.seconds)
            return _GO_ON
        if isinstance(fault, (ErrorEvent, InvalidJSON)):
            payload = dumps(_error_event(fault)) if isinstance(fault, ErrorEvent) else fault.text.encode("utf-8")
            await exchange.send_chunk(b"data: " + payload + b"\n\n")
            await exchange.send_chunk(b"data: [DONE]\n\n")
            await exchange.end_stream()
        elif isinstance(fault, CutStream):
            if fault.clean:
                await exchange.end_stream(complete=False)
            else:
                exchange.close()
        elif isinstance(fault, Reset):
            await exchange.reset()
        return _STOP

    async def _pace(self, exchange: _Exchange, delay: float) -> None:
        """Wait `delay` seconds between chunks, sending `: keep-alive` comments when idle too long."""
        interval = self.keep_alive_interval
        if not interval or interval <= 0:
            await asyncio.sleep(delay)
            return
        remaining = delay
        while remaining > interval:
            await asyncio.sleep(interval)
            await exchange.send_chunk(b": keep-alive\n\n")
            remaining -= interval
        await asyncio.sleep(remaining)

    async def _stall(self, seconds: Optional[float]) -> None:
        # Ends early when the client hangs up: the connection watcher cancels the answer.
        if seconds is None:
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(seconds)


def _error_event(fault: ErrorEvent) -> Any:
    return error_body(fault.code, fault.message, fault.type, fault.param)


def _number_text(value: Union[float, str]) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _encode_body(body: Any, content_type: Optional[str]) -> Tuple[bytes, Optional[str]]:
    if isinstance(body, bytes):
        return body, content_type or "text/plain; charset=utf-8"
    if isinstance(body, str):
        return body.encode("utf-8"), content_type or "text/plain; charset=utf-8"
    return dumps(body), content_type or JSON_CONTENT_TYPE
