"""SyGuS benchmark: our synthesizer beside cvc5 (PyPI ``cvc5``), per track, in one run.

For every track folder of the benchmark root, a seeded random sample of ``--per-track`` files
is solved by each engine in a fresh forked process (``symbolic.runner``) with a hard wall-clock
limit (``--timeout``, default 10 s; killed 0.5 s after it). Both engines are imported (and our
numba kernels loaded) in the parent before forking, so neither pays import time; the time
reported is the solve call's own. Every answer of ours is re-checked by cvc5's SMT solver
(``--no-cross-check`` to skip); an answer cvc5 refutes is counted as WRONG.

Prints per track: files, solved / median seconds for each engine, and wrong answers.

    python bench/sygus.py ../shared/benchmarks/sygus --per-track 20 --timeout 10 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout
from symbolic.runner import RunConfig, Task, in_order, run  # noqa: E402
from symbolic.runner import Status as Ended  # noqa: E402

ENGINES = ("ours", "cvc5")


@dataclass
class Row:
    track: str
    file: str
    engine: str
    status: str  # solved | infeasible | unknown | timeout | error
    seconds: float
    check: str = ""  # cvc5 verdict on our answer: unsat (correct) | sat (WRONG) | ...


def run_ours(path: str, timeout: float) -> tuple[str, str]:
    from symbolic.sygus.errors import SygusError
    from symbolic.sygus.oracle import cvc5_verify
    from symbolic.sygus.solver import Outcome, SynthConfig, synthesize
    from symbolic.sygus.spec import read_spec

    try:
        spec = read_spec(path)
    except SygusError:
        return "error", ""
    from reasoner.api import SOURCES, SolveConfig, sygus_proposer

    # the rule weights solve-problem uses: learned (default) or uniform (--uniform)
    uniform = os.environ.get("SYGUS_BENCH_UNIFORM") == "1"
    sources = tuple(s for s in SOURCES if not (uniform and s == "neural"))
    proposer = sygus_proposer(SolveConfig(sources=sources))
    result = synthesize(spec, SynthConfig(timeout=timeout, proposer=proposer))
    check = ""
    if result.outcome is Outcome.SOLVED and os.environ.get("SYGUS_BENCH_CHECK", "1") == "1":
        check = cvc5_verify(spec, result.functions)
    return result.outcome.value, check


def run_cvc5(path: str, timeout: float) -> tuple[str, str]:
    from symbolic.sygus.oracle import cvc5_solve

    text = cvc5_solve(path)
    if "define-fun" in text:
        return "solved", ""
    if "infeasible" in text:
        return "infeasible", ""
    return "unknown", ""


RUNNERS: dict[str, Callable[[str, float], tuple[str, str]]] = {"ours": run_ours,
                                                                "cvc5": run_cvc5}


def run_engine(engine: str, path: str, timeout: float) -> tuple[str, str]:
    return RUNNERS[engine](path, timeout)


def run_limited(fn: Callable[..., tuple[str, str]], calls: Sequence[tuple[tuple, float]],
                jobs: int = 1) -> Iterator[tuple[int, tuple[str, float, str]]]:
    """``fn(*args) -> (status, check)`` for each ``(args, limit)`` of ``calls``, ``jobs`` at a
    time, each in a fresh forked process (``symbolic.runner``) killed after ``limit`` seconds.
    Yields ``(index, (status, seconds, check))`` as they finish, status ``timeout`` or ``error``
    when it did not answer."""
    tasks = [Task(args, limit) for args, limit in calls]
    config = RunConfig(jobs=jobs, grace=0.0, max_tasks=1, quiet=False)
    for index, outcome in run(fn, tasks, config):
        if outcome.status is Ended.DONE:
            status, check = outcome.value
            yield index, (status, outcome.seconds, check)
        elif outcome.status is Ended.RAISED:  # report, never hang the bench
            yield index, ("error", outcome.seconds, outcome.message[:200])
        elif outcome.status is Ended.DIED:
            yield index, ("error", outcome.seconds, "died")
        else:
            yield index, ("timeout", outcome.seconds, "")


def limit_of(engine: str, timeout: float) -> float:
    # the cvc5 check of our answer runs after the solve; give it its own allowance
    return timeout + 0.5 + (25.0 if engine == "ours" else 0.0)


def row_of(engine: str, track: str, path: Path, timeout: float,
           answer: tuple[str, float, str]) -> Row:
    status, seconds, check = answer
    if status == "solved" and seconds > timeout:
        status = "timeout"
    return Row(track, str(path), engine, status, seconds, check)


def sample(root: Path, per_track: int, seed: int) -> dict[str, list[Path]]:
    out = {}
    for track in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(track.rglob("*.sl"))
        if files:
            rng = random.Random(f"{seed}:{track.name}")
            out[track.name] = sorted(rng.sample(files, min(per_track, len(files))))
    return out


def table(rows: list[Row], engines: tuple[str, ...]) -> str:
    tracks = sorted({r.track for r in rows})
    head = f"{'track':<16}{'files':>6}" + "".join(
        f"{e + ' solved':>14}{e + ' median s':>14}" for e in engines) + f"{'wrong':>7}"
    lines = [head, "-" * len(head)]
    totals = {e: 0 for e in engines}
    n_total, wrong_total = 0, 0
    for t in tracks + ["TOTAL"]:
        sel = [r for r in rows if t == "TOTAL" or r.track == t]
        n = len({r.file for r in sel})
        line = f"{t:<16}{n:>6}"
        for e in engines:
            ok = [r.seconds for r in sel if r.engine == e and r.status in
                  ("solved", "infeasible")]
            med = f"{statistics.median(ok):.2f}" if ok else "-"
            line += f"{len(ok):>14}{med:>14}"
            if t != "TOTAL":
                totals[e] += len(ok)
        wrong = sum(1 for r in sel if r.engine == "ours" and r.check == "sat")
        line += f"{wrong:>7}"
        if t != "TOTAL":
            n_total += n
            wrong_total += wrong
        lines.append(line)
    if "ours" in totals and totals.get("cvc5"):
        lines.append(f"ours / cvc5 solved: {totals['ours'] / totals['cvc5']:.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", nargs="?", type=Path,
                    default=Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
                    / "sygus", help="benchmark folder (default: ../shared/benchmarks/sygus "
                    "beside the checkout)")
    ap.add_argument("--per-track", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=ENGINES)
    ap.add_argument("--tracks", nargs="+", metavar="TRACK",
                    help="only these track folders (the sample of each is unchanged)")
    ap.add_argument("--no-cross-check", action="store_true")
    ap.add_argument("--uniform", action="store_true",
                    help="ours with uniform rule weights instead of the learned pCFG that "
                         "solve-problem uses by default")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.uniform:
        os.environ["SYGUS_BENCH_UNIFORM"] = "1"
    if args.no_cross_check:
        os.environ["SYGUS_BENCH_CHECK"] = "0"
    engines = (args.only,) if args.only else ENGINES
    _preload(engines)
    picked = sample(Path(args.root), args.per_track, args.seed)
    if args.tracks:
        picked = {t: files for t, files in picked.items() if t in args.tracks}
    jobs = [(e, t, f) for t, files in picked.items() for f in files for e in engines]
    rows = _run_all(jobs, args.timeout, max(1, args.jobs), args.verbose)
    print(table(rows, engines))
    return 0


def _run_all(jobs, timeout: float, n: int, verbose: bool) -> list[Row]:
    calls = [((e, str(f), timeout), limit_of(e, timeout)) for e, _, f in jobs]
    answers = in_order(run_limited(run_engine, calls, n))
    rows = [row_of(e, t, f, timeout, a) for (e, t, f), a in zip(jobs, answers)]
    if verbose:
        for r in rows:
            print(f"{r.engine:<5} {r.status:<10} {r.seconds:6.2f} {r.check:<8} {r.file}")
    return rows


def _preload(engines: tuple[str, ...]) -> None:
    if "ours" in engines:
        import z3  # noqa: F401

        import symbolic.sygus.solver  # noqa: F401
        from symbolic.sygus.kernels import warm_up

        warm_up()
    import cvc5  # noqa: F401


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
