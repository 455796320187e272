"""`bench/run.py --quick` runs end to end and prints every row of its table (no timing is judged)."""

from __future__ import annotations

import sys
import json
import subprocess
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"

ROWS = [
    "non-streaming call, sync",
    "non-streaming call, async",
    "content chunks, sync",
    "content chunks, async",
    "tool-call chunks, sync",
    "tool-call chunks, async",
    "1-byte reads, sync",
    "1-byte reads, async",
    "parse only: a content chunk",
    "parse only: a tool-call chunk",
    "import (fresh process)",
    "peak RSS: import + build a client",
    "concurrent async streams, client CPU",
]


def _run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    dump = tmp_path_factory.mktemp("bench") / "numbers.json"
    return _run("--quick", "--json", str(dump)), dump


def test_quick_run_prints_a_table_with_every_row(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, _ = quick_run
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| benchmark |"))
    assert "raw httpx" in header and "tzafon" in header and "tzafon / raw" in header
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| benchmark |")]
    for row in ROWS:
        matching = [line for line in table if row in line]
        assert len(matching) == 1, f"no single row for {row!r} in:\n{done.stdout}"
        cells = [cell.strip() for cell in matching[0].strip("|").split("|")]
        assert cells[-1] in ("meets", "MISSES", "-"), matching[0]
        assert cells[2] and cells[2] != "n/a", matching[0]  # the raw httpx baseline was measured


def test_quick_run_dumps_the_raw_numbers(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, dump = quick_run
    assert done.returncode == 0, done.stderr
    numbers = json.loads(dump.read_text())
    assert numbers["meta"]["quick"] is True
    labels = [row["label"] for row in numbers["rows"]]
    assert len(labels) == len(ROWS)
    for row in numbers["rows"]:
        rounds = row["rounds"]
        assert len(rounds["raw httpx"]) == len(rounds["tzafon"]) >= 1
        assert row["ratio_to_raw_httpx"]["raw httpx"] == pytest.approx(1.0)


def test_plot_without_matplotlib_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is not None:
        pytest.skip("matplotlib is installed, so --plot works")
    done = _run("--quick", "--plot", str(tmp_path / "out.png"), timeout=60)
    assert done.returncode != 0
    assert "matplotlib" in done.stderr
    assert not (tmp_path / "out.png").exists()


def test_plot_draws_a_png(tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed (it is in the `bench` dependency group)")
    out = tmp_path / "out.png"
    done = _run("--quick", "--only", "parse", "--plot", str(out), timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
