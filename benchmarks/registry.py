"""The benchmark registry: each `bench_*.py` module in this folder registers its figures here.

A benchmark returns (figure, met): the text of what it measured, printed beside its target, and
whether the target was met. Benchmarks are measurements, not tests; they never gate CI.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCHMARKS: dict[str, tuple[Callable[[], tuple[str, bool]], str, str]] = {}


def benchmark(name: str, target: str, group: str = "seed"):
    """Register `fn` under `name`; `group` lets `./dev bench GROUP` run a section (seed, scale, load)."""
    def register(fn):
        BENCHMARKS[name] = (fn, target, group)
        return fn
    return register


def median_seconds(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples)
