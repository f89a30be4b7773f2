"""Check every proof the prover finds with the independent step checker.

Runs solve-problem's solver on a problem file (DD+AR by default, ``--search`` for the
auxiliary search), through the batch runner (per-problem time and memory limits), hands each
proof to ``symbolic.geometry.checker`` (its own fresh diagram, exact AR re-verification, rule
instances, definitions, printed text) and prints one table: problems, proved, proofs checked,
rejected, and the proofs the prover itself refused because the checker rejected them (the
prover runs it on every proof before reporting it), with the first error of each.

    python bench/check_proofs.py ../shared/benchmarks/geometry/jgex_ag_231.txt --jobs 1
    python bench/check_proofs.py ../shared/benchmarks/geometry/hageo_dev.txt --search --timeout 60

Measured: see README ("Checking proofs independently").
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from reasoner.batch import run_batch  # noqa: E402
from reasoner.config import SolveConfig  # noqa: E402
from reasoner.domains.geometry import read  # noqa: E402
from symbolic.geometry.checker import check_document  # noqa: E402


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", help="AlphaGeometry problem file")
    p.add_argument("--search", action="store_true", help="auxiliary search (default: DD+AR)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per problem")
    p.add_argument("--jobs", type=int, default=1, help="problems solved in parallel")
    p.add_argument("--limit", type=int, default=0, help="first N problems only (0: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the prover's diagram")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    items = read(Path(args.path))
    if args.limit:
        items = items[:args.limit]
    config = SolveConfig(timeout=args.timeout, seed=args.seed, with_proof=True, aux=args.search,
                         sources=("heuristic",))
    start = time.monotonic()
    proved = checked = 0
    rejected: list[tuple[str, str]] = []
    check_seconds = 0.0
    in_prover: list[tuple[str, str]] = []  # proofs the prover's own call of the checker
    for _, result in run_batch(items, config, jobs=args.jobs):  # refused (never reported)
        failed = str(result.stats.get("proof_check_failed", ""))
        if failed.startswith("independent checker"):
            in_prover.append((result.problem, failed))
        proof = result.proof_object
        if proof is None:
            continue
        proved += 1
        t = time.monotonic()
        report = check_document(proof.document())
        check_seconds += time.monotonic() - t
        checked += 1
        if not report.valid:
            rejected.append((result.problem, report.errors[0]))
    mode = "DD+AR + auxiliary search" if args.search else "DD+AR"
    print(f"{Path(args.path).name}, {mode}, timeout {args.timeout:g} s, "
          f"{time.monotonic() - start:.0f} s in all, checking {check_seconds:.1f} s")
    print("| problems | proved | proofs checked | rejected | refused inside the prover |\n"
          "|---|---|---|---|---|\n"
          f"| {len(items)} | {proved} | {checked} | {len(rejected)} | {len(in_prover)} |")
    for name, error in rejected + in_prover:
        print(f"rejected {name}: {error}")
    return 1 if rejected or in_prover else 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
