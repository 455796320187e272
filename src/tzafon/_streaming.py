"""`Stream` and `AsyncStream`: iterate a server-sent-events response as typed chunks, and release it."""

from __future__ import annotations

import json
import weakref
import warnings
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Type,
    Deque,
    Tuple,
    Generic,
    TypeVar,
    Callable,
    Iterator,
    Optional,
    Generator,
    AsyncIterator,
    AsyncGenerator,
    cast,
)
from collections import deque
from typing_extensions import Self

import httpx

from ._sse import SSEDecoder

if TYPE_CHECKING:
    from .lib._accumulator import ChatCompletionAccumulator
    from .types.chat_completion import ChatCompletion
    from .types.chat_completion_chunk import ChatCompletionChunk
from ._exceptions import (
    APIError,
    APIStatusError,
    APITimeoutError,
    APIConnectionError,
    APIResponseValidationError,
    make_status_error,
)

__all__ = ["Stream", "AsyncStream"]

_T = TypeVar("_T")

# After `[DONE]`, read what is left of the body (normally only the end of the chunked encoding) so
# that a keep-alive connection goes back to the pool; give up, and drop the connection, beyond this.
_DRAIN_MAX_READS = 4
_DRAIN_MAX_BYTES = 64 * 1024
_DRAIN_SECONDS = 1.0  # the async stream also bounds the wait in time; the sync one has its read timeout

_UNCLOSED = "unclosed stream {!r}: use `with` (or `async with`) or call close() to release its connection"

# How an item reveals a top-level `error` key (an in-band error object) once parsed.
_KEYS_IN_DICT = 0  # the item is the decoded JSON itself
_KEYS_IN_EXTRA = 1  # a pydantic model that keeps unknown keys in `__pydantic_extra__`
_KEYS_HIDDEN = 2  # neither: look for `"error"` in the bytes before parsing


def _item_parser(cast_to: Any) -> Tuple[Callable[[bytes], Any], int]:
    """The function that turns one event's data into an item, and how that item shows error keys."""
    if cast_to is object or cast_to is dict or cast_to is Any:
        return json.loads, _KEYS_IN_DICT
    import pydantic

    if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
        keys = _KEYS_IN_EXTRA if cast_to.model_config.get("extra") == "allow" else _KEYS_HIDDEN
        if _is_pydantic_method(cast_to.model_validate_json, pydantic.BaseModel.model_validate_json):
            # The same call minus pydantic's Python wrapper, a tenth of the cost of parsing a chunk.
            return cast_to.__pydantic_validator__.validate_json, keys
        return cast_to.model_validate_json, keys
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(cast(Any, cast_to))
    return adapter.validate_json, _KEYS_HIDDEN


def _is_pydantic_method(method: object, original: object) -> bool:
    """Whether a model's classmethod is pydantic's own, not an override."""
    return getattr(method, "__func__", None) is getattr(original, "__func__", original)


def _reads_raw(response: httpx.Response) -> bool:
    """Whether the body can be read undecoded: it is not compressed, nor already read into memory."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    return encoding == "identity" and not response.is_stream_consumed


def _sync_body(response: httpx.Response) -> Tuple[Iterator[bytes], bool]:
    """The body's chunks, and whether they come straight from the transport (so they are not counted by httpx).

    Straight from the transport when the body is neither compressed nor read yet: `iter_raw()`
    would hand over the same bytes through two more generators, a tenth of the cost of a chunk.
    """
    stream = response.stream
    if _reads_raw(response) and isinstance(stream, httpx.SyncByteStream):
        response.is_stream_consumed = True  # as `iter_raw()` does: nobody else may read it now
        return iter(stream), True
    return response.iter_bytes(), False


def _async_body(response: httpx.Response) -> Tuple[AsyncIterator[bytes], bool]:
    """`_sync_body` for an async response."""
    stream = response.stream
    if _reads_raw(response) and isinstance(stream, httpx.AsyncByteStream):
        response.is_stream_consumed = True
        return stream.__aiter__(), True
    return response.aiter_bytes(), False


def _count_download(response: httpx.Response, received: int) -> None:
    """Keep `response.num_bytes_downloaded` true for a body read straight from the transport."""
    response._num_bytes_downloaded = received  # what `iter_raw()` would have counted


def _http_status(code: object) -> int:
    """`error.code` when it is an HTTP error status (int or digit string); 500 otherwise."""
    if isinstance(code, str) and code.isdigit() and len(code) == 3:
        code = int(code)
    if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599:
        return code
    return 500


def _as_dict(value: object) -> Optional[Dict[str, Any]]:
    return cast("Dict[str, Any]", value) if isinstance(value, dict) else None


def _loads_or_text(data: bytes) -> object:
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def _no_lone_data(chunk: bytes) -> None:
    return None


def _is_done(data: bytes) -> bool:
    return data.startswith(b"[DONE]") and not data[6:].strip()


class _StreamState(Generic[_T]):
    """Every decision a stream makes, with no I/O: body bytes in, items (or typed errors) out.

    Both stream classes drive one of these; they differ only in how they read and close.
    """

    __slots__ = (
        "response",
        "request_id",
        "ready",
        "stopped",
        "closed",
        "delivered",
        "_lone_data",
        "_parse",
        "_decoder",
        "_keys",
        "_error",
    )

    def __init__(self, cast_to: Type[_T], response: httpx.Response, request_id: Optional[str]) -> None:
        self.response = response
        self.request_id = request_id
        self.ready: Deque[_T] = deque()
        """Items decoded and not yet handed out."""
        self.stopped = False
        """Nothing more is to be read: `[DONE]` arrived, or an error waits behind the items in `ready`."""
        self.closed = False
        """`close()` was called on the stream (perhaps from another thread or task)."""
        self.delivered = 0
        self._decoder = SSEDecoder()
        self._parse, self._keys = _item_parser(cast_to)
        # The fast path needs models that show an `error` key in their extras; others always take `feed()`.
        self._lone_data: Callable[[bytes], Optional[bytes]] = (
            self._decoder.lone_data if self._keys == _KEYS_IN_EXTRA else _no_lone_data
        )
        self._error: Optional[APIError] = None

    def take(self, chunk: bytes) -> Any:
        """The item of `chunk` when it is one plain event that parses to a model with no `error` key, else None.

        Nearly every vLLM chunk is taken here, with no event object and no queue. On None, pass the
        same chunk to `feed()` (nothing changed), which handles every other case. Call it only when
        `ready` is empty, so that items keep their order.
        """
        data = self._lone_data(chunk)
        if data is None:
            return None
        try:
            item: Any = self._parse(data)
        except ValueError:
            return None  # `[DONE]`, or a chunk that does not parse: `feed()` tells which
        extra = item.__pydantic_extra__
        if extra and extra.get("error") is not None:
            return None
        self.delivered += 1
        return item

    def feed(self, chunk: bytes) -> None:
        """Decode the next bytes of the body into `ready`.

        An in-band error, or a chunk that does not parse, raises right away when nothing is
        waiting in `ready`; otherwise it is held back (see `finish()`), so that the caller still
        gets every chunk that came before it.
        """
        ready = self.ready
        parse = self._parse
        keys = self._keys
        already = len(ready)
        for event in self._decoder.feed_data(chunk):
            if isinstance(event, bytes):
                data = event
                name = None
            else:
                data = event.data_bytes
                name = event.event
            try:
                if name is not None and name != "message":
                    if name == "error":
                        raise self._status_error(_loads_or_text(data))
                    continue  # a named event this API does not define
                if keys == _KEYS_HIDDEN and b'"error"' in data:
                    self._raise_if_error_object(data)
                try:
                    item: Any = parse(data)
                except ValueError as exc:  # not JSON, or JSON that does not fit `cast_to`
                    if _is_done(data):
                        self.stopped = True
                        break
                    self._raise_if_error_object(data)
                    raise APIResponseValidationError(
                        self.response,
                        _loads_or_text(data),
                        message=f"A chunk of the stream is not valid: {exc}",
                        request_id=self.request_id,
                    ) from exc
                if keys == _KEYS_IN_EXTRA:
                    extra = item.__pydantic_extra__
                    if extra and extra.get("error") is not None:
                        self._raise_if_error_object(data)
                elif keys == _KEYS_IN_DICT:
                    error_object = _as_dict(item)
                    if error_object is not None and error_object.get("error") is not None:
                        raise self._status_error(error_object)
            except APIError as error:
                if not ready:
                    raise
                self._error = error
                self.stopped = True
                break
            ready.append(item)
        self.delivered += len(ready) - already

    def finish(self) -> None:
        """Called once `stopped` and `ready` is empty: raise the error held back, if any."""
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _raise_if_error_object(self, data: bytes) -> None:
        body = _loads_or_text(data)
        error_object = _as_dict(body)
        if error_object is not None and error_object.get("error") is not None:
            raise self._status_error(body)

    def _status_error(self, body: object) -> APIStatusError:
        outer = _as_dict(body) or {}
        info = _as_dict(outer.get("error")) or outer
        return make_status_error(
            self.response, body, status_code=_http_status(info.get("code")), request_id=self.request_id
        )

    def cut_error(self) -> APIConnectionError:
        """The body ended before `[DONE]`: the output is incomplete, which must not pass for success."""
        self._decoder.flush()
        return APIConnectionError(
            message=(
                "The stream was cut before it finished: the connection closed before `data: [DONE]` "
                f"arrived, after {self.delivered} chunk(s). The output is incomplete."
            ),
            request=self.response.request,
            request_id=self.request_id,
        )

    def read_error(self, exc: httpx.RequestError) -> APIConnectionError:
        """What a failed read of the body becomes (chain `exc` as its cause)."""
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                self.response.request,
                message=f"Timed out waiting for the next chunk of the stream, after {self.delivered} chunk(s).",
                request_id=self.request_id,
            )
        return APIConnectionError(
            message=f"The stream was cut before it finished, after {self.delivered} chunk(s): {exc!r}",
            request=self.response.request,
            request_id=self.request_id,
        )


def _iterate(state: _StreamState[_T], chunks: Iterator[bytes], counted: bool) -> Generator[_T, None, None]:
    """The items of a body, read as they are needed; the response is closed when this ends, fails or is closed.

    A plain generator holding no reference to its `Stream`: a `for` loop resumes it directly,
    with no Python call between the consumer and the items. `counted`: the body comes straight
    from the transport, so this keeps `num_bytes_downloaded`.
    """
    response = state.response
    ready = state.ready
    take = state.take
    received = 0
    complete = False
    try:
        # Primed by `Stream.__init__`: a started generator runs its cleanup when it is dropped or
        # closed, an unstarted one does not (think `iter(stream)` and then no `next()`).
        yield cast(_T, None)
        try:
            for chunk in chunks:
                received += len(chunk)
                item = take(chunk)
                if item is not None:
                    yield item
                    continue
                state.feed(chunk)
                while ready:
                    yield ready.popleft()
                if state.stopped:
                    break
            else:
                raise state.cut_error()
        except httpx.RequestError as exc:
            if state.closed or response.is_closed:
                return  # closed meanwhile (from another thread): the failed read is no news
            raise state.read_error(exc) from exc
        complete = True
        state.finish()
    except (APIStatusError, APIResponseValidationError):
        complete = True  # the server is fine, and vLLM ends the body right after an error
        raise
    finally:
        if complete:
            received += _drain(chunks)
        if counted:
            _count_download(response, received)
        response.close()


def _drain(chunks: Iterator[bytes]) -> int:
    """Read the rest of a finished body, within bounds, so that its connection can be reused; return the bytes read."""
    read = 0
    try:
        for _ in range(_DRAIN_MAX_READS):
            read += len(next(chunks))
            if read > _DRAIN_MAX_BYTES:
                break
    except StopIteration:
        pass  # the body ended cleanly: the connection is back in the pool
    except Exception:
        pass  # the output was complete; only the connection is lost
    return read


async def _aiterate(state: _StreamState[_T], chunks: AsyncIterator[bytes], counted: bool) -> AsyncGenerator[_T, None]:
    """`_iterate` for an async body: the same loop, reading with `async for`.

    It closes the response when it ends or fails, when the task is cancelled while it reads, and
    when it is closed (`AsyncStream.close()`, or the event loop finalizing it once unreferenced).
    """
    response = state.response
    ready = state.ready
    take = state.take
    received = 0
    complete = False
    try:
        try:
            async for chunk in chunks:
                received += len(chunk)
                item = take(chunk)
                if item is not None:
                    yield item
                    continue
                state.feed(chunk)
                while ready:
                    yield ready.popleft()
                if state.stopped:
                    break
            else:
                raise state.cut_error()
        except httpx.RequestError as exc:
            if state.closed:
                return  # closed meanwhile (from another task): the failed read is no news
            raise state.read_error(exc) from exc
        complete = True
        state.finish()
    except (APIStatusError, APIResponseValidationError):
        complete = True  # the server is fine, and vLLM ends the body right after an error
        raise
    except Exception:
        if state.closed:
            return  # closed meanwhile: whatever the interrupted read raised is no news
        raise
    finally:
        if complete:
            received += await _adrain(chunks)
        if counted:
            _count_download(response, received)
        await _aclose_body(chunks, response)


async def _adrain(chunks: AsyncIterator[bytes]) -> int:
    """`_drain` for an async body, also bounded in time."""
    import anyio

    read = 0
    try:
        with anyio.move_on_after(_DRAIN_SECONDS):
            for _ in range(_DRAIN_MAX_READS):
                read += len(await chunks.__anext__())
                if read > _DRAIN_MAX_BYTES:
                    break
    except StopAsyncIteration:
        pass  # the body ended cleanly: the connection is back in the pool
    except Exception:
        pass  # the output was complete; only the connection is lost
    return read


async def _aclose_body(chunks: AsyncIterator[bytes], response: httpx.Response) -> None:
    """Close the body reader, then the response; shielded, so that a cancelled task still hands its connection back."""
    import anyio

    with anyio.CancelScope(shield=True):
        try:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()
        except RuntimeError:
            pass  # it is reading in another task; closing the response below ends that read
        finally:
            await response.aclose()


class Stream(Generic[_T]):
    """The chunks of a streamed response, in order, as `cast_to` instances.

    A `for` loop that ends, breaks or raises closes the stream (use `next()` to read it piecemeal);
    otherwise close it with `with` or `close()`. Closing early stops the generation on the server.
    """

    response: httpx.Response
    request_id: Optional[str]

    def __init__(self, *, cast_to: Type[_T], response: httpx.Response, request_id: Optional[str] = None) -> None:
        if request_id is None:
            request_id = response.headers.get("x-request-id")
        self.response = response
        self.request_id = request_id
        state = self._state = _StreamState(cast_to, response, request_id)
        chunks, counted = _sync_body(response)
        # Held here until a `for` loop takes it: from then on only the loop holds it, so that leaving
        # the loop (break, return, exception) drops the generator, whose cleanup releases the response.
        items = _iterate(state, chunks, counted)
        next(items)  # to its priming `yield`, before any read
        self._items: Optional[Generator[_T, None, None]] = items
        self._taken: Optional[weakref.ReferenceType[Generator[_T, None, None]]] = None
        self._closed = False

    @property
    def _request_id(self) -> Optional[str]:
        return self.request_id

    def __iter__(self) -> Iterator[_T]:
        # The generator itself, not a wrapper: the loop resumes it with no Python call in between.
        items = self._items
        if items is None:
            return self._live_items() or iter(())
        self._items = None
        self._taken = weakref.ref(items)
        return items

    def __next__(self) -> _T:
        items = self._items or self._live_items()
        if items is None:
            raise StopIteration
        return next(items)

    def _live_items(self) -> Optional[Generator[_T, None, None]]:
        taken = self._taken
        return None if taken is None else taken()

    def close(self) -> None:
        """Release the connection (stopping the generation if it is still running). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._state.closed = True
        items = self._items or self._live_items()
        try:
            if items is not None:
                items.close()
        except ValueError:
            pass  # it is reading in another thread; closing the response below ends that read
        finally:
            self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_closed", True):
            return
        if self._taken is not None or self.response.is_closed:
            return  # a loop holds the items, and their generator releases the response when dropped
        warnings.warn(_UNCLOSED.format(self), ResourceWarning, stacklevel=2, source=self)
        try:
            self.close()
        except Exception:
            pass  # never raise from a finalizer

    # -- helpers for chat-completion streams -------------------------------------------------

    def _accumulator(self) -> ChatCompletionAccumulator:
        accumulator: Optional[ChatCompletionAccumulator] = self.__dict__.get("_chunk_accumulator")
        if accumulator is None:
            from .lib._accumulator import ChatCompletionAccumulator

            accumulator = self.__dict__["_chunk_accumulator"] = ChatCompletionAccumulator()
        return accumulator

    def _accumulating(self: Stream[ChatCompletionChunk]) -> Iterator[ChatCompletionChunk]:
        accumulator = self._accumulator()
        for chunk in self:
            accumulator.add(chunk)
            yield chunk

    @property
    def text_stream(self: Stream[ChatCompletionChunk]) -> Iterator[str]:
        """The content text of the first choice, piece by piece as it arrives.

        What it reads still counts for `get_final_completion()`.
        """
        from .lib._accumulator import iter_text

        return iter_text(self._accumulating())

    def get_final_completion(self: Stream[ChatCompletionChunk]) -> ChatCompletion:
        """Read the rest of the stream and return the whole `ChatCompletion` it adds up to.

        Includes what `text_stream` already read; chunks taken by a plain `for` loop are not
        seen, so call this instead of (or after `text_stream`, not after) iterating yourself.
        """
        for _ in self._accumulating():
            pass
        return self._accumulator().completion()


class AsyncStream(Generic[_T]):
    """The chunks of a streamed response, in order, as `cast_to` instances, for `async for`.

    The stream closes itself when it ends or fails, or when its task is cancelled while it reads;
    use `async with` (or `await close()`) to close it after `break` or an error in the loop body.
    Closing early stops the generation on the server.
    """

    response: httpx.Response
    request_id: Optional[str]

    def __init__(self, *, cast_to: Type[_T], response: httpx.Response, request_id: Optional[str] = None) -> None:
        if request_id is None:
            request_id = response.headers.get("x-request-id")
        self.response = response
        self.request_id = request_id
        state = self._state = _StreamState(cast_to, response, request_id)
        chunks, counted = _async_body(response)
        self._chunks = chunks
        self._items: AsyncGenerator[_T, None] = _aiterate(state, chunks, counted)
        self._closed = False

    @property
    def _request_id(self) -> Optional[str]:
        return self.request_id

    def __aiter__(self) -> AsyncIterator[_T]:
        # The async generator itself: `async for` resumes it with no Python call in between.
        return self._items

    async def __anext__(self) -> _T:
        return await self._items.__anext__()

    async def close(self) -> None:
        """Release the connection (stopping the generation if it is still running). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        state = self._state
        state.closed = True
        state.ready.clear()
        import anyio

        # Shielded: a cancelled task must still hand its connection back.
        with anyio.CancelScope(shield=True):
            try:
                await self._items.aclose()  # runs its cleanup, which closes the response
            except RuntimeError:
                pass  # it is reading in another task; closing the response below ends that read
            finally:
                await _aclose_body(self._chunks, self.response)  # never started, or busy elsewhere

    async def aclose(self) -> None:
        """Same as `close()`."""
        await self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    def __del__(self) -> None:
        # Closing an async response needs the event loop, which a finalizer must not touch: only warn.
        if getattr(self, "_closed", True) or self.response.is_closed:
            return
        self._closed = True
        warnings.warn(_UNCLOSED.format(self), ResourceWarning, stacklevel=2, source=self)

    # -- helpers for chat-completion streams -------------------------------------------------

    def _accumulator(self) -> ChatCompletionAccumulator:
        accumulator: Optional[ChatCompletionAccumulator] = self.__dict__.get("_chunk_accumulator")
        if accumulator is None:
            from .lib._accumulator import ChatCompletionAccumulator

            accumulator = self.__dict__["_chunk_accumulator"] = ChatCompletionAccumulator()
        return accumulator

    async def _accumulating(self: AsyncStream[ChatCompletionChunk]) -> AsyncIterator[ChatCompletionChunk]:
        accumulator = self._accumulator()
        async for chunk in self:
            accumulator.add(chunk)
            yield chunk

    @property
    def text_stream(self: AsyncStream[ChatCompletionChunk]) -> AsyncIterator[str]:
        """The content text of the first choice, piece by piece as it arrives (`async for`).

        What it reads still counts for `get_final_completion()`.
        """
        from .lib._accumulator import aiter_text

        return aiter_text(self._accumulating())

    async def get_final_completion(self: AsyncStream[ChatCompletionChunk]) -> ChatCompletion:
        """Read the rest of the stream and return the whole `ChatCompletion` it adds up to."""
        async for _ in self._accumulating():
            pass
        return self._accumulator().completion()
