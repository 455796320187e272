"""An incremental server-sent-events decoder (WHATWG rules) that turns bytes into events, with no I/O."""

from __future__ import annotations

import json
from typing import Any, List, Union, Optional

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"
_DATA_PREFIX = b"data: "
# Longer `retry:` values are ignored: they are not meaningful delays, and `int()` refuses huge digit strings.
_MAX_RETRY_DIGITS = 15
_new_event = object.__new__


class ServerSentEvent:
    """One dispatched event: `event` (None when the stream did not name it), `data`, `id`, `retry`."""

    __slots__ = ("data_bytes", "event", "id", "retry")

    data_bytes: bytes
    """The data exactly as received, for parsers that take bytes (`model_validate_json`)."""
    event: Optional[str]
    id: Optional[str]
    retry: Optional[int]

    def __init__(
        self,
        data: Union[bytes, str] = b"",
        event: Optional[str] = None,
        id: Optional[str] = None,
        retry: Optional[int] = None,
    ) -> None:
        self.data_bytes = data.encode("utf-8") if isinstance(data, str) else data
        self.event = event
        self.id = id
        self.retry = retry

    @property
    def data(self) -> str:
        """The data lines joined with `\\n`, as text (invalid UTF-8 becomes U+FFFD, as in browsers)."""
        return self.data_bytes.decode("utf-8", "replace")

    def json(self) -> Any:
        """The data parsed as JSON."""
        return json.loads(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        mine = (self.data_bytes, self.event, self.id, self.retry)
        return mine == (other.data_bytes, other.event, other.id, other.retry)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ServerSentEvent(event={self.event!r}, data={self.data!r}, id={self.id!r}, retry={self.retry!r})"


def _plain_event(data: bytes) -> ServerSentEvent:
    """An event with only data (built without `__init__`: cheaper, and this runs once per chunk)."""
    event = _new_event(ServerSentEvent)
    event.data_bytes = data
    event.event = None
    event.id = None
    event.retry = None
    return event


class SSEDecoder:
    """Feed it the body's bytes as they arrive, in chunks of any size; it returns the completed events.

    Lines end with `\\n`, `\\r\\n` or `\\r` (a `\\r\\n` split across two chunks counts once). Bytes
    are split before any decoding, so a UTF-8 character cut between reads is never mangled.
    """

    __slots__ = (
        "_idle",
        "_clean",
        "_pending",
        "_head",
        "_after_cr",
        "_partial",
        "_data",
        "_event",
        "_retry",
        "_last_id",
        "_reconnection_time",
    )

    def __init__(self) -> None:
        # `_clean`, nothing in `_pending` and no `id` in force: `lone_data` may take a chunk as it is.
        self._idle = False
        # Nothing is pending (no partial line or event, no `\r` or BOM question): the fast path may run.
        self._clean = False
        # Bytes after the last blank line seen on the fast path: the start of the next event.
        self._pending = b""
        # The first bytes, held back until we know whether they are a byte-order mark; None once decided.
        self._head: Optional[bytes] = b""
        # The last chunk ended with `\r`, so a `\n` opening the next one belongs to the same line break.
        self._after_cr = False
        # Pieces of a line whose terminator has not arrived yet.
        self._partial: List[bytes] = []
        self._data: List[bytes] = []
        self._event: Optional[str] = None
        self._retry: Optional[int] = None
        self._last_id: Optional[str] = None
        self._reconnection_time: Optional[int] = None

    @property
    def last_event_id(self) -> Optional[str]:
        """The last `id:` seen (it carries over to later events, as WHATWG says), or None."""
        return self._last_id

    @property
    def retry(self) -> Optional[int]:
        """The last valid `retry:` value seen, in milliseconds, or None."""
        return self._reconnection_time

    def feed(self, chunk: bytes) -> List[ServerSentEvent]:
        """Take the next bytes of the body; return the events that they complete, in order."""
        # A bytes item had no id in force when it ended (else it would have come as an event).
        return [
            item if item.__class__ is ServerSentEvent else _plain_event(item)  # type: ignore[arg-type]
            for item in self.feed_data(chunk)
        ]

    def lone_data(self, chunk: bytes) -> Optional[bytes]:
        """The data of `chunk` if it is exactly one plain `data: ...\\n\\n` event and nothing is pending, else None.

        That is the shape of nearly every chunk vLLM sends. Such a chunk changes no state, so a
        caller that gets None passes the same chunk to `feed_data()`. (Written for speed: this runs
        once per chunk, and slices compare faster than `startswith` calls.)
        """
        if self._idle and chunk[:6] == _DATA_PREFIX:
            data = chunk[6:-2]
            if chunk[-2:] == b"\n\n" and 10 not in data and 13 not in data:  # no other line break inside
                return data
        return None

    def feed_data(self, chunk: bytes) -> List[Union[bytes, ServerSentEvent]]:
        """Like `feed`, but a plain event (only `data`, no name, id or retry) comes as its data bytes.

        This is what streams read: building an object per event is a visible share of the cost of a
        long stream, and nearly every event vLLM sends has that shape.
        """
        items: List[Union[bytes, ServerSentEvent]]
        if self._clean and 13 not in chunk:
            items = self._feed_blocks(chunk)
            self._idle = not self._pending and self._last_id is None
            return items
        items = []
        if self._pending:
            # Leaving the fast path: what it held back goes through the line rules first.
            pending, self._pending = self._pending, b""
            items.extend(self._plain(self._feed_lines(pending)))
        items.extend(self._plain(self._feed_lines(chunk)))
        # No event is half-built (a partial line, if any, starts the next one): back to the fast path.
        self._clean = not (
            self._data or self._after_cr or self._event is not None or self._retry is not None or self._head is not None
        )
        if self._clean and self._partial:
            self._pending = b"".join(self._partial)
            self._partial = []
        self._idle = self._clean and not self._pending and self._last_id is None
        return items

    def _feed_blocks(self, chunk: bytes) -> List[Union[bytes, ServerSentEvent]]:
        """The fast path, when no `\r` is involved and no line is half-processed.

        Then every blank line (`\n\n`) ends an event, so the bytes up to the last one are split
        into whole events at once: single-line `data: ...` events are taken as they are, any other
        goes through the line rules, and the bytes after the last blank line wait in `_pending`.
        """
        buffer = self._pending + chunk if self._pending else chunk
        end = buffer.rfind(b"\n\n")
        if end == -1:
            self._pending = buffer
            return []
        self._pending = buffer[end + 2 :]
        items: List[Union[bytes, ServerSentEvent]] = []
        for piece in buffer[:end].split(b"\n\n"):
            if piece.startswith(b"data: ") and 10 not in piece and self._last_id is None:
                items.append(piece[6:])
            else:
                items.extend(self._plain(self._process(piece.split(b"\n") + [b""])))
        return items

    @staticmethod
    def _plain(events: List[ServerSentEvent]) -> List[Union[bytes, ServerSentEvent]]:
        return [
            event.data_bytes if event.event is None and event.id is None and event.retry is None else event
            for event in events
        ]

    def _feed_lines(self, chunk: bytes) -> List[ServerSentEvent]:
        if self._head is not None:
            head = self._head + chunk
            if len(head) < 3 and _BOM.startswith(head):
                self._head = head
                return []
            self._head = None
            chunk = head[3:] if head.startswith(_BOM) else head
        if self._after_cr:
            if not chunk:
                return []
            self._after_cr = False
            if chunk[0] == 10:
                chunk = chunk[1:]
        if not chunk:
            return []
        if 13 in chunk:
            self._after_cr = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        tail = lines.pop()
        if not lines:
            self._partial.append(tail)
            return []
        if self._partial:
            self._partial.append(lines[0])
            lines[0] = b"".join(self._partial)
            self._partial = []
        if tail:
            self._partial.append(tail)
        return self._process(lines)

    def flush(self) -> List[ServerSentEvent]:
        """Mark the end of the body and reset the decoder.

        Under WHATWG rules the end of input dispatches nothing: an event whose closing blank line
        never arrived is discarded, whatever its data lines held. So the list is always empty; it is
        returned so that callers handle `feed()` and `flush()` results alike.
        """
        self._idle = False
        self._clean = False
        self._pending = b""
        self._head = b""
        self._after_cr = False
        self._partial = []
        self._data = []
        self._event = None
        self._retry = None
        return []

    def _process(self, lines: List[bytes]) -> List[ServerSentEvent]:
        events: List[ServerSentEvent] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    events.append(
                        ServerSentEvent(
                            data[0] if len(data) == 1 else b"\n".join(data), self._event, self._last_id, self._retry
                        )
                    )
                    data = []
                self._event = None
                self._retry = None
                continue
            if line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
                continue
            if line[0] == 58:  # ":" starts a comment (vLLM's keep-alives)
                continue
            colon = line.find(b":")
            if colon == -1:
                field, value = line, b""
            else:
                field, value = line[:colon], line[colon + 1 :]
                if value.startswith(b" "):
                    value = value[1:]
            if field == b"data":
                data.append(value)
            elif field == b"event":
                self._event = value.decode("utf-8", "replace") or None
            elif field == b"id":
                if b"\0" not in value:
                    self._last_id = value.decode("utf-8", "replace")
            elif field == b"retry":
                if value.isdigit() and len(value) <= _MAX_RETRY_DIGITS:
                    self._retry = self._reconnection_time = int(value)
        self._data = data
        return events
