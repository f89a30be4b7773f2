"""SyGuS guidance ablation: uniform vs learned vs learned+Bayesian pCFG costs, same timeout.

Runs a deterministic sample of ``--per-track`` files per track of the *development* split
(``neural.sygus.splits``: never a file the model was trained on) with each guidance
configuration, every (configuration, file) in a fresh forked process with a hard wall-clock
limit (``--timeout`` + 0.5 s for the solve). Every answer has already passed the solver's own
checks (z3 and the plain evaluator); it is re-checked by cvc5's SMT solver as well, and an
answer cvc5 refutes counts as WRONG.

    python bench/sygus_guidance.py --per-track 15 --timeout 10 --jobs 2 --json out.json

Configurations: ``uniform`` (UniformProposer, the default), ``learned`` (LearnedProposer),
``bayes`` (BayesProposer: learned prior, pyro Beta posterior updated from partial solutions),
``probe`` (ProbeProposer, for reference). Seconds are the child's wall time, re-checks
included. Measured on 2 shared cores (load about 4.5), dev split, 10 s, max cost 3, median
reference, kappa 4, samples ``--offset 0`` and ``--offset 15`` of 15 files per track:

    track            files  uniform  learned  bayes   (solved; 0 wrong in every run)
    CLIA_Track          10        7        7      7
    General_Track       30       18       19     19
    Inv_Track           30       19       21     20
    PBE_BV_Track        30       29       28     28
    PBE_SLIA_Track      30       17       19     19
    TOTAL              130       90       94     93

Learned guidance solves 5 files uniform does not and loses 1; the Bayesian update adds nothing
over it (one file fewer), so only the learned proposer is worth keeping.
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
    check: str = ""  # cvc5 on our answer: unsat (correct) | sat (WRONG) | unknown


def make_proposer(config: str, model=None, max_cost: int = 3, kappa: float = 4.0,
                  reference: str = "median"):
    from symbolic.sygus.pcfg import ProbeProposer, UniformProposer

    if config == "uniform":
        return UniformProposer()
    if config == "probe":
        return ProbeProposer()
    from neural.sygus.proposer import BayesProposer, LearnedProposer

    if config == "learned":
        return LearnedProposer(model, max_cost, reference)
    return BayesProposer(model, max_cost, kappa, reference)


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
    if result.outcome is Outcome.SOLVED and os.environ.get("SYGUS_BENCH_CHECK", "1") == "1":
        check = cvc5_verify(spec, result.functions)
    return result.outcome.value, check


def run_one(config: str, track: str, path: Path, timeout: float, model) -> Row:
    # the cvc5 check of the answer runs after the solve; it has its own allowance
    status, seconds, check = run_limited(run_file, (str(path), config, timeout, model),
                                         timeout + 25.5)
    if status in ("solved", "infeasible") and seconds > timeout + 0.5 and not check:
        status = "timeout"
    return Row(track, str(path), config, status, seconds, check)


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
        f"{c + ' solved':>16}{c + ' med s':>14}" for c in configs) + f"{'wrong':>7}"
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
    ap.add_argument("--no-cross-check", action="store_true")
    ap.add_argument("--json", type=Path, help="write rows and summary here")
    ap.add_argument("--verbose", action="store_true")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configs = tuple(c.strip() for c in args.configs.split(",") if c.strip())
    bad = [c for c in configs if c not in CONFIGS]
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

    model = _preload(configs)
    root = args.root.resolve()
    jobs = [(c, t, root / f) for t, files in split_files(root, args.split, args.per_track,
                                                         offset=args.offset).items()
            for f in files for c in configs]
    from concurrent.futures import ThreadPoolExecutor

    # threads only wait on forked children; the parent starts no solver threads
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda j: run_one(j[0], j[1], j[2], args.timeout, model), jobs))
    if args.verbose:
        for r in rows:
            print(f"{r.config:<8} {r.status:<10} {r.seconds:6.2f} {r.check:<8} {r.file}")
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


def _preload(configs: tuple[str, ...]):
    import cvc5  # noqa: F401
    import z3  # noqa: F401

    import symbolic.sygus.solver  # noqa: F401
    from symbolic.sygus.kernels import warm_up

    warm_up()
    if not {"learned", "bayes"} & set(configs):
        return None
    from neural.sygus.model import load

    if "bayes" in configs:
        import pyro.distributions  # noqa: F401
        import torch

        torch.set_num_threads(1)
    return load()


if __name__ == "__main__":
    raise SystemExit(main())
