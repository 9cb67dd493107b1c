"""Summaries of repeated measurements: the median of N runs with its min and max.

Every figure in ``bench-results.json`` is a :class:`Figure`, so the report never has to guess how a
number was obtained or how much it moved between runs.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """The median of ``runs`` samples, with the smallest and largest sample."""

    median: float
    min: float
    max: float
    runs: int

    @classmethod
    def of(cls, samples: Iterable[float]) -> Figure:
        values = sorted(float(sample) for sample in samples)
        if not values:
            raise ValueError("a figure needs at least one sample")
        return cls(median=statistics.median(values), min=values[0], max=values[-1], runs=len(values))

    def as_json(self) -> dict[str, float | int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figure:
        return cls(median=data["median"], min=data["min"], max=data["max"], runs=int(data["runs"]))


def figures(samples: Iterable[Mapping[str, float]]) -> dict[str, Figure]:
    """Per-key figures over several runs' measurement dicts (a key missing from a run is skipped)."""
    collected: dict[str, list[float]] = {}
    for sample in samples:
        for key, value in sample.items():
            collected.setdefault(key, []).append(value)
    return {key: Figure.of(values) for key, values in collected.items()}


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is zero (nothing to compare)."""
    return numerator / denominator if denominator else None
