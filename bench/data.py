"""Synthetic-data benchmark: examples per core-minute of ``python -m neural.data``, as users run it.

Each configuration is one run of the CLI (start-up, the definition table and the workers
included) with a time limit, ``--seconds S --jobs J``; the figure is examples written per
core-minute, ``examples / (wall seconds * J / 60)``, for the data that matters (auxiliary
clauses DD+AR needs: the default), for the weaker data (``--allow-unneeded``) and, with
``--modes heuristic``, for auxiliary points from the heuristic source (``--aux heuristic``);
with the distinct (statement, auxiliary clauses) pairs among them. ``--repo``
runs the same commands from another checkout, e.g. a worktree of an older revision, for a
before/after table on the same machine:

    python bench/data.py --seconds 120 --jobs 2
    python bench/data.py --modes heuristic --mix ../shared/benchmarks/geometry/hageo_dev.txt
    git worktree add /tmp/before <rev> && python bench/data.py --repo /tmp/before --repo .

The output of a timed run depends on the machine's speed (each worker writes what it has
checked when time is up); ``--count`` with no time limit is deterministic per seed and jobs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
MODES = {"needed": (), "unneeded": ("--allow-unneeded",), "heuristic": ("--aux", "heuristic")}


def run_one(repo: Path, mode: str, seconds: float, jobs: int, seed: int,
            mix: Path | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "data.jsonl"
        argv = [sys.executable, "-m", "neural.data", "--count", "1000000", "--seed", str(seed),
                "--jobs", str(jobs), "--seconds", f"{seconds:g}", "--out", str(out),
                *MODES[mode], *(("--mix", str(mix.resolve())) if mix else ())]
        start = time.monotonic()
        proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True,
                              env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
                              timeout=seconds * 3 + 300)
        wall = time.monotonic() - start
        rows = [json.loads(line) for line in out.read_text().splitlines()] \
            if out.exists() else []
    return {"repo": str(repo), "mode": mode, "jobs": jobs, "seconds": seconds, "seed": seed,
            "wall_s": round(wall, 1), "examples": len(rows),
            "with_aux": sum(1 for r in rows if r["auxiliary"]),
            "distinct_pairs": len({(tuple(r["statement"]), tuple(r["auxiliary"])) for r in rows}),
            "per_core_minute": round(len(rows) / (wall * jobs / 60), 2),
            "error": proc.stderr.strip()[-300:] if proc.returncode not in (0, 1) else None}


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| checkout | data | jobs | wall s | examples | distinct (statement, aux) | "
             "per core-minute |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['repo']} | {r['mode']} | {r['jobs']} | {r['wall_s']} | "
                     f"{r['examples']} | {r['distinct_pairs']} | {r['per_core_minute']} |"
                     + (f" error: {r['error']}" if r["error"] else ""))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repo", type=Path, action="append",
                   help="checkout to run the CLI from (repeatable; default: this one)")
    p.add_argument("--modes", default="needed,unneeded",
                   help="comma-separated: needed (default data), unneeded (--allow-unneeded), "
                        "heuristic (--aux heuristic)")
    p.add_argument("--seconds", type=float, default=120.0, help="time limit per run")
    p.add_argument("--jobs", type=int, default=1, help="worker processes per run")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mix", type=Path, metavar="FILE",
                   help="draw constructions as often as the problems of FILE use them "
                        "(neural.data --mix; e.g. ../shared/benchmarks/geometry/hageo_dev.txt)")
    p.add_argument("--json-out", type=Path, help="write the rows as JSON")
    args = p.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad:
        print(f"unknown mode {bad[0]!r}; known: {', '.join(MODES)}", file=sys.stderr)
        return 2
    rows = []
    for repo in args.repo or [REPO_ROOT]:
        for mode in modes:
            rows.append(run_one(repo.resolve(), mode, args.seconds, args.jobs, args.seed,
                                args.mix))
            print(f"{repo} {mode}: {rows[-1]['examples']} examples in {rows[-1]['wall_s']} s",
                  file=sys.stderr, flush=True)
    print(f"python -m neural.data, {args.seconds:g} s limit, --jobs {args.jobs}, "
          f"seed {args.seed}" + (f", --mix {args.mix}" if args.mix else "")
          + "; wall time includes start-up")
    print(format_table(rows))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
