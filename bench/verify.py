"""Benchmark verify-net on the VNN-COMP suite; print decided / wrong / time per tool.

    python bench/verify.py --jobs 2                          # every benchmark folder
    python bench/verify.py --benchmarks oval21,sri_resnet_a --every 6 --timeout-cap 30
    python bench/verify.py ../shared/benchmarks/verify/acasxu/instances.csv --jobs 2
    python bench/verify.py ... --limit 20 --marabou          # also run maraboupy
    python bench/verify.py ... --ours results.jsonl          # reuse `verify-net --json` rows
    python bench/verify.py ... --save results.jsonl          # keep our rows (for --ours)

Ground truth: the published VNN-COMP 2022 results in the reference folder (every tool there; an
instance is sat when one found a counterexample, else unsat when one proved it). "wrong" counts
verdicts that contradict it; every `sat` of ours is re-checked with onnxruntime (VNN-COMP's 1e-4
rule). Each tool's published rows (their hardware, 2022) are shown beside ours on the same
instances, counted as decided only within the same per-instance limit (after --timeout-cap).
Exits 1 when any verdict of ours is wrong or any witness fails the check.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symbolic.runner import in_order  # noqa: E402
from verify.batch import Instance, read_instances, run_instances  # noqa: E402
from verify.result import Result, Status, Witness  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "benchmarks" / "verify" / "reference"


def _key(onnx: str, vnnlib: str) -> tuple[str, str]:
    return Path(onnx).name, Path(vnnlib).name


def published(path: Path) -> dict[tuple[str, str], tuple[str, float]]:
    """VNN-COMP results.csv rows -> {(onnx, vnnlib): (result, seconds)}."""
    out = {}
    for row in csv.reader(path.read_text().splitlines()):
        if len(row) >= 6:
            out[_key(row[1], row[2])] = (row[4].strip(), float(row[5] or 0))
    return out


TOOLS = ("alpha_beta_crown", "nnenum", "marabou", "mn_bab", "verinet")
TOOL_NAMES = {"alpha_beta_crown": "alpha-beta-CROWN", "nnenum": "nnenum", "marabou": "Marabou",
              "mn_bab": "MN-BaB", "verinet": "VeriNet"}


def references(folder: Path, bench: str) -> dict[str, dict[tuple[str, str], tuple[str, float]]]:
    """The published VNN-COMP 2022 rows of each tool for one benchmark."""
    return {tool: published(folder / f"{tool}__{bench}.csv") for tool in TOOLS
            if (folder / f"{tool}__{bench}.csv").exists()}


def ground_truth(folder: Path, bench: str = "acasxu") -> dict[tuple[str, str], str]:
    """sat where any tool published sat, else unsat where any published unsat (the suite's
    tools never contradict each other on these benchmarks; a sat comes with a witness)."""
    truth: dict[tuple[str, str], str] = {}
    for table in references(folder, bench).values():
        for key, (res, _) in table.items():
            if res == "sat" or (res == "unsat" and key not in truth):
                truth[key] = res
    return truth


def run_ours(instances: list[Instance], jobs: int) -> list[Result]:
    from verify.cli import solve_instance

    results: list[Result] = [Result(Status.ERROR)] * len(instances)
    for i, r in enumerate(in_order(run_instances(instances, solve_instance, jobs, 1))):
        results[i] = r
        print(f"  ours {r.status.value:<8} {r.seconds:7.2f} s  {instances[i].onnx_text} "
              f"{instances[i].vnnlib_text} {r.error or ''}", file=sys.stderr, flush=True)
    return results


def load_ours(path: Path, instances: list[Instance]) -> list[Result | None]:
    rows = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        w = r.get("witness")
        witness = Witness(np.array(w["x"]), np.array(w["y"])) if w else None
        rows[_key(r["onnx"], r["vnnlib"])] = Result(Status(r["status"]), r["seconds"], witness)
    return [rows.get(_key(i.onnx_text, i.vnnlib_text)) for i in instances]


def run_marabou(instances: list[Instance], jobs: int) -> list[Result]:
    def solve(inst: Instance) -> Result:
        import time

        from maraboupy import Marabou, MarabouCore

        start = time.monotonic()
        net = Marabou.read_onnx(str(inst.onnx))
        query = net.getInputQuery()
        MarabouCore.loadProperty(query, str(inst.vnnlib))
        options = Marabou.createOptions(timeoutInSeconds=int(inst.timeout), verbosity=0)
        code, _, _ = MarabouCore.solve(query, options, "")
        word = {"sat": Status.SAT, "unsat": Status.UNSAT}.get(code.lower(), Status.TIMEOUT)
        return Result(word, time.monotonic() - start)

    results: list[Result] = [Result(Status.ERROR)] * len(instances)
    for i, r in enumerate(in_order(run_instances(instances, solve, jobs, 1))):
        results[i] = r
    return results


def row(name: str, keys, verdicts: list[tuple[str, float] | None], truth) -> str:
    present = [(k, v) for k, v in zip(keys, verdicts) if v is not None]
    decided = [(k, v) for k, v in present if v[0] in ("sat", "unsat")]
    wrong = sum(1 for k, v in decided if k in truth and truth[k] != v[0])
    sat = sum(1 for _, v in decided if v[0] == "sat")
    times = [v[1] for _, v in decided]
    median = f"{statistics.median(times):.2f}" if times else "-"
    return (f"| {name} | {len(present)} | {len(decided)} ({len(decided) - sat} unsat + {sat} "
            f"sat) | {wrong} | {median} | {sum(max(v[1], 0.0) for _, v in present):.0f} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instances", nargs="?", help="one instances.csv (default: the benchmark "
                   "folders of --suite)")
    p.add_argument("--suite", type=Path, default=REFERENCE.parent,
                   help="folder of benchmark folders (default: ../shared/benchmarks/verify)")
    p.add_argument("--benchmarks", help="comma-separated benchmark folder names (default: all "
                   "but test)")
    p.add_argument("--root")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--limit", type=int, help="only the first N instances (per benchmark)")
    p.add_argument("--every", type=int, default=1, help="only every k-th instance")
    p.add_argument("--timeout", type=float, help="override the CSV timeout")
    p.add_argument("--timeout-cap", type=float, help="cap every instance's timeout at S "
                   "seconds (the published results count as decided only within S too)")
    p.add_argument("--ours", type=Path, help="verify-net --json rows instead of running")
    p.add_argument("--save", type=Path, help="append our rows to FILE as `verify-net --json` "
                   "lines (re-read with --ours)")
    p.add_argument("--marabou", action="store_true", help="also run maraboupy")
    p.add_argument("--reference", type=Path, default=REFERENCE)
    args = p.parse_args(argv)
    if args.instances:
        name = Path(args.instances).resolve().parent.name
        runs = [(name, Path(args.instances))]
    else:
        names = (args.benchmarks.split(",") if args.benchmarks else
                 sorted(d.name for d in args.suite.iterdir()
                        if (d / "instances.csv").exists() and d.name != "test"))
        runs = [(n, args.suite / n / "instances.csv") for n in names]
    wrong_total = 0
    for name, csv_path in runs:
        wrong_total += _bench(name, csv_path, args)
    return 1 if wrong_total else 0


def _bench(name: str, csv_path: Path, args: argparse.Namespace) -> int:
    instances = read_instances(str(csv_path), args.root)[::args.every][:args.limit]
    if args.timeout or args.timeout_cap:
        instances = [Instance(i.onnx, i.vnnlib, _limit(i.timeout, args), i.onnx_text,
                              i.vnnlib_text) for i in instances]
    keys = [_key(i.onnx_text, i.vnnlib_text) for i in instances]
    limits = {k: i.timeout for k, i in zip(keys, instances)}
    truth = ground_truth(args.reference, name)
    ours = load_ours(args.ours, instances) if args.ours else run_ours(instances, args.jobs)
    if args.save and not args.ours:
        with args.save.open("a") as out:
            for inst, r in zip(instances, ours):
                if r is not None:
                    out.write(json.dumps({"onnx": inst.onnx_text, "vnnlib": inst.vnnlib_text}
                                         | r.to_json()) + "\n")
    invalid = _check_witnesses(instances, ours)
    cap = f", timeouts capped at {args.timeout_cap:g} s" if args.timeout_cap else ""
    print(f"\n## {name}: {len(instances)} instances (every {args.every}{cap})\n")
    print("| tool | instances | decided | wrong | median s (decided) | total s |")
    print("|---|---|---|---|---|---|")
    mine = [(r.status.value, r.seconds) if r else None for r in ours]
    wrong = _wrong(keys, mine, truth)
    print(row("verify-net (this CPU)", keys, mine, truth))
    if args.marabou:
        try:
            mara = run_marabou(instances, args.jobs)
            print(row("Marabou 2.0.0 (this CPU)", keys,
                      [(r.status.value, r.seconds) for r in mara], truth))
        except ImportError:
            print("| Marabou | maraboupy not installed | | | | |")
    for tool, table in references(args.reference, name).items():
        rows = [_within(table.get(k), limits[k]) for k in keys]
        print(row(f"{TOOL_NAMES[tool]} (VNN-COMP 2022)", keys, rows, truth))
    print(f"\nsat witnesses failing the onnxruntime check: {invalid}; wrong verdicts of ours: "
          f"{wrong}")
    return wrong + invalid


def _limit(timeout: float, args: argparse.Namespace) -> float:
    t = args.timeout or timeout
    return min(t, args.timeout_cap) if args.timeout_cap else t


def _within(published_row: tuple[str, float] | None, limit: float) -> tuple[str, float] | None:
    """A published verdict counts as decided only within the instance's (capped) limit."""
    if published_row is None:
        return None
    word, seconds = published_row
    if word in ("sat", "unsat") and seconds > limit:
        return "timeout", seconds
    return word, seconds


def _wrong(keys, verdicts, truth) -> int:
    return sum(1 for k, v in zip(keys, verdicts)
               if v is not None and v[0] in ("sat", "unsat") and k in truth and truth[k] != v[0])


def _check_witnesses(instances: list[Instance], results: list[Result | None]) -> int:
    from verify.api import load_network
    from verify.vnnlib import read_vnnlib
    from verify.witness import check_witness

    bad = 0
    for inst, r in zip(instances, results):
        if r is not None and r.status is Status.SAT:
            ok = r.witness is not None and check_witness(
                load_network(inst.onnx), read_vnnlib(inst.vnnlib).cases, r.witness)
            bad += not ok
    return bad


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
