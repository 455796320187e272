"""Interleaved, repeated timing of CPU time: every contender runs in every round, in a rotating order, after a warm-up.

The clock is `time.process_time()`: what this process spent on the CPU, so other load on the machine
(tests, builds) does not leak into the numbers the way it does into wall time.
"""

from __future__ import annotations

import gc
import time
import asyncio
from typing import Any, Dict, List, Callable, Optional, Sequence, Awaitable

__all__ = ["Samples", "time_sync", "time_async", "rotations"]

Samples = Dict[str, List[float]]
"""Contender name -> one value per round (seconds per unit of work)."""


def rotations(names: Sequence[str], rounds: int) -> List[List[str]]:
    """The contender order of each round: every contender runs in every position, and right after
    every other contender, equally often over a full cycle (a Williams design).

    Order matters more than it should: a contender that runs right after another one can find
    the machine (caches, the loopback server, the allocator) in the state that one left.
    """
    n = len(names)
    first = [0]
    low, high = 1, n - 1
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    cycle = [[(index + shift) % n for index in first] for shift in range(n)]
    if n % 2:
        cycle += [order[::-1] for order in cycle]
    return [[names[index] for index in cycle[r % len(cycle)]] for r in range(rounds)]


def _reps(seconds_per_unit: float, target: float) -> int:
    return max(1, int(target / max(seconds_per_unit, 1e-9)))


def time_sync(units: Dict[str, Callable[[], Any]], *, rounds: int, target: float) -> Samples:
    """CPU seconds per call of each unit, one value per round.

    The warm-up calls each unit until it has used `target / 2` CPU seconds (at least 3 times) and
    sets that unit's repetitions so that each of its blocks lasts about `target` seconds.
    """
    reps: Dict[str, int] = {}
    for name, unit in units.items():
        count, start = 0, time.process_time()
        while count < 3 or time.process_time() - start < target / 2:
            unit()
            count += 1
        reps[name] = _reps((time.process_time() - start) / count, target)
    samples: Samples = {name: [] for name in units}
    for order in rotations(list(units), rounds):
        for name in order:
            unit, n = units[name], reps[name]
            gc.collect()
            start = time.process_time()
            for _ in range(n):
                unit()
            samples[name].append((time.process_time() - start) / n)
    return samples


def time_async(
    units: Dict[str, Callable[[], Awaitable[Any]]],
    *,
    rounds: int,
    target: float,
    cleanup: Optional[Callable[[], Awaitable[Any]]] = None,
) -> Samples:
    """`time_sync` for coroutine functions, all in one event loop; `cleanup` runs in that loop at the end."""

    async def run() -> Samples:
        reps: Dict[str, int] = {}
        for name, unit in units.items():
            count, start = 0, time.process_time()
            while count < 3 or time.process_time() - start < target / 2:
                await unit()
                count += 1
            reps[name] = _reps((time.process_time() - start) / count, target)
        samples: Samples = {name: [] for name in units}
        for order in rotations(list(units), rounds):
            for name in order:
                unit, n = units[name], reps[name]
                gc.collect()
                start = time.process_time()
                for _ in range(n):
                    await unit()
                samples[name].append((time.process_time() - start) / n)
        if cleanup is not None:
            await cleanup()
        return samples

    return asyncio.run(run())
