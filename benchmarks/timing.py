"""Shared timing helpers for the benchmark scripts (run as ``python benchmarks/<topic>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """(median wall-clock seconds over ``runs`` calls, the last call's result)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def median_seconds(fn: Callable[[], Any], runs: int) -> float:
    """Median wall-clock seconds of ``fn()`` over ``runs`` calls."""
    return timed(fn, runs)[0]
