"""Synthetic training data: (problem, auxiliary construction) pairs found by our own prover.

One *attempt* draws a construction sequence (a triangle, then clauses whose constructions come
from the definition table with arguments among the existing points), draws the diagram
(``build_diagram``; degenerate draws are skipped) and runs DD+AR on each prefix of the
sequence, each closure continuing the one before (``neural.traceback.prefix_closures``).
Goals are statements on the points of a prefix that the whole sequence's closure proves and
that prefix's closure does not (``needed_goals``: facts the closure recorded and statements the
diagram shows numerically), so they need a later point. Each goal's proof is traced back
(``trace``, AlphaGeometry's dependency difference with minimal premises): the clauses that
construct the goal's points form the *statement*, the other clauses the proof uses are the
*auxiliary constructions*. The statement clauses in their order, then the auxiliary clauses,
points renamed ``a, b, c, ...`` in that order (AlphaGeometry's training format;
``Clause.rename``), make the example. Each is rebuilt from its typed clauses (``make_problem``,
``Problem.with_auxiliary``: checked as the parser checks a problem line) and re-proved
(``prove``: a fresh diagram, DD+AR, and the replay check ``check_proof`` on an independent
diagram), and, with ``require_needed`` (the default), DD+AR must fail to prove the statement
alone on a fresh diagram; so every example carries a checked proof.

Sequences that need auxiliary points are rare among random ones and cluster, so ``generate``
draws most sequences as variants of sequences that gave new examples (``mutate``).

Deterministic for a seed: each attempt draws its own generator from the one passed in, so a
time limit hit in one attempt drops only that attempt's examples. Deduplicated by problem text;
a held-back ``eval`` split chosen by a hash of the text (independent of the seed).

    python -m neural.data --count 100 --seed 0 --out data.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symbolic.geometry.dd import DDARConfig, DDARRun, saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import COLL
from symbolic.geometry.problem import (
    Clause,
    Problem,
    make_problem,
    read_problems,
)
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.tables import Atom

from .sequences import (  # noqa: F401  (re-exported: the generator's public names)
    BASES,
    LOCI,
    POOL,
    Mix,
    mix_of,
    mutate,
    sample_clause,
    sample_clauses,
)
from .traceback import (
    needed_goals,
    prefix_closures,
    recorded_goals,
    statement_of,
    trace,
)


@dataclass(frozen=True)
class DataConfig:
    """Sizes and limits of the generator (all deterministic except the time limits, which
    only ever drop an attempt's examples)."""

    min_clauses: int = 4          # clauses after the base triangle
    max_clauses: int = 8
    pair_probability: float = 0.3  # a clause intersecting two loci
    early_inputs: float = 0.0      # bias of a construction's inputs towards early points
    goals_per_diagram: int = 64    # goals traced back per diagram
    goals_per_split: int = 2       # examples kept per (statement, auxiliary clauses) of a diagram
    checks_per_diagram: int = 16   # examples re-proved per diagram (the costly part)
    mutate_probability: float = 0.8  # an attempt draws a variant of a productive sequence
    mutations: int = 30            # variants drawn of each productive sequence
    max_depth: int = 4             # variants of variants, at most
    family_variants: int = 150     # variants descending from one fresh sequence, at most
    min_steps: int = 2             # shortest proof kept
    max_levels: int = 16
    saturate_seconds: float = 6.0
    prove_seconds: float = 6.0
    eval_permille: int = 50        # share of the held-back split, per thousand
    require_needed: bool = True    # drop pairs whose statement DD+AR proves without the aux
    mix: Mix | None = None         # constructions drawn (None: POOL, LOCI and BASES above)


@dataclass(frozen=True)
class Example:
    """One training pair as text: statement clauses, auxiliary clauses, goal, the checked
    proof's length and rules (table ids and AR/structural step kinds, in order of first use),
    the split, and the whole problem in AlphaGeometry's language (auxiliary clauses last)."""

    name: str
    statement: tuple[str, ...]
    auxiliary: tuple[str, ...]
    goal: str
    proof_length: int
    rules: tuple[str, ...]
    split: str
    problem: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def split_of(text: str, eval_permille: int) -> str:
    h = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return "eval" if h % 1000 < eval_permille else "train"


# ------------------------------------------------------------------ goals


def _goals(problem: Problem, runs: Sequence[DDARRun], coords: dict,
           rng: np.random.Generator, config: DataConfig) -> list[Fact]:
    """The goals to trace back, in a random order, at most ``goals_per_diagram``: with
    ``require_needed``, those that need a later point on this diagram (``needed_goals``);
    without, every derived fact a clause is left out of the statement of."""
    if config.require_needed:
        cands = needed_goals(problem, runs, coords, DDARConfig(
            config.max_levels, time.monotonic() + config.saturate_seconds))
    else:
        n = len(problem.clauses)
        cands = [f for f in recorded_goals(runs[-1].state)
                 if len(statement_of(f, problem)) < n]
    order = rng.permutation(len(cands))[:config.goals_per_diagram]
    return [cands[i] for i in order]


def attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None = None,
            clauses: Sequence[Clause] | None = None) -> list[Example]:
    """One construction sequence (``clauses``, or a random one), its closures, and the
    checked examples found in it (those checked before ``deadline``, a ``time.monotonic()``
    value)."""
    return [ex for ex, _ in _attempt(rng, config, deadline, clauses)]


def _attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None,
             clauses: Sequence[Clause] | None) -> list[tuple[Example, tuple[int, ...]]]:
    """``attempt``'s examples, each with the clauses (indices) its statement and auxiliary
    constructions come from."""
    from symbolic.geometry.numeric import build_diagram

    if clauses is None:
        clauses = sample_clauses(rng, config)
    try:
        problem = make_problem("synthetic", clauses, Atom(COLL, ("a", "b", "c")))
        diagram = build_diagram(problem, rng, max_tries=10, check_goal=False)
    except GeometryError:
        return []  # degenerate or undrawable sequence
    ddar = DDARConfig(config.max_levels, time.monotonic() + config.saturate_seconds)
    if config.require_needed:
        runs = prefix_closures(problem, diagram.coords, ddar)
    else:  # goals come from the whole closure alone: the prefixes' would go unread
        whole = saturate(problem, diagram.coords, ddar)
        runs = None if whole.timed_out else [whole]
    if runs is None:
        return []  # a partial closure would depend on the machine's speed
    state = runs[-1].state
    goals = _goals(problem, runs, diagram.coords, rng, config)
    seed = int(rng.integers(2**31))
    out = []
    checks = 0
    per_split: Counter[tuple] = Counter()  # examples per (statement, aux) and (statement, goal)
    for goal in goals:
        if checks >= config.checks_per_diagram or (deadline is not None
                                                   and time.monotonic() > deadline):
            break
        split = trace(problem, state, goal)
        if not split.auxiliary:
            continue
        stated, aux, atom = split.renamed(problem)
        by_aux, by_goal = (stated, aux), (stated, atom)
        if per_split[by_aux] >= config.goals_per_split or per_split[by_goal]:
            continue
        try:
            statement = make_problem("synthetic", stated, atom)
        except GeometryError:
            continue
        checks += 1
        ex = check_example(statement, aux, seed, config)
        if ex is not None:
            out.append((ex, split.statement + split.auxiliary))
            per_split[by_aux] += 1
            per_split[by_goal] += 1
    return out


def check_example(statement: Problem, aux: Sequence[Clause], seed: int,
                  config: DataConfig) -> Example | None:
    """Re-prove the statement extended with ``aux`` (``Problem.with_auxiliary``) and, with
    ``require_needed``, fail to prove the statement alone; the example, or None."""
    try:
        problem = statement.with_auxiliary(aux)
        outcome = prove(problem, ProverConfig(seed=seed, timeout=config.prove_seconds,
                                              max_levels=config.max_levels))
    except GeometryError:
        return None
    if not outcome.proved or outcome.proof is None:
        return None
    proof = outcome.proof
    if len(proof.steps) < config.min_steps or not proof.auxiliary_points:
        return None
    if config.require_needed:
        try:
            bare = prove(statement, ProverConfig(seed=seed, timeout=config.prove_seconds,
                                                 max_levels=config.max_levels))
        except GeometryError:
            return None
        if bare.proved or bare.timed_out:
            return None  # the auxiliary clauses are not needed (or we cannot tell)
    rules = tuple(dict.fromkeys(s.derivation.rule for s in proof.steps))
    text = problem.text()
    name = "syn_" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return Example(name, tuple(map(str, statement.clauses)), tuple(map(str, aux)),
                   str(statement.goal), len(proof.steps), rules,
                   split_of(text, config.eval_permille), text)


@dataclass
class _Parent:
    """A sequence that gave new examples, kept to draw variants of (``mutate``)."""

    clauses: tuple[Clause, ...]
    used: tuple[int, ...]  # the clauses its new examples state or construct aux points with
    depth: int        # variants between it and a fresh random sequence
    tries_left: int
    family: int       # the attempt that drew the fresh sequence it descends from


def generate(count: int, rng: np.random.Generator, config: DataConfig | None = None,
             progress=None, max_attempts: int | None = None,
             deadline: float | None = None) -> Iterator[Example]:
    """Up to ``count`` distinct examples (distinct problem texts). ``progress(n, attempts)``
    is called after each attempt; ``max_attempts`` bounds the work (default 2000 * count),
    ``deadline`` (a ``time.monotonic()`` value) the time.

    Sequences that need auxiliary points are rare (about one random sequence in 500 with
    DD+AR's closures today) and cluster: a variant of one is one again about a third of the
    time. So a sequence that gave new examples becomes a *parent*: with probability
    ``mutate_probability`` an attempt draws a variant of a parent (``mutate``) instead of a
    fresh sequence; each parent gives ``mutations`` variants, productive variants become
    parents up to ``max_depth`` variants from a fresh sequence, and all those descending from
    one fresh sequence (a family, one kind of configuration) number ``family_variants`` at
    most, so that no family fills the data. (Without ``require_needed`` productive sequences
    are common and a variant mostly repeats its parent's examples: the CLI then draws every
    sequence fresh.)"""
    config = config or DataConfig()
    seen: set[str] = set()
    parents: list[_Parent] = []
    family_left: dict[int, int] = {}  # variants left to each family (``family_variants``)
    attempts = 0
    limit = max_attempts if max_attempts is not None else 2000 * max(count, 1)
    while len(seen) < count and attempts < limit and (deadline is None
                                                      or time.monotonic() < deadline):
        sub = np.random.default_rng(int(rng.integers(2**63)))
        attempts += 1
        depth, family = 0, attempts
        if parents and sub.random() < config.mutate_probability:
            j = int(sub.integers(len(parents)))
            parent = parents[j]
            clauses = mutate(parent.clauses, parent.used, sub, config)
            depth, family = parent.depth + 1, parent.family
            parent.tries_left -= 1
            family_left[family] -= 1
            if family_left[family] <= 0:
                parents = [p for p in parents if p.family != family]
            elif parent.tries_left <= 0:
                parents.pop(j)
        else:
            clauses = sample_clauses(sub, config)
        used: set[int] = set()
        for ex, clause_ids in _attempt(sub, config, deadline, clauses):
            if ex.problem in seen or len(seen) >= count:
                continue
            seen.add(ex.problem)
            used.update(clause_ids)
            yield ex
        family_left.setdefault(family, config.family_variants)
        if used and depth < config.max_depth and config.mutations and family_left[family] > 0:
            parents.append(_Parent(tuple(clauses), tuple(sorted(used)), depth,
                                   config.mutations, family))
        if progress is not None:
            progress(len(seen), attempts)


# ------------------------------------------------------------------ CLI


def _unneeded_limits(allow_unneeded: bool) -> dict[str, int]:
    """With ``--allow-unneeded`` every traced goal is cheap to check (no failed proof of the
    statement alone), so the per-diagram caps that keep needed-mode runs varied would only
    throw examples away: each diagram checks all its goals, as many per split as it has."""
    if not allow_unneeded:
        return {}
    n = DataConfig.goals_per_diagram
    return {"checks_per_diagram": n, "goals_per_split": n}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m neural.data", description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, required=True, help="number of examples")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="output JSON-lines file")
    ap.add_argument("--min-clauses", type=int, default=DataConfig.min_clauses,
                    help="fewest clauses after the base (default: %(default)s)")
    ap.add_argument("--max-clauses", type=int, default=DataConfig.max_clauses,
                    help="most clauses after the base (default: %(default)s)")
    ap.add_argument("--mix", metavar="FILE",
                    help="draw constructions as often as the problems of FILE (a problem "
                         "file, e.g. an olympiad set) use them, instead of the built-in "
                         "JGEX-like mix")
    ap.add_argument("--eval-permille", type=int, default=DataConfig.eval_permille)
    ap.add_argument("--mutate-probability", type=float, default=None,
                    help="share of sequences drawn as variants of sequences that gave new "
                         "examples (0: every sequence fresh; default: "
                         f"{DataConfig.mutate_probability}, 0 with --allow-unneeded)")
    ap.add_argument("--allow-unneeded", action="store_true",
                    help="keep pairs whose statement DD+AR proves without the auxiliary clauses "
                         "(much faster; weaker data)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="worker processes; worker i draws from seed (SEED, i), so the output "
                         "is deterministic for a given SEED and JOBS when no time limit is hit")
    ap.add_argument("--cluster", metavar="ADDRESS",
                    help="run the workers on a Ray cluster (local, auto or HOST:PORT; pip install "
                         "'neurosym[cluster]'): the same data as locally for a SEED and JOBS, "
                         "written by this process")
    ap.add_argument("--seconds", type=float, default=None,
                    help="stop after this many seconds with what has been found (each example "
                         "is written as soon as it is checked)")
    return ap.parse_args(argv)


def _worker(args: argparse.Namespace, config: DataConfig, job: int, path: str,
            deadline: float | None, quiet: bool) -> int:
    """Write up to ``args.count // args.jobs`` (+1 for the first ``count % jobs``) examples."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for ex in _examples(args, config, job, deadline, quiet):
            f.write(json.dumps(ex.to_json()) + "\n")
            f.flush()
            n += 1
    return n


def _cluster_worker(args: argparse.Namespace, config: DataConfig, job: int,
                    seconds: float | None) -> list[str]:
    """``_worker`` on a cluster node: the examples' JSON lines come back to the driver (the
    node need not share its files); the time limit starts when the worker does."""
    deadline = None if seconds is None else time.monotonic() + seconds
    return [json.dumps(ex.to_json()) + "\n"
            for ex in _examples(args, config, job, deadline, True)]


def _examples(args: argparse.Namespace, config: DataConfig, job: int, deadline: float | None,
              quiet: bool) -> Iterator[Example]:
    """Worker ``job``'s share of the examples, from its own seed (SEED, job)."""
    count = args.count // args.jobs + (job < args.count % args.jobs)
    rng = np.random.default_rng([args.seed, job]) if args.jobs > 1 else \
        np.random.default_rng(args.seed)
    start = time.monotonic()

    def progress(n: int, attempts: int) -> None:
        if quiet:
            return
        rate = n / max(time.monotonic() - start, 1e-9) * 60
        print(f"\r{n}/{count} examples, {attempts} sequences, {rate:.1f}/min",
              end="", file=sys.stderr, flush=True)

    yield from generate(count, rng, config, progress, deadline=deadline)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.jobs < 1 or args.count < 1:
        print("error: --jobs and --count must be at least 1", file=sys.stderr)
        return 2
    if not 0 <= args.min_clauses <= args.max_clauses:
        print("error: need 0 <= --min-clauses <= --max-clauses", file=sys.stderr)
        return 2
    mix = None
    if args.mix:
        try:
            mix = mix_of([p for p in read_problems(args.mix) if isinstance(p, Problem)])
        except (GeometryError, OSError, ValueError) as e:
            print(f"error: --mix {args.mix}: {e}", file=sys.stderr)
            return 2
        print(f"mix of {args.mix}: {mix.describe()}", file=sys.stderr)
    config = DataConfig(min_clauses=args.min_clauses, max_clauses=args.max_clauses,
                        eval_permille=args.eval_permille,
                        mutate_probability=(args.mutate_probability
                                            if args.mutate_probability is not None
                                            else 0.0 if args.allow_unneeded
                                            else DataConfig.mutate_probability),
                        require_needed=not args.allow_unneeded, mix=mix,
                        **_unneeded_limits(args.allow_unneeded))
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    if args.jobs == 1 and not args.cluster:
        n = _worker(args, config, 0, args.out, deadline, False)
        print(file=sys.stderr)
        return 0 if n == args.count else 1
    from symbolic.cluster import ClusterError
    from symbolic.runner import RunConfig, Task, run
    from symbolic.runner import Status as Ended

    parts = [f"{args.out}.part{j}" for j in range(args.jobs)]
    if args.cluster:
        fn: Any = _cluster_worker
        tasks = [Task((args, config, j, args.seconds)) for j in range(args.jobs)]
    else:
        fn = _worker
        tasks = [Task((args, config, j, parts[j], deadline, True)) for j in range(args.jobs)]
    try:
        outcomes = dict(run(fn, tasks, RunConfig(jobs=args.jobs, quiet=False,
                                                 cluster=args.cluster)))
    except ClusterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = [(j, o) for j, o in sorted(outcomes.items()) if o.status is not Ended.DONE]
    for j, outcome in failed:
        print(f"error: worker {j} {outcome.status.value}: {outcome.message}", file=sys.stderr)
    if failed:
        return 1
    if args.cluster:
        found = [outcomes[j].value or [] for j in range(args.jobs)]
    else:
        found = [Path(part).read_text(encoding="utf-8").splitlines(keepends=True)
                 for part in parts]
        for part in parts:
            Path(part).unlink()
    seen: set[str] = set()
    n = 0
    with open(args.out, "w", encoding="utf-8") as f:  # merge in worker order, deduplicated
        for lines in found:
            for line in lines:
                text = json.loads(line)["problem"]
                if text not in seen:
                    seen.add(text)
                    f.write(line)
                    n += 1
    print(f"{n} examples ({sum(map(len, found))} found by {args.jobs} workers, duplicates "
          f"dropped) -> {args.out}", file=sys.stderr)
    return 0 if n == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
