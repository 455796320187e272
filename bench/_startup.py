"""What a fresh process pays to start using a client: import time and peak memory, each in new subprocesses."""

from __future__ import annotations

import os
import sys
import json
import subprocess
from typing import Dict, List, Sequence

from _timing import Samples, rotations

__all__ = ["IMPORT_SNIPPETS", "RSS_SNIPPETS", "import_times", "peak_rss", "import_breakdown"]

# The CPU time of the import statement itself, measured inside the fresh interpreter, so that the
# interpreter's own start-up (the same for every contender) does not water the ratios down.
_IMPORT = "import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
IMPORT_SNIPPETS: Dict[str, str] = {
    "raw httpx": _IMPORT.format(module="httpx"),
    "tzafon": _IMPORT.format(module="tzafon"),
    "openai": _IMPORT.format(module="openai"),
}

# On Linux, `ru_maxrss` survives `exec`: a child forked from this (large) process would report at
# least this process's size. `VmHWM` is the peak of the child's own address space, so it is read
# instead where it exists; both are in KiB.
_RSS = (
    "import sys, resource; {code}\n"
    "if sys.platform.startswith('linux'):\n"
    "    lines = open('/proc/self/status').read().splitlines()\n"
    "    print(next(int(line.split()[1]) for line in lines if line.startswith('VmHWM:')))\n"
    "else:\n"
    "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)
RSS_SNIPPETS: Dict[str, str] = {
    "raw httpx": _RSS.format(code="import httpx"),
    "tzafon": _RSS.format(code="import tzafon; client = tzafon.Lightcone(api_key='sk-bench')"),
    "openai": _RSS.format(code="import openai; client = openai.OpenAI(api_key='sk-bench')"),
}


def _environment() -> Dict[str, str]:
    env = dict(os.environ)
    # Measure imports as an installed package runs them: from cached bytecode. With this variable
    # set (some shells and CI images set it) every fresh process would compile our sources anew.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("TZAFON_API_KEY", "LIGHTCONE_BASE_URL", "LIGHTCONE_CUSTOM_HEADERS", "OPENAI_BASE_URL"):
        env.pop(name, None)
    return env


def _run(code: str, env: Dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"`python -c {code!r}` failed:\n{done.stderr.strip()}")
    return float(done.stdout.strip().splitlines()[-1])


def _interleaved(snippets: Dict[str, str], names: Sequence[str], rounds: int, warmup: int) -> Samples:
    env = _environment()
    for _ in range(warmup):
        for name in names:
            _run(snippets[name], env)
    samples: Samples = {name: [] for name in names}
    for order in rotations(names, rounds):
        for name in order:
            samples[name].append(_run(snippets[name], env))
    return samples


def import_times(names: Sequence[str], rounds: int) -> Samples:
    """Seconds that `import <package>` takes in a fresh interpreter, one value per round."""
    return _interleaved(IMPORT_SNIPPETS, names, rounds, warmup=2)


def peak_rss(names: Sequence[str], rounds: int) -> Samples:
    """Peak resident memory in MiB of a fresh interpreter that imports (and, for SDKs, builds a client)."""
    samples = _interleaved(RSS_SNIPPETS, names, rounds, warmup=1)
    # KiB (VmHWM, or ru_maxrss elsewhere), except macOS's ru_maxrss, which is in bytes.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return {name: [value / scale for value in values] for name, values in samples.items()}


def import_breakdown(module: str, top: int = 12) -> List[Dict[str, object]]:
    """The modules whose own import time is largest, from `python -X importtime -c "import <module>"`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows: List[Dict[str, object]] = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:") or "self" in parts[0]:
            continue
        rows.append(
            {
                "module": parts[2].strip(),
                "self_us": int(parts[0].split(":")[1]),
                "cumulative_us": int(parts[1]),
            }
        )
    rows.sort(key=lambda row: -int(str(row["self_us"])))
    return rows[:top]


if __name__ == "__main__":
    print(json.dumps(import_breakdown(sys.argv[1] if len(sys.argv) > 1 else "tzafon"), indent=2))
