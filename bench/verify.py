"""Benchmark verify-net on a VNN-COMP instances.csv; print decided / wrong / time per tool.

    python bench/verify.py ../shared/benchmarks/verify/acasxu/instances.csv --jobs 2
    python bench/verify.py ... --limit 20 --marabou          # also run maraboupy
    python bench/verify.py ... --ours results.jsonl          # reuse `verify-net --json` rows

Ground truth: the published VNN-COMP 2022 results in the reference folder (alpha-beta-CROWN and
nnenum; an instance is sat/unsat when either decided it). "wrong" counts verdicts that contradict
it; every `sat` of ours is re-checked with onnxruntime (VNN-COMP's 1e-4 rule). The published
alpha-beta-CROWN rows (GPU, 2022) are shown beside ours on the same instances.
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


def ground_truth(folder: Path) -> dict[tuple[str, str], str]:
    truth: dict[tuple[str, str], str] = {}
    for name in ("alpha_beta_crown__acasxu.csv", "nnenum__acasxu.csv"):
        if (folder / name).exists():
            for key, (res, _) in published(folder / name).items():
                if res in ("sat", "unsat"):
                    truth.setdefault(key, res)
    return truth


def run_ours(instances: list[Instance], jobs: int) -> list[Result]:
    from verify.cli import solve_instance

    results: list[Result] = [Result(Status.ERROR)] * len(instances)
    for i, r in enumerate(in_order(run_instances(instances, solve_instance, jobs, 1))):
        results[i] = r
        print(f"  ours {r.status.value:<8} {r.seconds:7.2f} s  {instances[i].onnx_text} "
              f"{instances[i].vnnlib_text}", file=sys.stderr, flush=True)
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
            f"sat) | {wrong} | {median} | {sum(v[1] for _, v in present):.0f} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instances")
    p.add_argument("--root")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--limit", type=int, help="only the first N instances")
    p.add_argument("--every", type=int, default=1, help="only every k-th instance")
    p.add_argument("--timeout", type=float, help="override the CSV timeout")
    p.add_argument("--ours", type=Path, help="verify-net --json rows instead of running")
    p.add_argument("--marabou", action="store_true", help="also run maraboupy")
    p.add_argument("--reference", type=Path, default=REFERENCE)
    args = p.parse_args(argv)
    instances = read_instances(args.instances, args.root)[::args.every][:args.limit]
    if args.timeout:
        instances = [Instance(i.onnx, i.vnnlib, args.timeout, i.onnx_text, i.vnnlib_text)
                     for i in instances]
    keys = [_key(i.onnx_text, i.vnnlib_text) for i in instances]
    truth = ground_truth(args.reference)
    ours = load_ours(args.ours, instances) if args.ours else run_ours(instances, args.jobs)
    invalid = _check_witnesses(instances, ours)
    print("| tool | instances | decided | wrong | median s (decided) | total s |")
    print("|---|---|---|---|---|---|")
    print(row("verify-net (this CPU)", keys,
              [(r.status.value, r.seconds) if r else None for r in ours], truth))
    if args.marabou:
        try:
            mara = run_marabou(instances, args.jobs)
            print(row("Marabou 2.0.0 (this CPU)", keys,
                      [(r.status.value, r.seconds) for r in mara], truth))
        except ImportError:
            print("| Marabou | maraboupy not installed | | | | |")
    ref = args.reference / "alpha_beta_crown__acasxu.csv"
    if ref.exists():
        table = published(ref)
        print(row("alpha-beta-CROWN (VNN-COMP 2022, GPU)", keys, [table.get(k) for k in keys],
                  truth))
    print(f"\nsat witnesses failing the onnxruntime check: {invalid}")
    return 0


def _check_witnesses(instances: list[Instance], results: list[Result | None]) -> int:
    from verify.onnx_graph import load_onnx
    from verify.vnnlib import read_vnnlib
    from verify.witness import check_witness

    bad = 0
    for inst, r in zip(instances, results):
        if r is not None and r.status is Status.SAT:
            ok = r.witness is not None and check_witness(
                load_onnx(inst.onnx), read_vnnlib(inst.vnnlib).cases, r.witness)
            bad += not ok
    return bad


if __name__ == "__main__":
    raise SystemExit(main())
