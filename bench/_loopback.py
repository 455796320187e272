"""End to end over real sockets: many concurrent async streams against a server in another process."""

from __future__ import annotations

import gc
import os
import sys
import time
import asyncio
import subprocess
from typing import Any, Set, Dict, List, Tuple, Optional
from pathlib import Path

from _timing import Samples, rotations
from _contenders import Contender

__all__ = ["loopback_cpu"]

_SERVER = Path(__file__).with_name("_server.py")


def _start_server(chunks: int, builtin: bool, delay: float) -> Tuple[subprocess.Popen[str], int, str]:
    command = [sys.executable, str(_SERVER), "--chunks", str(chunks), "--delay", str(delay)]
    command += ["--builtin"] if builtin else []
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().split()
    if len(line) < 3 or line[0] != "PORT":
        process.kill()
        raise RuntimeError(f"the benchmark server did not start (it printed {line!r})")
    return process, int(line[1]), line[2]


def _pin(server_pid: int) -> Optional[Set[int]]:
    """Run the server and this process on different CPUs, where the OS allows it; returns what to restore.

    On shared CPUs the two take turns, and how the turns fall decides how many events the client
    finds per read, which changes its CPU per chunk.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    mine = os.sched_getaffinity(0)
    if len(mine) < 2:
        return None
    first, second, *_ = sorted(mine)
    os.sched_setaffinity(server_pid, {second})
    os.sched_setaffinity(0, {first})
    return mine


def _stop_server(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _batch(contender: Contender, client: Any, name: str, streams: int, expected: int) -> None:
    counts: List[int] = await asyncio.gather(*(contender.astream(client) for _ in range(streams)))
    if counts != [expected] * streams:
        raise RuntimeError(f"{name}: streams gave {sorted(set(counts))} chunks, expected {expected}")


async def _measure(
    contenders: Dict[str, Contender], base_url: str, streams: int, expected: int, rounds: int
) -> Tuple[Samples, Samples]:
    clients: Dict[str, Any] = {name: c.async_client(base_url=base_url) for name, c in contenders.items()}
    cpu: Samples = {name: [] for name in contenders}
    wall: Samples = {name: [] for name in contenders}
    try:
        # The warm-up opens pooled connections and loads every code path; then the measured rounds.
        for name in contenders:
            await _batch(contenders[name], clients[name], name, streams, expected)
        for order in rotations(list(contenders), rounds):
            for name in order:
                gc.collect()
                cpu_start, wall_start = time.process_time(), time.perf_counter()
                await _batch(contenders[name], clients[name], name, streams, expected)
                cpu_used, wall_used = time.process_time() - cpu_start, time.perf_counter() - wall_start
                cpu[name].append(cpu_used / (streams * expected) * 10_000)
                wall[name].append(wall_used)
    finally:
        for name, client in clients.items():
            await contenders[name].aclose(client)
    return cpu, wall


def loopback_cpu(
    contenders: Dict[str, Contender],
    *,
    streams: int,
    chunks: int,
    rounds: int,
    delay: float = 0.0,
    builtin: bool = False,
) -> Tuple[Samples, Samples, str]:
    """Client CPU seconds per 10,000 chunks (and wall seconds per round) for `streams` concurrent streams.

    The server sends each event as soon as it can (`delay` seconds apart if given), so the client
    is the bottleneck. Returns the two sample sets and the name of the server that answered.
    """
    process, port, server_name = _start_server(chunks, builtin, delay)
    restore = _pin(process.pid)
    try:
        # Every chunk but `[DONE]` reaches the caller: role, content and finish chunks.
        cpu, wall = asyncio.run(_measure(contenders, f"http://127.0.0.1:{port}/v1", streams, chunks, rounds))
    finally:
        _stop_server(process)
        if restore is not None:
            os.sched_setaffinity(0, restore)
    return cpu, wall, server_name
