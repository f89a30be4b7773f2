"""SyGuS guidance ablation: uniform vs learned vs learned+Bayesian pCFG costs, same timeout.

Runs a deterministic sample of ``--per-track`` files per track of the *development* split
(``neural.sygus.splits``: never a file the model was trained on) with each guidance
configuration, every (configuration, file) in a fresh forked process (``symbolic.runner``) with
a hard wall-clock limit (``--timeout`` + 0.5 s for the solve). Every answer has already passed
the solver's own checks (z3 and the plain evaluator); it is re-checked by cvc5's SMT solver as
well, and an answer cvc5 refutes counts as WRONG. An ``infeasible`` answer is put to cvc5's
synthesizer (15 s): ``infeasible`` when it agrees, WRONG when it finds a program, else
``unknown``.

    python bench/sygus_guidance.py --per-track 15 --timeout 10 --jobs 2 --json out.json

Configurations: ``uniform`` (UniformProposer, the default), ``learned`` (LearnedProposer),
``bayes`` (BayesProposer: learned prior, pyro Beta posterior updated from partial solutions),
``probe`` (ProbeProposer, for reference). ``learned:PATH`` or ``bayes:PATH`` use another
weights file than the shipped one (``--model``), so two models run side by side. Seconds are
the child's wall time, re-checks included. Measured figures and the commands that give them
are in the README ("Learned rule weights").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout
sys.path.insert(0, str(REPO_ROOT / "bench"))
from sygus import run_limited  # noqa: E402  (bench/sygus.py: one limited-run helper)

CONFIGS = ("uniform", "learned", "bayes", "probe")


@dataclass
class Row:
    track: str
    file: str
    config: str
    status: str  # solved | infeasible | unknown | timeout | error
    seconds: float
    check: str = ""  # cvc5 on our answer: unsat (correct) | sat (WRONG) | unknown;
    # on an infeasible answer: infeasible (cvc5 agrees) | sat (WRONG: cvc5 solved it) | unknown


def make_proposer(config: str, model=None, max_cost: int = 3, kappa: float = 4.0,
                  reference: str = "median"):
    from symbolic.sygus.pcfg import ProbeProposer, UniformProposer

    if config == "uniform":
        return UniformProposer()
    if config == "probe":
        return ProbeProposer()
    from neural.sygus.proposer import BayesProposer, LearnedProposer

    if _base(config) == "learned":
        return LearnedProposer(model, max_cost, reference)
    return BayesProposer(model, max_cost, kappa, reference)


def _base(config: str) -> str:
    return config.split(":", 1)[0]


def _label(config: str) -> str:
    """``learned:path/to/new.json`` shows as ``learned:new``."""
    base, _, path = config.partition(":")
    return f"{base}:{Path(path).stem}" if path else base


def run_file(path: str, config: str, timeout: float, model=None) -> tuple[str, str]:
    from symbolic.sygus.errors import SygusError
    from symbolic.sygus.oracle import cvc5_verify
    from symbolic.sygus.solver import Outcome, SynthConfig, synthesize
    from symbolic.sygus.spec import read_spec

    try:
        spec = read_spec(path)
    except SygusError:
        return "error", ""
    knobs = json.loads(os.environ.get("SYGUS_GUIDANCE_KNOBS", "{}"))
    result = synthesize(spec, SynthConfig(timeout=timeout,
                                          proposer=make_proposer(config, model, **knobs)))
    check = ""
    if os.environ.get("SYGUS_BENCH_CHECK", "1") == "1":
        if result.outcome is Outcome.SOLVED:
            check = cvc5_verify(spec, result.functions)
        elif result.outcome is Outcome.INFEASIBLE:
            check = infeasible_check(path)
    return result.outcome.value, check


def infeasible_check(path: str, limit: float = 15.0) -> str:
    """cvc5's synthesizer on a file we call infeasible, in a forked process killed after
    ``limit`` seconds: ``infeasible`` (it agrees), ``sat`` (it found a program: our answer is
    WRONG) or ``unknown`` (no verdict in time, or cvc5 cannot read the file)."""
    from neural.sygus.harvest import solve_one

    status, _, text = solve_one(Path(path), limit, "cvc5")
    if status == "error":
        return "unknown"
    if "infeasible" in text:
        return "infeasible"
    return "sat" if "define-fun" in text else "unknown"


def run_all(jobs: list[tuple[str, str, Path]], timeout: float, models: dict, n: int,
            verbose: bool) -> list[Row]:
    """Every ``(config, track, path)`` job, ``n`` at a time; rows in input order."""

    def solve(path: str, config: str) -> tuple[str, str]:  # in the forked worker
        return run_file(path, config, timeout, models.get(config))

    # the cvc5 check of the answer runs after the solve; it has its own allowance
    calls = [((str(path), config), timeout + 25.5) for config, _, path in jobs]
    rows: list[Row | None] = [None] * len(jobs)
    for index, (status, seconds, check) in run_limited(solve, calls, n):
        config, track, path = jobs[index]
        if status in ("solved", "infeasible") and seconds > timeout + 0.5 and not check:
            status = "timeout"
        row = rows[index] = Row(track, str(path), config, status, seconds, check)
        if verbose:  # as each finishes, so a run cut short still leaves its rows
            print(f"{_label(row.config):<8} {row.status:<10} {row.seconds:6.2f} "
                  f"{row.check:<8} {row.file}", flush=True)
    return [r for r in rows if r is not None]


def summary(rows: list[Row], configs: tuple[str, ...]) -> dict:
    out: dict = {}
    for t in sorted({r.track for r in rows}) + ["TOTAL"]:
        sel = [r for r in rows if t == "TOTAL" or r.track == t]
        entry: dict = {"files": len({r.file for r in sel})}
        for c in configs:
            ok = [r.seconds for r in sel if r.config == c and r.status in
                  ("solved", "infeasible")]
            entry[c] = {"solved": len(ok),
                        "median_s": round(statistics.median(ok), 3) if ok else None,
                        "wrong": sum(1 for r in sel if r.config == c and r.check == "sat")}
        out[t] = entry
    return out


def table(summ: dict, configs: tuple[str, ...]) -> str:
    head = f"{'track':<16}{'files':>6}" + "".join(
        f"{_label(c) + ' solved':>16}{_label(c) + ' med s':>14}" for c in configs) \
        + f"{'wrong':>7}"
    lines = [head, "-" * len(head)]
    for t, e in summ.items():
        line = f"{t:<16}{e['files']:>6}"
        for c in configs:
            med = "-" if e[c]["median_s"] is None else f"{e[c]['median_s']:.2f}"
            line += f"{e[c]['solved']:>16}{med:>14}"
        line += f"{sum(e[c]['wrong'] for c in configs):>7}"
        lines.append(line)
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from neural.sygus.splits import DEFAULT_ROOT

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", nargs="?", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--per-track", type=int, default=15)
    ap.add_argument("--offset", type=int, default=0,
                    help="skip the first files of each track's sample order (a further sample)")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--configs", default="uniform,learned,bayes")
    ap.add_argument("--max-cost", type=int, default=3, help="learned/bayes: highest rule cost")
    ap.add_argument("--reference", choices=("median", "max"), default="median",
                    help="learned/bayes: the production probability that costs 1")
    ap.add_argument("--kappa", type=float, default=4.0, help="bayes: prior strength")
    ap.add_argument("--split", choices=("dev", "train"), default="dev")
    ap.add_argument("--model", type=Path, default=None,
                    help="learned/bayes: a weights file (default: the shipped one)")
    ap.add_argument("--no-cross-check", action="store_true")
    ap.add_argument("--json", type=Path, help="write rows and summary here")
    ap.add_argument("--verbose", action="store_true")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configs = tuple(c.strip() for c in args.configs.split(",") if c.strip())
    bad = [c for c in configs if _base(c) not in CONFIGS
           or (":" in c and _base(c) not in ("learned", "bayes"))]
    if bad:
        print(f"unknown configuration(s): {', '.join(bad)}; choose from {CONFIGS}",
              file=sys.stderr)
        return 2
    os.environ["SYGUS_GUIDANCE_KNOBS"] = json.dumps({"max_cost": args.max_cost,
                                                     "kappa": args.kappa,
                                                     "reference": args.reference})
    if args.no_cross_check:
        os.environ["SYGUS_BENCH_CHECK"] = "0"
    from neural.sygus.splits import split_files

    models = _preload(configs, args.model)
    root = args.root.resolve()
    jobs = [(c, t, root / f) for t, files in split_files(root, args.split, args.per_track,
                                                         offset=args.offset).items()
            for f in files for c in configs]
    rows = run_all(jobs, args.timeout, models, max(1, args.jobs), args.verbose)
    summ = summary(rows, configs)
    print(f"{args.split} split, {args.per_track} files per track at most (offset "
          f"{args.offset}), "
          f"timeout {args.timeout:g} s, max cost {args.max_cost}, kappa {args.kappa:g}, "
          f"reference {args.reference}")
    print(table(summ, configs))
    if args.json:
        args.json.write_text(json.dumps({"split": args.split, "timeout": args.timeout,
                                         "max_cost": args.max_cost, "kappa": args.kappa,
                                         "reference": args.reference,
                                         "per_track": args.per_track, "offset": args.offset,
                                         "summary": summ,
                                         "rows": [asdict(r) for r in rows]}, indent=1))
    return 1 if any(r.check == "sat" for r in rows) else 0


def _preload(configs: tuple[str, ...], path: Path | None = None) -> dict:
    """Warm the solver up before forking; the weights of each learned/bayes configuration."""
    import z3  # noqa: F401

    if os.environ.get("SYGUS_BENCH_CHECK", "1") == "1":
        import cvc5  # noqa: F401
    import symbolic.sygus.solver  # noqa: F401
    from symbolic.sygus.kernels import warm_up

    warm_up()
    learned = [c for c in configs if _base(c) in ("learned", "bayes")]
    if not learned:
        return {}
    from neural.sygus.model import WEIGHTS, load

    if any(_base(c) == "bayes" for c in learned):
        import pyro.distributions  # noqa: F401
        import torch

        torch.set_num_threads(1)
    return {c: load(Path(c.split(":", 1)[1]) if ":" in c else path or WEIGHTS)
            for c in learned}


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
