"""Benchmarks with targets. Run: ./dev bench [name ...]

Each benchmark prints what it measured next to its target and whether the target was met.
They are measurements, not tests: timings depend on the machine, so they never gate CI.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCHMARKS = {}


def benchmark(name: str, target: str):
    def register(fn):
        BENCHMARKS[name] = (fn, target)
        return fn
    return register


def _median_seconds(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples)


@benchmark("build-cli", "python -m atlas build data/dystonias.txt: under 2 s wall time, cold process, offline")
def build_cli() -> tuple[str, bool]:
    with tempfile.TemporaryDirectory() as out:
        def run():
            subprocess.run([sys.executable, "-m", "atlas", "build", "data/dystonias.txt", "--out", out],
                           cwd=ROOT, check=True, capture_output=True, env={"ATLAS_GEOCODE_CACHE": "off",
                                                                          "PATH": "/usr/bin:/bin"})
        median, worst = _median_seconds(run, 5)
    return f"median {median:.2f} s, worst {worst:.2f} s over 5 runs", worst < 2.0


@benchmark("parse", "parse_page on the committed page: under 20 ms warm")
def parse() -> tuple[str, bool]:
    from atlas.source import parse_page
    text = (ROOT / "data" / "dystonias.txt").read_text()
    parse_page(text)
    median, _ = _median_seconds(lambda: parse_page(text), 50)
    return f"median {median * 1000:.2f} ms over 50 runs", median < 0.020


def main(names: list[str]) -> int:
    selected = names or list(BENCHMARKS)
    unknown = [n for n in selected if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in selected:
        fn, target = BENCHMARKS[name]
        figure, met = fn()
        print(f"{name:<14} {'met ' if met else 'MISS'}  {figure}\n{'':<14}       target: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
