"""The loopback server of the end-to-end benchmark, run as its own process so that its CPU time is not counted.

`python bench/_server.py --chunks N [--delay SECONDS] [--builtin]` prints `PORT <number>`, then
answers every chat completion request with the same N-chunk vLLM event stream, each event written
and flushed on its own, `--delay` apart (as tokens being generated), until its standard input closes. It serves with `tzafon.testing.LightconeTestServer` when that
imports, else (or with `--builtin`) with the minimal HTTP/1.1 server below.
"""

from __future__ import annotations

import sys
import asyncio
import argparse
import threading
from typing import List, Tuple

from _bodies import content_stream_events

__all__ = ["serve"]

_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
    b"transfer-encoding: chunked\r\nserver: bench\r\n\r\n"
)


def _chunked(event: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(event), event)


async def _answer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, events: List[bytes], delay: float
) -> None:
    frames = [_chunked(event) for event in events] + [b"0\r\n\r\n"]
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            writer.write(_HEAD)
            for index, frame in enumerate(frames):
                if index and delay:
                    await asyncio.sleep(delay)
                writer.write(frame)
                await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _builtin(events: List[bytes], delay: float) -> Tuple[int, threading.Event]:
    """Start the minimal server on a thread; returns its port and the event that stops it."""
    stop = threading.Event()
    ready: List[int] = []
    started = threading.Event()

    async def main() -> None:
        server = await asyncio.start_server(lambda r, w: _answer(r, w, events, delay), "127.0.0.1", 0, backlog=4096)
        ready.append(server.sockets[0].getsockname()[1])
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        server.close()

    threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
    started.wait(30)
    return ready[0], stop


def _serve_builtin(events: List[bytes], delay: float) -> None:
    port, stop = _builtin(events, delay)
    print(f"PORT {port} builtin", flush=True)
    sys.stdin.read()
    stop.set()


def serve(chunks: int, builtin: bool, delay: float) -> None:
    events = content_stream_events(chunks)
    if builtin:
        _serve_builtin(events, delay)
        return
    try:
        from tzafon.testing import RawStream, LightconeTestServer
    except ImportError:
        _serve_builtin(events, delay)
        return
    server = LightconeTestServer(default=RawStream(parts=events, delay=delay)).start()
    print(f"PORT {server.port} LightconeTestServer", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The loopback server of the end-to-end benchmark.")
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between events (like tokens being generated)")
    parser.add_argument("--builtin", action="store_true", help="use the minimal server, not LightconeTestServer")
    arguments = parser.parse_args()
    serve(arguments.chunks, arguments.builtin, arguments.delay)
