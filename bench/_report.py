"""The benchmark's results as rows: ratios to raw httpx, the markdown table, the JSON dump and the plot."""

from __future__ import annotations

import importlib
import statistics
from typing import Any, Dict, Optional, Sequence
from dataclasses import field, dataclass

from _timing import Samples

__all__ = ["Row", "timing_row", "rate_row", "memory_row", "markdown", "as_json", "plot"]

BASELINE = "raw httpx"
CONTENDERS = ("tzafon", "httpx+pydantic", "floor", "openai")


@dataclass
class Row:
    """One line of the table: a medians per contender, and each contender's ratio to raw httpx.

    `ratios` are medians of per-round ratios (each round measures every contender), oriented so
    that they compare like the target: time ratios are contender/raw, rate ratios contender/raw.
    """

    label: str
    unit: str
    values: Dict[str, float]
    ratios: Dict[str, float]
    target: str
    meets: Optional[bool]
    goal: Optional[float] = None
    """The target as a ratio to raw httpx, when it is one."""
    deltas: Dict[str, float] = field(default_factory=lambda: {})
    samples: Samples = field(default_factory=lambda: {})


def _per_round_ratio(samples: Samples, name: str, invert: bool) -> float:
    pairs = zip(samples[name], samples[BASELINE])
    return statistics.median((base / value) if invert else (value / base) for value, base in pairs)


def timing_row(
    label: str, unit: str, scale: float, samples: Samples, *, limit: Optional[float], pooled: bool = False
) -> Row:
    """Lower is better (seconds per unit, shown times `scale`); the target is tzafon/raw <= `limit`.

    `pooled` compares means over all rounds instead of medians of per-round ratios: for rows whose
    rounds fall into regimes (as the loopback row's do), where a median picks one regime or the other.
    """
    if pooled:
        values = {name: statistics.mean(values) * scale for name, values in samples.items()}
        ratios = {name: sum(samples[name]) / sum(samples[BASELINE]) for name in samples}
    else:
        values = {name: statistics.median(values) * scale for name, values in samples.items()}
        ratios = {name: _per_round_ratio(samples, name, invert=False) for name in samples}
    target = f"<= {limit:.2f}x" if limit is not None else "(none)"
    meets = None if limit is None or "tzafon" not in ratios else ratios["tzafon"] <= limit
    return Row(label, unit, values, ratios, target, meets, goal=limit, samples=samples)


def rate_row(label: str, items: int, samples: Samples, *, floor: Optional[float]) -> Row:
    """Higher is better: `items` per second from seconds per run; the target is tzafon/raw >= `floor`."""
    values = {name: items / statistics.median(values) for name, values in samples.items()}
    ratios = {name: _per_round_ratio(samples, name, invert=True) for name in samples}
    target = f">= {floor:.2f}x" if floor is not None else "(none)"
    meets = None if floor is None or "tzafon" not in ratios else ratios["tzafon"] >= floor
    return Row(label, "chunks/s", values, ratios, target, meets, goal=floor, samples=samples)


def memory_row(label: str, samples: Samples, *, max_delta: float) -> Row:
    """Peak RSS in MiB; the target is tzafon's peak at most `max_delta` MiB above raw httpx's."""
    values = {name: statistics.median(values) for name, values in samples.items()}
    ratios = {name: _per_round_ratio(samples, name, invert=False) for name in samples}
    deltas = {name: statistics.median(a - b for a, b in zip(samples[name], samples[BASELINE])) for name in samples}
    meets = deltas["tzafon"] <= max_delta if "tzafon" in deltas else None
    return Row(label, "MiB", values, ratios, f"<= +{max_delta:g} MiB", meets, deltas=deltas, samples=samples)


def _number(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio_cell(row: Row, name: str) -> str:
    if name not in row.ratios:
        return "n/a"
    text = f"{row.ratios[name]:.2f}x"
    if name in row.deltas:
        text = f"{row.deltas[name]:+.1f} MiB ({text})"
    return text


def markdown(rows: Sequence[Row], present: Sequence[str]) -> str:
    """The table: medians per contender, ratios to raw httpx, the target and whether tzafon meets it."""
    others = [name for name in CONTENDERS if name in present]
    header = ["benchmark", "unit", BASELINE, *others, *[f"{name} / raw" for name in others], "target", "tzafon"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 4) + ["---"] * 2) + "|",
    ]
    for row in rows:
        cells = [row.label, row.unit, _number(row.values[BASELINE])]
        cells += [_number(row.values[name]) if name in row.values else "n/a" for name in others]
        cells += [_ratio_cell(row, name) for name in others]
        verdict = "-" if row.meets is None else ("meets" if row.meets else "MISSES")
        cells += [row.target, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def as_json(rows: Sequence[Row], meta: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "meta": meta,
        "rows": [
            {
                "label": row.label,
                "unit": row.unit,
                "median": row.values,
                "ratio_to_raw_httpx": row.ratios,
                "delta_mib": row.deltas or None,
                "target": row.target,
                "tzafon_meets_target": row.meets,
                "rounds": row.samples,
            }
            for row in rows
        ],
    }


def _speed(row: Row, ratio: float) -> float:
    """A ratio turned into speed relative to raw httpx, so that higher is better on every row."""
    return ratio if row.unit == "chunks/s" else 1.0 / ratio


def plot(rows: Sequence[Row], present: Sequence[str], path: str) -> None:
    """A horizontal bar chart of each contender's speed relative to raw httpx (1.0 = as fast as raw httpx).

    Time and memory ratios are inverted (raw / contender) and rate ratios kept (contender / raw),
    so every bar reads the same way: longer is better. Targets are drawn the same way.
    """
    matplotlib: Any = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    plt: Any = importlib.import_module("matplotlib.pyplot")

    others = [name for name in CONTENDERS if name in present]
    labels = [row.label for row in rows]
    height = 0.8 / max(1, len(others))
    figure, axes = plt.subplots(figsize=(11, 0.55 * len(rows) + 1.5))
    for index, name in enumerate(others):
        positions = [i + index * height for i in range(len(rows))]
        speeds = [_speed(row, row.ratios[name]) if name in row.ratios else 0.0 for row in rows]
        bars = axes.barh(positions, speeds, height=height, label=name)
        if name == "tzafon":
            for bar, speed in zip(bars, speeds):
                if speed:
                    axes.text(speed * 1.04, bar.get_y() + height / 2, f"{speed:.2f}", va="center", fontsize=7)
    axes.axvline(1.0, color="black", linewidth=1)
    goals = [(_speed(row, row.goal), i) for i, row in enumerate(rows) if row.goal is not None]
    if goals:
        span = height * len(others)
        axes.scatter(
            [goal for goal, _ in goals],
            [i + span / 2 - height / 2 for _, i in goals],
            marker="|",
            s=400,
            color="red",
            label="target for tzafon",
            zorder=3,
        )
    axes.set_yticks([i + height * (len(others) - 1) / 2 for i in range(len(rows))])
    axes.set_yticklabels(labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("speed relative to raw httpx, log scale (raw / contender for times and memory; higher is better)")
    axes.set_title("tzafon and peers against raw httpx, measured side by side (1.0 = raw httpx)")
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
