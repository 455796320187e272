"""Measure tzafon against raw httpx (and openai, when installed) side by side, and print the ratios.

    python bench/run.py                  # the full run (about 2 minutes)
    python bench/run.py --quick          # a fast smoke run: same rows, small sizes, noisy numbers
    python bench/run.py --json out.json  # also write every round's raw numbers ("-" for stdout)
    python bench/run.py --plot out.png   # also draw the ratios (needs matplotlib)

Every row runs every contender in every round, in a rotating order, after a warm-up, and reports
medians; ratios are medians of the per-round ratios, so they compare numbers taken seconds apart.
Times are CPU time of the process doing the work. See bench/README.md for what each row does.
"""

from __future__ import annotations

import os
import sys
import json
import time
import argparse
import platform
import functools
import dataclasses
import importlib.util
from typing import Any, Dict, List, Tuple, Callable, Optional, Awaitable, cast
from dataclasses import dataclass

import httpx
import pydantic
from _bodies import completion_body, content_stream_events, tool_call_stream_events
from _report import Row, plot, as_json, markdown, rate_row, memory_row, timing_row
from _timing import Samples, time_sync, time_async
from _startup import peak_rss, import_times
from _loopback import loopback_cpu
from _transport import split_reads, sse_transport, json_transport
from _contenders import Floor, Contender, available_contenders

# The targets, as ratios to raw httpx measured in the same run.
CALL_LIMIT = 1.15
STREAM_FLOOR = 1.0
IMPORT_LIMIT = 1.25
RSS_MAX_DELTA_MIB = 12.0


@dataclass(frozen=True)
class Sizes:
    rounds: int
    loopback_rounds: int
    block: float  # CPU seconds each contender spends per round on a row, roughly
    stream_chunks: int
    byte_read_chunks: int
    loopback_streams: int
    loopback_chunks: int
    import_rounds: int
    rss_rounds: int


FULL = Sizes(
    rounds=8,
    loopback_rounds=6,
    block=0.12,
    stream_chunks=4000,
    byte_read_chunks=100,
    loopback_streams=200,
    loopback_chunks=200,
    import_rounds=15,
    rss_rounds=5,
)
QUICK = Sizes(
    rounds=3,
    loopback_rounds=2,
    block=0.01,
    stream_chunks=200,
    byte_read_chunks=10,
    loopback_streams=20,
    loopback_chunks=10,
    import_rounds=3,
    rss_rounds=2,
)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check(results: Dict[str, Any], expected: Callable[[str, Any], bool], what: str) -> None:
    for name, result in results.items():
        if not expected(name, result):
            raise RuntimeError(f"{name} gave an unexpected {what}: {result!r}")


def _completion_id(result: Any) -> str:
    """The `id` of a completion, whether a model or the decoded JSON."""
    return str(getattr(result, "id", None) or cast(Dict[str, Any], result)["id"])


def _time_sync_and_async(
    contenders: Dict[str, Contender],
    transport: Callable[[Contender], Any],
    work: str,
    label: str,
    sizes: Sizes,
    check: Callable[[Dict[str, Any]], None],
) -> Tuple[Samples, Samples]:
    """Time `contender.<work>` on sync clients, then `contender.a<work>` on async ones, each on its own transport.

    `check` sees every contender's first sync result before any timing.
    """
    sync_clients = {name: c.sync_client(transport(c)) for name, c in contenders.items()}
    sync_units: Dict[str, Callable[[], Any]] = {
        name: functools.partial(getattr(c, work), sync_clients[name]) for name, c in contenders.items()
    }
    check({name: unit() for name, unit in sync_units.items()})
    _log(f"  {label}, sync")
    sync = time_sync(sync_units, rounds=sizes.rounds, target=sizes.block)
    for name, client in sync_clients.items():
        contenders[name].close(client)

    async_clients = {name: c.async_client(transport(c)) for name, c in contenders.items()}
    async_units: Dict[str, Callable[[], Awaitable[Any]]] = {
        name: functools.partial(getattr(c, "a" + work), async_clients[name]) for name, c in contenders.items()
    }

    async def close() -> None:
        for name, client in async_clients.items():
            await contenders[name].aclose(client)

    _log(f"  {label}, async")
    return sync, time_async(async_units, rounds=sizes.rounds, target=sizes.block, cleanup=close)


def call_rows(contenders: Dict[str, Contender], sizes: Sizes) -> List[Row]:
    body = completion_body()

    def check(first: Dict[str, Any]) -> None:
        _check(first, lambda name, r: _completion_id(r).startswith("chatcmpl-"), "completion")
        _check(first, lambda name, r: isinstance(r, dict) == (name == "raw httpx"), "result type")

    label = "non-streaming call"
    sync, asynchronous = _time_sync_and_async(
        contenders, lambda c: json_transport(c.http, body), "call", label, sizes, check
    )
    return [
        timing_row(f"{label}, sync", "us/call", 1e6, sync, limit=CALL_LIMIT),
        timing_row(f"{label}, async", "us/call", 1e6, asynchronous, limit=CALL_LIMIT),
    ]


def _stream_pair(
    contenders: Dict[str, Contender], label: str, events: List[bytes], read_size: int, sizes: Sizes
) -> List[Row]:
    reads = split_reads(events, read_size)
    items = len(events) - 1  # every event but `[DONE]` is a chunk
    if read_size == 0:  # one event per read: the floor applies
        contenders = {**contenders, "floor": Floor()}

    def check(first: Dict[str, Any]) -> None:
        _check(first, lambda name, n: n == items, "chunk count")

    sync, asynchronous = _time_sync_and_async(
        contenders, lambda c: sse_transport(c.http, reads), "stream", label, sizes, check
    )
    return [
        rate_row(f"{label}, sync", items, sync, floor=STREAM_FLOOR),
        rate_row(f"{label}, async", items, asynchronous, floor=STREAM_FLOOR),
    ]


def stream_rows(contenders: Dict[str, Contender], sizes: Sizes) -> List[Row]:
    n, small = sizes.stream_chunks, sizes.byte_read_chunks
    return [
        *_stream_pair(contenders, f"stream {n} content chunks", content_stream_events(n), 0, sizes),
        *_stream_pair(contenders, f"stream {n} tool-call chunks", tool_call_stream_events(n), 0, sizes),
        *_stream_pair(contenders, f"stream {small} chunks, 1-byte reads", content_stream_events(small), 1, sizes),
    ]


def _parse_row(label: str, events: List[bytes], sizes: Sizes) -> Row:
    """Parsing alone, no HTTP: each contender's per-chunk parse of the same event data, in a tight loop.

    raw httpx: `json.loads` of the `data:` line (text); tzafon: its model's validator on the bytes;
    httpx+pydantic: the same validator on the text line. No target: this row shows how much of a
    stream row is the price of typed models, which no client built on them can avoid.
    """
    from tzafon.types.chat_completion_chunk import ChatCompletionChunk

    validate = ChatCompletionChunk.__pydantic_validator__.validate_json
    data = [event[6:-2] for event in events if event.startswith(b"data: {")]
    lines = [item.decode("utf-8") for item in data]

    def loads() -> None:
        for line in lines:
            json.loads(line)

    def typed_bytes() -> None:
        for item in data:
            validate(item)

    def typed_text() -> None:
        for line in lines:
            validate(line)

    units: Dict[str, Callable[[], Any]] = {"raw httpx": loads, "tzafon": typed_bytes, "httpx+pydantic": typed_text}
    _log(f"  {label}")
    samples = time_sync(units, rounds=sizes.rounds, target=sizes.block)
    return timing_row(label, "us/chunk", 1e6 / len(data), samples, limit=None)


def parse_rows(sizes: Sizes) -> List[Row]:
    n = sizes.stream_chunks
    return [
        _parse_row("parse only: a content chunk", content_stream_events(n), sizes),
        _parse_row("parse only: a tool-call chunk", tool_call_stream_events(n), sizes),
    ]


def _packages(contenders: Dict[str, Contender]) -> Dict[str, Contender]:
    """The contenders that are installable packages of their own (httpx+pydantic is not)."""
    return {name: c for name, c in contenders.items() if name != "httpx+pydantic"}


def startup_rows(contenders: Dict[str, Contender], sizes: Sizes) -> List[Row]:
    names = list(_packages(contenders))
    _log("  import time")
    imports = import_times(names, sizes.import_rounds)
    _log("  peak RSS")
    memory = peak_rss(names, sizes.rss_rounds)
    return [
        timing_row("import (fresh process)", "ms", 1e3, imports, limit=IMPORT_LIMIT),
        memory_row("peak RSS: import + build a client", memory, max_delta=RSS_MAX_DELTA_MIB),
    ]


def loopback_rows(contenders: Dict[str, Contender], sizes: Sizes, builtin: bool, meta: Dict[str, Any]) -> List[Row]:
    streams, chunks = sizes.loopback_streams, sizes.loopback_chunks
    _log(f"  loopback: {streams} concurrent async streams of {chunks} chunks")
    cpu, wall, server = loopback_cpu(
        _packages(contenders),
        streams=streams,
        chunks=chunks,
        rounds=sizes.loopback_rounds,
        builtin=builtin,
    )
    meta["loopback_server"] = server
    meta["loopback_wall_seconds_per_round"] = wall
    label = f"loopback: {streams} concurrent async streams, client CPU"
    return [timing_row(label, "s/10k chunks", 1.0, cpu, limit=None, pooled=True)]


SECTIONS = ("calls", "streams", "parse", "startup", "loopback")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="tzafon vs raw httpx (and openai), side by side.")
    parser.add_argument("--quick", action="store_true", help="small sizes and few rounds: a smoke run")
    parser.add_argument("--rounds", type=int, help="rounds per row (default 8, loopback 6; quick 3 and 2)")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write the raw numbers ('-': stdout)")
    parser.add_argument("--plot", metavar="PNG", help="draw the ratios to this file (needs matplotlib)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--no-openai", action="store_true", help="leave openai out even if it is installed")
    parser.add_argument("--builtin-server", action="store_true", help="loopback against bench's own server")
    args = parser.parse_args(argv)

    if args.plot and importlib.util.find_spec("matplotlib") is None:
        parser.error("--plot needs matplotlib: pip install matplotlib (the table is printed without it)")
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = dataclasses.replace(sizes, rounds=args.rounds, loopback_rounds=args.rounds)
    sections = args.only or list(SECTIONS)
    contenders = available_contenders(skip_openai=args.no_openai)
    openai = contenders.get("openai")
    meta: Dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "httpx": httpx.__version__,
        "pydantic": pydantic.VERSION,
        "openai": getattr(openai, "version", None),
        "openai_http": openai.http.__name__ if openai is not None else None,
        "rounds": sizes.rounds,
        "loopback_rounds": sizes.loopback_rounds,
        "quick": args.quick,
    }
    started = time.perf_counter()
    rows: List[Row] = []
    if "calls" in sections:
        rows += call_rows(contenders, sizes)
    if "streams" in sections:
        rows += stream_rows(contenders, sizes)
    if "parse" in sections:
        rows += parse_rows(sizes)
    if "startup" in sections:
        rows += startup_rows(contenders, sizes)
    if "loopback" in sections:
        rows += loopback_rows(contenders, sizes, args.builtin_server, meta)
    meta["seconds"] = round(time.perf_counter() - started, 1)

    openai_text = (
        f"openai {meta['openai']} (on {meta['openai_http']})" if openai is not None else "openai not installed"
    )
    print(
        f"tzafon vs raw httpx {meta['httpx']}; {openai_text}; pydantic {meta['pydantic']}; "
        f"Python {meta['python']}, {meta['cpus']} CPUs; medians of {sizes.rounds} interleaved rounds"
        f" ({sizes.loopback_rounds} for loopback, {sizes.import_rounds} for import)"
        f"{' (QUICK: sizes too small to judge)' if args.quick else ''}; {meta['seconds']} s"
    )
    if "loopback_server" in meta:
        print(f"loopback server: {meta['loopback_server']} in its own process")
    print()
    present = list(contenders) + (["floor"] if any("floor" in row.values for row in rows) else [])
    print(markdown(rows, present))
    if args.json:
        text = json.dumps(as_json(rows, meta), indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as file:
                file.write(text + "\n")
    if args.plot:
        plot(rows, present, args.plot)
        print(f"\nplot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
