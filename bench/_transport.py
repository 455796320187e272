"""In-memory transports that answer every request with the same body, for httpx or an httpx-compatible fork."""

from __future__ import annotations

from types import ModuleType
from typing import Any, List, Iterator, Sequence, AsyncIterator

__all__ = ["json_transport", "sse_transport", "split_reads"]


def split_reads(events: Sequence[bytes], read_size: int) -> List[bytes]:
    """The body as the network reads would deliver it: one read per event (0), or reads of `read_size` bytes."""
    if read_size <= 0:
        return list(events)
    body = b"".join(events)
    return [body[i : i + read_size] for i in range(0, len(body), read_size)]


def json_transport(http: ModuleType, body: bytes) -> Any:
    """A `MockTransport` of module `http` (httpx, or openai's httpx2) answering 200 with `body` as JSON."""
    headers = [("content-type", "application/json"), ("content-length", str(len(body)))]

    def answer(request: Any) -> Any:
        return http.Response(200, headers=headers, content=body)

    return http.MockTransport(answer)


def sse_transport(http: ModuleType, reads: Sequence[bytes]) -> Any:
    """A `MockTransport` of module `http` answering 200 with an event stream delivered as `reads`, in order."""
    headers = [("content-type", "text/event-stream; charset=utf-8")]

    class Reads(http.SyncByteStream, http.AsyncByteStream):  # type: ignore[misc, name-defined]
        def __iter__(self) -> Iterator[bytes]:
            return iter(reads)

        async def __aiter__(self) -> AsyncIterator[bytes]:
            for part in reads:
                yield part

    def answer(request: Any) -> Any:
        return http.Response(200, headers=headers, stream=Reads())

    return http.MockTransport(answer)
