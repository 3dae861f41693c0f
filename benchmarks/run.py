"""Benchmarks with targets. Run: ./dev bench [group or name ...]

Each benchmark prints what it measured next to its target and whether the target was met.
They are measurements, not tests: timings depend on the machine, so they never gate CI.
Groups: seed (the committed page), scale (synthetic directories up to 1M), load (many sessions).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.registry import BENCHMARKS  # noqa: E402


def main(names: list[str]) -> int:
    for module in sorted(HERE.glob("bench_*.py")):
        importlib.import_module(f"benchmarks.{module.stem}")
    groups = {group for _, _, group in BENCHMARKS.values()}
    selected = [n for n, (_, _, g) in BENCHMARKS.items() if not names or n in names or g in names]
    unknown = [n for n in names if n not in BENCHMARKS and n not in groups]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join([*groups, *BENCHMARKS])}",
              file=sys.stderr)
        return 2
    for name in selected:
        fn, target, _ = BENCHMARKS[name]
        figure, met = fn()
        print(f"{name:<18} {'met ' if met else 'MISS'}  {figure}\n{'':<18}       target: {target}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
