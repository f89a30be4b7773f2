"""DD+AR with different sets of AR tables, side by side on one problem file.

Each problem is proved once per table set, the sets taking turns problem by problem (in
turn forwards and backwards: what one run caches for the next evens out), so that on a
shared machine the load falls on all of them alike. Prints, per set, the problems proved,
the median and mean seconds of the proved ones, the total seconds, and the problems proved by
one set and not by the first.

    python bench/ar_tables.py ../shared/benchmarks/geometry/jgex_ag_231.txt \\
        --tables angle,ratio angle,ratio,dist --timeout 30
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, help="problem file (name, problem lines)")
    ap.add_argument("--tables", nargs="+", default=["angle,ratio", "angle,ratio,dist"],
                    help="table sets to compare, each comma-separated; the first is the base")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per problem")
    ap.add_argument("--limit", type=int, help="first N problems only")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.problem import read_problems
    from symbolic.geometry.prover import ProverConfig, prove

    args = parse_args(argv)
    problems = read_problems(args.file)[:args.limit]
    sets = [frozenset(t.split(",")) for t in args.tables]
    proved: list[dict[str, float]] = [{} for _ in sets]
    total = [0.0] * len(sets)
    for k, p in enumerate(problems):
        order = list(enumerate(sets))
        for i, tables in order if k % 2 == 0 else order[::-1]:
            t0 = time.monotonic()
            try:
                ok = prove(p, ProverConfig(timeout=args.timeout, ar_tables=tables)).proved
            except GeometryError:
                ok = False
            dt = time.monotonic() - t0
            total[i] += dt
            if ok:
                proved[i][p.name] = dt
    print(f"{args.file.name}: {len(problems)} problems, timeout {args.timeout:g} s")
    for name, got, spent in zip(args.tables, proved, total, strict=True):
        times = sorted(got.values())
        med = statistics.median(times) if times else float("nan")
        mean = statistics.fmean(times) if times else float("nan")
        print(f"{name:24} proved {len(got):4}  median {med:.3f} s  mean {mean:.3f} s  "
              f"total {spent:.1f} s")
    for name, got in zip(args.tables[1:], proved[1:], strict=True):
        gained = sorted(set(got) - set(proved[0]))
        lost = sorted(set(proved[0]) - set(got))
        print(f"{name}: gained {len(gained)} {gained}; lost {len(lost)} {lost}")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
