"""Minimal HTTP/1.1 server framing: read requests off a stream, encode response heads and chunks."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import List, Tuple, Optional
from dataclasses import dataclass
from email.utils import formatdate

__all__ = ["HTTPError", "RequestHead", "RequestReader", "encode_head", "encode_chunk", "LAST_CHUNK", "http_date"]

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 256 * 1024 * 1024
READ_SIZE = 64 * 1024
LAST_CHUNK = b"0\r\n\r\n"


class HTTPError(Exception):
    """The client sent something that is not an HTTP/1.x request we can answer."""


@dataclass
class RequestHead:
    method: str
    target: str
    version: str
    headers: List[Tuple[str, str]]

    def header(self, name: str) -> Optional[str]:
        wanted = name.lower()
        values = [value for key, value in self.headers if key.lower() == wanted]
        return ", ".join(values) if values else None

    @property
    def keep_alive(self) -> bool:
        tokens = {token.strip().lower() for token in (self.header("connection") or "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


def parse_head(raw: bytes) -> RequestHead:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        raise HTTPError(f"bad request line: {lines[0][:100]!r}")
    headers: List[Tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HTTPError(f"bad header line: {line[:100]!r}")
        headers.append((name, value.strip()))
    return RequestHead(method=parts[0].upper(), target=parts[1], version=parts[2], headers=headers)


class RequestReader:
    """Reads requests one after the other from a connection, keeping any bytes read ahead.

    `watch()` reads while a response is being produced, so that a client going away is noticed
    at once (vLLM aborts the generation then), and bytes of a pipelined next request are kept.
    """

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._buffer = bytearray()
        self.at_eof = False

    async def _fill(self) -> bool:
        if self.at_eof:
            return False
        try:
            data = await self._reader.read(READ_SIZE)
        except (ConnectionError, OSError):
            data = b""
        if not data:
            self.at_eof = True
            return False
        self._buffer += data
        return True

    async def watch(self) -> None:
        """Returns when the client closes or resets the connection."""
        while await self._fill():
            if len(self._buffer) > MAX_BODY_BYTES:
                return

    async def _ensure(self, size: int) -> None:
        while len(self._buffer) < size:
            if not await self._fill():
                raise HTTPError("connection closed in the middle of a request")

    async def _line(self) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 2]
                return line
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise HTTPError("line too long")
            if not await self._fill():
                raise HTTPError("connection closed in the middle of a request")

    async def _take(self, size: int) -> bytes:
        await self._ensure(size)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def read_request(self) -> Optional[Tuple[RequestHead, bytes]]:
        """The next request's head and body, or `None` when the client closed the connection."""
        while True:
            # Empty lines before a request line are allowed (RFC 9112 section 2.2).
            while self._buffer.startswith(b"\r\n"):
                del self._buffer[:2]
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise HTTPError("request head too large")
            if not await self._fill():
                if self._buffer:
                    raise HTTPError("connection closed in the middle of a request")
                return None
        head = parse_head(bytes(self._buffer[:end]))
        del self._buffer[: end + 4]
        return head, await self._body(head)

    async def _body(self, head: RequestHead) -> bytes:
        encoding = (head.header("transfer-encoding") or "").lower()
        if encoding:
            if encoding != "chunked":
                raise HTTPError(f"unsupported transfer-encoding: {encoding}")
            return await self._chunked_body()
        length_text = head.header("content-length")
        if length_text is None:
            return b""
        if not length_text.isdigit() or int(length_text) > MAX_BODY_BYTES:
            raise HTTPError(f"bad content-length: {length_text[:40]!r}")
        return await self._take(int(length_text))

    async def _chunked_body(self) -> bytes:
        body = bytearray()
        while True:
            size_text = (await self._line()).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HTTPError(f"bad chunk size: {size_text[:40]!r}") from None
            if size == 0:
                while await self._line():
                    pass  # trailer fields are ignored
                return bytes(body)
            if len(body) + size > MAX_BODY_BYTES:
                raise HTTPError("request body too large")
            body += await self._take(size)
            if await self._take(2) != b"\r\n":
                raise HTTPError("chunk not followed by CRLF")


def http_date() -> str:
    return formatdate(usegmt=True)


def encode_head(status: int, headers: List[Tuple[str, str]]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def encode_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)
