"""Differential soundness checks at scale: random cases per engine, judged by oracles.

Each engine is a module registered by name in ``differential.ENGINES`` (``tests/helpers/``:
``differential_geometry.py``, ``differential_sygus.py``, ``differential_verify.py``,
``differential_grammar.py``, shared with the tests; test code, not part of the packages):
``generate(rng, k)`` draws case ``k`` of a run from a generator seeded by (``--seed``, ``k``),
so any case can be rerun alone (``--case K``); ``check(case, timeout)`` runs the engine and
judges its answer.

  geometry  random construction sequences and goals (true or false on a drawing), proved by
            DD+AR; proofs replayed on fresh drawings, every fact of the closure re-checked
  sygus     random PBE and CLIA specs (realizable or not by construction), solved by the
            synthesizer; answers checked by z3, cvc5 (when installed) and an evaluator
  verify    random ReLU networks (ONNX) and VNNLIB properties, decided by verify.api.verify;
            against an exact MILP (and activation-pattern LPs), witnesses re-run in
            onnxruntime, the bound rules checked to enclose sampled outputs
  grammar   random LALR grammars and strings, fed to the constrained decoder's matcher;
            against lark's parser (accepts, prefixes, masks, random walks to EOS)

Every case runs in a forked worker (``symbolic.runner``) with a hard limit of twice
``--timeout`` plus 5 s. Prints progress on stderr and a table of outcomes per engine; exits 1
when any case is ``wrong`` (or ``error``, or a disagreement an engine names by its kind:
``unsound``, ``incomplete``, ...), printing each such case (its text is the input to
turn into a regression test), 0 otherwise, 2 on bad arguments.

    python bench/differential.py --engine sygus --cases 1000 --seed 0 --jobs 2 --timeout 5
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests" / "helpers")]  # run from a checkout
from differential import ENGINES, CaseResult, Verdict, engine, run_case  # noqa: E402

from symbolic.runner import RunConfig, Task, run  # noqa: E402
from symbolic.runner import Status as Ended  # noqa: E402

KILLED = "killed"  # the hard limit stopped the case (or its worker died)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python bench/differential.py",
                                 description=__doc__.split("\n\n")[0],
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", action="append", choices=sorted(ENGINES),
                    help="engine to check (repeat for several; default: all)")
    ap.add_argument("--cases", type=int, default=100, help="random cases per engine")
    ap.add_argument("--seed", type=int, default=0, help="seed of the run")
    ap.add_argument("--case", type=int, default=None, metavar="K",
                    help="run only case K of the seed (to reproduce a failure)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds per case for the engine (cooperative)")
    ap.add_argument("--quiet", action="store_true", help="no progress line")
    return ap.parse_args(argv)


def check_engine(name: str, args: argparse.Namespace) -> list[CaseResult]:
    """Every case of one engine, in case order."""
    ks = [args.case] if args.case is not None else list(range(args.cases))
    limit = 2 * args.timeout + 5
    tasks = [Task((name, args.seed, k, args.timeout), limit=limit) for k in ks]
    start = time.monotonic()
    failing = 0

    def progress(done: int, total: int, outcome) -> None:
        nonlocal failing
        value = outcome.value if outcome.status is Ended.DONE else None
        failing += value is not None and value.verdict.failed
        if not args.quiet:
            rate = done / max(time.monotonic() - start, 1e-9)
            print(f"\r{name}: {done}/{total} cases, {rate:.1f}/s, {failing} failing   ",
                  end="", file=sys.stderr, flush=True)

    out: dict[int, CaseResult] = {}
    config = RunConfig(jobs=args.jobs, preload=(ENGINES[name],))
    for i, outcome in run(run_case, tasks, config, progress=progress):
        k = ks[i]
        if outcome.status is Ended.DONE and outcome.value is not None:
            out[k] = outcome.value
        else:
            detail = f"{outcome.status.value}: {outcome.message}"[:300]
            out[k] = CaseResult(name, args.seed, k, "", Verdict(KILLED, detail),
                                outcome.seconds)
    if not args.quiet:
        print(file=sys.stderr)
    return [out[k] for k in ks]


def table(rows: dict[str, list[CaseResult]], seconds: dict[str, float]) -> str:
    lines = []
    for name, results in rows.items():
        counts = Counter(r.verdict.outcome for r in results)
        columns = [*engine(name).OUTCOMES, KILLED]
        cells = [f"{c} {counts.get(c, 0)}" for c in columns]
        checks: Counter[str] = Counter()
        for r in results:
            checks.update(dict(r.verdict.counts))
        ran = ("  (" + ", ".join(f"{c} {n}" for c, n in checks.items()) + ")") if checks else ""
        lines.append(f"{name:9} cases {len(results):5}  " + "  ".join(cells)
                     + f"  [{seconds[name]:.0f} s]" + ran)
    return "\n".join(lines)


def report(result: CaseResult) -> str:
    return (f"--- {result.engine} case {result.k} (seed {result.seed}): "
            f"{result.verdict.outcome}: {result.verdict.detail}\n"
            f"rerun: python bench/differential.py --engine {result.engine} "
            f"--seed {result.seed} --case {result.k}\n{result.text}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cases < 1 or args.jobs < 1 or args.timeout <= 0 or (args.case or 0) < 0:
        print("error: --cases and --jobs must be at least 1, --timeout positive, --case "
              "not negative", file=sys.stderr)
        return 2
    names = args.engine or sorted(ENGINES)
    rows: dict[str, list[CaseResult]] = {}
    seconds: dict[str, float] = {}
    for name in names:
        start = time.monotonic()
        rows[name] = check_engine(name, args)
        seconds[name] = time.monotonic() - start
    failing = [r for results in rows.values() for r in results if r.verdict.failed]
    for r in failing:
        print(report(r))
    print(table(rows, seconds))
    return 1 if failing else 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
