"""CPU seconds per search attempt, at a fixed number of attempts: a steadier measure of the
auxiliary search's speed than attempts per wall second on a shared machine.

Runs the heuristic-only search (seed 0, no time limit) on each selected problem until a
proof, exhaustion or ``--attempts`` nodes tried, and reports the process CPU time. The
attempts made are fixed by the seed, so two builds try the same nodes; ``--digest`` also
hashes every attempt's outcome (verdict, closure, proof) to check that they deduce the
same (it adds its own time: measure without it).

    python bench/attempts_cpu.py ../shared/benchmarks/geometry/jgex_ag_231.txt \\
        --subset attempts --attempts 100
    python bench/attempts_cpu.py ../shared/benchmarks/geometry/hageo_dev.txt --limit 20 \\
        --attempts 60 --digest
    python bench/attempts_cpu.py ../shared/benchmarks/geometry/jgex_ag_231.txt --warm \\
        --problem morley.gex --problem complete_009_Other_paper_Thebault_t5.gex --attempts 1500
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reasoner.config import EVERY_ATTEMPT

REPO_ROOT = Path(__file__).resolve().parents[1]
LEDGER = REPO_ROOT / "problems" / "geometry" / "jgex_ag_231.expected.json"
LEDGER_KEYS = {"unsolved": "not_proved", "attempts": "attempts_subset"}  # as bench/proposer.py


class _Enough(Exception):
    """Raised from the progress callback once the attempts are made."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, help="problem file (name, problem lines)")
    ap.add_argument("--subset", choices=("all", *LEDGER_KEYS), default="all",
                    help="all problems, those the JGEX ledger lists as not proved by DD+AR "
                         "(unsolved), or the 23 it listed when the attempts-per-second "
                         "comparisons began (attempts)")
    ap.add_argument("--limit", type=int, help="first N selected problems only")
    ap.add_argument("--problem", action="append", default=[], metavar="NAME",
                    help="only the problem with this name, or whose name ends with /NAME "
                         "(repeatable)")
    ap.add_argument("--attempts", type=int, default=100, help="attempts per problem at most")
    ap.add_argument("--digest", action="store_true",
                    help="hash every attempt's verdict, closure and proof")
    ap.add_argument("--attempt-sines", type=int, nargs="?", const=EVERY_ATTEMPT, default=0,
                    metavar="N",
                    help="the law of sines in the closure of attempts with at most N points "
                         "too (every attempt without N; solve-problem --attempt-sines), not "
                         "only the statement's")
    ap.add_argument("--warm", action="store_true",
                    help="load the numba kernels first (as a batch's workers have them) instead "
                         "of after a second of their numpy twins")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from reasoner.search import SearchConfig, search
    from symbolic.geometry import prover
    from symbolic.geometry.heuristics import HeuristicProposer
    from symbolic.geometry.problem import read_problems

    args = parse_args(argv)
    if args.warm:
        from symbolic.geometry import kernels

        kernels.warm_up()
    problems = read_problems(args.file)
    if args.subset in LEDGER_KEYS:
        names = set(json.loads(LEDGER.read_text())[LEDGER_KEYS[args.subset]])
        problems = [p for p in problems if p.name in names]
    if args.problem:
        problems = [p for p in problems
                    if any(p.name == n or p.name.endswith("/" + n) for n in args.problem)]
    problems = problems[:args.limit] if args.limit else problems
    digest = hashlib.sha256()
    if args.digest:
        prove = prover.prove

        def hashed(problem, config=None, *, parent=None):
            out = prove(problem, config, parent=parent)
            facts = sorted(map(str, out.closure.state.facts)) if out.closure else []
            proof = out.proof.document() if out.proof is not None else None
            digest.update(repr((problem.text(), out.verdict.value, facts, proof)).encode())
            return out

        prover.prove = hashed  # the search imports ``prove`` from the module at each call
    prover.prove(problems[0])  # compile and import what the first run would (not counted)
    total_cpu = total_attempts = 0.0
    for problem in problems:
        tried = 0

        def progress(stats: dict[str, Any]) -> None:
            nonlocal tried
            tried = stats["tried"]
            if tried >= args.attempts:
                raise _Enough

        began = time.process_time()
        try:
            out = search(problem, [HeuristicProposer()],
                         SearchConfig(timeout=None, attempt_sines=args.attempt_sines), progress)
            status, tried, aux = ("proved" if out.outcome.proved else "unproved"), out.tried, \
                list(out.auxiliary)
        except _Enough:
            status, aux = "capped", []
        cpu = time.process_time() - began
        total_cpu += cpu
        total_attempts += tried
        print(f"{problem.name:50s} {status:8s} tried={tried:4d} cpu={cpu:7.2f} aux={aux}",
              flush=True)
    per = 1000 * total_cpu / max(1.0, total_attempts)
    print(f"total: {int(total_attempts)} attempts, {total_cpu:.2f} CPU s, {per:.1f} ms/attempt")
    if args.digest:
        print("digest", digest.hexdigest())
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
